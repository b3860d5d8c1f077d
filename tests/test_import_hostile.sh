#!/bin/sh
# test_import_hostile.sh: `outcomes import` on the inputs a fuzzing campaign
# found mishandled: a FIFO (it waited for ever), /dev/zero and a file of
# one endless line (all memory, then a false "empty"), a header of more
# than 64 columns, a missing -o directory (status 4, not 1 as for `run`),
# a measure the store refuses (reported against the store, with no line),
# a quoted line break (the row's last line named) and a subnormal value
# (refused). Each must end with the documented status (docs/exit-status.md)
# and a message naming the file, never hang or crash (a sanitizer report
# fails the test).
set -u
outcomes="$top_builddir/outcomes"
work=$(mktemp -d "${TMPDIR:-/tmp}/test_import_hostile.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 99
failures=0
passes=0

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# expect NAME STATUS TEXT LINES ARGS...: runs `outcomes import ARGS` (at
# most 30 s) and checks the status, that standard error holds TEXT and,
# when LINES is not -, that it is LINES lines long.
expect() {
    name=$1 status=$2 text=$3 lines=$4
    shift 4
    timeout 30 "$outcomes" import "$@" > out 2> err
    got=$?
    if [ "$got" -ne "$status" ]; then fail "$name: exited $got, expected $status"; cat err; return; fi
    if grep -q -i -E 'sanitizer|runtime error|#[0-9]+ 0x' out err; then
        fail "$name: printed a diagnostic dump"; cat err; return; fi
    if [ -n "$text" ] && ! grep -q -F -- "$text" err; then fail "$name: did not say '$text'"; cat out err; return; fi
    if [ "$lines" != - ] && [ "$(wc -l < err)" -ne "$lines" ]; then
        fail "$name: $(wc -l < err) lines on standard error, expected $lines"; cat err; return; fi
    passes=$((passes + 1))
}

printf 'area,period,measure,value,units\nE1,2016Q1,m,1,p\n' > ok.csv

mkfifo f.fifo
expect fifo 4 "outcomes: f.fifo: is a FIFO, not a regular file" 1 f.fifo -o s.h5
expect dev-zero 4 "outcomes: /dev/zero: is a character device, not a regular file" 1 /dev/zero -o s.h5
mkdir adir
expect directory 4 "outcomes: adir: is a directory, not a regular file" 1 adir -o s.h5
[ -e s.h5 ] && fail "a refused input left s.h5"

# One 2 MiB line (past the 1 MiB limit) and a quote never closed.
head -c 2097152 /dev/zero | tr '\0' 'x' > endless.csv
expect endless-line 4 "outcomes: endless.csv:1: a line longer than 1048576 bytes (1 MiB)" 1 \
    endless.csv -o s.h5
{ printf 'area,period,measure,value,units\n"E1'; head -c 2097152 /dev/zero | tr '\0' '\n'; } > open-quote.csv
expect open-quote 4 "outcomes: open-quote.csv:2: a row longer than 1048576 bytes (1 MiB) from this line on" 1 \
    open-quote.csv -o s.h5

python3 -c "
print(','.join(['c%d' % i for i in range(66)] + ['area', 'period', 'measure', 'value']))
print(','.join(['x'] * 66 + ['E1', '2016Q1', 'm', '1']))" > wide.csv
expect wide-header 0 "" 0 wide.csv -o wide.h5 --units people
[ -s wide.h5 ] || fail "wide-header: no store written"

# The output's directory is missing: status 1, as `run` gives (the CSV is fine).
expect missing-directory 1 "outcomes: import: -o: nodir/s.h5: the directory 'nodir' does not exist" 1 \
    ok.csv -o nodir/s.h5

printf 'area,period,measure,value,units\nE1,2016Q1,.,1,p\n' > dot.csv
expect dot-measure 4 "outcomes: dot.csv:2: '.' cannot name a measure" 2 dot.csv -o s.h5

printf 'note,area,period,measure,value,units\n"a\nb",E1,2016Q5,m,1,p\n' > quoted-break.csv
expect quoted-break 4 "outcomes: quoted-break.csv:2: '2016Q5'" 2 quoted-break.csv -o s.h5

printf 'area,period,measure,value,units\nE1\033[2K,2016Q1,m,1,p\n' > escape.csv
expect escape 4 "outcomes: escape.csv:2: area holds a control character (0x1B at byte 3)" 2 \
    escape.csv -o s.h5

printf 'area,period,measure,value,units\nE1,2016Q1,m,4.9e-324,p\n' > subnormal.csv
expect subnormal 0 "" 0 subnormal.csv -o subnormal.h5
grep -q "1 value," out || fail "subnormal: not stored as a value: $(cat out)"
# One of each is said in the singular ("1 areas" read as a slip).
grep -q -F "subnormal.csv: 1 row, 1 value, 0 suppressed or empty (stored as missing), 0 bad rows skipped" out \
    || fail "import summary: $(cat out)"
grep -q -F "subnormal.h5: written: 1 frame, 1 measure, 1 area" out || fail "import written: $(cat out)"
"$outcomes" store info subnormal.h5 > info 2>&1
grep -q -F "frame /: 1 area, 1 period from 2016-01-01 to 2016-01-01" info \
    || fail "store info of one area and period: $(cat info)"

# The options' text is stored too (units, descriptions, the source) and
# printed with results: a control character there is a usage error, named
# (escaped) with its byte; UTF-8 text is not.
expect units-escape 2 "outcomes: import: --units 'p\\x1b[2K' holds a control character (0x1B at byte 2): it is text" 1 \
    ok.csv -o s.h5 --units "$(printf 'p\033[2K')"
expect long-name-tab 2 "outcomes: import: --long-name 'a\\tb' holds a control character (0x09 at byte 2)" 1 \
    ok.csv -o s.h5 --long-name "m=$(printf 'a\tb')"
expect source-newline 2 "outcomes: import: --source 'DWP\\nx' holds a control character (0x0A at byte 4)" 1 \
    ok.csv -o s.h5 --source "$(printf 'DWP\nx')"
[ -e s.h5 ] && fail "a refused option left s.h5"
expect utf8-options 0 "" 0 ok.csv -o utf8.h5 --source 'DWP – Ynys Môn' --units 'm=£'

# Other statuses stay as documented: a missing CSV 4, -o on a device 2.
expect missing-csv 4 "outcomes: missing.csv: No such file or directory" 1 missing.csv -o s.h5
expect device-output 2 "/dev/full: is a character device" 1 ok.csv -o /dev/full
# A regular file given as standard input's path still reads.
expect stdin-file 0 "" 0 /dev/stdin -o stdin.h5 < ok.csv

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
