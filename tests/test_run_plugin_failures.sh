#!/bin/sh
# test_run_plugin_failures.sh: a run mixing good metrics with the test
# plugins that crash, abort, hang, send garbage or exit early must exit 5
# with every result written; one that leaves processes running must spoil
# nothing and leave nothing behind (tests/run_plugin_failures.py). The plugins are
# copied, mode 0755, into a private plugin directory: the loader refuses
# group- or world-writable files.
set -u
[ -n "${PYTHON_INTEROP:-}" ] || { echo "SKIP: no python with h5py (PYTHON_INTEROP)"; exit 77; }
work=$(mktemp -d "${TMPDIR:-/tmp}/test_run_plugin_failures.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
mkdir "$work/plugins" || exit 1
for plugin in "$top_builddir/tests/plugins/.libs/good.so" \
              "$OUTCOMES_PLUGIN_DIR/worklessness.so" \
              "$top_builddir"/tests/plugins/misbehaving/.libs/segfault.so \
              "$top_builddir"/tests/plugins/misbehaving/.libs/abort.so \
              "$top_builddir"/tests/plugins/misbehaving/.libs/hang.so \
              "$top_builddir"/tests/plugins/misbehaving/.libs/garbage.so \
              "$top_builddir"/tests/plugins/misbehaving/.libs/exit_early.so \
              "$top_builddir"/tests/plugins/misbehaving/.libs/fail.so \
              "$top_builddir"/tests/plugins/misbehaving/.libs/leaves_child.so \
              "$top_builddir"/tests/plugins/misbehaving/.libs/overflow.so; do
    cp "$plugin" "$work/plugins/" || { echo "FAIL: test plugin $plugin not built"; exit 1; }
done
chmod 0755 "$work/plugins" "$work"/plugins/*.so
PYTHONDONTWRITEBYTECODE=1 "$PYTHON_INTEROP" "$top_srcdir/tests/run_plugin_failures.py" \
    "$work" "$work/plugins"
