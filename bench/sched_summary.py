#!/usr/bin/env python3
"""sched_summary.py: where the CPU time and the idle cores of one
`outcomes run` went, from a scheduler trace of the whole machine.

docs/performance.md splits a run's time into the host, the digest, the
store reader, the workers and the idle cores, and the idle time into when
it fell; this is how, so that the next person can measure it again:

    perf record -a -e sched:sched_switch -e sched:sched_process_fork \\
        -o run.data -- outcomes run --jobs 2 lsoa-full.ini
    perf script -i run.data > run.txt
    bench/sched_summary.py run.txt

Other processes may run meanwhile (their CPU is "other"); the host is
the process that forked the most, or --host PID. Its children are told
apart by the order it forks them (core/engine.c): the digest first, then
the store readers (--readers, one per store the metrics read first: one
for the bench's configurations), then one probe per plugin (--probes:
four for the bench's), then the workers.
"""
import argparse
import collections
import re
import sys

SWITCH = re.compile(r"\[(\d+)\]\s+(\d+\.\d+):\s+sched:sched_switch: prev_comm=.*? prev_pid=(\d+) "
                    r"prev_prio=\d+ prev_state=(\S+) ==> next_comm=.*? next_pid=(\d+)")
FORK = re.compile(r"(\d+\.\d+):\s+sched:sched_process_fork: comm=\S+ pid=(\d+) "
                  r"child_comm=\S+ child_pid=(\d+)")


def read_trace(path):
    switches, forks = [], []
    with open(path, errors="replace") as trace:
        for line in trace:
            found = SWITCH.search(line)
            if found:
                cpu, when, previous, state, following = found.groups()
                switches.append((float(when), int(cpu), int(previous), state, int(following)))
                continue
            found = FORK.search(line)
            if found:
                when, parent, child = found.groups()
                forks.append((float(when), int(parent), int(child)))
    return switches, forks


def roles(forks, probes, readers, host):
    """pid -> role, from the order the host forked its children. host:
    its pid, or None for the process that forked the most (a trace of the
    whole machine may hold other processes' forks)."""
    if not forks:
        sys.exit("sched_summary: no fork in the trace (record sched:sched_process_fork too)")
    if host is None:
        host = collections.Counter(parent for _, parent, _ in forks).most_common(1)[0][0]
    children = [child for _, parent, child in forks if parent == host]
    before_workers = 1 + readers + probes
    if len(children) < before_workers:
        sys.exit("sched_summary: the host forked %d children, fewer than a digest, %d store "
                 "readers and %d probes" % (len(children), readers, probes))
    named = {host: "host", children[0]: "digest"}
    for child in children[1:1 + readers]:
        named[child] = "store reader"
    for child in children[1 + readers:before_workers]:
        named[child] = "probes"
    for child in children[before_workers:]:
        named[child] = "workers"
    return host, named, children[before_workers] if len(children) > before_workers else None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("trace", help="`perf script` output of sched_switch and sched_process_fork")
    parser.add_argument("--probes", type=int, default=4, help="plugins probed (default 4)")
    parser.add_argument("--readers", type=int, default=1,
                        help="store readers started before the probes (default 1)")
    parser.add_argument("--host", type=int, default=None,
                        help="the host's pid (default: the process that forked the most)")
    parser.add_argument("--end-window", type=float, default=20.0,
                        help="ms before the host's exit counted as the end (default 20)")
    args = parser.parse_args()

    switches, forks = read_trace(args.trace)
    if not switches:
        sys.exit("sched_summary: no sched_switch event in %s" % args.trace)
    host, named, first_worker = roles(forks, args.probes, args.readers, args.host)
    first_worker_at = next(when for when, _, child in forks if child == first_worker) \
        if first_worker is not None else None

    # Each switch ends the stretch the CPU's previous task had run since
    # the switch before it on that CPU.
    running = {}  # cpu -> (pid, since)
    cpu_seconds = collections.Counter()
    idle_by_phase = collections.Counter()
    started = switches[0][0]
    exits = [when for when, _, previous, state, _ in switches
             if previous == host and state[0] in "ZX"]
    ended = exits[0] if exits else switches[-1][0]
    for when, cpu, previous, state, following in switches:
        if cpu in running:
            pid, since = running[cpu]
            stretch = min(when, ended) - since
            if pid == 0:
                if stretch > 0:
                    if first_worker_at is not None and since < first_worker_at:
                        phase = "before the first worker"
                    elif ended - since < args.end_window / 1000.0:
                        phase = "end"
                    else:
                        phase = "middle"
                    idle_by_phase[phase] += stretch
            elif stretch > 0:
                cpu_seconds[named.get(pid, "other")] += stretch
        running[cpu] = (following, when)

    print("wall %.1f ms (first switch to the host's exit)" % ((ended - started) * 1000))
    for role in ("host", "digest", "store reader", "probes", "workers", "other"):
        print("%-14s %8.1f ms CPU" % (role, cpu_seconds[role] * 1000))
    print("%-14s %8.1f ms: %s" % ("idle cores", sum(idle_by_phase.values()) * 1000, ", ".join(
        "%s %.1f" % (phase, idle_by_phase[phase] * 1000)
        for phase in ("before the first worker", "middle", "end"))))


if __name__ == "__main__":
    main()
