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

LD_LIBRARY_PATH="$library_dir"
export LD_LIBRARY_PATH
"$command_path" plugins info template --plugin-dir "$work/myplugin" >"$work/out" 2>"$work/err" \
    || { cat "$work/err"; echo "FAIL: the installed command cannot load the template"; exit 1; }
grep -F -q "template 1.0.0 (plugin ABI 1.0)" "$work/out" || { cat "$work/out"; echo "FAIL: info output"; exit 1; }
grep -F -q "rate" "$work/out" || { echo "FAIL: no indicator listed"; exit 1; }
"$command_path" plugins --plugin-dir "$work/myplugin" >"$work/out" 2>"$work/err" \
    || { cat "$work/err"; echo "FAIL: listing"; exit 1; }
grep -F -q "$work/myplugin/template.so" "$work/out" || { cat "$work/out"; echo "FAIL: listing"; exit 1; }
exit 0
