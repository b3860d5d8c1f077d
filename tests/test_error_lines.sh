#!/bin/sh
# test_error_lines.sh: `outcomes run` given a configuration whose values
# (or a path) hold a carriage return, a newline, an escape sequence or
# bytes that are not UTF-8 prints its error as exactly ONE line with those
# escaped (\r, \n, \x1b, \xff), and valid UTF-8 unchanged; the escaping
# itself is unit-tested in tests/test_error.c. Also the line and status of
# an evaluation period before the store's first: 2 for --period (a
# command-line mistake, docs/exit-status.md), 3 for `period =` in the file.
set -u
work=$(mktemp -d "${TMPDIR:-/tmp}/test_error_lines.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
"$top_builddir/tools/make-demo-store" "$work/wirral-demo.h5" >/dev/null \
    || { echo "FAIL: make-demo-store"; exit 1; }
demo="$top_srcdir/etc/demo.ini"
cd "$work" || exit 1
failures=0

# with_global_line NAME LINE: demo.ini with LINE added to [outcomes]
with_global_line() {
    { sed -n '1,/^confidence = /p' "$demo"; printf '%s\n' "$2"; sed '1,/^confidence = /d' "$demo"; } \
        > "$1" || exit 1
}

# expect_one_line STATUS LINE ARGUMENTS...: `outcomes ARGUMENTS` exits with
# STATUS and prints LINE, a single line with no control character, on stderr
expect_one_line() {
    expected_status=$1 expected_line=$2
    shift 2
    "$top_builddir/outcomes" "$@" > /dev/null 2> stderr
    status=$?
    lines=$(wc -l < stderr)
    controls=$(tr -d '\n' < stderr | LC_ALL=C tr -d -c '\000-\037\177' | wc -c)
    if [ "$status" -ne "$expected_status" ] || [ "$lines" -ne 1 ] || [ "$controls" -ne 0 ] \
            || [ "$(cat stderr)" != "$expected_line" ]; then
        failures=$((failures + 1))
        echo "FAIL: outcomes $*: status $status (expected $expected_status), $lines lines," \
             "$controls control bytes; stderr:"
        od -c stderr | head -20
        echo "expected: $expected_line"
    fi
}

with_global_line cr.ini "$(printf 'format = 12\r34')"
expect_one_line 3 "outcomes: cr.ini: [outcomes] format: unknown output format '12\\r34' (expected table, csv or json)" \
    run cr.ini

sed "0,/^areas = .*/s//areas = $(printf 'E1\033[2K\rFAKE_OK')/" "$demo" > escape.ini || exit 1
expect_one_line 3 "outcomes: escape.ini: [worklessness] areas: 'E1\\x1b[2K' is neither an area nor a parent area in wirral-demo.h5 frame /quarterly" \
    run escape.ini

with_global_line latin1.ini "$(printf 'format = M\364n\377')"
expect_one_line 3 "outcomes: latin1.ini: [outcomes] format: unknown output format 'M\\xf4n\\xff' (expected table, csv or json)" \
    run latin1.ini

with_global_line utf8.ini "format = Ynys Môn £"
expect_one_line 3 "outcomes: utf8.ini: [outcomes] format: unknown output format 'Ynys Môn £' (expected table, csv or json)" \
    run utf8.ini

expect_one_line 3 "outcomes: two\\nlines.ini: cannot be read: No such file or directory" \
    run "$(printf 'two\nlines.ini')"

cp "$demo" demo.ini || exit 1
expect_one_line 2 "outcomes: run: --period: '0001-01-01' ends before the first period in the store (2010-02-01) (in demo.ini: [worklessness])" \
    run demo.ini --period 0001-01-01
sed 's/^period = .*/period = 1990Q1/' "$demo" > early.ini || exit 1
expect_one_line 3 "outcomes: early.ini: [outcomes] period: '1990Q1' ends before the first period in the store (2010-02-01) (in [worklessness])" \
    run early.ini
expect_one_line 2 "outcomes: run: --period: '2016-13' is not a valid period: not a month 01-12 nor the year after" \
    run demo.ini -p 2016-13

[ "$failures" -eq 0 ] || { echo "FAIL: $failures error lines were wrong"; exit 1; }
echo "PASS: every error was one line"
