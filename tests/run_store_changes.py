"""run_store_changes.py: a store that changes while `outcomes run` reads it.

Workers open the store by path, job after job, and the manifest's SHA-256
is worked out by path too: a store rewritten in place (`cp new.h5
store.h5`: same file, new bytes) or replaced (`mv new.h5 store.h5`: a new
file under the old name) during a run would give results from both files,
with a digest naming one. docs/exit-status.md: the run ends with status 4
and one line naming the store and the key that named it, and writes no
results: an existing -o file stays byte for byte as it was, no temporary
file is left, nothing goes to standard output.

The gated plugin (tests/plugins/gated.c) holds the run at its first
evaluation, so the store surely changes while the run is working, however
loaded the machine: the test waits for the plugin's `started`, changes the
store, then creates `open`. --jobs 1 and two metrics: the second metric's
jobs open the changed store after the change.

Usage: run_store_changes.py WORKDIR PLUGIN_DIR (PLUGIN_DIR holds gated.so,
mode 0755)
"""
import hashlib
import os
import shutil
import subprocess
import sys
import time

from run_common import (Checker, main_guard, outcomes_command, parse_json_strict,
                        sanitizer_report, write_store, write_text)

TIMES = ["2014-02-01", "2014-05-01", "2014-08-01", "2014-11-01", "2015-02-01", "2015-05-01"]
AREAS = [("A1", "Alpha 1", None), ("A2", "Alpha 2", None)]

CONFIG = """[outcomes]
store = store.h5
period = 2015-05
time_limit = 300

[first]
plugin = gated
frame = q
areas = A1 A2
input.count = count
input.population = population

[second]
plugin = gated
frame = q
areas = A1 A2
input.count = count
input.population = population
"""

CHANGED = ("changed while the run read it (replaced or rewritten): no results written; "
           "run again once it is complete")
PREVIOUS = b"previous results, not to be touched\n"
WAIT_SECONDS = 120


def make_store(path, scale):
    """Same shape whatever scale (so the same size on disk): only the counts
    differ between the two stores."""
    write_store(path, {"q": {
        "areas": AREAS, "times": TIMES,
        "measures": {"count": {"values": [[scale * (40 - t) for t in range(6)],
                                          [scale * (20 + t) for t in range(6)]]},
                     "population": {"values": [[1000] * 6, [500] * 6]}}}})


def sha256(path):
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def rewrite_in_place(work):
    """`cp other.h5 store.h5`: the same inode, truncated and written again."""
    store = os.path.join(work, "store.h5")
    inode = os.stat(store).st_ino
    shutil.copyfile(os.path.join(work, "other.h5"), store)
    return os.stat(store).st_ino == inode


def replace_by_rename(work):
    """`mv other.h5 store.h5`: a new inode under the store's name."""
    store = os.path.join(work, "store.h5")
    inode = os.stat(store).st_ino
    shutil.copyfile(os.path.join(work, "other.h5"), store + ".new")
    os.rename(store + ".new", store)
    return os.stat(store).st_ino != inode


def no_change(work):
    return True


def gated_run(checker, work, what, arguments, change):
    """Runs `outcomes run ARGUMENTS` with the gate shut; once the first
    evaluation waits at it, calls change(work), then opens the gate.
    Returns (status, stdout, stderr)."""
    shutil.copyfile(os.path.join(work, "original.h5"), os.path.join(work, "store.h5"))
    gate = os.path.join(work, "gate-" + what.replace(" ", "_").replace(",", ""))
    os.mkdir(gate)
    environment = dict(os.environ, OC_TEST_GATE=gate)
    process = subprocess.Popen([outcomes_command(), "run", "--jobs", "1"] + arguments,
                               cwd=work, env=environment,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.time() + WAIT_SECONDS
        while (not os.path.exists(os.path.join(gate, "started")) and process.poll() is None
               and time.time() < deadline):
            time.sleep(0.01)
        reached = os.path.exists(os.path.join(gate, "started"))
        checker.ok(reached, "%s: the run reached the plugin" % what)
        if reached:
            checker.ok(change(work), "%s: the store was changed as intended" % what)
        write_text(os.path.join(gate, "open"), "")
        out, err = process.communicate(timeout=WAIT_SECONDS)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    err = err.decode("utf-8", "replace")
    checker.ok(not sanitizer_report(err), "%s: sanitizer or HDF5 report:\n%s" % (what, err))
    return process.returncode, out.decode("utf-8", "replace"), err


def check_refused(checker, what, status, out, err):
    checker.equal(status, 4, "%s: exit status (stderr: %s)" % (what, err.strip()))
    checker.equal(err, "outcomes: config.ini: [outcomes] store: store.h5: %s\n" % CHANGED,
                  "%s: one line naming the store and its key" % what)
    checker.equal(out, "", "%s: nothing on standard output" % what)


def check_previous_kept(checker, work, what):
    output = os.path.join(work, "out")
    checker.equal(sorted(os.listdir(output)), ["results.json"],
                  "%s: no temporary file left" % what)
    with open(os.path.join(output, "results.json"), "rb") as handle:
        checker.equal(handle.read(), PREVIOUS, "%s: the previous results are untouched" % what)


def main():
    work = sys.argv[1]
    checker = Checker("test_run_store_changes")
    os.environ["OUTCOMES_PLUGIN_DIR"] = sys.argv[2]
    make_store(os.path.join(work, "original.h5"), 1)
    make_store(os.path.join(work, "other.h5"), 2)
    checker.ok(sha256(os.path.join(work, "original.h5")) != sha256(os.path.join(work, "other.h5")),
               "the two stores differ")
    write_text(os.path.join(work, "config.ini"), CONFIG)
    os.mkdir(os.path.join(work, "out"))
    output = os.path.join("out", "results.json")

    # Unchanged, through the same gate: the results, and the digest of the
    # store they came from.
    status, out, err = gated_run(checker, work, "unchanged", ["--format", "json", "config.ini"],
                                 no_change)
    checker.equal(status, 0, "unchanged: exit status (stderr: %s)" % err.strip())
    if status == 0:
        document = parse_json_strict(out)
        checker.equal(len(document["results"]), 4, "unchanged: every result")
        checker.equal([r["status"] for r in document["results"]], ["ok"] * 4,
                      "unchanged: every result ok")
        checker.equal([s["sha256"] for s in document["run"]["stores"]],
                      [sha256(os.path.join(work, "original.h5"))],
                      "unchanged: the manifest's digest is the store's")

    for what, arguments, change in (
            ("rewritten in place, -o json", ["--format", "json", "-o", output], rewrite_in_place),
            ("replaced by rename, -o json", ["--format", "json", "-o", output], replace_by_rename),
            ("rewritten in place, -o csv", ["--format", "csv", "-o", output], rewrite_in_place),
            ("replaced by rename, standard output", ["--format", "json"], replace_by_rename)):
        with open(os.path.join(work, output), "wb") as handle:
            handle.write(PREVIOUS)
        status, out, err = gated_run(checker, work, what, arguments + ["config.ini"], change)
        check_refused(checker, what, status, out, err)
        check_previous_kept(checker, work, what)
    return checker.finish()


main_guard(main)
