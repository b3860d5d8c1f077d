#!/bin/sh
# test_run_config_edges.sh: careless and hostile values of milestones,
# spc_rebase, benchmark and intervention_cost given to `outcomes run`, and
# their interplay with other keys; the cases are in tests/run_config_edges.py.
set -u
[ -n "${PYTHON_INTEROP:-}" ] || { echo "SKIP: no python with h5py (PYTHON_INTEROP)"; exit 77; }
work=$(mktemp -d "${TMPDIR:-/tmp}/test_run_config_edges.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
PYTHONDONTWRITEBYTECODE=1 "$PYTHON_INTEROP" "$top_srcdir/tests/run_config_edges.py" "$work"
