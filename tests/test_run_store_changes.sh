#!/bin/sh
# test_run_store_changes.sh: a store rewritten in place or replaced while
# `outcomes run` reads it ends the run with status 4 and one line, and no
# results are written (tests/run_store_changes.py). The gated test plugin
# holds the run at its first evaluation until the test has changed the
# store; it is copied, mode 0755, into a private plugin directory: the
# loader refuses group- or world-writable files.
set -u
[ -n "${PYTHON_INTEROP:-}" ] || { echo "SKIP: no python with h5py (PYTHON_INTEROP)"; exit 77; }
work=$(mktemp -d "${TMPDIR:-/tmp}/test_run_store_changes.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
mkdir "$work/plugins" || exit 1
plugin="$top_builddir/tests/plugins/.libs/gated.so"
cp "$plugin" "$work/plugins/" || { echo "FAIL: test plugin $plugin not built"; exit 1; }
chmod 0755 "$work/plugins" "$work"/plugins/*.so
PYTHONDONTWRITEBYTECODE=1 "$PYTHON_INTEROP" "$top_srcdir/tests/run_store_changes.py" \
    "$work" "$work/plugins"
