#!/bin/sh
# test_sched_summary.sh: bench/sched_summary.py, which docs/performance.md
# uses to split a run's CPU among the host and its children and to say
# when the cores stood idle, on a made-up trace whose answer is known:
# the host (pid 100) forks the digest, the store reader, four probes and
# two workers (core/engine.c's order); one core idles 2 ms before the first worker, 2 ms in the
# middle and from 90 ms to the host's exit at 100 ms (after which nothing
# counts). Each role runs for a different time, so that a child taken for
# another shows; another process forks first, and the host is still found.
set -u
python=${PYTHON_INTEROP:-/usr/bin/python3}
work=$(mktemp -d "${TMPDIR:-/tmp}/test_sched_summary.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
switch() { # CPU SECONDS PREVIOUS STATE NEXT
    printf ' x %s [00%s] %s: sched:sched_switch: prev_comm=x prev_pid=%s prev_prio=120 prev_state=%s ==> next_comm=y next_pid=%s next_prio=120\n' \
        "$3" "$1" "$2" "$3" "$4" "$5"
}
fork() { # SECONDS CHILD [PARENT]
    printf ' outcomes %s [000] %s: sched:sched_process_fork: comm=outcomes pid=%s child_comm=outcomes child_pid=%s\n' \
        "${3:-100}" "$1" "${3:-100}" "$2"
}
{
    fork 9.999 201 200; fork 9.999 202 200 # another process's, first
    switch 0 10.000 0 R 100
    switch 1 10.000 99 S 0
    fork 10.001 101; fork 10.001 106; for probe in 102 103 104 105; do fork 10.002 $probe; done
    fork 10.010 107; fork 10.010 108
    switch 1 10.002 0 R 102
    switch 1 10.003 102 Z 101
    switch 0 10.004 100 S 106
    switch 0 10.008 106 Z 100
    switch 0 10.010 100 S 108
    switch 1 10.012 101 Z 107
    switch 1 10.050 107 Z 0
    switch 1 10.052 0 R 100
    switch 0 10.090 108 Z 0
    switch 1 10.100 100 Z 0
    switch 0 10.101 0 R 99
} > "$work/trace"
PYTHONDONTWRITEBYTECODE=1 "$python" "$top_srcdir/bench/sched_summary.py" "$work/trace" > "$work/out" 2>&1 \
    || { echo "FAIL: sched_summary.py exited $?"; cat "$work/out"; exit 1; }
cat > "$work/expected" <<'EXPECTED'
wall 100.0 ms (first switch to the host's exit)
host               54.0 ms CPU
digest              9.0 ms CPU
store reader        4.0 ms CPU
probes              1.0 ms CPU
workers           118.0 ms CPU
other               0.0 ms CPU
idle cores         14.0 ms: before the first worker 2.0, middle 2.0, end 10.0
EXPECTED
diff "$work/expected" "$work/out" || { echo "FAIL: sched_summary.py's figures"; exit 1; }
# --host names it, and then the other process's forks do not count.
PYTHONDONTWRITEBYTECODE=1 "$python" "$top_srcdir/bench/sched_summary.py" --host 100 "$work/trace" > "$work/out" 2>&1 \
    && diff "$work/expected" "$work/out" || { echo "FAIL: --host 100"; exit 1; }
# A trace without forks is refused with a reason, not a traceback.
grep -v fork "$work/trace" > "$work/no-forks"
if "$python" "$top_srcdir/bench/sched_summary.py" "$work/no-forks" > "$work/out" 2>&1 \
    || ! grep -q 'no fork in the trace' "$work/out" || grep -q Traceback "$work/out"; then
    echo "FAIL: a trace without forks"; cat "$work/out"; exit 1
fi
echo "PASS: sched_summary.py"
