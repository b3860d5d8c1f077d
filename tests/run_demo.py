"""run_demo.py: `outcomes run` on the Wirral demo (etc/demo.ini on the store
tools/make-demo-store writes), in table, CSV and JSON form.

The headline numbers are checked against the seeds, not against the
output: Birkenhead's ESA/IB claimants were 7,700 in November 2013; the
commitment is a 10% reduction by April 2017, 770 fewer, so 6,930, worth
770 x 8,632 = 6,646,640 pounds; acute spend 100m and prevention 3m give a
ratio of 100 / 3 = 33.3 to 1. Aggregation is checked against the small
areas read independently from the store with h5py.

Usage: run_demo.py WORKDIR (holding wirral-demo.h5 and demo.ini)
"""
import hashlib
import math
import os
import sys

from run_common import (FIELDS, Checker, benchmark_comparison, days, main_guard, parse_csv, read_measure,
                        run_json, run_outcomes, sanitizer_report)

BIRKENHEAD, WALLASEY, WIRRAL_SOUTH, WIRRAL_WEST = "E14000559", "E14001010", "E14001043", "E14001044"
CONSTITUENCIES = [BIRKENHEAD, WALLASEY, WIRRAL_SOUTH, WIRRAL_WEST]
WIRRAL, COMPARATOR = "E08000015", "E14000794"

# The seeds (docs: /work/shared/domain.md section 1).
SEED_BASELINE_CLAIMANTS = 7700.0
SEED_REDUCTION = 0.10
SEED_FEWER_CLAIMANTS = 770.0
SEED_FISCAL_BENEFIT = 6646640.0
SEED_UNIT_COST = SEED_FISCAL_BENEFIT / SEED_FEWER_CLAIMANTS  # 8,632
SEED_ACUTE, SEED_PREVENTION = 100e6, 3e6


def sha256_of(path):
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def check_json(checker, work):
    document, results = run_json(checker, [os.path.join(work, "demo.ini")], what="demo json")
    if document is None:
        return None
    run = document["run"]
    checker.equal(run["configuration"]["sha256"], sha256_of(os.path.join(work, "demo.ini")),
                  "run.configuration.sha256")
    checker.equal([s["sha256"] for s in run["stores"]],
                  [sha256_of(os.path.join(work, "wirral-demo.h5"))], "run.stores sha256")
    checker.equal(sorted(p["name"] for p in run["plugins"]),
                  ["acute_prevention_spend", "attainment_gap", "recycling_flytipping",
                   "worklessness"], "run.plugins names")
    checker.equal(run["metrics"],
                  [{"name": name, "confidence": 95.0} for name in
                   ("worklessness", "attainment_gap", "recycling", "flytipping",
                    "prevention_spend")],
                  "run.metrics: demo.ini's sections, each at the default 95%")
    checker.equal(run["period_requested"], "2016Q4", "run.period_requested")
    checker.equal(run["periods_used"], sorted(set(r["period"] for r in document["results"]
                                                  if r["period"] is not None)),
                  "run.periods_used are the results' distinct periods, sorted")
    checker.ok(all(r["status"] == "ok" for r in document["results"]),
               "every demo result is ok: %r" % [(r["metric"], r["area"], r["message"])
                                               for r in document["results"] if r["status"] != "ok"])
    # 3 worklessness indicators x 5 areas, 4 attainment x 5, then 1 + 1 + 2 for Wirral.
    checker.equal(len(document["results"]), 15 + 20 + 4, "number of results")

    # Birkenhead's claimants, against the seeds.
    b = results.get(("worklessness", "claimants", BIRKENHEAD))
    if checker.ok(b is not None, "Birkenhead claimants result"):
        target = SEED_BASELINE_CLAIMANTS * (1 - SEED_REDUCTION)        # 6,930
        checker.equal(b["baseline_period"], "2013-11-01", "Birkenhead baseline period")
        checker.close(b["baseline_value"], SEED_BASELINE_CLAIMANTS, "Birkenhead baseline")
        checker.equal(b["period"], "2016-11-01", "Birkenhead period (the DWP series ends Nov 2016)")
        checker.close(b["value"], SEED_BASELINE_CLAIMANTS - SEED_FEWER_CLAIMANTS, "Birkenhead value")
        checker.close(b["change"], -SEED_FEWER_CLAIMANTS, "Birkenhead change")
        checker.close(b["change_pct"], -100 * SEED_REDUCTION, "Birkenhead change_pct")
        checker.close(b["target_value"], target, "Birkenhead target 10% below 7,700")
        checker.equal(b["target_date"], "2017-04-01", "Birkenhead target date")
        checker.close(b["fiscal_benefit"], SEED_FEWER_CLAIMANTS * SEED_UNIT_COST,
                      "Birkenhead fiscal benefit 770 x 8,632")
        checker.close(b["fiscal_benefit"], SEED_FISCAL_BENEFIT, "Birkenhead fiscal benefit, seeds")
        # Trajectory from 7,700 on 2013-11-01 to 6,930 on 2017-04-01, at 2016-11-01.
        fraction = (days("2016-11-01") - days("2013-11-01")) / (days("2017-04-01") - days("2013-11-01"))
        expected = SEED_BASELINE_CLAIMANTS + (target - SEED_BASELINE_CLAIMANTS) * fraction
        checker.close(b["expected_value"], expected, "Birkenhead expected value")
        progress = 100 * -SEED_FEWER_CLAIMANTS / (expected - SEED_BASELINE_CLAIMANTS)
        checker.close(b["progress_pct"], progress, "Birkenhead progress (ahead of the line)")
        checker.equal(b["rag"], "green", "Birkenhead RAG (progress %.1f%% >= 100)" % progress)
        checker.close(b["score"], 100.0, "Birkenhead score clamps at 100")
        checker.equal(b["comparator"], COMPARATOR, "Birkenhead comparator")

    # The acute : prevention ratio at the seeds' baseline.
    ratio = results.get(("prevention_spend", "acute_to_prevention_ratio", WIRRAL))
    if checker.ok(ratio is not None, "acute:prevention ratio result"):
        checker.equal(ratio["baseline_period"], "2013-04-01", "ratio baseline period (2013/14)")
        checker.close(ratio["baseline_value"], SEED_ACUTE / SEED_PREVENTION,
                      "ratio baseline 100m / 3m = 33.3", relative=1e-12)
        checker.ok(ratio["baseline_value"] is not None
                   and round(ratio["baseline_value"], 1) == 33.3, "ratio baseline rounds to 33.3")
    share = results.get(("prevention_spend", "prevention_share", WIRRAL))
    if checker.ok(share is not None, "prevention share result"):
        checker.close(share["baseline_value"], 100 * SEED_PREVENTION / (SEED_ACUTE + SEED_PREVENTION),
                      "prevention share baseline 100 x 3 / 103")

    check_aggregation(checker, work, results)
    check_benchmark(checker, results)
    return document


def check_benchmark(checker, results):
    """Every rate and gap is compared with Wirral's own result in the same
    period (etc/demo.ini: benchmark = Wirral); counts are not compared."""
    for (metric, indicator, area), result in sorted(results.items()):
        if metric not in ("worklessness", "attainment_gap"):
            continue
        label = "%s/%s/%s" % (metric, indicator, area)
        checker.equal(result["benchmark"], WIRRAL, label + " benchmark")
        if indicator.startswith("claimants"):
            checker.equal((result["benchmark_value"], result["benchmark_comparison"]),
                          (None, None), label + ": a count is not compared")
            continue
        wirral = results.get((metric, indicator, WIRRAL))
        if not checker.ok(wirral is not None and wirral["period"] == result["period"],
                          label + ": Wirral's result in the same period"):
            continue
        checker.close(result["benchmark_value"], wirral["value"], label + " benchmark_value")
        direction = 1 if "rate_ks" in indicator else -1  # gaps, claimant rate: lower is better
        # Wirral's own row has nothing to be compared with (results.md).
        expected = None if area == WIRRAL else benchmark_comparison(
            result["ci_lower"], result["ci_upper"], wirral["value"], direction)
        checker.equal(result["benchmark_comparison"], expected, label + " benchmark_comparison")
    # Birkenhead's claimant rate, 7.97% (7.79 to 8.15), against Wirral's 5.98%.
    rate = results.get(("worklessness", "claimant_rate", BIRKENHEAD), {})
    checker.equal(rate.get("benchmark_comparison"), "worse", "Birkenhead's rate is worse than Wirral's")
    own = results.get(("worklessness", "claimant_rate", WIRRAL), {})
    checker.equal((own.get("benchmark"), own.get("benchmark_comparison")), (WIRRAL, None),
                  "Wirral names itself as benchmark but is not compared with itself")


def check_aggregation(checker, work, results):
    """Constituencies equal the sums of their small areas read with h5py;
    Wirral's own row equals the sum of the four constituencies."""
    codes, parents, times, values = read_measure(os.path.join(work, "wirral-demo.h5"),
                                                 "quarterly", "esa_ib_claimants")
    for field, date in (("value", "2016-11-01"), ("baseline_value", "2013-11-01")):
        t = times.index(date)
        for constituency in CONSTITUENCIES + [COMPARATOR]:
            members = [values[a][t] for a in range(len(codes)) if parents[a] == constituency]
            checker.equal(len(members), 10, "%s has 10 small areas in the store" % constituency)
            if constituency == COMPARATOR:
                continue
            result = results.get(("worklessness", "claimants", constituency))
            if checker.ok(result is not None, "%s claimants result" % constituency):
                checker.close(result[field], math.fsum(members),
                              "%s %s is the sum of its small areas" % (constituency, field))
        wirral = results.get(("worklessness", "claimants", WIRRAL))
        parts = [results.get(("worklessness", "claimants", c)) for c in CONSTITUENCIES]
        if checker.ok(wirral is not None and None not in parts, "Wirral and constituency results"):
            checker.close(wirral[field], math.fsum(p[field] for p in parts),
                          "Wirral %s = sum of the four constituencies" % field)
            checker.close(wirral[field], values[codes.index(WIRRAL)][t],
                          "Wirral %s is the store's own Wirral row" % field)
    # The comparator's change is its own: sum of its small areas at both dates.
    t_now, t_base = times.index("2016-11-01"), times.index("2013-11-01")
    comparator_change = math.fsum(values[a][t_now] - values[a][t_base]
                                  for a in range(len(codes)) if parents[a] == COMPARATOR)
    b = results.get(("worklessness", "claimants", BIRKENHEAD))
    if b is not None:
        checker.close(b["comparator_change"], comparator_change, "Birkenhead comparator_change")
        checker.close(b["did"], -SEED_FEWER_CLAIMANTS - comparator_change, "Birkenhead DiD")


def check_csv(checker, work, document):
    status, out, err = run_outcomes(["run", "--format", "csv", os.path.join(work, "demo.ini")])
    checker.ok(not sanitizer_report(err), "demo csv: sanitizer report:\n" + err)
    if not checker.equal(status, 0, "demo csv: exit status (%s)" % err.strip()):
        return
    checker.ok(out.endswith("\r\n"), "CSV lines end with CRLF")
    header, rows = parse_csv(out)
    checker.equal(header, FIELDS, "CSV header is the %d fields in order" % len(FIELDS))
    if document is None:
        return
    checker.equal(len(rows), len(document["results"]), "CSV has a row per JSON result")
    for row, result in zip(rows, document["results"]):
        for name, value in zip(header, row):
            expected = result[name]
            checker.ok(value == expected,
                       "CSV %s/%s/%s %s: %r, JSON %r" % (result["metric"], result["indicator"],
                                                         result["area"], name, value, expected))


def check_table(checker, work):
    status, out, err = run_outcomes(["run", os.path.join(work, "demo.ini")])
    checker.ok(not sanitizer_report(err), "demo table: sanitizer report:\n" + err)
    checker.equal(status, 0, "demo table: exit status (%s)" % err.strip())
    checker.ok("value (95% CI)" in out and "Confidence intervals:" not in out,
               "the table's header names the intervals' one level")
    for text in ("\u00a36,646,640", "7,700", "6,930"):
        checker.ok(text in out, "the table shows %s" % text)
    birkenhead = [line for line in out.splitlines()
                  if line.split()[:2] == ["worklessness", "claimants"]
                  and (BIRKENHEAD in line or "Birkenhead" in line)]
    checker.ok(any("6,930" in line and "7,700" in line and "\u00a36,646,640" in line
                   for line in birkenhead),
               "one table row holds Birkenhead's 6,930, 7,700 and \u00a36,646,640:\n"
               + "\n".join(birkenhead))
    checker.ok(out.rstrip().endswith("39 ok, 0 insufficient_data, 0 failed"),
               "table's last line counts 39 ok")
    # Periods by each store's frequency (results.md): the recycling target
    # for the financial year 2016/17 is not "by 2016-04-01"; DWP's quarters
    # keep their dates.
    lines = {tuple(line.split()[:2]): line for line in out.splitlines()
             if "Wirral" in line and len(line.split()) > 2}
    recycling = lines.get(("recycling", "recycling_rate"), "")
    checker.ok(" 2016/17 " in recycling and "40 by 2016/17" in recycling
               and "(2013/14)" in recycling and "2016-04-01" not in recycling,
               "the recycling row names the financial year: %r" % recycling)
    checker.ok(out.splitlines()[0] == "Outcomes: periods 2016-11-01, 2016/17 (academic year) "
               "and 2016/17 (financial year)",
               "the title names the periods used: %r" % out.splitlines()[0])
    checker.ok("6,930 by 2017-04-01" in "\n".join(birkenhead),
               "DWP's quarters keep their dates: %r" % birkenhead)


def check_academic_milestone(checker, work):
    """A milestone's period is read as the frame reads periods: in the
    academic-year frame "2015/16" starts on 2015-09-01, the day of that
    year's observation, so the expected gap there is the milestone itself
    (read as a financial year, 2015-04-01, it would lie past it)."""
    with open(os.path.join(work, "demo.ini")) as f:
        text = f.read()
    marker = "target_indicator = gap_ks2\n"
    if not checker.ok(marker in text, "demo.ini's attainment_gap has its target"):
        return
    config = os.path.join(work, "milestone.ini")
    with open(config, "w") as f:
        f.write(text.replace(marker, marker + "milestones = -10% by 2015/16\n", 1))
    document, results = run_json(checker, ["--period", "2015/16", config],
                                 what="academic milestone")
    for area in CONSTITUENCIES + [WIRRAL]:
        result = results.get(("attainment_gap", "gap_ks2", area), {})
        checker.equal(result.get("period"), "2015-09-01", "%s gap_ks2 period" % area)
        if result.get("baseline_value") is not None:
            checker.close(result.get("expected_value"), 0.9 * result["baseline_value"],
                          "%s gap_ks2 expected is the milestone, 90%% of the baseline" % area)


def check_stale_period(checker, work):
    """A period the stores have not reached: each result is the latest
    there is, said so, rather than last year's figure reported as this
    quarter's in silence (exit-status.md: results say what is missing)."""
    document, results = run_json(checker, ["--period", "2019-01", os.path.join(work, "demo.ini")],
                                 what="a period after the data")
    birkenhead = results.get(("worklessness", "claimants", BIRKENHEAD), {})
    checker.equal(birkenhead.get("period"), "2016-11-01", "the latest quarter is used")
    checker.ok("no value for the evaluation period (from 2019-01-01): the latest, for "
               "2016-11-01, is used" in (birkenhead.get("message") or ""),
               "and said: %r" % birkenhead.get("message"))
    recycling = results.get(("recycling", "recycling_rate", WIRRAL), {})
    checker.ok("the latest, for 2016-04-01, is used" in (recycling.get("message") or ""),
               "a financial year ending before 2019-01 is said too: %r" % recycling.get("message"))
    # The period the data reach: nothing to say.
    document, results = run_json(checker, ["--period", "2016-12", os.path.join(work, "demo.ini")],
                                 what="a period the data reach")
    birkenhead = results.get(("worklessness", "claimants", BIRKENHEAD), {})
    checker.ok("no value for the evaluation period" not in (birkenhead.get("message") or ""),
               "the quarter from November covers December: %r" % birkenhead.get("message"))


def main():
    work = sys.argv[1]
    checker = Checker("test_run_demo")
    document = check_json(checker, work)
    check_csv(checker, work, document)
    check_table(checker, work)
    check_academic_milestone(checker, work)
    check_stale_period(checker, work)
    return checker.finish()


main_guard(main)
