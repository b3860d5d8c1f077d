#!/bin/sh
# test_bench.sh: `make bench` keeps working. The floor and outcomes take
# turns within each repeat (bench/run_bench.py), so that a drifting
# machine favours none of them; and a quarter-size run of the whole
# benchmark writes every row, with ratios that follow from its times and
# numpy agreeing with outcomes on the sampled areas. No time is asserted:
# speed is measured by `make bench`, not by tests.
# Skipped (77) without a Python that has h5py and numpy.
set -u
[ -n "${PYTHON_INTEROP:-}" ] || { echo "no PYTHON_INTEROP: skipped"; exit 77; }
"$PYTHON_INTEROP" -c 'import h5py, numpy' 2>/dev/null \
    || { echo "$PYTHON_INTEROP lacks h5py/numpy: skipped"; exit 77; }
work=$(mktemp -d "${TMPDIR:-/tmp}/test_bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

# 1. Interleaving: three commands, two repeats, in turn; the fastest kept;
#    written files removed before each run.
if ! "$PYTHON_INTEROP" - "$top_srcdir/bench" "$work" <<'PYTHON'
import os, sys
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, sys.argv[1])
import run_bench
log = os.path.join(sys.argv[2], "order")
commands = {name: ["sh", "-c", "echo %s >> %s; sleep %s" % (name, log, pause)]
            for name, pause in (("a", "0"), ("b", "0.2"), ("c", "0"))}
fastest = run_bench.best_of_interleaved(2, commands, sys.argv[2])
order = open(log).read().split()
assert order == ["a", "b", "c", "a", "b", "c"], order
assert set(fastest) == {"a", "b", "c"}, fastest
assert fastest["b"][0] >= 0.2 and fastest["a"][0] < fastest["b"][0], fastest

# A command's previous output is removed before each of its runs (a
# result file replaced inside the run cost it 0.1 s at full size), and
# every run is kept for ratios round by round.
seen = os.path.join(sys.argv[2], "seen")
writer = {"w": ["sh", "-c", "if test -e out; then echo kept >> %s; else echo new >> %s; fi; "
                "echo x > out" % (seen, seen)]}
rounds = {}
run_bench.best_of_interleaved(3, writer, sys.argv[2], {"w": "out"}, rounds)
assert open(seen).read().split() == ["new", "new", "new"], open(seen).read()
assert len(rounds["w"]) == 3, rounds

# Each run says what the hypervisor took from the machine while it ran:
# never negative, and known wherever /proc/stat is.
wall, cpu, rss, stolen = run_bench.run_measured(["sh", "-c", "true"], sys.argv[2])
if os.path.exists("/proc/stat"):
    assert stolen is not None and stolen >= 0, stolen
PYTHON
then echo "FAIL: best_of_interleaved"; exit 1; fi

# 2. The whole benchmark at quarter size, once.
if ! "$PYTHON_INTEROP" "$top_srcdir/bench/run_bench.py" --builddir "$top_builddir" \
        --srcdir "$top_srcdir" --directory "$work/data" --sizes quarter --repeat 1 \
        > "$work/log" 2>&1; then
    echo "FAIL: run_bench.py"; cat "$work/log"; exit 1
fi
if ! "$PYTHON_INTEROP" - "$work/data/bench-results.json" <<'PYTHON'
import json, sys
rows = json.load(open(sys.argv[1]))["rows"]
timed = {(r["areas"], r["command"]): r for r in rows if r["command"] != "ratios"}

def follows(got, numerator, denominator, places):
    """got, rounded to places decimals, is numerator / denominator as the
    benchmark had them before the file rounded each to 3 decimals: the
    slack is exactly what those roundings allow, so a ratio of 18 over a
    wall of 0.5 s is held as tightly as it can be, and never tighter."""
    want = numerator / denominator
    slack = want * (0.0005 / numerator + 0.0005 / denominator) * 1.01 + 0.5 * 10 ** -places
    return abs(got - want) <= slack + 1e-9

expected = {("-", "floor-hdf5"), ("-", "floor-chunks")} | {(kind, command) for kind in ("lsoa", "constituency")
                                    for command in ("outcomes -j1", "outcomes -j2", "numpy")}
assert set(timed) == expected, sorted(timed)
for row in timed.values():
    assert row["size"] == "quarter" and row["wall_s"] > 0 and row["peak_rss_mib"] > 0, row
    assert follows(row["cores"], row["cpu_s"], row["wall_s"], 2), row
    assert row["stolen_s"] is None or row["stolen_s"] >= 0, row
ratios = {r["areas"]: r for r in rows if r["command"] == "ratios"}
assert set(ratios) == {"lsoa", "constituency"}, ratios
# The floor is the faster way of merely reading.
floor = min(timed[("-", name)]["wall_s"] for name in ("floor-hdf5", "floor-chunks"))
for kind, r in ratios.items():
    j1, j2 = timed[(kind, "outcomes -j1")]["wall_s"], timed[(kind, "outcomes -j2")]["wall_s"]
    numpy = timed[(kind, "numpy")]["wall_s"]
    for got, numerator, denominator in ((r["speedup_j2"], j1, j2),
                                        (r["outcomes_j1_over_floor"], j1, floor),
                                        (r["numpy_over_outcomes_j2"], numpy, j2)):
        assert follows(got, numerator, denominator, 2), (kind, got, numerator, denominator)
    # the bound on two cores: twice -j1's wall over -j2's CPU (halved
    # here, so that the slack is what the rounding of the file allows)
    cpu_j2 = timed[(kind, "outcomes -j2")]["cpu_s"]
    assert follows(r["speedup_j2_cpu_bound"], j1, cpu_j2 / 2, 2), (kind, r, j1, cpu_j2)
    assert r["speedup_j2_by_round"] == [r["speedup_j2"]], r  # one round: the same ratio
    # and what was stolen from that round's two runs, as in their rows
    assert r["stolen_s_by_round"] == [[timed[(kind, "outcomes -j%d" % j)]["stolen_s"]
                                       for j in (1, 2)]], r
PYTHON
then echo "FAIL: bench-results.json"; cat "$work/log"; exit 1; fi
grep -q "numpy_reference: .* 0 differences" "$work/log" \
    || { echo "FAIL: numpy and outcomes were not compared"; cat "$work/log"; exit 1; }
echo "PASS: interleaving, and a quarter-size benchmark with consistent ratios"
