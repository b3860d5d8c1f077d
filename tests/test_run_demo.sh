#!/bin/sh
# test_run_demo.sh: `outcomes run` on the Wirral demo (etc/demo.ini and the
# store tools/make-demo-store writes) in table, CSV and JSON; the checks,
# against the seeds' figures and the store's small areas, are in
# tests/run_demo.py.
set -u
[ -n "${PYTHON_INTEROP:-}" ] || { echo "SKIP: no python with h5py (PYTHON_INTEROP)"; exit 77; }
work=$(mktemp -d "${TMPDIR:-/tmp}/test_run_demo.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
"$top_builddir/tools/make-demo-store" "$work/wirral-demo.h5" || { echo "FAIL: make-demo-store"; exit 1; }
cp "$top_srcdir/etc/demo.ini" "$work/demo.ini" && chmod u+w "$work/demo.ini" || exit 1
PYTHONDONTWRITEBYTECODE=1 "$PYTHON_INTEROP" "$top_srcdir/tests/run_demo.py" "$work"
