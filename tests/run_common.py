"""run_common.py: what the end-to-end tests of `outcomes run` share.

They drive the real command, so they need three things the C tests do not:
stores written independently of the C writer (here with h5py, following
docs/store-format.md and core/store.h), a strict reader of the command's
JSON and CSV (Python's json and csv modules, NaN and Infinity refused),
and the formulas of docs/results.md and docs/statistics.md written again
from the documents, so that expected numbers never come from the code under
test. Imported by the tests/run_*.py scripts; stdlib plus h5py and numpy.
"""
import csv
import datetime
import io
import json
import math
import os
import resource
import signal
import subprocess
import sys

FIELDS = [
    "metric", "indicator", "plugin", "plugin_version", "area", "area_name",
    "period", "value", "ci_lower", "ci_upper", "baseline_period",
    "baseline_value", "change", "change_pct", "target_value", "target_date",
    "expected_value", "progress_pct", "rag", "spc_signal", "spc_rule",
    "assurance", "trend", "comparator", "comparator_change", "did",
    "fiscal_benefit", "score", "status", "message", "benchmark", "benchmark_value",
    "benchmark_comparison", "return_on_investment",
]
NUMBER_FIELDS = [
    "value", "ci_lower", "ci_upper", "baseline_value", "change", "change_pct",
    "target_value", "expected_value", "progress_pct", "comparator_change",
    "did", "fiscal_benefit", "score", "benchmark_value", "return_on_investment",
]
RUN_KEYS = [
    "started_at", "outcomes_version", "configuration", "stores", "plugins", "metrics",
    "period_requested", "periods_used",
]

Z_95 = 1.959964  # docs/statistics.md, OC_Z_95 (Fingertips)

# ---------------------------------------------------------------- checks


class Checker:
    """Counts checks; every failure is printed with its context."""

    def __init__(self, name):
        self.name = name
        self.passed = 0
        self.failed = 0

    def ok(self, condition, what):
        if condition:
            self.passed += 1
        else:
            self.failed += 1
            print("FAIL: %s: %s" % (self.name, what))
        return condition

    def equal(self, got, expected, what):
        return self.ok(got == expected, "%s: got %r, expected %r" % (what, got, expected))

    def close(self, got, expected, what, relative=1e-9, absolute=1e-9):
        """got (a JSON number or None) against expected (a float or None)."""
        if expected is None:
            return self.ok(got is None, "%s: got %r, expected null" % (what, got))
        if got is None or isinstance(got, bool) or not isinstance(got, (int, float)):
            return self.ok(False, "%s: got %r, expected %r" % (what, got, expected))
        tolerance = max(absolute, relative * abs(expected))
        return self.ok(abs(got - expected) <= tolerance,
                       "%s: got %r, expected %r" % (what, got, expected))

    def finish(self):
        print("%s: %d passed, %d failed" % (self.name, self.passed, self.failed))
        return 0 if self.failed == 0 else 1


def refuse_constant(name):
    raise ValueError("JSON holds %s, which is not a number JSON allows" % name)


def parse_json_strict(text):
    """Parses the command's JSON, refusing NaN, Infinity and -Infinity."""
    return json.loads(text, parse_constant=refuse_constant)


def parse_csv(text):
    """(header, rows) of the command's CSV (docs/results.md, CSV): a quoted
    field is a string, an empty unquoted field None (null), any other
    unquoted field a number, read as a float. The csv module must read the
    same records, so the text is valid RFC 4180 as well."""
    records = split_raw_fields(text)
    standard = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    if len(standard) != len(records) or any(len(a) != len(b) for a, b in zip(standard, records)):
        raise ValueError("the csv module and the RFC 4180 reader disagree on the records")
    header = [field[1:-1] if field.startswith('"') else field for field in records[0]]
    typed = [header]
    for record in records[1:]:
        row = []
        for field in record:
            if field == "":
                row.append(None)
            elif field.startswith('"'):
                if not field.endswith('"') or len(field) < 2:
                    raise ValueError("badly quoted field %r" % field)
                row.append(field[1:-1].replace('""', '"'))
            else:
                number = float(field)
                if not math.isfinite(number):
                    raise ValueError("CSV holds %r, not a finite number" % field)
                row.append(number)
        typed.append(row)
    return header, typed[1:]


def split_raw_fields(text):
    """The raw text of each field (quotes kept), record by record (RFC 4180)."""
    records, fields, field, quoted, i = [], [], "", False, 0
    while i < len(text):
        c = text[i]
        if quoted:
            if c == '"' and i + 1 < len(text) and text[i + 1] == '"':
                field += '""'
                i += 1
            elif c == '"':
                quoted = False
                field += c
            else:
                field += c
        elif c == '"':
            quoted = True
            field += c
        elif c == ",":
            fields.append(field)
            field = ""
        elif c == "\r" and text[i + 1:i + 2] == "\n":
            fields.append(field)
            records.append(fields)
            fields, field = [], ""
            i += 1
        else:
            field += c
        i += 1
    if field or fields:
        fields.append(field)
        records.append(fields)
    return records

# ---------------------------------------------------------------- running


def outcomes_command():
    return os.path.join(os.environ["top_builddir"], "outcomes")


def limit_file_size(size):
    """A preexec_fn under which files cannot grow past size bytes: writes
    beyond fail with EFBIG, as on a full disk (SIGXFSZ ignored)."""
    def apply():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))
    return apply


def run_outcomes(arguments, cwd=None, timeout=300, preexec_fn=None):
    """Runs `outcomes ARGUMENTS`; returns (status, stdout, stderr) as text."""
    process = subprocess.run([outcomes_command()] + list(arguments), cwd=cwd,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             timeout=timeout, preexec_fn=preexec_fn)
    return (process.returncode, process.stdout.decode("utf-8"),
            process.stderr.decode("utf-8", "replace"))


def sanitizer_report(text):
    return any(marker in text for marker in
               ("Sanitizer", "runtime error:", "LeakSanitizer", "HDF5-DIAG"))


def run_json(checker, arguments, expected_status=0, what="run"):
    """Runs with --format json, checks the status, no sanitizer report, and
    the JSON's shape; returns (document, results by (metric, indicator, area))."""
    status, out, err = run_outcomes(["run", "--format", "json"] + list(arguments))
    checker.ok(not sanitizer_report(err), "%s: sanitizer or HDF5 report:\n%s" % (what, err))
    if not checker.equal(status, expected_status, "%s: exit status (stderr: %s)" % (what, err.strip())):
        return None, {}
    try:
        document = parse_json_strict(out)
    except ValueError as problem:
        checker.ok(False, "%s: JSON does not parse strictly: %s" % (what, problem))
        return None, {}
    check_json_shape(checker, document, what)
    results = {}
    for result in document.get("results", []):
        key = (result.get("metric"), result.get("indicator"), result.get("area"))
        checker.ok(key not in results, "%s: result %r appears twice" % (what, key))
        results[key] = result
    return document, results


# The numbers that need a baseline or a trajectory (results.md): null in an
# insufficient_data result.
DERIVED_FIELDS = ["baseline_value", "change", "change_pct", "expected_value", "progress_pct",
                  "did", "fiscal_benefit", "score"]


def check_json_shape(checker, document, what):
    checker.equal(list(document.keys()), ["results", "run"], "%s: top-level keys" % what)
    checker.equal(list(document["run"].keys()), RUN_KEYS, "%s: run keys" % what)
    for result in document["results"]:
        checker.equal(list(result.keys()), FIELDS, "%s: result fields" % what)
        checker.ok(isinstance(result["metric"], str) and isinstance(result["area"], str),
                   "%s: metric and area are never null (results.md): %r/%r"
                   % (what, result["metric"], result["area"]))
        for field in NUMBER_FIELDS:
            value = result[field]
            checker.ok(value is None or (isinstance(value, float) and math.isfinite(value)),
                       "%s: %s %s is %r, not a finite JSON real or null"
                       % (what, result["area"], field, value))
        checker.ok(result["status"] in ("ok", "insufficient_data", "failed"),
                   "%s: status %r" % (what, result["status"]))
        if result["status"] != "ok":
            checker.ok(bool(result["message"]), "%s: %s %s is %s without a message"
                       % (what, result["metric"], result["area"], result["status"]))
            # results.md: a failed result has no numbers; an
            # insufficient_data one keeps what was observed but nothing
            # derived from the missing observation.
            fields = NUMBER_FIELDS if result["status"] == "failed" else DERIVED_FIELDS
            checker.ok(all(result[f] is None for f in fields),
                       "%s: %s %s is %s but has numbers derived from missing data"
                       % (what, result["metric"], result["area"], result["status"]))
            if result["status"] == "insufficient_data":
                checker.ok(result["rag"] is None, "%s: %s %s is insufficient_data but has a RAG"
                           % (what, result["metric"], result["area"]))

# ---------------------------------------------------------------- stores


def days(iso):
    """Days since 1970-01-01 of an ISO date."""
    return (datetime.date.fromisoformat(iso) - datetime.date(1970, 1, 1)).days


def write_store(path, frames):
    """Writes a store following docs/store-format.md.

    frames: {frame name: {"areas": [(code, name or None, parent or None
                                     [, parent's name or None])],
                          "times": [ISO start dates],
                          "measures": {name: {"values": [[per time] per area],
                                              "units": text, "frequency": text}}}}
    None in values is written as NaN (missing)."""
    import h5py
    import numpy
    text = h5py.string_dtype(encoding="utf-8")
    with h5py.File(path, "w") as store:
        store.attrs.create("outcomes_store_version", 1, dtype="int32")
        for frame_name, frame in frames.items():
            group = store.create_group(frame_name)
            areas = frame["areas"]
            area = group.create_dataset("area", data=[a[0] for a in areas], dtype=text)
            area.make_scale("area")
            time = group.create_dataset("time", data=numpy.array(
                [days(t) for t in frame["times"]], dtype="int32"))
            time.attrs["units"] = "days since 1970-01-01"
            time.attrs["calendar"] = "standard"
            time.attrs["long_name"] = "start of period"
            time.make_scale("time")
            if any(a[1] is not None for a in areas):
                names = group.create_dataset("area_name", data=[a[1] or "" for a in areas],
                                             dtype=text)
                names.dims[0].attach_scale(area)
            if any(a[2] is not None for a in areas):
                parents = group.create_dataset("area_parent", data=[a[2] or "" for a in areas],
                                               dtype=text)
                parents.dims[0].attach_scale(area)
            if any(len(a) > 3 and a[3] is not None for a in areas):
                parent_names = group.create_dataset(
                    "area_parent_name", data=[(a[3] if len(a) > 3 else None) or "" for a in areas],
                    dtype=text)
                parent_names.dims[0].attach_scale(area)
            for name, measure in frame["measures"].items():
                values = numpy.array([[numpy.nan if v is None else v for v in row]
                                      for row in measure["values"]], dtype="float64")
                dataset = group.create_dataset(name, data=values)
                dataset.attrs["units"] = measure.get("units", "people")
                dataset.attrs["long_name"] = measure.get("long_name", name)
                if measure.get("frequency"):
                    dataset.attrs["frequency"] = measure["frequency"]
                dataset.dims[0].attach_scale(area)
                dataset.dims[1].attach_scale(time)


def read_measure(path, frame, measure):
    """(area codes, parents or None, times as ISO dates, values[area][time])
    read straight from the store with h5py, NaN for missing."""
    import h5py
    with h5py.File(path, "r") as store:
        group = store[frame]
        codes = [c.decode() if isinstance(c, bytes) else c for c in group["area"][()]]
        parents = None
        if "area_parent" in group:
            parents = [p.decode() if isinstance(p, bytes) else p for p in group["area_parent"][()]]
        epoch = datetime.date(1970, 1, 1)
        times = [(epoch + datetime.timedelta(days=int(t))).isoformat() for t in group["time"][()]]
        values = group[measure][()].tolist()
    return codes, parents, times, values


def write_text(path, text):
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)

# ---------------------------------------------------------------- formulas
# Written from docs/results.md, docs/statistics.md and docs/plugins/*.md.


def wilson(x, n, z=Z_95):
    """Wilson score interval of the proportion x/n (statistics.md 1)."""
    centre = 2 * x + z * z
    spread = z * math.sqrt(z * z + 4 * x * (1 - x / n))
    denominator = 2 * (n + z * z)
    lower = 0.0 if x == 0 else (centre - spread) / denominator
    upper = 1.0 if x == n else (centre + spread) / denominator
    return lower, upper


def benchmark_comparison(lower, upper, benchmark, direction):
    """Fingertips' comparison with a benchmark (results.md, Benchmark): the
    benchmark within the interval, ends included, is similar; outside it the
    value is better or worse by the direction, higher or lower without one."""
    if lower > benchmark:
        side = 1
    elif upper < benchmark:
        side = -1
    else:
        return "similar"
    if direction == 0:
        return "higher" if side > 0 else "lower"
    return "better" if side == direction else "worse"


def byar(x, z=Z_95):
    """Byar's interval for a count x (statistics.md 1)."""
    lower = 0.0 if x == 0 else x * (1 - 1 / (9 * x) - z / (3 * math.sqrt(x))) ** 3
    upper = (x + 1) * (1 - 1 / (9 * (x + 1)) + z / (3 * math.sqrt(x + 1))) ** 3
    return max(lower, 0.0), upper


def latest(values, last_index):
    """Index of the latest non-missing value at or before last_index."""
    for i in range(last_index, -1, -1):
        if values[i] is not None and not math.isnan(values[i]):
            return i
    return None


def last_index_on_or_before(times, day):
    """Last time index whose start is on or before day (days since 1970)."""
    found = None
    for i, t in enumerate(times):
        if days(t) <= day:
            found = i
    return found


def score_fields(times, values, period_end, baseline_end=None, target=None,
                 target_date=None, rag_green=100.0, rag_amber=90.0, direction=-1,
                 comparator_values=None):
    """The numeric and RAG fields of a result (results.md "How each field is
    computed"). times: ISO period starts; values: the indicator's series
    (None or NaN missing); period_end, baseline_end: ISO end dates of the
    evaluation and baseline periods; target: ("absolute", v) or
    ("relative", percent); target_date: ISO start of the target period."""
    out = {f: None for f in ("period", "value", "baseline_period", "baseline_value", "change",
                             "change_pct", "target_value", "target_date", "expected_value",
                             "progress_pct", "rag", "score", "comparator_change", "did")}
    period_index = last_index_on_or_before(times, days(period_end))
    used = latest(values, period_index) if period_index is not None else None
    if used is None:
        return out
    out["period"], out["value"] = times[used], values[used]
    if target is not None:
        out["target_date"] = target_date
        if target[0] == "absolute":
            # A configured value: reported even without a baseline (results.md).
            out["target_value"] = target[1]
    if baseline_end is None:
        return out
    if comparator_values is not None:
        # The comparator's own change needs its own observations only.
        c_now = latest(comparator_values, period_index)
        c_base = latest(comparator_values, last_index_on_or_before(times, days(baseline_end)))
        if c_now is not None and c_base is not None:
            out["comparator_change"] = comparator_values[c_now] - comparator_values[c_base]
    baseline_index = latest(values, last_index_on_or_before(times, days(baseline_end)))
    if baseline_index is None:
        return out
    base = values[baseline_index]
    out["baseline_period"], out["baseline_value"] = times[baseline_index], base
    out["change"] = out["value"] - base
    # Divided by |baseline| so that the sign is the change's (results.md).
    out["change_pct"] = None if base == 0 else 100 * out["change"] / abs(base)
    if out["comparator_change"] is not None:
        out["did"] = out["change"] - out["comparator_change"]
    if target is None:
        return out
    kind, amount = target
    goal = amount if kind == "absolute" else base * (1 + amount / 100)
    out["target_value"] = goal
    t0, t1, t = days(times[baseline_index]), days(target_date), days(times[used])
    if t <= t0:
        expected = base
    elif t >= t1:
        expected = goal
    else:
        expected = base + (goal - base) * (t - t0) / (t1 - t0)
    out["expected_value"] = expected
    if expected - base != 0:
        progress = 100 * (out["value"] - base) / (expected - base)
        out["progress_pct"] = progress
        out["score"] = min(100.0, max(0.0, progress))
        out["rag"] = "green" if progress >= rag_green else "amber" if progress >= rag_amber else "red"
    else:
        side = direction if direction != 0 else (1 if goal > base else -1 if goal < base else 0)
        good = out["value"] == base or (out["value"] - base) * side > 0
        out["rag"] = "green" if good else "amber"
    return out


def present_value(change, unit_cost=8632.0, deadweight=0.0, attribution=1.0,
                  optimism_bias=0.0, persistence_years=1.0, drop_off=0.0, discount_rate=0.035):
    """The worklessness plugin's fiscal benefit (docs/plugins/worklessness.md)."""
    annual = -change * unit_cost
    net = annual * (1 - deadweight) * attribution * (1 - optimism_bias)
    total = 0.0
    for year in range(math.ceil(persistence_years)):
        weight = min(1.0, persistence_years - year)
        total += net * (1 - drop_off) ** year * weight / (1 + discount_rate) ** year
    return total


def main_guard(function):
    """Runs function(checker-less) and exits with its status; a Python
    exception is a failure, never a crash of the test harness."""
    try:
        sys.exit(function())
    except SystemExit:
        raise
    except Exception:  # noqa: BLE001 - any exception fails the test, with its trace
        import traceback
        traceback.print_exc()
        sys.exit(1)


def trend_direction(successes, trials):
    """Fingertips' recent trend (statistics.md 3): the chi-squared test for
    linear trend over k points scored 1..k, significant when chi^2 > 9.5495
    and every leave-one-out refit has the same slope sign."""
    def fit(points):
        total_x = sum(x for _, x, _ in points)
        total_n = sum(n for _, _, n in points)
        p = total_x / total_n
        mean_score = sum(n * s for s, _, n in points) / total_n
        sxx = sum(n * (s - mean_score) ** 2 for s, _, n in points)
        sxy = sum(x * (s - mean_score) for s, x, _ in points)
        if p in (0.0, 1.0):
            return None, None
        return sxy / sxx, sxy ** 2 / (p * (1 - p) * sxx)
    points = [(i + 1, x, n) for i, (x, n) in enumerate(zip(successes, trials))]
    slope, chi_squared = fit(points)
    if slope is None:
        return None
    if chi_squared <= 9.5495:
        return "no_significant_change"
    for left_out in range(len(points)):
        refit, _ = fit(points[:left_out] + points[left_out + 1:])
        if refit is None or (refit > 0) != (slope > 0) or refit == 0:
            return "no_significant_change"
    return "increasing" if slope > 0 else "decreasing"
