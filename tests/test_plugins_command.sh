#!/bin/sh
# test_plugins_command.sh: drives `outcomes plugins` and `outcomes plugins
# info` on copies of the test plugins in a private directory: the listing,
# the description, one-line errors for bad plugins (even ones whose
# constructors crash or exit) while listing goes on,
# refusal of an insecure directory, and the exit statuses.
set -u
outcomes="$top_builddir/outcomes"
built="$top_builddir/tests/plugins"
work=$(mktemp -d "${TMPDIR:-/tmp}/oc-plugins-command.XXXXXX") || exit 99
trap 'rm -rf "$work"' EXIT
unset OUTCOMES_ALLOW_INSECURE_PLUGINS
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# expect STATUS COMMAND...: runs it, output in $work/out and $work/err.
expect() {
    wanted=$1; shift
    "$@" >"$work/out" 2>"$work/err"
    got=$?
    [ "$got" -eq "$wanted" ] || { fail "$* exited $got, expected $wanted"; cat "$work/err"; }
}
has() { grep -F -q -- "$2" "$work/$1" || { fail "$1 lacks '$2'"; cat "$work/$1"; }; }

mkdir "$work/good" "$work/mixed" "$work/empty"
chmod 755 "$work/good" "$work/mixed" "$work/empty"
for plugin in good template; do
    cp "$built/.libs/$plugin.so" "$work/good/" && cp "$built/.libs/$plugin.so" "$work/mixed/"
done
cp "$built/broken/.libs/abi_major.so" "$built/broken/.libs/no_entry.so" "$work/mixed/"
# constructors that crash and call exit(0) while loading
cp "$built/loading/.libs/crash.so" "$built/loading/.libs/exit.so" "$work/mixed/"
cp "$top_srcdir/tests/plugins/not_a_plugin.so" "$work/mixed/"
# a good plugin under another file name: `plugin = renamed` could not use it
cp "$built/.libs/good.so" "$work/mixed/renamed.so"
chmod 755 "$work"/good/*.so "$work"/mixed/*.so

# Listing: name, version, ABI, indicators and path; exit 0.
expect 0 "$outcomes" plugins --plugin-dir "$work/good"
has out "good      1.2.3"
has out "template  1.0.0"
has out "1.0    rate"   # good.so: an ABI 1.0 plugin still loads
has out "1.3    rate"   # template.so: built against this host
has out "$work/good/good.so"
[ ! -s "$work/err" ] || fail "a clean listing wrote to stderr"

# Started with SIGCHLD ignored (as some schedulers start jobs), the trial
# loads in child processes must still be judged: the same clean listing
# (bash: dash does not pass an ignored SIGCHLD on).
expect 0 bash -c 'trap "" CHLD; exec "$0" plugins --plugin-dir "$1"' "$outcomes" "$work/good"
has out "$work/good/template.so"
[ ! -s "$work/err" ] || { fail "SIGCHLD ignored: the listing wrote to stderr"; cat "$work/err"; }

# The environment variable is used when there is no option.
OUTCOMES_PLUGIN_DIR="$work/good" expect 0 "$outcomes" plugins
has out "$work/good/template.so"

# Bad plugins: one line each on stderr, the good ones still listed, exit 5.
expect 5 "$outcomes" plugins --plugin-dir="$work/mixed"
has out "$work/mixed/good.so"
has out "$work/mixed/template.so"
has err "outcomes: plugin $work/mixed/abi_major.so: incompatible ABI: plugin ABI 2.0, host ABI 1.3"
has err "outcomes: plugin $work/mixed/no_entry.so: not an outcomes plugin"
has err "outcomes: plugin $work/mixed/not_a_plugin.so: cannot load: "
has err "outcomes: plugin $work/mixed/crash.so: crashed while loading: Segmentation fault (signal 11)"
has err "outcomes: plugin $work/mixed/exit.so: exited with status 0 while loading"
has err "outcomes: plugin $work/mixed/renamed.so: calls itself 'good', not 'renamed' (rename the file to good.so)"
[ "$(wc -l < "$work/err")" -eq 6 ] || { fail "expected 6 error lines"; cat "$work/err"; }
[ "$(grep -c "good.so\|renamed.so" "$work/out")" -eq 1 ] || { fail "renamed.so listed"; cat "$work/out"; }

# None found, a missing directory, an insecure directory.
expect 0 "$outcomes" plugins --plugin-dir "$work/empty"
has err "no plugins found in $work/empty"
expect 3 "$outcomes" plugins --plugin-dir "$work/absent"
has err "outcomes: plugin directory $work/absent: No such file or directory"
chmod 777 "$work/good"
expect 5 "$outcomes" plugins --plugin-dir "$work/good"
has err "plugin directory $work/good: writable by others (mode 0777)"
OUTCOMES_ALLOW_INSECURE_PLUGINS=1 expect 0 "$outcomes" plugins --plugin-dir "$work/good"
chmod 755 "$work/good"

# info: description, licence, inputs, parameters, indicators.
expect 0 "$outcomes" plugins info good --plugin-dir "$work/good"
has out "good 1.2.3 (plugin ABI 1.0)"
has out "test plugin: a rate from a count and a population"
has out "Licence:  MIT"
has out "count                people           required sum "
has out "population"
# good.so is ABI 1.0: no ranges, so any value of the type ("-")
has out "Parameters (name, type, default, accepted values):"
has out "scale                number   100              -                 "
has out "label                string   test             -                 "
has out "rate                 %                lower is better   scale x count / population [proportion]"
# Columns as wide as their longest entry: worklessness's units ("% of
# working-age population", "people aged 16-64") and its longest names used
# to push the columns after them out of line.
expect 0 "$outcomes" plugins info "$OUTCOMES_PLUGIN_DIR/worklessness.so"
for word in "lower is better" "required sum" "optional sum" "0 to 1" "at least 0"; do
    columns=$(awk -v word="$word" 'index($0, word) { print index($0, word) }' "$work/out" | sort -u)
    [ -n "$columns" ] || fail "worklessness info: no '$word'"
    [ "$(printf '%s\n' "$columns" | wc -l)" -le 1 ] || {
        fail "worklessness info: '$word' starts at columns $(echo $columns)"; cat "$work/out"; }
done
[ "$(awk 'index($0, "required sum") || index($0, "optional sum") { print index($0, "sum") }' "$work/out" | sort -u | wc -l)" -eq 1 ] \
    || { fail "worklessness info: inputs out of line"; cat "$work/out"; }
expect 0 "$outcomes" plugins info "$work/good/template.so"
has out "template 1.0.0"
has out "template 1.0.0 (plugin ABI 1.3)"
has out "per                  number   100              above 0           rate per"
# a rate: compared with a benchmark area (OC_INDICATOR_COMPARABLE, ABI 1.3)
has out "with a Wilson score interval [proportion] [benchmarked]"
expect 5 "$outcomes" plugins info absent --plugin-dir "$work/good"
has err "plugin 'absent' not found: no file $work/good/absent.so"
expect 5 "$outcomes" plugins info abi_major --plugin-dir "$work/mixed"
has err "plugin ABI 2.0, host ABI 1.3"
expect 2 "$outcomes" plugins info "Good-Plugin" --plugin-dir "$work/good"
has err "plugin name 'Good-Plugin' is invalid"

# Usage and help.
expect 2 "$outcomes" plugins info
expect 2 "$outcomes" plugins --bogus
expect 2 "$outcomes" plugins list
expect 2 "$outcomes" plugins --plugin-dir
expect 0 "$outcomes" plugins --help
has out "Usage: outcomes plugins [--plugin-dir DIR]"
has out "Exit status:"
expect 0 "$outcomes" plugins info --help
has out "Usage: outcomes plugins info NAME"

[ "$failures" -eq 0 ] || exit 1
exit 0
