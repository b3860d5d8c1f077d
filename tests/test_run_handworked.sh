#!/bin/sh
# test_run_handworked.sh: `outcomes run --format json` on small hand-built
# stores (h5py) with every numeric field checked against values worked out
# from docs/results.md; periods in every form, missing data, parents with a
# missing member, --fail-on and -o. The working is in tests/run_handworked.py.
set -u
[ -n "${PYTHON_INTEROP:-}" ] || { echo "SKIP: no python with h5py (PYTHON_INTEROP)"; exit 77; }
work=$(mktemp -d "${TMPDIR:-/tmp}/test_run_handworked.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
PYTHONDONTWRITEBYTECODE=1 "$PYTHON_INTEROP" "$top_srcdir/tests/run_handworked.py" "$work"
