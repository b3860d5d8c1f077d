#!/bin/sh
# test_sdk_install.sh: the plugin SDK works from an installation alone.
# Installs into a temporary DESTDIR, compiles the installed template plugin
# out of tree with the command docs/writing-plugins.md gives (pkg-config
# seeing only that installation), and loads it with the installed command.
set -u
work=$(mktemp -d "${TMPDIR:-/tmp}/oc-sdk.XXXXXX") || exit 99
trap 'rm -rf "$work"' EXIT
unset OUTCOMES_ALLOW_INSECURE_PLUGINS OUTCOMES_PLUGIN_DIR
command -v pkg-config >/dev/null 2>&1 || { echo "SKIP: no pkg-config"; exit 77; }
command -v cc >/dev/null 2>&1 || { echo "SKIP: no cc"; exit 77; }

stage="$work/stage"
( cd "$top_builddir" && ${MAKE:-make} install DESTDIR="$stage" ) >"$work/install.log" 2>&1 \
    || { tail -30 "$work/install.log"; echo "FAIL: make install DESTDIR"; exit 1; }

# Wherever --prefix pointed, find what was installed under the stage.
pc=$(find "$stage" -name outcomes.pc -path '*/pkgconfig/*' | head -n 1)
command_path=$(find "$stage" -name outcomes -type f -path '*/bin/*' | head -n 1)
template=$(find "$stage" -name template.c -path '*/template/*' | head -n 1)
for found in "$pc" "$command_path" "$template"; do
    [ -n "$found" ] || { echo "FAIL: outcomes.pc, bin/outcomes or template/template.c not installed"; exit 1; }
done
[ -f "$(dirname "$template")/Makefile" ] || { echo "FAIL: template Makefile not installed"; exit 1; }
library_dir=$(dirname "$(dirname "$pc")")
[ -e "$library_dir/liboutcomes.so" ] || { echo "FAIL: no liboutcomes.so in $library_dir"; exit 1; }

# The installed outcomes.pc names the real prefix: the sysroot prepends
# the stage to its -I and -L paths, and PKG_CONFIG_LIBDIR hides every
# other .pc file.
PKG_CONFIG_LIBDIR=$(dirname "$pc")
PKG_CONFIG_PATH=
PKG_CONFIG_SYSROOT_DIR=$stage
export PKG_CONFIG_LIBDIR PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR
flags=$(pkg-config --cflags --libs outcomes) || { echo "FAIL: pkg-config outcomes"; exit 1; }
case "$flags" in *"$stage"*) ;; *) echo "FAIL: pkg-config flags '$flags' do not point into the stage"; exit 1 ;; esac

mkdir "$work/myplugin"
cp "$template" "$work/myplugin/template.c"
( cd "$work/myplugin" && cc -shared -fPIC -o template.so template.c $flags -lm ) \
    || { echo "FAIL: the template does not compile against the installed SDK"; exit 1; }
chmod 755 "$work/myplugin" "$work/myplugin/template.so"

# The command does not load liboutcomes itself, so every plugin that names
# it must carry a run path to where it is installed: a fresh `make install`
# into /usr/local (searched only through ld.so's cache, which nothing has
# updated yet) or any other prefix used to leave the bundled plugins
# unloadable. The stage is not that place, so this is checked on the
# files; the loads below point LD_LIBRARY_PATH into the stage. (pkgconf
# puts the sysroot in front of the template's run path too; freedesktop
# pkg-config only in front of -I and -L.)
real_libdir=$(PKG_CONFIG_SYSROOT_DIR= pkg-config --variable=libdir outcomes)
command -v readelf >/dev/null 2>&1 || { echo "FAIL: no readelf to read the run paths"; exit 1; }
runpath_of() { readelf -d "$1" | sed -n 's/.*(\(RUNPATH\|RPATH\)).*\[\(.*\)\]/\2/p'; }
case ":$(runpath_of "$work/myplugin/template.so"):" in
*":$stage$real_libdir:"* | *":$real_libdir:"*) ;;
*) echo "FAIL: pkg-config --libs outcomes gave no run path to $real_libdir: '$flags'"; exit 1 ;;
esac
bundled=$(find "$stage" -path '*/outcomes/*.so' -type f)
[ -n "$bundled" ] || { echo "FAIL: no bundled plugin installed"; exit 1; }
for plugin in $bundled; do
    case ":$(runpath_of "$plugin"):" in
    *":$real_libdir:"*) ;;
    *) echo "FAIL: $plugin has run path '$(runpath_of "$plugin")', not $real_libdir"; exit 1 ;;
    esac
done

LD_LIBRARY_PATH="$library_dir"
export LD_LIBRARY_PATH
"$command_path" plugins info template --plugin-dir "$work/myplugin" >"$work/out" 2>"$work/err" \
    || { cat "$work/err"; echo "FAIL: the installed command cannot load the template"; exit 1; }
grep -F -q "template 1.0.0 (plugin ABI 1.3)" "$work/out" || { cat "$work/out"; echo "FAIL: info output"; exit 1; }
grep -F -q "above 0" "$work/out" || { cat "$work/out"; echo "FAIL: the range of per (ABI 1.2)"; exit 1; }
grep -F -q "rate" "$work/out" || { echo "FAIL: no indicator listed"; exit 1; }
"$command_path" plugins --plugin-dir "$work/myplugin" >"$work/out" 2>"$work/err" \
    || { cat "$work/err"; echo "FAIL: listing"; exit 1; }
grep -F -q "$work/myplugin/template.so" "$work/out" || { cat "$work/out"; echo "FAIL: listing"; exit 1; }

# Run it, as docs/writing-plugins.md section 6 says, with the installed
# command only: a store from CSV, a configuration, `outcomes run`.
cd "$work/myplugin" || exit 1
cat > data.csv <<'CSV'
area,period,measure,value
E14000559,2016-08,events,30
E14000559,2016-08,population,1000
E14000559,2016-11,events,45
E14000559,2016-11,population,1000
CSV
"$command_path" import data.csv -o store.h5 --units people >"$work/out" 2>"$work/err" \
    || { cat "$work/err"; echo "FAIL: installed import"; exit 1; }
cat > evaluation.ini <<'INI'
[outcomes]
store = store.h5

[my_rate]
plugin = template
areas = all
input.events = events
input.population = population
per = 100
baseline = 2016-08
INI
"$command_path" run evaluation.ini --plugin-dir "$work/myplugin" --format csv >"$work/out" 2>"$work/err" \
    || { cat "$work/err"; echo "FAIL: installed run of the out-of-tree plugin"; exit 1; }
# Columns (docs/results.md): metric,indicator,plugin,plugin_version,area,
# area_name,period,value,ci_lower,ci_upper,baseline_period,baseline_value,change.
# 45 of 1000 per 100 = 4.5; Wilson at z = 1.959964: (2x + z^2 -/+ z
# sqrt(z^2 + 4x(1 - x/n))) / (2(n + z^2)) = 3.3800 to 5.9683 per 100;
# baseline 30 of 1000 = 3.0 in August, change +1.5.
row=$(grep '"my_rate","rate"' "$work/out") || { cat "$work/out"; echo "FAIL: no result row"; exit 1; }
fields=$(printf '%s\n' "$row" | tr -d '"\r' | cut -d, -f5,7,8,9,10,11,12,13)
case "$fields" in
E14000559,2016-11-01,4.5,3.3799512209*,5.9682838067*,2016-08-01,3,1.5) ;;
*) echo "FAIL: the out-of-tree plugin computed '$fields'"; exit 1 ;;
esac
exit 0
