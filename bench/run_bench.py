#!/usr/bin/python3
"""run_bench.py: the national-scale benchmark behind `make bench`
(docs/performance.md). For each size it writes the store and the two
configurations (bench/make-national-store), then on that one store times:

  floor      bench/read-floor: every measure read once, in the blocks outcomes
             reads, no evaluation: through H5Dread (floor-hdf5) and through
             outcomes' own reader, which inflates whole chunks into the
             block (floor-chunks); the ratios take the faster of the two;
  outcomes   `outcomes run` (JSON to a file) over every small area and over
             every constituency, with --jobs 1 and --jobs 2;
  numpy      bench/numpy_reference.py over the same areas, after checking on
             a sample of areas that it gives the same numbers as outcomes.

Each command's wall time, CPU time and peak RSS come from os.wait4 (the
rusage of the command and every descendant it waited for; peak RSS is the
largest single process). Prints a table and the ratios, and writes them to
DIRECTORY/bench-results.json.

Usage (from the build directory; `make bench` does this):
  run_bench.py --builddir . --srcdir SRC --directory bench-data \
               [--sizes "quarter half full"] [--repeat N]
"""
import argparse
import json
import os
import platform
import subprocess
import sys
import time


def stolen_seconds():
    """CPU time the hypervisor has given to other guests while this
    machine's CPUs wanted it (the `steal` column of /proc/stat, summed
    over CPUs), or None where the kernel does not report it."""
    try:
        with open("/proc/stat") as f:
            fields = f.readline().split()
        return int(fields[8]) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def run_measured(command, cwd, quiet=True, writes=None):
    """Runs command; returns (wall seconds, cpu seconds, peak RSS MiB,
    seconds stolen by the hypervisor during the run, or None).
    writes: a file the command writes (relative to cwd), removed before
    the clock starts. Replacing the previous run's file would make the
    kernel free its blocks inside the command's rename: 0.09-0.11 s for
    a 314 MB result file (strace -T), a cost of the repeat, not of the
    command, and one the floor, which writes nothing, never pays."""
    if writes is not None:
        try:
            os.unlink(os.path.join(cwd, writes))
        except FileNotFoundError:
            pass
    stolen_before = stolen_seconds()
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd,
                               stdout=subprocess.DEVNULL if quiet else None)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    stolen_after = stolen_seconds()
    stolen = None if stolen_before is None or stolen_after is None else stolen_after - stolen_before
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        sys.exit("run_bench: %s failed with status %d" % (" ".join(command), process.returncode))
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024.0, stolen


def best_of(repeat, command, cwd, writes=None):
    """The fastest of `repeat` runs (the least disturbed by other load)."""
    runs = [run_measured(command, cwd, writes=writes) for _ in range(repeat)]
    return min(runs, key=lambda r: r[0])


def best_of_interleaved(repeat, commands, cwd, writes=None, rounds=None):
    """The fastest of `repeat` runs of each command, the commands taking
    turns (a, b, c, a, b, c, ...): a ratio between two of them then
    compares runs made minutes apart at most, whereas running each
    `repeat` times in a row let a machine whose speed drifts (this one
    moves by 10-20% within the hour) favour whichever came first.
    writes: {name: file the command writes}, each removed before its run
    (see run_measured). rounds: a dict that receives every run of each
    command, in order, for ratios round by round."""
    writes = writes or {}
    runs = {name: [] for name in commands}
    for _ in range(repeat):
        for name, command in commands.items():
            runs[name].append(run_measured(command, cwd, writes=writes.get(name)))
    if rounds is not None:
        rounds.update(runs)
    return {name: min(measured, key=lambda r: r[0]) for name, measured in runs.items()}


def machine():
    model = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        memory = int(f.readline().split()[1]) / 1024.0 / 1024.0
    return {"nproc": os.cpu_count(), "cpu": model, "memory_gib": round(memory, 1),
            "kernel": platform.release(), "python": platform.python_version()}


def main():
    parser = argparse.ArgumentParser(description="national-scale benchmark of outcomes")
    parser.add_argument("--builddir", default=".")
    parser.add_argument("--srcdir", default=".")
    parser.add_argument("--directory", default="bench-data")
    parser.add_argument("--outcomes", default=None,
                        help="the program to time (default BUILDDIR/outcomes); make bench "
                             "passes the real binary, not libtool's wrapper script, whose "
                             "sed and ls took 0.09 s of every run")
    parser.add_argument("--sizes", default="quarter half full")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--sample", type=int, default=300,
                        help="areas on which numpy and outcomes are compared")
    args = parser.parse_args()

    build = os.path.abspath(args.builddir)
    source = os.path.abspath(args.srcdir)
    directory = os.path.abspath(args.directory)
    os.makedirs(directory, exist_ok=True)
    outcomes = os.path.abspath(args.outcomes) if args.outcomes else os.path.join(build, "outcomes")
    generator = os.path.join(build, "bench", "make-national-store")
    floor = os.path.join(build, "bench", "read-floor")
    reference = os.path.join(source, "bench", "numpy_reference.py")
    python = sys.executable

    rows = []
    summary = {"machine": machine(), "rows": rows}
    print("machine: %(nproc)d CPUs, %(cpu)s, %(memory_gib)s GiB" % summary["machine"])
    # cores: CPU over wall, the cores a command kept busy on average;
    # stolen s: CPU time the hypervisor took from this machine during the
    # run (a virtual machine's noise: a run that lost much is slower for it)
    header = "%-8s %-13s %-12s %8s %8s %6s %9s %9s" % (
        "size", "areas", "command", "wall s", "cpu s", "cores", "peak MiB", "stolen s")
    print(header)
    for size in args.sizes.split():
        store = os.path.join(directory, "national-%s.h5" % size)
        # The generator writes the store and its two configurations; a store
        # older than the generator may come with configurations of an older
        # layout, so it is written again.
        if not os.path.exists(store) or os.path.getmtime(store) < os.path.getmtime(generator):
            subprocess.run([generator, size, directory], check=True, stdout=subprocess.DEVNULL)

        def record(kind, name, measured):
            wall, cpu, rss, stolen = measured
            rows.append({"size": size, "areas": kind, "command": name, "wall_s": round(wall, 3),
                         "cpu_s": round(cpu, 3), "cores": round(cpu / wall, 2),
                         "peak_rss_mib": round(rss, 1),
                         "stolen_s": None if stolen is None else round(stolen, 2)})
            print("%-8s %-13s %-12s %8.2f %8.2f %6.2f %9.1f %9s" % (
                size, kind, name, wall, cpu, cpu / wall, rss,
                "-" if stolen is None else "%.2f" % stolen), flush=True)
            return wall

        # The floor and outcomes take turns; numpy, ten times slower, runs
        # on its own after them.
        floors = {"floor-hdf5": "hdf5", "floor-chunks": "outcomes"}
        timed = {("-", name): [floor, "--reader", reader, store] for name, reader in floors.items()}
        writes = {}
        for kind in ("lsoa", "constituency"):
            for jobs in (1, 2):
                timed[(kind, "outcomes -j%d" % jobs)] = [
                    outcomes, "run", "--jobs", str(jobs), "%s-%s.ini" % (kind, size)]
                writes[(kind, "outcomes -j%d" % jobs)] = "results-%s-%s.json" % (kind, size)
        every_run = {}
        fastest = best_of_interleaved(args.repeat, timed, directory, writes, every_run)
        floor_wall = min(record("-", name, fastest[("-", name)]) for name in floors)
        for kind in ("lsoa", "constituency"):
            walls = {}
            for jobs in (1, 2):
                name = "outcomes -j%d" % jobs
                walls[jobs] = record(kind, name, fastest[(kind, name)])
            cpu_j2 = fastest[(kind, "outcomes -j2")][1]
            numpy_output = "numpy-%s-%s.json" % (kind, size)
            command = [python, reference, "run", store, numpy_output]
            if kind == "constituency":
                command.append("--constituencies")
            numpy_wall = record(kind, "numpy", best_of(args.repeat, command, directory,
                                                       numpy_output))
            checked = subprocess.run([python, reference, "check",
                                      "results-%s-%s.json" % (kind, size), numpy_output,
                                      "--sample", str(args.sample)], cwd=directory)
            if checked.returncode != 0:
                sys.exit("run_bench: numpy and outcomes disagree on %s-%s" % (kind, size))
            ratios = {"size": size, "areas": kind, "command": "ratios",
                      "outcomes_j1_over_floor": round(walls[1] / floor_wall, 2),
                      "outcomes_j2_over_floor": round(walls[2] / floor_wall, 2),
                      "numpy_over_outcomes_j1": round(numpy_wall / walls[1], 2),
                      "numpy_over_outcomes_j2": round(numpy_wall / walls[2], 2),
                      "speedup_j2": round(walls[1] / walls[2], 2),
                      # the most it could be on two cores for the CPU the
                      # -j2 run used (every process's, the host's, the
                      # digest's and the store reader's included), had no
                      # core ever been idle: what is short of it is idle
                      # time, what is short of 1.7 beyond it is CPU
                      "speedup_j2_cpu_bound": round(2 * walls[1] / cpu_j2, 2),
                      # -j1 over the -j2 run that followed it, round by
                      # round: how far the machine's drift moves the ratio
                      "speedup_j2_by_round": [
                          round(one[0] / two[0], 2) for one, two in
                          zip(every_run[(kind, "outcomes -j1")],
                              every_run[(kind, "outcomes -j2")])],
                      # what the hypervisor took during each of those runs
                      "stolen_s_by_round": [
                          [None if run[3] is None else round(run[3], 2) for run in pair]
                          for pair in zip(every_run[(kind, "outcomes -j1")],
                                          every_run[(kind, "outcomes -j2")])]}
            rows.append(ratios)
            print("%-8s %-13s outcomes/floor %.2f (-j1) %.2f (-j2), numpy/outcomes %.2f (-j1) "
                  "%.2f (-j2), -j2 speed-up %.2f (at most %.2f on two cores for the CPU -j2 "
                  "used)" % (
                      size, kind, ratios["outcomes_j1_over_floor"],
                      ratios["outcomes_j2_over_floor"], ratios["numpy_over_outcomes_j1"],
                      ratios["numpy_over_outcomes_j2"], ratios["speedup_j2"],
                      ratios["speedup_j2_cpu_bound"]), flush=True)
            if args.repeat > 1:
                print("%-8s %-13s -j2 speed-up round by round: %s" % (
                    size, kind, " ".join(
                        "%.2f%s" % (r, "" if stolen[0] is None else " (stolen %.2f/%.2f s)" % (
                            stolen[0], stolen[1]))
                        for r, stolen in zip(ratios["speedup_j2_by_round"],
                                             ratios["stolen_s_by_round"]))), flush=True)
    with open(os.path.join(directory, "bench-results.json"), "w") as f:
        json.dump(summary, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
