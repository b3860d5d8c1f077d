"""run_missing.py: each of the four plugins on a store with missing periods,
suppressed values (NaN), zero denominators and a zero baseline. Whatever
the data, the output must never hold a NaN or an infinity written as a
number: the JSON parses with Python's json module in strict mode (NaN and
Infinity refused), CSV numbers are finite, and the table shows no "nan" or
"inf". What each case must give follows from the plugins' "When a value is
NaN" rules (docs/plugins/*.md) and docs/results.md:

  area   data (5 financial years, 2012/13 to 2016/17)
  OK     complete, ordinary values
  ZERO   every denominator 0 in 2016/17: that year's rates are NaN, so the
         rate is read at 2015/16 (period 2015-04-01); counts still 2016/17
  GAP    2013/14 and 2014/15 missing: read as usual, the SPC note counts 2
  NONE   every value missing: insufficient_data with a message
  EMPTY  every denominator 0: rates insufficient_data (no division by zero)
  (acute and prevention spend both count as denominators: their sum is
  the share's; prevention is also the numerator zeroed for BASE0)
  BASE0  numerators 0 in the baseline year: change_pct null (results.md:
         baseline_value 0), a relative target equal to 0, so no expected
         change: progress and score null, RAG by the side of the baseline

Usage: run_missing.py WORKDIR
"""
import math
import os
import sys

from run_common import (Checker, main_guard, parse_csv, run_json, run_outcomes, sanitizer_report,
                        write_store, write_text)

TIMES = ["2012-04-01", "2013-04-01", "2014-04-01", "2015-04-01", "2016-04-01"]
AREAS = ["OK", "ZERO", "GAP", "NONE", "EMPTY", "BASE0"]
N = None


def shaped(ok, zero_last=False, gap=False, none=False, empty=False, base0=False,
           denominator=False):
    """A measure's row for each area kind, from the OK area's row."""
    row = list(ok)
    if zero_last and denominator:
        row[-1] = 0.0
    if gap:
        row[1] = row[2] = N
    if none:
        row = [N] * len(row)
    if empty and denominator:
        row = [0.0] * len(row)
    if base0 and denominator != True:
        row[0] = 0.0
    return row


def measure(ok, denominator=False):
    return {"values": [shaped(ok, zero_last=a == "ZERO", gap=a == "GAP", none=a == "NONE",
                              empty=a == "EMPTY", base0=a == "BASE0", denominator=denominator)
                       for a in AREAS]}


def build_store(path):
    measures = {
        "claimants": measure([700, 690, 660, 640, 630]),
        "population": measure([10000, 10000, 10100, 10100, 10200], denominator=True),
        "fsm_pupils": measure([60, 62, 58, 61, 60], denominator=True),
        "fsm_achieving": measure([30, 32, 31, 34, 35]),
        "other_pupils": measure([240, 238, 245, 250, 244], denominator=True),
        "other_achieving": measure([180, 181, 186, 190, 189]),
        "household_waste": measure([50000, 49000, 48500, 48000, 47000], denominator=True),
        "recycled": measure([17000, 17500, 18000, 18500, 19000]),
        "incidents": measure([500, 480, 470, 450, 430]),
        "acute": measure([100e6, 99e6, 98e6, 97e6, 96e6], denominator=True),
        # Both a numerator and (with acute) the share's denominator.
        "prevention": measure([3e6, 3.5e6, 4e6, 4.5e6, 5e6], denominator="both"),
    }
    write_store(path, {"annual": {"areas": [(a, "Area " + a, None) for a in AREAS],
                                  "times": TIMES, "measures": measures}})


CONFIG = """[outcomes]
store = missing.h5
baseline = 2012/13

[esa]
plugin = worklessness
frame = annual
input.claimants = claimants
input.population = population
indicators = claimants claimant_rate
target = -10%
target_date = 2016/17
target_indicator = claimants

[gap]
plugin = attainment_gap
frame = annual
input.fsm_pupils_ks2 = fsm_pupils
input.fsm_achieving_ks2 = fsm_achieving
input.other_pupils_ks2 = other_pupils
input.other_achieving_ks2 = other_achieving
indicators = gap_ks2 fsm_rate_ks2 other_rate_ks2
target = -10%
target_date = 2016/17
target_indicator = fsm_rate_ks2

[waste]
plugin = recycling_flytipping
frame = annual
input.household_waste_tonnes = household_waste
input.recycled_tonnes = recycled
input.flytipping_incidents = incidents
input.population = population
target = -10%
target_date = 2016/17
target_indicator = flytipping_per_1000

[spend]
plugin = acute_prevention_spend
frame = annual
input.acute_spend = acute
input.prevention_spend = prevention
target = +10%
target_date = 2016/17
target_indicator = prevention_share
"""

# (metric, indicator): is it a rate whose denominator the ZERO/EMPTY areas zero?
RATES = {("esa", "claimant_rate"), ("gap", "gap_ks2"), ("gap", "fsm_rate_ks2"),
         ("gap", "other_rate_ks2"), ("waste", "recycling_rate"),
         ("waste", "flytipping_per_1000"), ("spend", "prevention_share"),
         ("spend", "acute_to_prevention_ratio")}
COUNTS = {("esa", "claimants")}
# Indicators whose numerator is 0 at BASE0's baseline, and their RAG when
# they carry the target: a rise from 0 is the wrong side for lower-is-better
# (amber), the good side for higher-is-better (green).
ZERO_BASELINE = {("esa", "claimants"): "amber", ("esa", "claimant_rate"): None,
                 ("gap", "fsm_rate_ks2"): "green", ("gap", "other_rate_ks2"): None,
                 ("gap", "gap_ks2"): None, ("waste", "recycling_rate"): None,
                 ("waste", "flytipping_per_1000"): "amber", ("spend", "prevention_share"): "green"}


def check_cases(checker, results):
    for (metric, indicator) in sorted(RATES | COUNTS):
        def get(area):
            return results.get((metric, indicator, area), {})
        label = "%s/%s" % (metric, indicator)
        checker.equal(get("OK").get("status"), "ok", label + " OK area")
        checker.equal(get("OK").get("period"), "2016-04-01", label + " OK period")
        for area in ("NONE",):
            result = get(area)
            checker.equal(result.get("status"), "insufficient_data", "%s %s status" % (label, area))
            checker.ok(bool(result.get("message")), "%s %s has a message" % (label, area))
        if (metric, indicator) in RATES:
            zero = get("ZERO")
            checker.equal(zero.get("status"), "ok", label + " ZERO status (%r)" % zero.get("message"))
            checker.equal(zero.get("period"), "2015-04-01",
                          label + " ZERO: the 2016/17 rate divides by zero, so 2015/16 is used")
            empty = get("EMPTY")
            checker.equal(empty.get("status"), "insufficient_data",
                          label + " EMPTY: every denominator 0 (%r)" % empty.get("message"))
        else:
            checker.equal(get("ZERO").get("period"), "2016-04-01", label + " ZERO count period")
        gap = get("GAP")
        checker.equal(gap.get("status"), "ok", label + " GAP status")
        checker.ok("2 missing periods" in (gap.get("message") or ""),
                   "%s GAP: the SPC note counts the 2 missing periods: %r"
                   % (label, gap.get("message")))
    for (metric, indicator), rag in sorted(ZERO_BASELINE.items()):
        result = results.get((metric, indicator, "BASE0"), {})
        label = "%s/%s BASE0" % (metric, indicator)
        if not checker.equal(result.get("status"), "ok", label + " status (%r)" % result.get("message")):
            continue
        checker.close(result.get("baseline_value"), 0.0, label + " baseline 0")
        checker.close(result.get("change_pct"), None, label + " change_pct null (baseline 0)")
        checker.equal(result.get("target_value") is not None, rag is not None,
                      label + " has a target only if it is the target indicator")
        if rag is not None:
            checker.close(result.get("target_value"), 0.0, label + " target 0 x (1 - 10%)")
            checker.close(result.get("expected_value"), 0.0, label + " expected 0")
            checker.close(result.get("progress_pct"), None, label + " progress null")
            checker.close(result.get("score"), None, label + " score null")
            checker.equal(result.get("rag"), rag, label + " RAG by the side of the baseline")
    # The ratio acute / prevention with prevention 0 is unbounded (NaN): BASE0
    # has no ratio at the baseline.
    ratio = results.get(("spend", "acute_to_prevention_ratio", "BASE0"), {})
    checker.equal(ratio.get("status"), "insufficient_data", "ratio with no prevention at baseline")


def check_text_formats(checker, config):
    status, out, err = run_outcomes(["run", "--format", "csv", config])
    checker.ok(not sanitizer_report(err), "csv: sanitizer report:\n" + err)
    checker.equal(status, 0, "csv exit status (%s)" % err.strip())
    try:
        parse_csv(out)  # refuses nan and inf numbers
        checker.ok(True, "CSV numbers finite")
    except ValueError as problem:
        checker.ok(False, "CSV: %s" % problem)
    status, out, err = run_outcomes(["run", config])
    checker.equal(status, 0, "table exit status (%s)" % err.strip())
    checker.ok(not sanitizer_report(err), "table: sanitizer report:\n" + err)
    words = set(out.lower().replace("(", " ").replace(")", " ").split())
    checker.ok(not words & {"nan", "-nan", "inf", "-inf", "infinity"},
               "the table shows no nan or inf: %r" % (words & {"nan", "-nan", "inf", "-inf"}))


def main():
    work = sys.argv[1]
    checker = Checker("test_run_missing")
    build_store(os.path.join(work, "missing.h5"))
    config = os.path.join(work, "missing.ini")
    write_text(config, CONFIG)
    for jobs in ("1", "3"):
        document, results = run_json(checker, ["--jobs", jobs, config],
                                     what="missing data, --jobs %s" % jobs)
        if document is not None:
            check_cases(checker, results)
    check_text_formats(checker, config)
    return checker.finish()


main_guard(main)
