#!/bin/sh
# test_store_interop.sh: stores travel between outcomes and the Python
# tools analysts use. xarray writes, outcomes reads the same values, areas
# and dates; outcomes writes (import), xarray reads the same with a decoded
# datetime axis; a CSV import round-trips; and the h5py and xarray examples
# in docs/store-format.md write stores that `outcomes store check` accepts.
# Skipped (77) without a Python that has h5py, xarray and h5netcdf.
set -u
[ -n "${PYTHON_INTEROP:-}" ] || { echo "no PYTHON_INTEROP: skipped"; exit 77; }
"$PYTHON_INTEROP" -c 'import h5py, xarray, h5netcdf, pandas' 2>/dev/null \
    || { echo "$PYTHON_INTEROP lacks h5py/xarray/h5netcdf/pandas: skipped"; exit 77; }
outcomes="$top_builddir/outcomes"
dump="$top_builddir/tests/store_dump"
helper="$top_srcdir/tests/store_interop.py"
work=$(mktemp -d "${TMPDIR:-/tmp}/test_store_interop.XXXXXX")
trap 'rm -rf "$work"' EXIT
failures=0
passes=0
check() { # NAME COMMAND...: passes when the command succeeds
    name=$1; shift
    if "$@" > "$work/out" 2>&1; then passes=$((passes + 1)); else
        echo "FAIL: $name"; cat "$work/out"; failures=$((failures + 1)); fi
}
same() { # NAME FILE FILE: the two dumps hold the same lines
    sort "$2" > "$2.sorted"; sort "$3" > "$3.sorted"
    if [ -s "$2.sorted" ] && cmp -s "$2.sorted" "$3.sorted"; then passes=$((passes + 1)); else
        echo "FAIL: $1"; diff "$2.sorted" "$3.sorted" | head -20; failures=$((failures + 1)); fi
}

# 1. xarray writes; outcomes reads the same values, areas and dates.
check "xarray writes a store" "$PYTHON_INTEROP" "$helper" xarray-write "$work/xarray.nc"
check "outcomes opens the xarray store" "$outcomes" store info "$work/xarray.nc"
"$dump" "$work/xarray.nc" > "$work/xarray.outcomes" || { echo "FAIL: store_dump xarray.nc"; failures=$((failures + 1)); }
"$PYTHON_INTEROP" "$helper" dump "$work/xarray.nc" > "$work/xarray.python"
same "xarray store read by outcomes" "$work/xarray.outcomes" "$work/xarray.python"
# 32 values each for claimants and rate, one of them missing.
[ "$(wc -l < "$work/xarray.outcomes")" -eq 64 ] && passes=$((passes + 1)) || { echo "FAIL: expected 64 values"; failures=$((failures + 1)); }
grep -q '^/|E14001010|2015-10-01|claimants|nan$' "$work/xarray.outcomes" && passes=$((passes + 1)) \
    || { echo "FAIL: the missing value is not missing"; failures=$((failures + 1)); }

# 2. outcomes writes (import); xarray reads the same; the CSV round-trips.
cat > "$work/input.csv" <<'CSV'
area,period,measure,value,area_name
E14000559,2016Q1,claimants,"7,940",Birkenhead
E14000559,2016Q2,claimants,7815,Birkenhead
E14000559,2016Q3,claimants,x,Birkenhead
E14001010,2016Q1,claimants,5120.5,Wallasey
E14001010,2016Q2,claimants,..,Wallasey
E14001010,2016Q3,claimants,5002,Wallasey
E14000559,2016Q1,rate,9.8,Birkenhead
E14001010,2016Q3,rate,6.25,Wallasey
CSV
check "outcomes import" "$outcomes" import "$work/input.csv" -o "$work/imported.h5" --units claimants=people --units rate=%
check "the imported store passes check" "$outcomes" store check "$work/imported.h5"
"$dump" "$work/imported.h5" > "$work/imported.outcomes"
"$PYTHON_INTEROP" "$helper" dump "$work/imported.h5" > "$work/imported.python" \
    || { echo "FAIL: xarray cannot read the imported store"; cat "$work/imported.python"; failures=$((failures + 1)); }
same "outcomes store read by xarray" "$work/imported.outcomes" "$work/imported.python"
# The CSV's 8 values, and NaN for the 4 area/period pairs rate lacks.
"$PYTHON_INTEROP" "$helper" csv-expect "$work/input.csv" > "$work/expected"
grep -v '|rate|nan$' "$work/imported.python" | grep -v '^$' > "$work/imported.present" || true
grep -v '|rate|nan$' "$work/expected" > "$work/expected.present" || true
same "CSV import round-trips" "$work/expected.present" "$work/imported.present"

# 3. The examples in docs/store-format.md write valid stores.
for example in h5py xarray; do
    sed -n "/^<!-- example: $example -->/,/^\`\`\`\$/p" "$top_srcdir/docs/store-format.md" \
        | sed '1,2d;$d' > "$work/example_$example.py"
    [ -s "$work/example_$example.py" ] || { echo "FAIL: no $example example in the docs"; failures=$((failures + 1)); continue; }
    check "the $example example runs" "$PYTHON_INTEROP" "$work/example_$example.py" "$work/example_$example.h5"
    check "the $example example passes store check" "$outcomes" store check "$work/example_$example.h5"
done

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
