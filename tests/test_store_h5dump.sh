#!/bin/sh
# test_store_h5dump.sh: every store outcomes writes opens in h5dump (HDF5's
# own tool, not our reader), with its dimension scales attached, the format
# version attribute, and a superblock that HDF5 1.8 readers understand.
set -u
command -v h5dump >/dev/null 2>&1 || { echo "SKIP: no h5dump (apt-get install hdf5-tools)"; exit 77; }
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT
failures=0
check() { # description, command...
    what=$1; shift
    if "$@" >/dev/null 2>&1; then echo "ok - $what"; else echo "FAIL: $what"; failures=$((failures + 1)); fi
}

"$top_builddir/tools/make-demo-store" "$work/demo.h5" || { echo "FAIL: make-demo-store"; exit 1; }
printf 'area,period,measure,value\nE01000001,2016-11,claimants,12\nE01000002,2016-11,claimants,x\n' > "$work/in.csv"
"$top_builddir/outcomes" import "$work/in.csv" -o "$work/imported.h5" --units people >/dev/null \
    || { echo "FAIL: outcomes import"; exit 1; }

for store in demo imported; do
    file="$work/$store.h5"
    check "$store: h5dump reads every object and value" h5dump "$file"
    h5dump -B -H "$file" > "$work/$store.header" 2>&1
    # Superblock versions 0-2 are readable by HDF5 1.8; 3 needs 1.10.
    check "$store: superblock readable by HDF5 1.8" grep -E -q 'SUPERBLOCK_VERSION [012]$' "$work/$store.header"
    h5dump -a /outcomes_store_version "$file" > "$work/$store.version" 2>&1
    check "$store: outcomes_store_version = 1" grep -q '(0): 1$' "$work/$store.version"
done
# Dimension scales attached (H5DS), so netCDF tools label the axes.
check "demo: measures carry DIMENSION_LIST" sh -c "h5dump -A -d /quarterly/esa_ib_claimants '$work/demo.h5' | grep -q 'ATTRIBUTE \"DIMENSION_LIST\"'"
check "demo: time is a dimension scale" sh -c "h5dump -A -d /quarterly/time '$work/demo.h5' | grep -q 'DIMENSION_SCALE'"
check "imported: time units" sh -c "h5dump -a /time/units '$work/imported.h5' | grep -q 'days since 1970-01-01'"

echo "test_store_h5dump: $((9 - failures)) passed, $failures failed"
[ "$failures" -eq 0 ]
