"""run_handworked.py: `outcomes run --format json` on small hand-built stores,
every numeric field compared with values worked out from docs/results.md,
docs/statistics.md and docs/plugins/worklessness.md (the formulas are
written again in run_common.py; nothing is copied from the C code).

The store (frame "quarterly", DWP-style snapshots Feb/May/Aug/Nov, 18
quarters from 2012-11-01, index i = 0..17, 2016-11-01 is i = 16):

    area  name    parent  claimants                   population
    A1    Alpha 1 P1      1000 - 10 i, i = 17 missing  20000
    A2    Alpha 2 P1       500 -  2 i, i = 17 missing  10000
    B1    Beta 1  P2       800 -  5 i                  15000
    B2    Beta 2  P2       300 -    i, i = 10 missing   6000
    C     Gamma   -       2000 -  4 i                  40000
    D     Delta   -        600 -  3 i, i <= 6 missing  12000
    E     Echo    -        520 -  2 i                   9000

Worked by hand for [absolute] (baseline 2014-02 = i 5, target 830 claimants
by 2017-05-01, period 2016-11 = i 16, amber from 30%):
  trajectory fraction (2016-11-01 - 2014-02-01) / (2017-05-01 - 2014-02-01)
    = 1004 / 1185 = 0.847257
  A1: 950 -> 840, change -110, expected 950 - 120 x 0.847257 = 848.33,
      progress -110 / -101.67 = 108.2% green, score 100;
      comparator C 1980 -> 1936, change -44, DiD -110 + 44 = -66;
      fiscal benefit 110 x 8,632 = 949,520.
  P1 = A1 + A2: 1440 -> 1308, expected 923.17, progress 25.5% red.
  P2 = B1 + B2: 1070 -> 1004, expected 866.66, progress 32.5% amber;
      B2 is missing at 2015-05, so P2 is too (the message says so).
  D: no value on or before the baseline: insufficient_data.
  E: 510 -> 488 while the target (830) lies above: progress -8.1%, red, score 0.
  Benchmark C, claimant rate at 2016-11-01: 1936 / 40000 = 4.84%. Wilson 95%:
      A1 840 / 20000 = 4.20% (3.93 to 4.49), below: better (lower is better);
      P1 1308 / 30000 = 4.36% (4.13 to 4.60): better;
      P2 1004 / 21000 = 4.78% (4.50 to 5.08), around it: similar;
      D 552 / 12000 = 4.60% (4.24 to 4.99): similar (though insufficient_data:
      the value and interval are there, the baseline is not);
      E 488 / 9000 = 5.42% (4.97 to 5.91), above: worse.
      The counts are not compared: their benchmark fields are null.
[milestones] as [absolute] for A1 alone, with milestones 900 by 2015-02 and
  850 by 2016-05: the trajectory runs 950 -> 900 -> 850 -> 830.
  2016-11-01 lies 184 of the 365 days from 2016-05-01 to 2017-05-01:
      expected 850 - 20 x 184/365 = 839.918, progress -110 / -110.082 =
      99.93%, amber (the straight line's 848.33 gave 108.2%, green);
  2014-11-01 (--period 2014-11, value 920) lies 273 of the 365 days from
      2014-02-01 to 2015-02-01: expected 950 - 50 x 273/365 = 912.603,
      progress -30 / -37.397 = 80.2%, amber (the straight line: 108.5%).
[rebase] as [absolute] for A1 alone: its claimants fall by 10 every quarter,
  so over the whole series (1000 .. 840, mean 920, every moving range 10,
  limits 920 +/- 26.6) the 2016-11 point is far below the lower limit
  (outside_limits: improvement). With spc_rebase = 2016-02 (i 13) the chart is 870, 860,
  850, 840: mean 855, every moving range 10, limits 855 +/- 26.6, near
  limits 855 +/- 17.73: 840 is common cause, rule none.
[relative] (baseline 2013-11 = i 4, target -10% by 2016-11):
  A1: 960 -> 840, target 864, expected 864 (target date reached),
      progress -120 / -96 = 125% green;
      fiscal benefit, unit cost 10,000, deadweight 0.2, 2.5 years, drop-off
      0.1, 3.5%: 960,000 x (1 + 0.9 / 1.035 + 0.81 x 0.5 / 1.035^2)
      = 960,000 x 2.2476370 = 2,157,731.6; with intervention_cost = 800,000
      the return on investment is 2,157,731.6 / 800,000 = 2.6971645.
  B1: 780 -> 720, target 702, progress -60 / -78 = 76.9% red; with
      --period latest B1 is read at 2017-02-01 (715, progress 83.3%) and A1,
      missing there, at 2016-11-01, each against benchmark C in its own
      period: A1 against 4.84%, B1 against 1932 / 40000 = 4.83%.

Usage: run_handworked.py WORKDIR
"""
import glob
import math
import os
import sys

from run_common import (DERIVED_FIELDS, Checker, benchmark_comparison, byar, limit_file_size, main_guard, parse_json_strict, present_value,
                        run_json, run_outcomes, sanitizer_report, score_fields, trend_direction,
                        wilson, write_store, write_text)

TIMES = ["%04d-%02d-01" % (2012 + (10 + 3 * i) // 12, (10 + 3 * i) % 12 + 1) for i in range(18)]
assert TIMES[0] == "2012-11-01" and TIMES[16] == "2016-11-01" and TIMES[17] == "2017-02-01"
NAN = float("nan")


def series(start, step, missing=()):
    return [NAN if i in missing else float(start + step * i) for i in range(len(TIMES))]


CLAIMANTS = {
    "A1": series(1000, -10, missing={17}),
    "A2": series(500, -2, missing={17}),
    "B1": series(800, -5),
    "B2": series(300, -1, missing={10}),
    "C": series(2000, -4),
    "D": series(600, -3, missing=set(range(7))),
    "E": series(520, -2),
}
POPULATION = {"A1": 20000, "A2": 10000, "B1": 15000, "B2": 6000, "C": 40000, "D": 12000,
              "E": 9000}
NAMES = {"A1": "Alpha 1", "A2": "Alpha 2", "B1": "Beta 1", "B2": "Beta 2",
         "C": "Gamma", "D": "Delta", "E": "Echo"}
PARENTS = {"A1": "P1", "A2": "P1", "B1": "P2", "B2": "P2"}
MEMBERS = {"P1": ["A1", "A2"], "P2": ["B1", "B2"]}


def build_store(path):
    codes = list(CLAIMANTS)
    write_store(path, {"quarterly": {
        "areas": [(c, NAMES[c], PARENTS.get(c)) for c in codes],
        "times": TIMES,
        "measures": {
            "claimants": {"values": [[None if math.isnan(v) else v for v in CLAIMANTS[c]]
                                     for c in codes], "units": "people", "frequency": "quarter"},
            "population": {"values": [[POPULATION[c]] * len(TIMES) for c in codes],
                           "units": "people", "frequency": "quarter"},
        }}})


def area_inputs(area):
    """(claimants, population) of an area; a parent's are its members' sums,
    missing wherever any member is (results.md: counts add up)."""
    if area in MEMBERS:
        parts = [area_inputs(m) for m in MEMBERS[area]]
        claimants = [sum(p[0][i] for p in parts) for i in range(len(TIMES))]
        population = [sum(p[1][i] for p in parts) for i in range(len(TIMES))]
        return claimants, population
    return CLAIMANTS[area], [float(POPULATION[area])] * len(TIMES)


def indicator_series(area):
    """The worklessness plugin's three indicators (docs/plugins/worklessness.md):
    name -> (value, lower, upper, numerator, denominator) lists."""
    claimants, population = area_inputs(area)
    n = len(TIMES)
    out = {"claimants": ([NAN] * n, [NAN] * n, [NAN] * n, None, None),
           "claimant_rate": ([NAN] * n, [NAN] * n, [NAN] * n, [NAN] * n, [NAN] * n),
           "claimants_year_on_year": ([NAN] * n, [NAN] * n, [NAN] * n, None, None)}
    for i in range(n):
        c, p = claimants[i], population[i]
        if math.isnan(c):
            continue
        lower, upper = byar(c)
        out["claimants"][0][i], out["claimants"][1][i], out["claimants"][2][i] = c, lower, upper
        if p > 0 and c <= p:
            lower, upper = wilson(c, p)
            rate = out["claimant_rate"]
            rate[0][i], rate[1][i], rate[2][i] = 100 * c / p, 100 * lower, 100 * upper
            rate[3][i], rate[4][i] = c, p
        # The like quarter a year before is 4 snapshots earlier.
        if i >= 4 and not math.isnan(claimants[i - 4]):
            out["claimants_year_on_year"][0][i] = c - claimants[i - 4]
    return out


def expected_result(metric, indicator, area, period_end, baseline_end, target=None,
                    target_date=None, rag=(100.0, 90.0), comparator=None, benefit=None,
                    benchmark=None):
    """Every field worked out from the formulas; None where results.md says null."""
    values, lower, upper, numerator, denominator = indicator_series(area)[indicator]
    comparator_values = indicator_series(comparator)[indicator][0] if comparator else None
    fields = score_fields(TIMES, values, period_end, baseline_end, target, target_date,
                          rag[0], rag[1], direction=-1, comparator_values=comparator_values)
    fields["ci_lower"] = fields["ci_upper"] = None
    fields["trend"] = None
    if fields["period"] is not None:
        used = TIMES.index(fields["period"])
        if indicator != "claimants_year_on_year":
            fields["ci_lower"], fields["ci_upper"] = lower[used], upper[used]
        if numerator is not None and used >= 16:
            # Five annual points ending at the period used (results.md, Trend).
            points = [used - 4 * k for k in range(4, -1, -1)]
            if all(not math.isnan(numerator[j]) for j in points):
                fields["trend"] = trend_direction([numerator[j] for j in points],
                                                  [denominator[j] for j in points])
    fields["fiscal_benefit"] = None
    if indicator == "claimants" and fields["change"] is not None:
        fields["fiscal_benefit"] = present_value(fields["change"], **(benefit or {}))
    fields["comparator"] = comparator
    # Only the rate is comparable (a count grows with the area), and only
    # in the period of the value used (results.md, Benchmark).
    fields["benchmark"] = benchmark
    fields["benchmark_value"] = fields["benchmark_comparison"] = None
    if benchmark and fields["period"] is not None and indicator == "claimant_rate":
        reference = indicator_series(benchmark)[indicator][0][TIMES.index(fields["period"])]
        fields["benchmark_comparison"] = "not_compared"
        if not math.isnan(reference):
            fields["benchmark_value"] = reference
            fields["benchmark_comparison"] = benchmark_comparison(
                fields["ci_lower"], fields["ci_upper"], reference, -1)
    missing_baseline = baseline_end is not None and fields["baseline_value"] is None
    fields["status"] = "insufficient_data" if fields["period"] is None or missing_baseline else "ok"
    return fields


def compare(checker, results, metric, indicator, area, expected, what):
    result = results.get((metric, indicator, area))
    label = "%s: %s/%s/%s" % (what, metric, indicator, area)
    if not checker.ok(result is not None, "%s: no result" % label):
        return None
    checker.equal(result["status"], expected["status"], "%s status (message %r)"
                  % (label, result["message"]))
    for field in ("benchmark", "benchmark_comparison"):
        checker.equal(result[field], expected[field], "%s %s" % (label, field))
    checker.close(result["benchmark_value"], expected["benchmark_value"],
                  "%s benchmark_value" % label)
    if expected["status"] != "ok":
        # results.md: an insufficient_data result keeps what was observed
        # and nulls everything derived from the missing observation.
        for field in ("value", "ci_lower", "ci_upper", "target_value", "comparator_change"):
            checker.close(result[field], expected[field], "%s %s (status %s)"
                          % (label, field, expected["status"]))
        for field in DERIVED_FIELDS:
            checker.close(result[field], None, "%s %s (status %s)" % (label, field,
                                                                      expected["status"]))
        checker.equal(result["rag"], None, "%s rag (status %s)" % (label, expected["status"]))
        checker.ok(bool(result["message"]), "%s has a message" % label)
        return result
    for field in ("value", "baseline_value", "change", "change_pct", "target_value",
                  "expected_value", "progress_pct", "comparator_change", "did", "score",
                  "fiscal_benefit"):
        checker.close(result[field], expected[field], "%s %s" % (label, field))
    # The Wilson and Byar limits: the documents give z to 7 digits.
    for field in ("ci_lower", "ci_upper"):
        checker.close(result[field], expected[field], "%s %s" % (label, field), relative=1e-8)
    for field in ("period", "baseline_period", "target_date", "rag", "trend", "comparator"):
        checker.equal(result[field], expected[field], "%s %s" % (label, field))
    checker.ok(result["spc_signal"] in ("common_cause", "improvement", "concern"),
               "%s spc_signal %r" % (label, result["spc_signal"]))
    checker.equal(result["assurance"] is None, expected["target_value"] is None,
                  "%s assurance only with a target" % label)
    return result


COMMON = """[outcomes]
store = hand.h5
"""
ABSOLUTE = """
[absolute]
plugin = worklessness
frame = quarterly
areas = A1 P1 P2 D E
comparator = C
benchmark = C
input.claimants = claimants
input.population = population
baseline = 2014-02
target = 830
target_date = 2017-05
target_indicator = claimants
rag_amber = 30
"""
RELATIVE = """
[relative]
plugin = worklessness
frame = quarterly
areas = %s
benchmark = C
input.claimants = claimants
input.population = population
indicators = claimants claimant_rate
baseline = 2013-11
target = -10%%
target_date = 2016-11
target_indicator = claimants
rag_green = 95
unit_cost = 10000
deadweight = 0.2
persistence_years = 2.5
drop_off = 0.1
discount_rate = 0.035
"""
RELATIVE_BENEFIT = {"unit_cost": 10000.0, "deadweight": 0.2, "persistence_years": 2.5,
                    "drop_off": 0.1, "discount_rate": 0.035}


def check_absolute(checker, work):
    config = os.path.join(work, "absolute.ini")
    write_text(config, COMMON + "period = 2016-11\n" + ABSOLUTE)
    document, results = run_json(checker, [config], what="absolute")
    if document is None:
        return
    checker.equal(document["run"]["period_requested"], "2016-11", "absolute period_requested")
    for area in ("A1", "P1", "P2", "D", "E"):
        for indicator in ("claimants", "claimant_rate", "claimants_year_on_year"):
            target = ("absolute", 830.0) if indicator == "claimants" else None
            expected = expected_result("absolute", indicator, area, "2016-11-30", "2014-02-28",
                                       target, "2017-05-01" if target else None, (100.0, 30.0),
                                       comparator="C", benchmark="C")
            compare(checker, results, "absolute", indicator, area, expected, "absolute")
    # The hand-worked figures of the docstring, to the rounding shown there.
    a1 = results.get(("absolute", "claimants", "A1"), {})
    checker.close(a1.get("change"), -110.0, "A1 change by hand")
    checker.close(a1.get("expected_value"), 848.33, "A1 expected by hand", absolute=0.005)
    checker.close(a1.get("did"), -66.0, "A1 DiD by hand")
    checker.close(a1.get("fiscal_benefit"), 949520.0, "A1 fiscal benefit 110 x 8,632")
    checker.equal([results.get(("absolute", "claimants", a), {}).get("rag") for a in
                   ("A1", "P1", "P2", "E")], ["green", "red", "amber", "red"], "RAG by hand")
    checker.close(results.get(("absolute", "claimants", "E"), {}).get("score"), 0.0,
                  "E moves away from its target: score clamps at 0")
    checker.equal(a1.get("area_name"), "Alpha 1", "A1 name from the store")
    p2 = results.get(("absolute", "claimants", "P2"), {})
    message = p2.get("message") or ""
    checker.ok("2 member areas" in message and "1 with missing" in message,
               "P2's message says a member is missing: %r" % message)
    p1 = results.get(("absolute", "claimants", "P1"), {})
    checker.ok("1 with missing" not in (p1.get("message") or ""),
               "P1's members are complete up to the period: %r" % p1.get("message"))
    comparisons = [results.get(("absolute", "claimant_rate", a), {}).get("benchmark_comparison")
                   for a in ("A1", "P1", "P2", "D", "E")]
    checker.equal(comparisons, ["better", "better", "similar", "similar", "worse"],
                  "benchmark comparisons by hand")
    checker.close(results.get(("absolute", "claimant_rate", "A1"), {}).get("benchmark_value"),
                  4.84, "C's rate 1936 / 40000")
    checker.equal(a1.get("benchmark_comparison"), None, "a count is not compared")
    d = results.get(("absolute", "claimants", "D"), {})
    checker.ok("baseline" in (d.get("message") or ""), "D's message names the baseline: %r"
               % d.get("message"))


def check_relative_periods(checker, work):
    config = os.path.join(work, "relative.ini")
    write_text(config, COMMON + RELATIVE % "A1 B1")
    for period, period_end in (("2016-11", "2016-11-30"), ("2016Q4", "2016-12-31"),
                               ("2016/17 Q3", "2016-12-31"), ("latest", "2017-02-01")):
        what = "relative --period %s" % period
        document, results = run_json(checker, ["--period", period, config], what=what)
        if document is None:
            continue
        checker.equal(document["run"]["period_requested"], period, what + " period_requested")
        for area in ("A1", "B1"):
            for indicator in ("claimants", "claimant_rate"):
                target = ("relative", -10.0) if indicator == "claimants" else None
                expected = expected_result("relative", indicator, area, period_end, "2013-11-30",
                                           target, "2016-11-01" if target else None, (95.0, 90.0),
                                           benefit=RELATIVE_BENEFIT, benchmark="C")
                compare(checker, results, "relative", indicator, area, expected, what)
        a1 = results.get(("relative", "claimants", "A1"), {})
        checker.equal(a1.get("period"), "2016-11-01", what + ": A1 read at its last value")
        checker.close(a1.get("target_value"), 864.0, what + ": A1 target 960 x 0.9")
        checker.close(a1.get("progress_pct"), 125.0, what + ": A1 progress by hand")
        checker.close(a1.get("fiscal_benefit"), 2157731.6, what + ": A1 benefit by hand",
                      absolute=0.1)
        b1 = results.get(("relative", "claimants", "B1"), {})
        wanted = "2017-02-01" if period == "latest" else "2016-11-01"
        checker.equal(b1.get("period"), wanted, what + ": B1 period")
        checker.close(results.get(("relative", "claimant_rate", "A1"), {}).get("benchmark_value"),
                      4.84, what + ": A1's benchmark in A1's period")
        checker.close(results.get(("relative", "claimant_rate", "B1"), {}).get("benchmark_value"),
                      4.83 if period == "latest" else 4.84, what + ": B1's benchmark in B1's period")
        checker.equal(document["run"]["periods_used"],
                      ["2016-11-01", "2017-02-01"] if period == "latest" else ["2016-11-01"],
                      what + ": periods_used")


def check_milestones(checker, work):
    """A target reached by steps: the expected value follows them."""
    config = os.path.join(work, "milestones.ini")
    write_text(config, COMMON + ABSOLUTE.replace("areas = A1 P1 P2 D E", "areas = A1")
               + "milestones = 900 by 2015-02, 850 by 2016-05\n")
    for period, expected, progress in (("2016-11", 850 - 20 * 184 / 365, -110 / (850 - 20 * 184 / 365 - 950)),
                                       ("2014-11", 950 - 50 * 273 / 365, -30 / (950 - 50 * 273 / 365 - 950))):
        what = "milestones --period %s" % period
        document, results = run_json(checker, ["--period", period, config], what=what)
        if document is None:
            continue
        a1 = results.get(("absolute", "claimants", "A1"), {})
        checker.close(a1.get("expected_value"), expected, what + ": expected by hand")
        checker.close(a1.get("progress_pct"), 100 * progress, what + ": progress by hand")
        checker.equal(a1.get("rag"), "amber", what + ": amber, where the straight line is green")
        checker.close(a1.get("target_value"), 830.0, what + ": the final target is reported")


def check_spc_rebase(checker, work):
    """A rebased chart judges the latest point by the process since."""
    for rebase, signal, rule in ((None, "improvement", "outside_limits"),
                                 ("2016-02", "common_cause", "none")):
        config = os.path.join(work, "rebase.ini")
        write_text(config, COMMON + ABSOLUTE.replace("areas = A1 P1 P2 D E", "areas = A1")
                   + ("spc_rebase = %s\n" % rebase if rebase else ""))
        what = "spc_rebase %s" % rebase
        document, results = run_json(checker, ["--period", "2016-11", config], what=what)
        a1 = results.get(("absolute", "claimants", "A1"), {})
        checker.equal((a1.get("spc_signal"), a1.get("spc_rule")), (signal, rule),
                      what + ": signal and rule by hand")
        checker.equal("SPC: limits from 2016-02-01 on (rebased)" in (a1.get("message") or ""),
                      rebase is not None, what + ": the message says the chart was rebased")


def check_both_confidence_levels(checker, work):
    """Both Fingertips levels, as configuration.md says: the metric twice,
    at 95 and at 99.8. E's rate, 488 / 9000 = 5.42%, is worse than C's
    4.84% at 95% (4.97 to 5.91) and similar at 99.8% (4.73 to 6.21)."""
    config = os.path.join(work, "levels.ini")
    section = ABSOLUTE.replace("areas = A1 P1 P2 D E", "areas = E")  # benchmark = C
    write_text(config, COMMON + section.replace("[absolute]", "[at_95]")
               + section.replace("[absolute]", "[at_99_8]") + "confidence = 99.8\n")
    document, results = run_json(checker, ["--period", "2016-11", config], what="two levels")
    for metric, z, comparison in (("at_95", 1.959964, "worse"), ("at_99_8", 3.090232, "similar")):
        rate = results.get((metric, "claimant_rate", "E"), {})
        lower, upper = wilson(488, 9000, z)
        checker.close(rate.get("ci_lower"), 100 * lower, metric + ": E's lower limit",
                      relative=1e-8)
        checker.close(rate.get("ci_upper"), 100 * upper, metric + ": E's upper limit",
                      relative=1e-8)
        checker.equal(rate.get("benchmark_comparison"), comparison,
                      metric + ": E against C at its level")
    levels = [(m.get("name"), m.get("confidence")) for m in (document or {}).get("run", {}).get(
        "metrics", [])]
    checker.equal(levels, [("at_95", 95.0), ("at_99_8", 99.8)], "run.metrics names both levels")


def check_return_on_investment(checker, work):
    """One area's present value of benefits per pound of its intervention
    (domain reference section 3); the other indicators have no benefit."""
    config = os.path.join(work, "roi.ini")
    write_text(config, COMMON + RELATIVE % "A1" + "intervention_cost = 800000\n")
    document, results = run_json(checker, ["--period", "2016-11", config], what="roi")
    if document is None:
        return
    a1 = results.get(("relative", "claimants", "A1"), {})
    checker.close(a1.get("return_on_investment"), 2157731.6 / 800000, "A1 ROI by hand",
                  relative=1e-7)
    checker.close(a1.get("return_on_investment"), a1.get("fiscal_benefit") / 800000,
                  "A1 ROI is fiscal_benefit / intervention_cost", relative=1e-15)
    rate = results.get(("relative", "claimant_rate", "A1"), {})
    checker.equal(rate.get("return_on_investment", "absent"), None, "a rate has no ROI")
    # Without the key, none.
    _, plain = run_json(checker, ["--period", "2016-11", os.path.join(work, "green.ini")],
                        what="no intervention_cost")
    checker.equal((plain or {}).get(("relative", "claimants", "A1"), {}).get(
        "return_on_investment", "absent"), None, "no ROI without intervention_cost")


def check_fail_on(checker, work):
    absolute = os.path.join(work, "absolute.ini")
    run_json(checker, ["--fail-on", "red", absolute], expected_status=6,
             what="--fail-on red with red results")
    relative = os.path.join(work, "relative.ini")  # A1 green, B1 red
    run_json(checker, ["--fail-on", "amber", relative], expected_status=6,
             what="--fail-on amber with a red result")
    green = os.path.join(work, "green.ini")
    write_text(green, COMMON + RELATIVE % "A1")
    run_json(checker, ["--fail-on", "red", green], expected_status=0, what="--fail-on red, all green")
    run_json(checker, ["--fail-on", "amber", green], expected_status=0,
             what="--fail-on amber, all green")
    amber = os.path.join(work, "amber.ini")  # only P2, amber
    write_text(amber, COMMON + ABSOLUTE.replace("areas = A1 P1 P2 D E", "areas = P2")
               .replace("target_indicator", "indicators = claimants\ntarget_indicator"))
    run_json(checker, ["--fail-on", "red", amber], expected_status=0, what="--fail-on red, amber")
    run_json(checker, ["--fail-on", "amber", amber], expected_status=6,
             what="--fail-on amber, amber")


def leftovers(directory):
    return sorted(name for name in os.listdir(directory) if ".tmp" in name)


def check_output_file(checker, work):
    config = os.path.join(work, "green.ini")
    results_dir = os.path.join(work, "results")
    os.makedirs(results_dir, exist_ok=True)
    target = os.path.join(results_dir, "out.json")
    write_text(target, "previous results\n")
    status, out, err = run_outcomes(["run", "--format", "json", "-o", target, config])
    checker.equal(status, 0, "-o: exit status (%s)" % err.strip())
    checker.equal(out, "", "-o: nothing on standard output")
    with open(target, encoding="utf-8") as handle:
        text = handle.read()
    try:
        document = parse_json_strict(text)
        checker.equal(len(document["results"]), 2, "-o file holds both results")
    except ValueError as problem:
        checker.ok(False, "-o file is not complete JSON: %s" % problem)
    checker.equal(sorted(os.listdir(results_dir)), ["out.json"], "-o leaves only the file")

    # A directory that does not exist: status 1, nothing written anywhere.
    before = sorted(os.listdir(work))
    missing = os.path.join(work, "no-such-directory", "out.json")
    status, out, err = run_outcomes(["run", "--format", "json", "-o", missing, config])
    checker.equal(status, 1, "-o into a missing directory: exit status (%s)" % err.strip())
    checker.equal(len(err.strip().splitlines()), 1, "-o missing directory: one error line: %r" % err)
    checker.ok("no-such-directory" in err, "the error names the path: %r" % err)
    checker.equal(sorted(os.listdir(work)), before, "-o missing directory: nothing created")
    checker.ok(not sanitizer_report(err), "-o missing directory: sanitizer report " + err)

    # The disk fills while results are written (they are written as jobs
    # finish): status 1, one line naming the file, the previous file intact.
    for output_format in ("json", "csv"):
        status, out, err = run_outcomes(["run", "--format", output_format, "-o", target, config],
                                        preexec_fn=limit_file_size(200))
        what = "-o on a full disk (%s)" % output_format
        checker.equal(status, 1, "%s: exit status (%s)" % (what, err.strip()))
        checker.equal(len(err.strip().splitlines()), 1, "%s: one error line: %r" % (what, err))
        checker.ok(target in err, "%s: the error names the file: %r" % (what, err))
        with open(target, encoding="utf-8") as handle:
            checker.equal(handle.read(), text, "%s: the previous file is intact" % what)
        checker.equal(leftovers(results_dir), [], "%s: no temporary file" % what)

    # The target is a directory: the rename fails, no temporary file is left
    # beside it, and the directory is untouched.
    status, out, err = run_outcomes(["run", "--format", "json", "-o", results_dir, config])
    checker.ok(status != 0, "-o onto a directory fails (status %d)" % status)
    checker.equal(leftovers(work), [], "-o onto a directory: no temporary file left")
    checker.equal(sorted(os.listdir(results_dir)), ["out.json"], "-o onto a directory: untouched")

    # A configuration error (status 3) leaves the previous file as it was.
    broken = os.path.join(work, "broken.ini")
    write_text(broken, COMMON + RELATIVE % "A1" + "colour = blue\n")
    status, _, err = run_outcomes(["run", "--format", "json", "-o", target, broken])
    checker.equal(status, 3, "-o with a bad configuration: exit 3 (%s)" % err.strip())
    with open(target, encoding="utf-8") as handle:
        checker.equal(handle.read(), text, "-o: a failed run leaves the previous file")
    checker.equal(leftovers(results_dir), [], "-o after a failed run: no temporary file")
    checker.equal(glob.glob(os.path.join(work, "**", ".*tmp*"), recursive=True), [],
                  "no temporary file anywhere in the work directory")


def main():
    work = sys.argv[1]
    checker = Checker("test_run_handworked")
    build_store(os.path.join(work, "hand.h5"))
    check_absolute(checker, work)
    check_relative_periods(checker, work)
    check_fail_on(checker, work)
    check_return_on_investment(checker, work)
    check_milestones(checker, work)
    check_spc_rebase(checker, work)
    check_both_confidence_levels(checker, work)
    check_output_file(checker, work)
    return checker.finish()


main_guard(main)
