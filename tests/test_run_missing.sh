#!/bin/sh
# test_run_missing.sh: every plugin on missing periods, suppressed values
# and zero denominators gives insufficient_data or finite numbers, never a
# NaN or infinity printed as a number (tests/run_missing.py).
set -u
[ -n "${PYTHON_INTEROP:-}" ] || { echo "SKIP: no python with h5py (PYTHON_INTEROP)"; exit 77; }
work=$(mktemp -d "${TMPDIR:-/tmp}/test_run_missing.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
PYTHONDONTWRITEBYTECODE=1 "$PYTHON_INTEROP" "$top_srcdir/tests/run_missing.py" "$work"
