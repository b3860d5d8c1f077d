"""run_plugin_failures.py: one `outcomes run` with well-behaved metrics and
the test plugins that misbehave on purpose (tests/plugins/misbehaving.c:
segfault, abort, hang, garbage, exit_early, overflow (writes one element past
a series), and fail, which returns
insufficient data). docs/exit-status.md: status 5, every result written, the
failed ones with status `failed` and the reason; the good metrics' results
complete and right (worked out here from the plugins' definitions).

And leaves_child, whose every evaluation leaves a process sleeping ten
minutes with the job's result pipe open: its results are good (status 0, at
once, not at the time limit), and no process of the run outlives it
(docs/plugin-abi.md), even when it is stopped by SIGTERM.

Usage: run_plugin_failures.py WORKDIR PLUGIN_DIR (PLUGIN_DIR holds good.so,
worklessness.so and the misbehaving plugins, leaves_child.so among them,
mode 0755)
"""
import math
import os
import signal
import subprocess
import sys
import time

from run_common import (Checker, byar, main_guard, outcomes_command, parse_json_strict,
                        run_json, run_outcomes, sanitizer_report, score_fields, write_store,
                        write_text)

TIMES = ["2014-02-01", "2014-05-01", "2014-08-01", "2014-11-01", "2015-02-01", "2015-05-01"]
COUNT = {"A1": [40, 38, 37, 35, 33, 30], "A2": [20, 21, 19, 18, 18, 17], "C": [90] * 6}
POPULATION = {"A1": [1000] * 6, "A2": [500] * 6, "C": [3000] * 6}
PARENT = {"A1": "P1", "A2": "P1"}

BAD = {  # plugin -> what its reason must say (core/plugin_runner.c's wording aside,
    # the kind of failure must be recognisable)
    "segfault": ("signal 11", "segmentation", "SEGV", "crash"),
    "abort": ("signal 6", "abort"),
    "hang": ("timed out", "time limit"),
    "garbage": ("malformed", "garbage", "invalid"),
    "exit_early": ("exit", "status 3"),
    # writes value[count]: caught by the guard after value[], not reported
    "overflow": ("the plugin wrote outside its output series, past the end of indicator "
                 "'value' value[6] or before the start of indicator 'value' lower[]: its "
                 "results are not used",),
}

CONFIG = """[outcomes]
store = store.h5
period = 2015-05
baseline = 2014-05
time_limit = 30

[rate]
plugin = good
frame = q
areas = A1 P1
input.count = count
input.population = population
scale = 1000
target = -20%
target_date = 2015-05

[esa]
plugin = worklessness
frame = q
areas = A1 P1
input.claimants = count
indicators = claimants
"""


def bad_section(plugin):
    limit = "time_limit = 2\n" if plugin == "hang" else ""
    return ("\n[%s_metric]\nplugin = %s\nframe = q\nareas = A1 P1\ninput.count = count\n%s"
            % (plugin, plugin, limit))


def series(area, table):
    if area == "P1":
        return [a + b for a, b in zip(table["A1"], table["A2"])]
    return [float(v) for v in table[area]]


def check_good_results(checker, results):
    """good: rate = scale x count / population, no interval (tests/plugins/good.c);
    worklessness: the count with Byar's interval."""
    for area in ("A1", "P1"):
        count, population = series(area, COUNT), series(area, POPULATION)
        rate = [1000 * c / p for c, p in zip(count, population)]
        expected = score_fields(TIMES, rate, "2015-05-31", "2014-05-31", ("relative", -20.0),
                                "2015-05-01", direction=-1)
        result = results.get(("rate", "rate", area))
        if not checker.ok(result is not None, "rate result for %s" % area):
            continue
        checker.equal(result["status"], "ok", "rate %s status (%r)" % (area, result["message"]))
        for field in ("value", "baseline_value", "change", "change_pct", "target_value",
                      "expected_value", "progress_pct", "score"):
            checker.close(result[field], expected[field], "rate %s %s" % (area, field))
        for field in ("period", "baseline_period", "rag"):
            checker.equal(result[field], expected[field], "rate %s %s" % (area, field))
        checker.close(result["ci_lower"], None, "rate %s has no interval" % area)
        checker.equal(result["plugin_version"], "1.2.3", "good's version")

        result = results.get(("esa", "claimants", area))
        if checker.ok(result is not None, "esa result for %s" % area):
            checker.equal(result["status"], "ok", "esa %s status" % area)
            checker.close(result["value"], count[-1], "esa %s value" % area)
            checker.close(result["change"], count[-1] - count[1], "esa %s change" % area)
            lower, upper = byar(count[-1])
            checker.close(result["ci_lower"], lower, "esa %s Byar lower" % area, relative=1e-8)
            checker.close(result["ci_upper"], upper, "esa %s Byar upper" % area, relative=1e-8)
            checker.close(result["fiscal_benefit"], -(count[-1] - count[1]) * 8632.0,
                          "esa %s fiscal benefit with the defaults" % area)


def check_failed_results(checker, document, results):
    for plugin, words in BAD.items():
        metric = "%s_metric" % plugin
        failed = [r for r in document["results"] if r["metric"] == metric]
        if not checker.ok(failed, "%s: a result" % plugin):
            continue
        for result in failed:
            checker.equal(result["status"], "failed", "%s %s status" % (plugin, result["area"]))
            checker.equal(result["plugin"], plugin, "%s keeps its plugin" % plugin)
            message = result["message"] or ""
            checker.ok(any(word.lower() in message.lower() for word in words),
                       "%s: the reason %r says one of %r" % (plugin, message, words))
            checker.ok("\n" not in message, "%s: the reason is one line" % plugin)
        # results.md: area is never null and a failed result keeps its
        # identity (metric, indicator, plugin, area) so it can be traced:
        # one failed result per configured area and indicator.
        for area in ("A1", "P1"):
            checker.ok((metric, "value", area) in results,
                       "%s: a failed result for area %s, indicator 'value' (got %r)"
                       % (plugin, area, [(r["indicator"], r["area"]) for r in failed]))
    for area in ("A1", "P1"):
        result = results.get(("fail_metric", "value", area), {})
        checker.equal(result.get("status"), "insufficient_data",
                      "fail (returns insufficient data) %s status" % area)
        checker.ok("population missing for %s" % area in (result.get("message") or ""),
                   "fail's own message is kept: %r" % result.get("message"))


def check_output_while_running(checker, work, config):
    """-o: exit 5 and the file written; while the run goes on (the hang
    plugin keeps it busy for its time limit) the file is never there half
    written: whenever it exists it is complete JSON."""
    target = os.path.join(work, "out", "results.json")
    os.makedirs(os.path.dirname(target), exist_ok=True)
    process = subprocess.Popen([outcomes_command(), "run", "--format", "json", "-o", target,
                                config], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    seen_partial = []
    while process.poll() is None:
        if os.path.exists(target):
            with open(target, encoding="utf-8") as handle:
                text = handle.read()
            try:
                parse_json_strict(text)
            except ValueError:
                seen_partial.append(len(text))
        time.sleep(0.02)
    out, err = process.communicate()
    checker.equal(process.returncode, 5, "-o run: exit status 5 (%s)" % err.decode().strip())
    checker.equal(seen_partial, [], "-o file never seen incomplete")
    checker.equal(sorted(os.listdir(os.path.dirname(target))), ["results.json"],
                  "-o: only the results file, no temporary left")
    with open(target, encoding="utf-8") as handle:
        document = parse_json_strict(handle.read())
    checker.equal(sorted(set(r["metric"] for r in document["results"])),
                  sorted(["rate", "esa", "fail_metric"] + ["%s_metric" % p for p in BAD]),
                  "-o file holds every metric's results, failed ones included")
    check_good_results(checker, {(r["metric"], r["indicator"], r["area"]): r
                                 for r in document["results"]})


def child_pids(pid):
    """The children of process pid (Linux /proc), or [] when unknown."""
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as handle:
            return [int(p) for p in handle.read().split()]
    except OSError:
        return []


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as handle:
            return handle.read().split(") ")[-1][:1] != "Z"
    except OSError:
        return False


def writing_into(pid, directory):
    """Whether process pid has a file open in directory: the temporary
    results file, named (".results.json.tmp...") or not ("#12345
    (deleted)", O_TMPFILE)."""
    try:
        descriptors = os.listdir("/proc/%d/fd" % pid)
    except OSError:
        return False
    for descriptor in descriptors:
        try:
            link = os.readlink("/proc/%d/fd/%s" % (pid, descriptor))
        except OSError:
            continue
        if link.startswith(directory + "/"):
            return True
    return False


def unnamed_files_possible(directory):
    """Whether the file system gives unnamed files (O_TMPFILE) there."""
    try:
        os.close(os.open(directory, os.O_TMPFILE | os.O_WRONLY, 0o600))
        return True
    except (AttributeError, OSError):
        return False


def start_and_wait_for_streaming(work, config, target):
    """Starts -o target with --jobs 1 and returns the process once results
    are being written (the temporary file exists) while the hang job runs."""
    process = subprocess.Popen([outcomes_command(), "run", "--jobs", "1", "--format", "json",
                                "-o", target, config],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    directory = os.path.dirname(target)
    for _ in range(500):
        if writing_into(process.pid, directory):
            break
        time.sleep(0.02)
    time.sleep(0.2)  # the hang job has started
    return process


def check_stopped_by_signal(checker, work):
    """SIGTERM while results are being written: the run stops at once, dies
    of the signal, kills its jobs, removes the unfinished file and leaves
    the previous results file as it was. SIGKILL of the host: its jobs die
    with it, and where the file system has unnamed files nothing is left."""
    config = os.path.join(work, "slow.ini")
    write_text(config, CONFIG.replace("time_limit = 30", "time_limit = 60") + bad_section("hang")
               .replace("time_limit = 2\n", ""))
    target = os.path.join(work, "stopped", "results.json")
    os.makedirs(os.path.dirname(target), exist_ok=True)
    write_text(target, "previous results\n")
    process = start_and_wait_for_streaming(work, config, target)
    jobs = child_pids(process.pid)
    started = time.time()
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=30)
    checker.ok(time.time() - started < 10, "SIGTERM: the run stops at once")
    checker.equal(process.returncode, -signal.SIGTERM, "SIGTERM: dies of the signal (%s)" % err)
    checker.ok("stopped by signal 15" in err.decode() and len(err.decode().strip().splitlines()) == 1,
               "SIGTERM: one line says so: %r" % err)
    checker.equal(sorted(os.listdir(os.path.dirname(target))), ["results.json"],
                  "SIGTERM: no temporary file left")
    with open(target, encoding="utf-8") as handle:
        checker.equal(handle.read(), "previous results\n", "SIGTERM: previous file untouched")
    checker.ok(jobs != [] or not os.path.exists("/proc/self/task"), "SIGTERM: the job was seen")
    checker.equal([p for p in jobs if alive(p)], [], "SIGTERM: no job left running")

    process = start_and_wait_for_streaming(work, config, target)
    jobs = child_pids(process.pid)
    process.kill()
    process.communicate(timeout=30)
    deadline = time.time() + 10
    while time.time() < deadline and any(alive(p) for p in jobs):
        time.sleep(0.05)
    checker.equal([p for p in jobs if alive(p)], [], "SIGKILL of the host: its jobs die with it")
    with open(target, encoding="utf-8") as handle:
        checker.equal(handle.read(), "previous results\n", "SIGKILL: previous file untouched")
    leftovers = [name for name in os.listdir(os.path.dirname(target)) if name != "results.json"]
    if unnamed_files_possible(os.path.dirname(target)):
        # The unfinished file had no name: it went with the process.
        checker.equal(leftovers, [], "SIGKILL of the host: no temporary file left")
    for name in leftovers:  # elsewhere the host could not clean up after SIGKILL
        os.unlink(os.path.join(os.path.dirname(target), name))


def processes_running(text):
    """The processes (not zombies) whose command line holds text: the run's
    host and whatever it forked, for text its configuration's path."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % name, "rb") as handle:
                command = handle.read().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        if text in command and alive(int(name)):
            found.append(int(name))
    return found


def group_running(group):
    """Whether a process (not a zombie) of process group `group` runs."""
    for name in os.listdir("/proc"):
        try:
            with open("/proc/%s/stat" % name) as handle:
                fields = handle.read().split(") ")[-1].split()
        except (OSError, ValueError):
            continue
        if fields[0] not in "ZX" and int(fields[2]) == group:
            return True
    return False


def gone_soon(check, *arguments):
    """Whether check(*arguments) turns false within five seconds (killed
    processes take a moment to die)."""
    deadline = time.time() + 5
    while check(*arguments) and time.time() < deadline:
        time.sleep(0.02)
    return not check(*arguments)


def kill_all(pids):
    """So that a failing test leaves no ten-minute sleeper behind."""
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


LEAVES_CHILD = """
[leaving]
plugin = leaves_child
frame = q
areas = A1 P1
input.count = count
"""


def check_processes_left_running(checker, work):
    """leaves_child's evaluations leave processes holding the job's pipe:
    the run still ends at once (the time limit is 30 s) with status 0 and
    every result ok, and none of them, nor any process of their groups,
    outlives it. Its values are the left processes' pids, its lower bounds
    their process groups (tests/plugins/misbehaving.c)."""
    config = os.path.join(work, "leaving.ini")
    write_text(config, CONFIG + LEAVES_CHILD)
    for jobs in ("1", "4"):
        what = "leaves_child, --jobs %s" % jobs
        started = time.time()
        process = subprocess.Popen([outcomes_command(), "run", "--jobs", jobs, "--format", "json",
                                    config], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        # Its output is small enough for the pipes; they end only when the
        # last process holding them (a left one, too) is gone.
        process.wait(timeout=120)
        elapsed = time.time() - started
        checker.ok(elapsed < 10, "%s: the run ends at once (%.1f s)" % (what, elapsed))
        checker.ok(gone_soon(processes_running, config),
                   "%s: no process of the run is left (%r)" % (what, processes_running(config)))
        kill_all(processes_running(config))
        out, err = process.communicate(timeout=30)
        checker.ok(not sanitizer_report(err.decode("utf-8", "replace")),
                   "%s: sanitizer report: %s" % (what, err))
        if not checker.equal(process.returncode, 0, "%s: exit status 0 (%s)" % (what, err)):
            continue
        document = parse_json_strict(out.decode("utf-8"))
        results = {(r["metric"], r["indicator"], r["area"]): r for r in document["results"]}
        check_good_results(checker, results)
        checker.equal(len(document["results"]), 6, "%s: six results" % what)
        for area in ("A1", "P1"):
            result = results.get(("leaving", "value", area), {})
            checker.equal(result.get("status"), "ok", "%s %s status (%r)"
                          % (what, area, result.get("message")))
            pid, group = int(result.get("value") or 0), int(result.get("ci_lower") or 0)
            checker.ok(pid > 0 and gone_soon(alive, pid),
                       "%s %s: the process it left (%d) is gone" % (what, area, pid))
            checker.ok(group > 0 and group != os.getpgrp() and gone_soon(group_running, group),
                       "%s %s: nothing of its process group (%d) is left" % (what, area, group))


def check_processes_left_when_stopped(checker, work):
    """SIGTERM while leaves_child's processes sleep and the hang plugin
    hangs: nothing of the run is left."""
    config = os.path.join(work, "leaving_stopped.ini")
    write_text(config, CONFIG.replace("time_limit = 30", "time_limit = 60") + LEAVES_CHILD
               + bad_section("hang").replace("time_limit = 2\n", ""))
    process = subprocess.Popen([outcomes_command(), "run", "--jobs", "4", "--format", "json",
                                config], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # The host, a worker per metric (4) and leaves_child's two sleepers.
    deadline = time.time() + 30
    while len(processes_running(config)) < 7 and time.time() < deadline:
        time.sleep(0.02)
    seen = processes_running(config)
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)
    checker.equal(process.returncode, -signal.SIGTERM, "leaves_child, SIGTERM: dies of it")
    checker.ok(len(seen) >= 7, "leaves_child, SIGTERM: its processes were seen (%r)" % seen)
    checker.ok(gone_soon(processes_running, config),
               "leaves_child, SIGTERM: no process of the run is left (%r)"
               % processes_running(config))
    kill_all(processes_running(config))
    process.communicate(timeout=30)


def main():
    work = sys.argv[1]
    checker = Checker("test_run_plugin_failures")
    areas = [("A1", "Alpha 1", "P1"), ("A2", "Alpha 2", "P1"), ("C", "Gamma", None)]
    write_store(os.path.join(work, "store.h5"), {"q": {
        "areas": areas, "times": TIMES,
        "measures": {"count": {"values": [COUNT[a[0]] for a in areas]},
                     "population": {"values": [POPULATION[a[0]] for a in areas]}}}})
    config = os.path.join(work, "mixed.ini")
    write_text(config, CONFIG + "".join(bad_section(p) for p in list(BAD) + ["fail"]))
    os.environ["OUTCOMES_PLUGIN_DIR"] = sys.argv[2]
    for jobs in ("1", "4"):
        document, results = run_json(checker, ["--jobs", jobs, config], expected_status=5,
                                     what="mixed run, --jobs %s" % jobs)
        if document is None:
            continue
        check_good_results(checker, results)
        check_failed_results(checker, document, results)
        names = sorted(p["name"] for p in document["run"]["plugins"])
        checker.equal(names, sorted(list(BAD) + ["fail", "good", "worklessness"]),
                      "--jobs %s: run.plugins lists every plugin used" % jobs)
    # What a plugin prints to stdout reaches the host's stderr, even when
    # that is a pipe (fully buffered in the worker, and lost at its exit).
    status, out, err = run_outcomes(["run", "--format", "csv", "--jobs", "1", config])
    checker.equal(status, 5, "a run whose plugin prints: exit status (%r)" % err)
    for area in ("A1", "P1"):
        checker.ok("fail: looked for the population of %s" % area in err,
                   "the plugin's printf for %s reached stderr: %r" % (area, err))
    check_output_while_running(checker, work, config)
    check_stopped_by_signal(checker, work)
    check_processes_left_running(checker, work)
    check_processes_left_when_stopped(checker, work)
    # --fail-on does not hide a plugin failure (exit-status.md: 5 wins over 6).
    run_json(checker, ["--fail-on", "amber", config], expected_status=5, what="--fail-on with failures")
    return checker.finish()


main_guard(main)
