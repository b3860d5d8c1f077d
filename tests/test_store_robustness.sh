#!/bin/sh
# test_store_robustness.sh: `outcomes store info` and `store check` on
# broken stores (written by tests/store_fixture with the raw HDF5 API): each
# must exit with the documented status 4 and a one-line message naming the
# file, never crash (a sanitizer report or a signal fails the test), even
# where the HDF5 library itself crashes on the damage; and so must
# `outcomes run` on a store that crashes HDF5.
set -u
outcomes="$top_builddir/outcomes"
fixture="$top_builddir/tests/store_fixture"
work=$(mktemp -d "${TMPDIR:-/tmp}/test_store_robustness.XXXXXX")
trap 'rm -rf "$work"' EXIT
failures=0
passes=0

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# expect KIND COMMAND STATUS TEXT: runs `outcomes store COMMAND` on the
# fixture and checks the exit status and that stderr+stdout mention TEXT.
expect() {
    kind=$1 command=$2 status=$3 text=$4
    file="$work/$kind.h5"
    if [ "$kind" = directory ]; then file="$work/a-directory"; mkdir -p "$file"
    else "$fixture" "$kind" "$file" || { fail "$kind: fixture"; return; }; fi
    "$outcomes" store "$command" "$file" > "$work/out" 2> "$work/err"
    got=$?
    if [ "$got" -ne "$status" ]; then fail "$kind: store $command exited $got, expected $status"; cat "$work/err"; return; fi
    if grep -q -i -E 'sanitizer|HDF5-DIAG|#[0-9]+ 0x' "$work/out" "$work/err"; then
        fail "$kind: store $command printed a diagnostic dump"; cat "$work/err"; return; fi
    if ! grep -q -F -- "$text" "$work/out" "$work/err"; then
        fail "$kind: store $command did not say '$text'"; cat "$work/out" "$work/err"; return; fi
    if [ "$command" = info ] && [ "$status" -ne 0 ] && [ "$(wc -l < "$work/err")" -ne 1 ]; then
        fail "$kind: store info's error is not one line"; cat "$work/err"; return; fi
    if [ "$command" = info ] && [ "$status" -ne 0 ] && ! grep -q -F "$file" "$work/err"; then
        fail "$kind: the error does not name the file"; return; fi
    passes=$((passes + 1))
}

for command in info check; do
    expect truncated $command 4 "truncated"
    expect zeroed-superblock $command 4 "not an HDF5 file"
    expect corrupt-chunk $command 4 "/claimants: cannot read areas 0 to"
    expect missing-time $command 4 "/time: missing"
    expect wrong-shape $command 4 "/claimants: has shape 3 x 2, expected 3 areas x 3 times"
    expect string-measure $command 4 "/claimants: holds text, not numbers"
    expect duplicate-areas $command 4 "duplicate area code 'E1' at positions 0 and 2"
    expect non-monotonic-time $command 4 "/time: not strictly increasing"
    expect midday-time $command 4 "/time: entry 1 (12) is not at the start of a day"
    expect empty $command 4 "/area: is empty"
    expect directory $command 4 "is a directory"
    expect not-hdf5 $command 4 "not an HDF5 file"
    expect version-2 $command 4 "version"
    expect huge-areas $command 4 "/area: has 2305843009213693953 entries, too many"
    expect huge-times $command 4 "/time: has 4611686018427387905 entries, too many"
    expect damaged-later-heap $command 4 "/area: bad global heap collection signature"
    # An object linked but unreadable is damage, named, not silently no
    # frame (or no measure), which a run then blamed on its configuration.
    expect damaged-frame-header $command 4 "/quarterly: cannot be read (damaged file?): "
    expect damaged-measure-header $command 4 "/quarterly/claimants: cannot be read (damaged file?): "
    # What other tools may leave is passed over, as before.
    expect extra-objects $command 0 "$( [ $command = info ] && echo "2 frames" || echo "valid outcomes store")"
done
# A chunk listed by the index but not found where reads look for it reads
# as never written; chunks never written are allowed.
expect damaged-chunk-key check 4 "/claimants: the chunk index is damaged: 1 of the 4 chunks it lists cannot be found"
expect sparse check 0 "valid outcomes store"
expect sparse info 0 "44.4%"
# What the reader tolerates but the format asks for: check lists it all.
expect unattached check 4 "/claimants: dimension 0 is not attached to the area scale"
expect unattached info 0 "claimants"
expect xarray check 4 "no root attribute outcomes_store_version"
expect plain check 0 "valid outcomes store"
# check reads in a child process, which must be judged even when the
# command was started with SIGCHLD ignored
bash -c 'trap "" CHLD; exec "$0" store check "$1"' "$outcomes" "$work/plain.h5" > "$work/out" 2>&1 \
    && grep -q "valid outcomes store" "$work/out" && passes=$((passes + 1)) \
    || { fail "plain: store check with SIGCHLD ignored"; cat "$work/out"; }
# plain: E2 at the last time is missing, 1 of 9 values = 11.1%.
expect plain info 0 "11.1%"
# A store whose root group cannot be listed (its local heap's free list
# damaged: one byte flipped where the heap says its first free block is)
# is a damaged store, status 4 with HDF5's reason; it was once reported as
# "out of memory", status 1.
if [ -n "${PYTHON_INTEROP:-}" ]; then
    "$fixture" plain "$work/heap.h5" || fail "heap: fixture"
    "$PYTHON_INTEROP" - "$work/heap.h5" <<'PYTHON' || fail "heap: cannot damage the heap"
import struct, sys
data = bytearray(open(sys.argv[1], "rb").read())
heap = data.index(b"HEAP")  # signature, version, 3 reserved, then 8-byte fields
free_list, segment = struct.unpack_from("<QQ", data, heap + 16)
assert free_list != 0xFFFFFFFFFFFFFFFF, "the heap has no free block"
data[segment + free_list] ^= 0xFF
open(sys.argv[1], "wb").write(data)
PYTHON
    "$outcomes" store check "$work/heap.h5" > "$work/out" 2> "$work/err"
    got=$?
    if [ "$got" -eq 4 ] && grep -q -F "$work/heap.h5: cannot list the groups: " "$work/out" \
            && ! grep -q -i "memory" "$work/out" "$work/err"; then
        passes=$((passes + 1))
    else
        fail "heap: store check exited $got"; cat "$work/out" "$work/err"
    fi
fi
# A store whose first variable-length string points at an object its
# global heap does not hold (index 0x7fff): Debian's HDF5 1.10 reads past
# its buffers and dies of SIGSEGV. info and check read in a child process
# and must still end with status 4 and one line naming the file, never
# with the signal. (Should a later HDF5 refuse the reference cleanly, the
# status and the file's name are still what is required.)
"$fixture" dangling-string "$work/reference.h5" || fail "reference: fixture"
for command in info check; do
    "$outcomes" store $command "$work/reference.h5" > "$work/out" 2> "$work/err"
    got=$?
    if [ "$got" -eq 4 ] && [ "$(wc -l < "$work/err")" -eq 1 ] \
            && grep -q -F "$work/reference.h5" "$work/err" \
            && ! grep -q -i -E 'sanitizer|#[0-9]+ 0x' "$work/err"; then
        passes=$((passes + 1))
    else
        fail "reference: store $command exited $got"; cat "$work/out" "$work/err"
    fi
done
# A crash that makes the C library print on its way down (glibc's
# "free(): double free detected in tcache 2", or a sanitizer's report):
# the user sees only the one line. (Should an HDF5 not crash on it, it
# must still say at most one line on stderr.)
"$fixture" damaged-scale-class "$work/class.h5" || fail "class: fixture"
"$outcomes" store check "$work/class.h5" > "$work/out" 2> "$work/err"
got=$?
if [ "$(wc -l < "$work/err")" -le 1 ] && ! grep -q -v '^outcomes: ' "$work/err" \
        && { ! grep -q crashed "$work/err" || { [ "$got" -eq 4 ] && [ "$(cat "$work/err")" = \
        "outcomes: $work/class.h5: the HDF5 library crashed reading it (Aborted, signal 6): the file is damaged" ]; }; }; then
    passes=$((passes + 1))
else
    fail "class: store check exited $got"; cat "$work/out" "$work/err"
fi
# `outcomes run` opens its stores in a child too: the same store is one
# line (after the key that named it) and status 4, no results file, and an
# existing one left as it was (also when the run was started with SIGCHLD
# ignored).
cat > "$work/reference.ini" <<EOF
[outcomes]
store = $work/reference.h5

[esa]
plugin = worklessness
input.claimants = claimants
input.population = population
areas = E1
EOF
crashed="outcomes: $work/reference.ini: [outcomes] store: $work/reference.h5: the HDF5 library crashed reading it (Segmentation fault, signal 11): the file is damaged"
for previous in none kept ignoring; do
    rm -f "$work/results.json"
    [ "$previous" = none ] || echo 'previous results' > "$work/results.json"
    if [ "$previous" = ignoring ]; then
        bash -c 'trap "" CHLD; exec "$0" run -o "$1" "$2"' "$outcomes" "$work/results.json" \
            "$work/reference.ini" > "$work/out" 2> "$work/err"
    else
        "$outcomes" run -o "$work/results.json" "$work/reference.ini" > "$work/out" 2> "$work/err"
    fi
    got=$?
    if [ "$got" -ne 4 ] || [ "$(wc -l < "$work/err")" -ne 1 ] || [ -s "$work/out" ] \
            || ! grep -q -F "$work/reference.h5" "$work/err" \
            || { grep -q crashed "$work/err" && [ "$(cat "$work/err")" != "$crashed" ]; }; then
        fail "reference: run ($previous) exited $got"; cat "$work/out" "$work/err"
    elif [ "$previous" = none ] && [ -e "$work/results.json" ]; then
        fail "reference: run wrote a results file"
    elif [ "$previous" != none ] && [ "$(cat "$work/results.json")" != 'previous results' ]; then
        fail "reference: run touched the existing results file"
    else
        passes=$((passes + 1))
    fi
done
# A frame group or measure that cannot be read stops a run with status 4
# and the line naming it, not a complaint about the configuration.
for kind in damaged-frame-header damaged-measure-header; do
    "$fixture" $kind "$work/$kind.h5" || fail "$kind: fixture"
    sed -e "s|$work/reference.h5|$work/$kind.h5|" -e 's|^areas = E1|frame = quarterly\nareas = E1|' \
        "$work/reference.ini" > "$work/$kind.ini"
    "$outcomes" run -o "$work/results.json" "$work/$kind.ini" > "$work/out" 2> "$work/err"
    got=$?
    if [ "$got" -eq 4 ] && [ "$(wc -l < "$work/err")" -eq 1 ] \
            && grep -q -F "$work/$kind.h5: /quarterly" "$work/err" \
            && grep -q -F ": cannot be read (damaged file?): " "$work/err"; then
        passes=$((passes + 1))
    else
        fail "$kind: run exited $got"; cat "$work/out" "$work/err"
    fi
done
# Usage errors exit 2.
"$outcomes" store info > /dev/null 2>&1; [ $? -eq 2 ] && passes=$((passes + 1)) || fail "store info without FILE"
"$outcomes" store frobnicate x > /dev/null 2>&1; [ $? -eq 2 ] && passes=$((passes + 1)) || fail "unknown subcommand"
"$outcomes" store --help | grep -q 'store check FILE' && passes=$((passes + 1)) || fail "store --help"

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
