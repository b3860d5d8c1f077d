#!/bin/sh
# test_run_repeated.sh: the demo, written with -o by two jobs, sixty times
# over; every run must finish whole. A rare fault that one run seldom shows
# shows here: under the sanitizers, a worker forked while the output's
# writer thread was still starting could wait for ever on a lock of the
# sanitizer's allocator (4 of 100 such runs; core/direct_writer.c now
# waits for its thread before returning). The time limit is short so that
# such a hang costs seconds, and its "timed out" result fails the run.
set -u
work=$(mktemp -d "${TMPDIR:-/tmp}/test_run_repeated.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
"$top_builddir/tools/make-demo-store" "$work/wirral-demo.h5" >/dev/null \
    || { echo "FAIL: make-demo-store"; exit 1; }
sed 's/^store = .*/&\ntime_limit = 5/' "$top_srcdir/etc/demo.ini" > "$work/demo.ini" || exit 1
grep -q '^time_limit = 5$' "$work/demo.ini" || { echo "FAIL: no time limit set"; exit 1; }
cd "$work" || exit 1
failures=0
for run in $(seq 60); do
    if ! "$top_builddir/outcomes" run --jobs 2 --format json -o results.json demo.ini \
            > /dev/null 2> stderr; then
        failures=$((failures + 1))
        echo "run $run: $(cat stderr)"
    elif [ -s stderr ]; then
        failures=$((failures + 1))
        echo "run $run wrote to stderr: $(cat stderr)"
    fi
done
[ "$failures" -eq 0 ] || { echo "FAIL: $failures of 60 runs failed"; exit 1; }
grep -q '"status": "ok"' results.json || { echo "FAIL: no results in the last run"; exit 1; }
echo "PASS: 60 runs, each whole"
