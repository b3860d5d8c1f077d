"""run_config_edges.py: the configuration keys `milestones`, `spc_rebase`,
`benchmark` and `intervention_cost` given careless or hostile values, and
their interplay with `areas`, `comparator`, `target` and the store's
frequency, driven through the real `outcomes run` (docs/configuration.md).
A mistake is exit status 3 and one line naming the file, section and key;
what is accepted gives the numbers docs/results.md says, worked out here
from the document, never from the code under test.

Usage: run_config_edges.py WORKDIR
"""
import os
import sys

from run_common import (Checker, days, main_guard, run_json, run_outcomes, sanitizer_report,
                        write_store, write_text)

# Quarterly (February, May, August, November), as the DWP claimant series.
TIMES = ["2014-02-01", "2014-05-01", "2014-08-01", "2014-11-01", "2015-02-01", "2015-05-01",
         "2015-08-01", "2015-11-01", "2016-02-01", "2016-05-01", "2016-08-01", "2016-11-01"]
CLAIMANTS = {"A1": [100 - 2 * i for i in range(12)], "A2": [50 - i for i in range(12)],
             "C": [300 - i for i in range(12)]}
POPULATION = {"A1": 2000, "A2": 1000, "C": 6000}

METRIC = """[outcomes]
store = edges.h5

[esa]
plugin = worklessness
frame = quarterly
areas = A1
input.claimants = claimants
input.population = population
baseline = 2014-02
target = -10%
target_date = 2016-11
target_indicator = claimants
"""


def build_store(path):
    areas = [("A1", "Alpha 1", "P1"), ("A2", "Alpha 2", "P1"), ("C", "Gamma", None)]
    write_store(path, {"quarterly": {
        "areas": areas,
        "times": TIMES,
        "measures": {
            "claimants": {"values": [CLAIMANTS[a[0]] for a in areas], "frequency": "quarter"},
            "population": {"values": [[POPULATION[a[0]]] * 12 for a in areas],
                           "frequency": "quarter"},
        }}})


def with_keys(text, **keys):
    """text with each key set (replaced where present, else appended)."""
    lines = text.rstrip("\n").split("\n")
    for key, value in keys.items():
        found = [i for i, line in enumerate(lines) if line.split("=")[0].strip() == key]
        if found:
            lines[found[0]] = "%s = %s" % (key, value)
        else:
            lines.append("%s = %s" % (key, value))
    return "\n".join(lines) + "\n"


# (what, keys, the text the one-line error must hold)
MISTAKES = [
    ("a trailing comma in milestones", {"milestones": "-5% by 2015-04, -8% by 2016-04,"},
     "[esa] milestones: an empty milestone"),
    ("an empty milestone in the middle", {"milestones": "-5% by 2015-04,, -8% by 2016-04"},
     "[esa] milestones: an empty milestone"),
    ("a trailing comma in spc_rebase", {"spc_rebase": "2014-04, 2016-04,"},
     "[esa] spc_rebase: an empty period"),
    ("an empty rebase in the middle", {"spc_rebase": "2014-04,,2016-04"},
     "[esa] spc_rebase: an empty period"),
    ("milestones whose difference overflows",
     {"milestones": "1.7e308 by 2015-02, -1.7e308 by 2015-08"},
     "[esa] milestones: milestone '1.7e308 by 2015-02': '1.7e308' is out of range"),
    ("a relative target beyond a double", {"target": "1e308%"},
     "[esa] target: '1e308%' is above +1e+06%"),
    ("a milestone after the target_date", {"milestones": "-5% by 2017"},
     "[esa] milestones: '2017' is not before the target_date '2016-11'"),
    ("a milestone at the baseline", {"milestones": "-5% by 2014-02"},
     "[esa] milestones: '2014-02' is not after the baseline '2014-02'"),
    ("a cost with trailing garbage", {"intervention_cost": "800000abc"},
     "[esa] intervention_cost: '800000abc' is not a finite number"),
    ("a cost in hexadecimal", {"intervention_cost": "0x10"},
     "[esa] intervention_cost: '0x10' is not a finite number"),
    ("a cost of 1e400", {"intervention_cost": "1e400"},
     "[esa] intervention_cost: '1e400' is not a finite number"),
    ("a cost in millions, below one", {"intervention_cost": "0.5"},
     "[esa] intervention_cost: '0.5': the cost must be at least 1"),
    ("a cost over every area", {"areas": "all", "intervention_cost": "2500000"},
     "[esa] intervention_cost: needs exactly one area"),
    ("a cost over every parent", {"areas": "parents", "intervention_cost": "2500000"},
     "[esa] intervention_cost: needs exactly one area"),
    ("two benchmarks", {"benchmark": "A1, C"}, "[esa] benchmark: 'A1, C' is not one area code"),
    ("a benchmark the store lacks", {"benchmark": "Z9", "areas": "parents"},
     "[esa] benchmark: 'Z9' is neither an area nor a parent area"),
    ("rebases out of order with a quarter", {"spc_rebase": "2015-05-01, 2015Q2"},
     "[esa] spc_rebase: '2015Q2' does not start after '2015-05-01'"),
    # Trailing text after a month was once read as a year span ("the
    # second year must follow the first"); docs/configuration.md, Periods.
    ("a rebase with trailing text", {"spc_rebase": "2015-04x"},
     "[esa] spc_rebase: '2015-04x' is not a valid period: unexpected 'x' after 2015-04 "
     "(expected a date (2016-11-30), month (2016-11)"),
    ("a rebase with a word after it", {"spc_rebase": "2015-04 extra"},
     "[esa] spc_rebase: '2015-04 extra' is not a valid period: unexpected ' extra' after "
     "2015-04"),
    ("a baseline with trailing text", {"baseline": "2014-02x"},
     "[esa] baseline: '2014-02x' is not a valid period: unexpected 'x' after 2014-02"),
    ("a target_date with trailing text", {"target_date": "2016-11 extra"},
     "[esa] target_date: '2016-11 extra' is not a valid period: unexpected ' extra' after "
     "2016-11"),
    ("a year span whose second year is wrong", {"baseline": "2014/16"},
     "[esa] baseline: '2014/16' is not a valid period: the second year must follow the first "
     "(2014/15 or 2014/2015)"),
    ("a day past the end of its month", {"target_date": "2016-04-31"},
     "[esa] target_date: '2016-04-31' is not a valid date: 2016-04 has 30 days"),
    # docs/configuration.md: valid UTF-8 in a quoted value is shown as it
    # is (it was once turned into '??100').
    ("a cost with a pound sign", {"intervention_cost": "\u00a3100"},
     "[esa] intervention_cost: '\u00a3100' is not a finite number"),
]


def check_error_line(checker, what, arguments, expected_status, start, expected, work):
    """`outcomes run --format json ARGUMENTS` in work fails with the status
    and one line on stderr that starts with start and holds expected."""
    status, out, err = run_outcomes(["run", "--format", "json"] + arguments, cwd=work)
    checker.ok(not sanitizer_report(err), "%s: sanitizer report:\n%s" % (what, err))
    checker.equal(status, expected_status, "%s: exit status (stderr %r)" % (what, err))
    lines = err.splitlines()
    checker.equal(len(lines), 1, "%s: one line on stderr: %r" % (what, err))
    checker.ok(lines[:1] and lines[0].startswith(start),
               "%s: starts with %r: %r" % (what, start, err))
    checker.ok(expected in err, "%s: says %r: %r" % (what, expected, err))
    checker.equal(out, "", "%s: nothing on standard output" % what)


def check_mistakes(checker, work):
    for what, keys, expected in MISTAKES:
        write_text(os.path.join(work, "mistake.ini"), with_keys(METRIC, **keys))
        check_error_line(checker, what, ["mistake.ini"], 3, "outcomes: mistake.ini: [esa] ",
                         expected, work)


def check_evaluation_period_with_trailing_text(checker, work):
    """`period =` in [outcomes] (status 3) and `run --period` (status 2):
    trailing text after a month is named, not read as a year span."""
    write_text(os.path.join(work, "period.ini"),
               METRIC.replace("store = edges.h5\n", "store = edges.h5\nperiod = 2015-04x\n"))
    write_text(os.path.join(work, "edges.ini"), METRIC)
    expected = ("'2015-04x' is not a valid period: unexpected 'x' after 2015-04 "
                "(expected a date (2016-11-30), month (2016-11)")
    check_error_line(checker, "period = 2015-04x", ["period.ini"], 3,
                     "outcomes: period.ini: [outcomes] period: " + expected, expected, work)
    check_error_line(checker, "--period 2015-04x", ["edges.ini", "--period", "2015-04x"], 2,
                     "outcomes: run: --period: " + expected, expected, work)


def trajectory(points, day):
    """results.md, Expected value: straight between (day, value) points,
    clamped to the first and the last."""
    if day <= points[0][0]:
        return points[0][1]
    for (d0, v0), (d1, v1) in zip(points, points[1:]):
        if day <= d1:
            return v0 + (v1 - v0) * (day - d0) / (d1 - d0)
    return points[-1][1]


def check_milestones_between_observations(checker, work):
    """Monthly and daily milestones in a quarterly store, one relative and
    one absolute, with a relative target: the line bends at the start of
    each milestone's period, whether or not the store has an observation
    there."""
    path = os.path.join(work, "milestones.ini")
    write_text(path, with_keys(METRIC, milestones="-5% by 2015-03, 93 by 2016-01-15"))
    baseline, target = 100.0, 90.0
    points = [(days("2014-02-01"), baseline), (days("2015-03-01"), baseline * 0.95),
              (days("2016-01-15"), 93.0), (days("2016-11-01"), target)]
    for period, when in (("2014Q4", "2014-11-01"), ("2015Q2", "2015-05-01"),
                         ("2016Q1", "2016-02-01"), ("2016Q4", "2016-11-01")):
        _, results = run_json(checker, [path, "--period", period], what="milestones " + period)
        result = results.get(("esa", "claimants", "A1"))
        if not checker.ok(result is not None, "milestones %s: a claimants result" % period):
            continue
        value = CLAIMANTS["A1"][TIMES.index(when)]
        expected = trajectory(points, days(when))
        checker.equal(result["period"], when, "milestones %s: period" % period)
        checker.close(result["target_value"], target, "milestones %s: target_value" % period)
        checker.close(result["expected_value"], expected, "milestones %s: expected" % period)
        checker.close(result["progress_pct"], 100 * (value - baseline) / (expected - baseline),
                      "milestones %s: progress" % period)


def check_benchmark_and_cost(checker, work):
    """A benchmark that is the metric's own area, its comparator, or a
    parent with `areas = parents`; a cost for one parent area."""
    rate = {code: 100.0 * CLAIMANTS[code][-1] / POPULATION[code] for code in CLAIMANTS}
    rate["P1"] = 100.0 * (CLAIMANTS["A1"][-1] + CLAIMANTS["A2"][-1]) / 3000
    cases = [
        ("own area", {"benchmark": "A1"}, "A1", "A1"),
        ("the comparator", {"benchmark": "C", "comparator": "C"}, "A1", "C"),
        ("a parent, areas = parents", {"benchmark": "P1", "areas": "parents"}, "P1", "P1"),
        ("a member, areas = parents", {"benchmark": "A1", "areas": "parents"}, "P1", "A1"),
    ]
    for what, keys, area, benchmark in cases:
        path = os.path.join(work, "benchmark.ini")
        write_text(path, with_keys(METRIC, **keys))
        _, results = run_json(checker, [path], what="benchmark " + what)
        result = results.get(("esa", "claimant_rate", area))
        if not checker.ok(result is not None, "benchmark %s: a rate for %s" % (what, area)):
            continue
        checker.equal(result["benchmark"], benchmark, "benchmark %s: code" % what)
        checker.close(result["benchmark_value"], rate[benchmark], "benchmark %s: value" % what)
        if area == benchmark:
            # The benchmark's own row has nothing to be compared with.
            checker.equal(result["benchmark_comparison"], None,
                          "benchmark %s: its own row is not compared" % what)
            continue
        inside = result["ci_lower"] <= rate[benchmark] <= result["ci_upper"]
        checker.equal(result["benchmark_comparison"] == "similar", inside,
                      "benchmark %s: similar exactly when inside the interval" % what)
    path = os.path.join(work, "cost.ini")
    write_text(path, with_keys(METRIC, areas="P1", intervention_cost="  +2.5e6"))
    _, results = run_json(checker, [path], what="cost for a parent")
    result = results.get(("esa", "claimants", "P1"))
    if checker.ok(result is not None, "cost for a parent: a claimants result"):
        checker.ok(result["fiscal_benefit"] is not None, "cost for a parent: a benefit")
        if result["fiscal_benefit"] is not None:
            checker.close(result["return_on_investment"], result["fiscal_benefit"] / 2.5e6,
                          "cost for a parent: return on investment")


def check_rebases_outside_the_series(checker, work):
    """A rebase before the first observation changes nothing and one
    after the period evaluated does not apply yet: both run, and give the
    chart of the whole series."""
    path = os.path.join(work, "plain.ini")
    write_text(path, METRIC)
    _, plain = run_json(checker, [path], what="no rebase")
    for rebase in ("2000-01", "2016-12, 2030"):
        write_text(path, with_keys(METRIC, spc_rebase=rebase))
        _, results = run_json(checker, [path], what="rebase " + rebase)
        for key, result in results.items():
            checker.equal((result["spc_signal"], result["spc_rule"]),
                          (plain[key]["spc_signal"], plain[key]["spc_rule"]),
                          "rebase %s: %r as without one" % (rebase, key))


def main():
    work = sys.argv[1]
    checker = Checker("run_config_edges")
    build_store(os.path.join(work, "edges.h5"))
    check_mistakes(checker, work)
    check_evaluation_period_with_trailing_text(checker, work)
    check_milestones_between_observations(checker, work)
    check_benchmark_and_cost(checker, work)
    check_rebases_outside_the_series(checker, work)
    return checker.finish()


if __name__ == "__main__":
    main_guard(main)
