#!/bin/sh
# test_run_errors.sh: configuration mistakes (exit 3), bad stores (exit 4)
# and bad command lines (exit 2) given to `outcomes run`, each a one-line
# error naming the file, section and key; the cases are in tests/run_errors.py.
set -u
[ -n "${PYTHON_INTEROP:-}" ] || { echo "SKIP: no python with h5py (PYTHON_INTEROP)"; exit 77; }
work=$(mktemp -d "${TMPDIR:-/tmp}/test_run_errors.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
PYTHONDONTWRITEBYTECODE=1 "$PYTHON_INTEROP" "$top_srcdir/tests/run_errors.py" "$work"
