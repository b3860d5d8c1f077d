"""run_errors.py: every configuration mistake, bad store, bad command
line and unusable output given to `outcomes run` (and `import -o`), each
of which must give the documented exit status (docs/exit-status.md: 1
output lost, 2 usage, 3 configuration, 4 data) and one line on standard
error, starting "outcomes: ", naming the file, the section and the key
(docs/configuration.md), with nothing on standard output, no results
file and every input untouched.

Usage: run_errors.py WORKDIR
"""
import os
import shutil
import stat
import subprocess
import sys

from run_common import (Checker, main_guard, outcomes_command, run_outcomes, sanitizer_report,
                        write_store, write_text)

GOOD_METRIC = """[esa]
plugin = worklessness
frame = quarterly
areas = A1 P1
input.claimants = claimants
input.population = population
baseline = 2014-02
target = -10%
target_date = 2016-11
target_indicator = claimants
"""


def build_store(path):
    times = ["2014-02-01", "2014-05-01", "2014-08-01", "2014-11-01", "2015-02-01"]
    write_store(path, {"quarterly": {
        "areas": [("A1", "Alpha 1", "P1"), ("A2", "Alpha 2", "P1"), ("C", "Gamma", None)],
        "times": times,
        "measures": {
            "claimants": {"values": [[100, 98, 97, 95, 90], [50, 50, 49, 48, 47],
                                     [300, 301, 299, 298, 297]], "frequency": "quarter"},
            "population": {"values": [[2000] * 5, [1000] * 5, [6000] * 5],
                           "frequency": "quarter"},
        }}})


def edit(text, old, new):
    assert old in text, old
    return text.replace(old, new, 1)


# (name, [outcomes] extra lines, metric section, text the error names)
CONFIGURATION_ERRORS = [
    ("unknown plugin", "", edit(GOOD_METRIC, "plugin = worklessness", "plugin = no_such_plugin"),
     "[esa] plugin"),
    ("unknown measure", "", edit(GOOD_METRIC, "input.claimants = claimants",
                                 "input.claimants = esa_claimants"), "[esa] input.claimants"),
    ("unknown input role", "", GOOD_METRIC + "input.dependants = claimants\n",
     "[esa] input.dependants"),
    ("unknown area", "", edit(GOOD_METRIC, "areas = A1 P1", "areas = A1 Z9"), "[esa] areas"),
    ("unknown comparator", "", GOOD_METRIC + "comparator = Z9\n", "[esa] comparator"),
    ("unknown benchmark", "", GOOD_METRIC + "benchmark = Z9\n", "[esa] benchmark: 'Z9' is neither"),
    ("two benchmarks", "", GOOD_METRIC + "benchmark = A1 P1\n", "[esa] benchmark: 'A1 P1' is not one"),
    ("a cost over two areas", "", GOOD_METRIC + "intervention_cost = 2500000\n",
     "[esa] intervention_cost: needs exactly one area"),
    ("milestones out of order", "", GOOD_METRIC + "milestones = 700 by 2016-02, 720 by 2015-02\n",
     "[esa] milestones: '2015-02' is not after the milestone before it"),
    ("a target year before the baseline in a quarterly frame", "",
     edit(edit(GOOD_METRIC, "baseline = 2014-02", "baseline = 2014-06"),
          "target_date = 2016-11", "target_date = 2014/15"),
     "[esa] target_date: '2014/15' is not after the baseline '2014-06'"),
    ("rebases out of order", "", GOOD_METRIC + "spc_rebase = 2016-02, 2015-02\n",
     "[esa] spc_rebase: '2015-02' does not start after '2016-02' (list them in date order)"),
    ("unknown key in a metric", "", GOOD_METRIC + "colour = blue\n", "[esa] colour"),
    ("unknown key in [outcomes]", "colour = blue\n", GOOD_METRIC, "[outcomes] colour"),
    ("wrong type of a parameter", "", GOOD_METRIC + "unit_cost = lots\n", "[esa] unit_cost"),
    ("wrong type of a global", "jobs = 4x\n", GOOD_METRIC, "[outcomes] jobs"),
    ("wrong type of a threshold", "", GOOD_METRIC + "rag_green = high\n", "[esa] rag_green"),
    ("impossible date", "", edit(GOOD_METRIC, "target_date = 2016-11", "target_date = 2017-02-29"),
     "[esa] target_date"),
    ("month 13", "", edit(GOOD_METRIC, "baseline = 2014-02", "baseline = 2014-13"),
     "[esa] baseline"),
    ("target without target_date", "", edit(GOOD_METRIC, "target_date = 2016-11\n", ""),
     "[esa] target"),
    ("baseline after the period", "period = 2014-08\n",
     edit(GOOD_METRIC, "baseline = 2014-02", "baseline = 2014-11"), "baseline"),
    ("target date before the baseline", "", edit(GOOD_METRIC, "target_date = 2016-11",
                                                 "target_date = 2013-11"), "[esa] target_date"),
    ("frame missing", "", edit(GOOD_METRIC, "frame = quarterly", "frame = monthly"), "[esa] frame"),
    ("unknown indicator", "", GOOD_METRIC + "indicators = claimants sickness\n",
     "[esa] indicators"),
    ("required role unmapped", "", edit(GOOD_METRIC, "input.claimants = claimants\n", ""),
     "[esa]"),
]


def check_error(checker, what, arguments, status, names, work, forbid_stdout=True):
    got, out, err = run_outcomes(["run"] + arguments, cwd=work)
    checker.ok(not sanitizer_report(err + out), "%s: sanitizer report:\n%s" % (what, err))
    checker.equal(got, status, "%s: exit status (stderr %r)" % (what, err))
    lines = err.splitlines()
    checker.equal(len(lines), 1, "%s: one line on stderr: %r" % (what, err))
    if lines:
        checker.ok(lines[0].startswith("outcomes: "), "%s: starts 'outcomes: ': %r" % (what, lines[0]))
    for name in names:
        checker.ok(name in err, "%s: the error names %r: %r" % (what, name, err))
    if forbid_stdout:
        checker.equal(out, "", "%s: nothing on standard output" % what)


def check_mistakes_found_while_reading(checker, work):
    """A value outside the plugin's declared range, an area compared with
    itself, a NUL byte and a file that is not a regular file: each exit 3
    in one line naming the file (and the section and key), no results
    file, and promptly: /dev/zero used to be read for ever."""
    cases = [
        ("a share of 200", GOOD_METRIC + "deadweight = 200\n",
         ["[esa] deadweight: '200' is out of range: plugin 'worklessness' accepts 0 to 1"]),
        ("a discount rate of 3.5 (meant 3.5%)", GOOD_METRIC + "discount_rate = 3.5\n",
         ["[esa] discount_rate: '3.5' is out of range", "accepts 0 to 1"]),
        ("persistence of 0 years", GOOD_METRIC + "persistence_years = 0\n",
         ["[esa] persistence_years: '0' is out of range", "above 0 and at most 1000"]),
        ("the comparator among the areas", GOOD_METRIC + "comparator = P1\n",
         ["[esa] comparator: 'P1' is also in areas"]),
    ]
    for number, (what, metric, names) in enumerate(cases):
        name = "reading%02d.ini" % number
        write_text(os.path.join(work, name), "[outcomes]\nstore = store.h5\n\n" + metric)
        check_error(checker, what, ["--format", "json", "-o", "results.json", name], 3,
                    ["%s: " % name] + names, work)
        checker.ok(not os.path.exists(os.path.join(work, "results.json")),
                   "%s: no results file" % what)
    # The in-range values and another comparator run.
    write_text(os.path.join(work, "reading-good.ini"), "[outcomes]\nstore = store.h5\n\n" +
               GOOD_METRIC + "deadweight = 1\ndiscount_rate = 0\ncomparator = C\n")
    status, out, err = run_outcomes(["run", "--format", "json", "reading-good.ini"], cwd=work)
    checker.equal(status, 0, "values at the ends of their ranges run (%s)" % err.strip())

    with open(os.path.join(work, "nul.ini"), "wb") as handle:
        handle.write(b"[outcomes]\nstore = store.h5\n\n" +
                     GOOD_METRIC.replace("frame", "fr\0ame").encode())
    check_error(checker, "a NUL byte", ["--format", "json", "-o", "results.json", "nul.ini"], 3,
                ["nul.ini: line 6: contains a NUL byte (is this a text file?)"], work)
    for what, arguments, stdin, names in (
            ("/dev/zero", ["/dev/zero"], subprocess.DEVNULL,
             ["/dev/zero: is a character device, not a regular file"]),
            ("/dev/stdin < /dev/null", ["/dev/stdin"], subprocess.DEVNULL,
             ["/dev/stdin: is a character device, not a regular file"])):
        try:
            process = subprocess.run([outcomes_command(), "run", "-o", "results.json"] + arguments,
                                     cwd=work, stdin=stdin, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, timeout=60)
        except subprocess.TimeoutExpired:
            checker.ok(False, "%s: still reading after 60 s" % what)
            continue
        err = process.stderr.decode("utf-8", "replace")
        checker.equal((process.returncode, len(err.splitlines())), (3, 1),
                      "%s: exit 3 and one line (%r)" % (what, err))
        for name in names:
            checker.ok(name in err, "%s: the error names %r: %r" % (what, name, err))
        checker.ok(not os.path.exists(os.path.join(work, "results.json")),
                   "%s: no results file" % what)
    # A configuration redirected from a regular file is one (its relative
    # paths resolve against /dev, the directory of /dev/stdin).
    write_text(os.path.join(work, "stdin.ini"), "[outcomes]\nstore = %s\n\n%s"
               % (os.path.join(os.path.abspath(work), "store.h5"), GOOD_METRIC))
    with open(os.path.join(work, "stdin.ini"), "rb") as handle:
        process = subprocess.run([outcomes_command(), "run", "--format", "json", "/dev/stdin"],
                                 cwd=work, stdin=handle, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, timeout=300)
    checker.equal(process.returncode, 0, "/dev/stdin < a file runs (%r)" % process.stderr)


SECOND_METRIC = edit(GOOD_METRIC, "[esa]", "[esa_again]")


def check_store_errors_name_the_key(checker, work, store_bytes):
    """A store that cannot be used is a data error (status 4) reported in
    one line naming the configuration file, the section and the key that
    named the store (the first one: [outcomes] store if the global list
    holds it, else the `store` of the first metric naming it), then the
    store as resolved and the reason; the previous results are kept. Also
    a store listed but read by no metric, which used to fail only after
    every job had run, in the hashing's own words (and a FIFO hung it)."""
    os.makedirs(os.path.join(work, "sub", "adir"))
    os.mkfifo(os.path.join(work, "sub", "pipe.h5"))
    with open(os.path.join(work, "sub", "bad.h5"), "wb") as handle:
        handle.write(store_bytes[:1000])
    store = os.path.join(os.path.abspath(work), "store.h5")
    missing = "sub/missing.h5: No such file or directory"
    # (what, [outcomes] store, metric sections, the line after "outcomes: FILE: ")
    cases = [
        ("a metric's store missing", store, GOOD_METRIC + "store = missing.h5\n",
         "[esa] store: " + missing),
        ("the global store missing", "missing.h5", GOOD_METRIC, "[outcomes] store: " + missing),
        ("a metric's store a directory", store, GOOD_METRIC + "store = adir\n",
         "[esa] store: sub/adir: is a directory, not an HDF5 store"),
        ("a store read by no metric missing", store + " missing.h5", GOOD_METRIC,
         "[outcomes] store: " + missing),
        ("a store read by no metric a directory", store + ", adir", GOOD_METRIC,
         "[outcomes] store: sub/adir: is a directory, not an HDF5 store"),
        ("a store read by no metric a FIFO", store + " pipe.h5", GOOD_METRIC,
         "[outcomes] store: sub/pipe.h5: is a FIFO, not an HDF5 store"),
        ("a store two metrics name", store,
         GOOD_METRIC + "store = missing.h5\n\n" + SECOND_METRIC + "store = missing.h5\n",
         "[esa] store: " + missing),
        ("a store the second metric names first", store,
         GOOD_METRIC + "\n" + SECOND_METRIC + "store = missing.h5\n",
         "[esa_again] store: " + missing),
        ("a store [outcomes] names before a metric", store + " missing.h5",
         GOOD_METRIC + "store = missing.h5\n", "[outcomes] store: " + missing),
        ("a truncated store", store, GOOD_METRIC + "store = bad.h5\n",
         "[esa] store: sub/bad.h5: cannot open as HDF5: truncated file: "),
    ]
    if os.path.exists("/proc/self/mem"):
        # A file that opens as a regular one but cannot be read: it fails
        # only when the stores are hashed for the manifest, after the jobs
        # have run (as would a store removed during the run).
        cases.append(("a store that fails only its hashing", store + " /proc/self/mem",
                      GOOD_METRIC, "[outcomes] store: /proc/self/mem: read error while hashing: "
                      "Input/output error"))
    for number, (what, stores, metrics, expected) in enumerate(cases):
        name = "sub/key%02d.ini" % number
        write_text(os.path.join(work, name), "[outcomes]\nstore = %s\n\n%s" % (stores, metrics))
        write_text(os.path.join(work, "previous.csv"), "PREVIOUS\n")
        try:
            got, out, err = run_outcomes(["run", "--format", "csv", "-o", "previous.csv", name],
                                         cwd=work, timeout=120)
        except subprocess.TimeoutExpired:
            checker.ok(False, "%s: still running after 120 s" % what)
            continue
        line = "outcomes: %s: %s" % (name, expected)
        checker.ok(not sanitizer_report(err + out), "%s: sanitizer report:\n%s" % (what, err))
        checker.equal((got, out), (4, ""), "%s: status 4, nothing on stdout (%r)" % (what, err))
        if expected.endswith(": "):
            checker.ok(err.startswith(line) and err.count("\n") == 1,
                       "%s: one line starting %r: %r" % (what, line, err))
        else:
            checker.equal(err, line + "\n", "%s: the line" % what)
        with open(os.path.join(work, "previous.csv")) as handle:
            checker.equal(handle.read(), "PREVIOUS\n", "%s: the previous results kept" % what)
    # A listed store no metric reads still needs only to be readable, as
    # it is only hashed for the manifest.
    write_text(os.path.join(work, "sub", "unread-damaged.ini"),
               "[outcomes]\nstore = %s bad.h5\n\n%s" % (store, GOOD_METRIC))
    got, out, err = run_outcomes(["run", "--format", "json", "sub/unread-damaged.ini"], cwd=work)
    checker.equal(got, 0, "a damaged store no metric reads is only hashed (%r)" % err)
    shutil.rmtree(os.path.join(work, "sub"))
    os.remove(os.path.join(work, "previous.csv"))


def check_frequency_mistakes(checker, work):
    """A measure's `frequency` decides how a metric's periods are read
    ("2014/15" is an academic or a financial year), so a misspelt one, or
    two measures of a metric that disagree, is a data error (status 4) in
    one line naming the key, the store and the dataset: it used to be read
    as no frequency, or as the first measure's, and the results moved
    without a word. `store check` reports both (status 4) too."""
    cases = [
        ("a misspelt frequency", "quarterly", "quarter",
         "[esa] input.claimants: frequency.h5: /quarterly/claimants: attribute frequency: "
         "'quarterly' is not a frequency (expected day, month, quarter, year, academic_year "
         "or financial_year)",
         "frequency.h5: /quarterly/claimants: attribute frequency: 'quarterly' is not a "
         "frequency (expected day, month, quarter, year, academic_year or financial_year)"),
        ("two frequencies in one metric", "quarter", "month",
         "[esa] input.population: frequency.h5: /quarterly/population: attribute frequency: "
         "'month', but claimants (input.claimants) is 'quarter': the measures of one metric "
         "must share one frequency",
         "frequency.h5: /quarterly/population: attribute frequency: 'month', but "
         "/quarterly/claimants is 'quarter': the measures of one frame must share one "
         "frequency"),
    ]
    times = ["2014-02-01", "2014-05-01", "2014-08-01", "2014-11-01", "2015-02-01"]
    for number, (what, claimants, population, run_line, check_line) in enumerate(cases):
        store = os.path.join(work, "frequency.h5")
        write_store(store, {"quarterly": {
            "areas": [("A1", "Alpha 1", "P1"), ("A2", "Alpha 2", "P1")],
            "times": times,
            "measures": {
                "claimants": {"values": [[100, 98, 97, 95, 90], [50, 50, 49, 48, 47]],
                              "frequency": claimants},
                "population": {"values": [[2000] * 5, [1000] * 5], "frequency": population},
            }}})
        name = "frequency%02d.ini" % number
        write_text(os.path.join(work, name),
                   "[outcomes]\nstore = frequency.h5\n\n" + GOOD_METRIC)
        got, out, err = run_outcomes(["run", "--format", "csv", "-o", "results.csv", name],
                                     cwd=work)
        checker.ok(not sanitizer_report(err + out), "%s: sanitizer report:\n%s" % (what, err))
        checker.equal((got, out, err), (4, "", "outcomes: %s: %s\n" % (name, run_line)),
                      "%s: run's status and line" % what)
        checker.ok(not os.path.exists(os.path.join(work, "results.csv")),
                   "%s: no results file" % what)
        got, out, err = run_outcomes(["store", "check", "frequency.h5"], cwd=work)
        checker.equal(got, 4, "%s: store check's status (%r)" % (what, err))
        checker.ok(check_line + "\n" in out + err,
                   "%s: store check says %r: %r" % (what, check_line, out + err))
        os.remove(store)


def check_parent_names(checker, work):
    """area_parent_name names each area's parent: a parent unit is
    reported under that name (its code stays in `area`), and `store check`
    reports members that name one parent two ways (status 4), names
    without area_parent, and labels that are not text."""
    import h5py
    import numpy
    times = ["2014-02-01", "2014-05-01", "2014-08-01", "2014-11-01", "2015-02-01"]
    measures = {"claimants": {"values": [[100, 98, 97, 95, 90], [50, 50, 49, 48, 47],
                                         [30, 30, 30, 30, 30]], "frequency": "quarter"},
                "population": {"values": [[2000] * 5, [1000] * 5, [900] * 5],
                               "frequency": "quarter"}}
    store = os.path.join(work, "parents.h5")
    named_p1 = [("A1", "Alpha 1", "P1", "Pembroke"), ("A2", "Alpha 2", "P1", "Pembroke"),
                ("C", "Gamma", None, None)]

    def write_parents(areas):
        write_store(store, {"quarterly": {"areas": areas, "times": times, "measures": measures}})

    def replace_parent_names(data, dtype):
        with h5py.File(store, "r+") as handle:
            del handle["quarterly/area_parent_name"]
            handle["quarterly"].create_dataset("area_parent_name", data=data, dtype=dtype)

    def run_over(areas):
        """Runs GOOD_METRIC over areas; (status, the (area, area_name)
        pairs reported, stderr)."""
        write_text(os.path.join(work, "parents.ini"), "[outcomes]\nstore = parents.h5\n\n"
                   + edit(GOOD_METRIC, "areas = A1 P1", "areas = " + areas))
        got, out, err = run_outcomes(["run", "--format", "csv", "parents.ini"], cwd=work)
        rows = [line.split(",") for line in out.splitlines()[1:]]
        return got, sorted(set((row[4].strip('"'), row[5].strip('"')) for row in rows if row)), err

    def check_refuses(what, lines):
        got, out, err = run_outcomes(["store", "check", "parents.h5"], cwd=work)
        checker.ok(not sanitizer_report(err + out), "store check, %s: sanitizer report" % what)
        checker.equal(got, 4, "store check: %s (%r)" % (what, out + err))
        for line in lines:
            checker.ok(line + "\n" in out + err, "store check says %r: %r" % (line, out + err))

    write_parents(named_p1)
    got, named, err = run_over("P1 A1")
    checker.equal(got, 0, "a store with parent names runs (%r)" % err)
    checker.equal(named, [("A1", "Alpha 1"), ("P1", "Pembroke")],
                  "the parent is reported under its code and the store's name for it")
    # A run over parents only reads no area names (core/engine.c), but
    # still the parents'.
    got, named, err = run_over("parents")
    checker.equal(named, [("P1", "Pembroke")], "a parents-only run names its parents (%r)" % err)
    got, out, err = run_outcomes(["store", "check", "parents.h5"], cwd=work)
    checker.equal(got, 0, "store check accepts one name a parent (%r)" % (out + err))
    got, out, err = run_outcomes(["store", "info", "parents.h5"], cwd=work)
    checker.ok(got == 0 and "\n  1 parent area (area_parent), 1 named (area_parent_name)\n" in out,
               "store info counts the parents and their names: %r" % (out + err))

    write_parents([("A1", "Alpha 1", "P1", "Pembroke"), ("A2", "Alpha 2", "P1", "Pembroke Dock"),
                   ("C", "Gamma", None, None)])
    check_refuses("two names for one parent",
                  ["parents.h5: /quarterly/area_parent_name: parent 'P1' is named 'Pembroke' at "
                   "position 0 and 'Pembroke Dock' at position 1"])

    # A name on an area without a parent names nothing (import refuses it
    # as a bad row; store check reports the first and how many).
    write_parents(named_p1[:2] + [("C", "Gamma", None, "Orphan")])
    check_refuses("a name without a parent",
                  ["parents.h5: /quarterly/area_parent_name: 'Orphan' at position 2 (and 0 "
                   "more) names a parent where area_parent gives none"])

    # Names without area_parent: store check refuses them; a run has no
    # parents to name and reports its areas.
    write_parents([("A1", "Alpha 1", None, "Pembroke"), ("A2", "Alpha 2", None, None),
                   ("C", "Gamma", None, None)])
    check_refuses("names without area_parent",
                  ["parents.h5: /quarterly/area_parent_name: names parents, but the frame has "
                   "no area_parent"])
    got, named, err = run_over("A1")
    checker.equal(got, 0, "names without area_parent: a run of areas (%r)" % err)

    # A parent code that is also an area's: one code, two values (the
    # area's row, or the sum of its members). store check says so; a run
    # over `parents` refuses it (status 4). A code named is the area's,
    # always: a run naming codes runs, a parent among them too.
    write_parents([("A1", "Alpha 1", "C", None), ("A2", "Alpha 2", "C", None),
                   ("C", "Gamma", "P", None)])
    check_refuses("a parent code that is an area's",
                  ["parents.h5: /quarterly/area_parent: 'C' is also the code of area 2: a "
                   "parent needs a code of its own"])
    got, named, err = run_over("parents")
    checker.equal(got, 4, "a run over parents refuses the ambiguous code (%r)" % err)
    checker.ok("parents.ini: [esa] areas: parents.h5: /quarterly/area_parent: 'C' is also an "
               "area code, so whether it means the area or the sum of its members is ambiguous"
               in err and len(err.splitlines()) == 1, "in one line naming the key: %r" % err)
    got, named, err = run_over("A1 A2")
    checker.equal(got, 0, "a run over areas only is not ambiguous (%r)" % err)
    got, named, err = run_over("A1 C P")
    checker.equal(got, 0, "codes named, a parent among them, are not ambiguous (%r)" % err)
    checker.equal(named, [("A1", "Alpha 1"), ("C", "Gamma"), ("P", "")],
                  "C is the area, P the parent: %r" % named)

    # A dataset of the wrong length or of numbers: status 4 in one line
    # naming the file and the dataset, from the run, store info and check.
    for what, data, problem in (
            ("two names for three areas", numpy.array(["Pembroke"] * 2, dtype=object),
             "has 2 entries for 3 areas"),
            ("numbers", numpy.array([1.0, 2.0, 3.0]), "holds numbers, not text")):
        write_parents(named_p1)
        replace_parent_names(data, h5py.string_dtype("utf-8") if data.dtype == object
                             else data.dtype)
        line = "parents.h5: /quarterly/area_parent_name: " + problem
        check_error(checker, "area_parent_name of " + what, ["--format", "csv", "parents.ini"], 4,
                    ["parents.ini: [outcomes] store: " + line], work)
        for command in ("info", "check"):
            got, out, err = run_outcomes(["store", command, "parents.h5"], cwd=work)
            checker.ok(not sanitizer_report(err + out), "store %s: sanitizer report" % command)
            checker.equal(got, 4, "store %s: area_parent_name of %s (%r)" % (command, what, err))
            checker.ok(line in out + err, "store %s says %r: %r" % (command, line, out + err))

    # Labels that are not text: an escape sequence in a name, a byte that
    # is not UTF-8 in a parent's name. Import refuses both; store check
    # reports what another writer left (the first of each dataset).
    write_parents([("A1", "Alpha \x1b[31m1", "P1", "Pembroke"),
                   ("A2", "Alpha \x1b[31m2", "P1", "Pembroke"), ("C", "Gamma", "P2", "Mon")])
    replace_parent_names(numpy.array([b"Pembroke", b"Pembroke", b"Ynys M\xf4n"], dtype=object),
                         h5py.string_dtype("utf-8"))
    check_refuses("labels that are not text",
                  ["parents.h5: /quarterly/area_name: entry 0 holds a control character (0x1B "
                   "at byte 7) (and more entries): labels are UTF-8 text",
                   "parents.h5: /quarterly/area_parent_name: entry 2 holds a byte that is not "
                   "UTF-8 (0xF4 at byte 7): labels are UTF-8 text"])
    os.remove(store)
    os.remove(os.path.join(work, "parents.ini"))


def main():
    work = sys.argv[1]
    checker = Checker("test_run_errors")
    build_store(os.path.join(work, "store.h5"))
    for number, (what, global_lines, metric, key_text) in enumerate(CONFIGURATION_ERRORS):
        name = "config%02d.ini" % number
        write_text(os.path.join(work, name),
                   "[outcomes]\nstore = store.h5\n" + global_lines + "\n" + metric)
        check_error(checker, what, ["--format", "json", "-o", "results.json", name], 3,
                    [name, key_text], work)
        checker.ok(not os.path.exists(os.path.join(work, "results.json")),
                   "%s: no results file" % what)

    check_mistakes_found_while_reading(checker, work)

    # The good configuration runs: the mistakes above are the only difference.
    write_text(os.path.join(work, "good.ini"), "[outcomes]\nstore = store.h5\n\n" + GOOD_METRIC)
    status, out, err = run_outcomes(["run", "--format", "json", "good.ini"], cwd=work)
    checker.equal(status, 0, "the unbroken configuration runs (%s)" % err.strip())

    # Stores: missing, not HDF5, truncated HDF5: status 4 naming the file.
    with open(os.path.join(work, "store.h5"), "rb") as handle:
        store_bytes = handle.read()
    with open(os.path.join(work, "corrupt.h5"), "wb") as handle:
        handle.write(b"this is not an HDF5 file\n" * 40)
    with open(os.path.join(work, "truncated.h5"), "wb") as handle:
        handle.write(store_bytes[:len(store_bytes) // 3])
    for store in ("missing.h5", "corrupt.h5", "truncated.h5"):
        name = "store-%s.ini" % store.split(".")[0]
        write_text(os.path.join(work, name),
                   "[outcomes]\nstore = %s\n\n%s" % (store, GOOD_METRIC))
        check_error(checker, "store %s" % store, ["--format", "json", name], 4,
                    ["%s: [outcomes] store: %s: " % (name, store)], work)
    check_store_errors_name_the_key(checker, work, store_bytes)
    check_frequency_mistakes(checker, work)
    check_parent_names(checker, work)

    # Usage: status 2, nothing read.
    for what, arguments in (("--format xml", ["--format", "xml", "good.ini"]),
                            ("--jobs 0", ["--jobs", "0", "good.ini"]),
                            ("--jobs -3", ["--jobs", "-3", "good.ini"]),
                            ("--period 2016-13", ["--period", "2016-13", "good.ini"]),
                            ("--fail-on purple", ["--fail-on", "purple", "good.ini"]),
                            ("an unknown option", ["--colour", "good.ini"]),
                            ("no configuration", []),
                            ("two configurations", ["good.ini", "good.ini"])):
        check_error(checker, what, arguments, 2, [], work)
    # An option given twice: the last one silently winning hid a typo in a
    # scheduled command line (-o r.json -o r2.json wrote only r2.json).
    for option, first, second in (("--output", "a.json", "b.json"), ("--format", "csv", "json"),
                                  ("--period", "2016-11", "2016-08"), ("--jobs", "1", "2"),
                                  ("--plugin-dir", ".", ".."), ("--fail-on", "red", "amber")):
        check_error(checker, "%s given twice" % option,
                    [option, first, option, second, "good.ini"], 2,
                    ["run: %s given twice ('%s', then '%s')" % (option, first, second)], work)
    check_error(checker, "-o and --output", ["-o", "a.json", "--output", "b.json", "good.ini"], 2,
                ["--output given twice ('a.json', then 'b.json')"], work)
    for written in ("a.json", "b.json"):
        checker.ok(not os.path.exists(os.path.join(work, written)),
                   "an option given twice writes nothing: %s" % written)
    # A configuration file that does not exist is a configuration error.
    check_error(checker, "missing configuration", ["nowhere.ini"], 3, ["nowhere.ini"], work)

    # An output that would destroy an input or replace what is not a
    # regular file: refused before any work (2 for -o, 3 for the key), the
    # input and the special file left as they were.
    with open(os.path.join(work, "good.ini"), "rb") as handle:
        configuration_bytes = handle.read()
    os.mkfifo(os.path.join(work, "results.fifo"))
    os.symlink("elsewhere.json", os.path.join(work, "latest.json"))
    for what, arguments, names in (
            ("-o the store", ["-o", "store.h5", "good.ini"], ["-o", "store.h5", "inputs"]),
            ("-o the configuration", ["-o", "./good.ini", "good.ini"], ["./good.ini", "inputs"]),
            ("-o a FIFO", ["-o", "results.fifo", "good.ini"], ["results.fifo", "a FIFO"]),
            ("-o a symbolic link", ["-o", "latest.json", "good.ini"],
             ["latest.json", "symbolic link"]),
            ("-o an empty path", ["-o", "", "good.ini"], ["-o", "empty"])):
        check_error(checker, what, ["--format", "json"] + arguments, 2, names, work)
    write_text(os.path.join(work, "output-store.ini"),
               "[outcomes]\nstore = store.h5\noutput = store.h5\n\n" + GOOD_METRIC)
    check_error(checker, "output = the store", ["--format", "json", "output-store.ini"], 3,
                ["output-store.ini", "[outcomes] output", "store.h5"], work)
    # An output in a directory that does not exist, or through a file:
    # said in a user's words before any work, naming the key or -o.
    write_text(os.path.join(work, "output-nowhere.ini"),
               "[outcomes]\nstore = store.h5\noutput = missing/x.csv\n\n" + GOOD_METRIC)
    # Status 1, as for results that cannot be written (docs/exit-status.md).
    check_error(checker, "output in a missing directory", ["output-nowhere.ini"], 1,
                ["output-nowhere.ini: [outcomes] output: missing/x.csv: the directory 'missing' "
                 "does not exist"], work)
    check_error(checker, "-o in a missing directory", ["-o", "missing/x.json", "good.ini"], 1,
                ["run: -o: missing/x.json: the directory 'missing' does not exist"], work)
    check_error(checker, "-o through a file", ["-o", "good.ini/x.json", "good.ini"], 1,
                ["run: -o: good.ini/x.json: 'good.ini' is a regular file, not a directory"], work)
    # Ending in '/' names a directory: said before any work (dirname() drops
    # the slash, so the directory check alone let the whole run go by).
    check_error(checker, "-o ending in '/'", ["-o", "x.json/", "good.ini"], 2,
                ["run: -o: x.json/: ends in '/', which names a directory"], work)
    write_text(os.path.join(work, "output-slash.ini"),
               "[outcomes]\nstore = store.h5\noutput = x.json/\n\n" + GOOD_METRIC)
    check_error(checker, "output ending in '/'", ["output-slash.ini"], 3,
                ["output-slash.ini: [outcomes] output: x.json/: ends in '/'"], work)
    os.remove(os.path.join(work, "output-slash.ini"))
    os.remove(os.path.join(work, "output-nowhere.ini"))
    with open(os.path.join(work, "store.h5"), "rb") as handle:
        checker.ok(handle.read() == store_bytes, "the store is untouched")
    with open(os.path.join(work, "good.ini"), "rb") as handle:
        checker.ok(handle.read() == configuration_bytes, "the configuration is untouched")
    checker.ok(stat.S_ISFIFO(os.lstat(os.path.join(work, "results.fifo")).st_mode),
               "the FIFO is still a FIFO")
    checker.ok(os.path.islink(os.path.join(work, "latest.json")), "the link is still a link")
    os.remove(os.path.join(work, "results.fifo"))
    os.remove(os.path.join(work, "latest.json"))
    csv_text = "area,period,measure,value\nE1,2016Q4,claimants,1\n"
    write_text(os.path.join(work, "input.csv"), csv_text)
    status, out, err = run_outcomes(["import", "input.csv", "-o", "input.csv", "--units",
                                     "people"], cwd=work)
    checker.equal((status, len(err.splitlines())), (2, 1), "import -o its own CSV: %r" % err)
    checker.ok("input.csv" in err and "inputs" in err, "import -o its own CSV: %r" % err)
    with open(os.path.join(work, "input.csv")) as handle:
        checker.equal(handle.read(), csv_text, "the CSV is untouched")
    os.remove(os.path.join(work, "input.csv"))

    # Results that cannot reach standard output are a failure (1), said in
    # one line, however small: stdio's buffer must not swallow them.
    if os.path.exists("/dev/full"):
        for what, arguments in (("run", ["run", "good.ini"]),
                                ("run --format json", ["run", "--format", "json", "good.ini"]),
                                ("store info", ["store", "info", "store.h5"]),
                                ("store check", ["store", "check", "store.h5"])):
            with open("/dev/full", "w") as full:
                process = subprocess.run([outcomes_command()] + arguments, cwd=work,
                                         stdout=full, stderr=subprocess.PIPE, timeout=300)
            err = process.stderr.decode()
            checker.equal(process.returncode, 1, "%s > /dev/full: exit status (%r)" % (what, err))
            lines = err.splitlines()
            checker.ok(len(lines) == 1 and lines[0].startswith("outcomes: standard output: write failed")
                       and lines[0].endswith("No space left on device"),
                       "%s > /dev/full: one line that says so: %r" % (what, err))
    checker.equal(sorted(n for n in os.listdir(work) if not n.endswith((".ini", ".h5"))), [],
                  "no file written by any failed run")
    return checker.finish()


main_guard(main)
