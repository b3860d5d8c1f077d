#!/usr/bin/python3
"""numpy_reference.py: the benchmark's yardstick (docs/performance.md).

What an analyst would write without outcomes: the four plugins' indicators,
their intervals (Wilson, Byar, Newcombe), the value/baseline/change, the
chi-squared trend on proportions and the XmR chart with the four Making
Data Count rules (as docs/statistics.md defines them), computed with numpy,
vectorised over areas, reading the store with h5py one metric at a time.
It writes the same results (one JSON object per area and indicator) so that
the work compared is the same, and `check` compares a sample of areas with
the results of `outcomes run`.

Usage: numpy_reference.py run STORE.h5 OUTPUT.json [--constituencies]
       numpy_reference.py check OUTCOMES.json REFERENCE.json [--sample N]
"""
import argparse
import datetime
import json
import math
import random
import sys

import h5py
import numpy as np

Z = 1.959964  # OC_Z_95
PERIOD = datetime.date(2019, 12, 1)    # the configurations' period = 2019-12
BASELINE = datetime.date(2016, 12, 1)  # baseline = 2016-12
LIMIT_SIGMAS = 2.66
NEAR_LIMIT_SIGMAS = 2.0 * LIMIT_SIGMAS / 3.0
RUN_LENGTH = 7
TREND_POINTS = 5
TREND_CRITICAL = 9.5495
UNIT_COST = 8632.0  # worklessness' default fiscal value per claimant-year
LOWER, HIGHER = -1, 1
EPOCH = datetime.date(1970, 1, 1)


# ---- intervals (docs/statistics.md) ----

def wilson(x, n):
    z2 = Z * Z
    centre = 2.0 * x + z2
    half = Z * np.sqrt(z2 + 4.0 * x * (1.0 - x / n))
    scale = 2.0 * (n + z2)
    lower = np.where(x == 0.0, 0.0, np.fmax(0.0, (centre - half) / scale))
    upper = np.where(x == n, 1.0, np.fmin(1.0, (centre + half) / scale))
    return lower, upper


def byar(x):
    with np.errstate(divide="ignore", invalid="ignore"):
        base = 1.0 - 1.0 / (9.0 * x) - Z / (3.0 * np.sqrt(x))
        lower = np.where(x == 0.0, 0.0, np.where(base <= 0.0, 0.0, x * base * base * base))
    nxt = x + 1.0
    base = 1.0 - 1.0 / (9.0 * nxt) + Z / (3.0 * np.sqrt(nxt))
    return lower, nxt * base * base * base


def newcombe(x1, n1, x2, n2):
    l1, u1 = wilson(x1, n1)
    l2, u2 = wilson(x2, n2)
    p1, p2 = x1 / n1, x2 / n2
    d = p1 - p2
    return d - np.hypot(p1 - l1, u2 - p2), d + np.hypot(u1 - p1, p2 - l2)


# ---- the plugins' indicators: dict name -> (direction, proportion, arrays) ----

def nan_like(a):
    return np.full(a.shape, np.nan)


def series(mask, value, lower=None, upper=None, numerator=None, denominator=None):
    out = {"value": np.where(mask, value, np.nan)}
    for key, array in (("lower", lower), ("upper", upper), ("numerator", numerator),
                       ("denominator", denominator)):
        out[key] = np.where(mask, array, np.nan) if array is not None else None
    return out


def worklessness(read):
    c, p = read("esa_ib_claimants"), read("working_age_population")
    usable = np.isfinite(c) & (c >= 0)
    cz = np.where(usable, c, 0.0)
    lo, up = byar(cz)
    rate_ok = usable & np.isfinite(p) & (p > 0) & (c <= p)
    pz = np.where(rate_ok, p, 1.0)
    xz = np.where(rate_ok, c, 0.0)
    wl, wu = wilson(xz, pz)
    yoy = np.full(c.shape, np.nan)
    both = usable[:, 12:] & usable[:, :-12]
    yoy[:, 12:] = np.where(both, c[:, 12:] - c[:, :-12], np.nan)
    return {
        "claimants": (LOWER, False, series(usable, c, lo, up)),
        "claimant_rate": (LOWER, True, series(rate_ok, 100.0 * xz / pz, 100.0 * wl, 100.0 * wu,
                                              c, p)),
        "claimants_year_on_year": (LOWER, False, {"value": yoy}),
    }


def attainment_gap(read):
    out = {}
    names = {"ks2": ("ks2_fsm_pupils", "ks2_fsm_expected", "ks2_other_pupils", "ks2_other_expected"),
             "ks4": ("ks4_fsm_pupils", "ks4_fsm_5ac", "ks4_other_pupils", "ks4_other_5ac")}
    for stage, (fp, fa, op, oa) in names.items():
        fp, fa, op, oa = read(fp), read(fa), read(op), read(oa)
        cohorts = []
        for pupils, achieving in ((fp, fa), (op, oa)):
            ok = np.isfinite(pupils) & np.isfinite(achieving) & (pupils > 0) \
                & (achieving >= 0) & (achieving <= pupils)
            cohorts.append((ok, np.where(ok, achieving, 0.0), np.where(ok, pupils, 1.0)))
        for (ok, x, n), name in zip(cohorts, ("fsm_rate_", "other_rate_")):
            lo, up = wilson(x, n)
            out[name + stage] = (HIGHER, True, series(ok, 100.0 * x / n, 100.0 * lo, 100.0 * up,
                                                      x, n))
        (fok, fx, fn), (ook, ox, on) = cohorts
        both = fok & ook
        lo, up = newcombe(ox, on, fx, fn)
        out["gap_" + stage] = (LOWER, False, series(both, 100.0 * (ox / on - fx / fn),
                                                    100.0 * lo, 100.0 * up))
    order = ["fsm_rate_ks2", "other_rate_ks2", "gap_ks2", "fsm_rate_ks4", "other_rate_ks4",
             "gap_ks4"]
    return {name: out[name] for name in order}


def recycling_flytipping(read):
    hw, rec = read("household_waste_tonnes"), read("recycled_tonnes")
    inc, pop = read("flytipping_incidents"), read("population")
    amount = lambda a: np.isfinite(a) & (a >= 0)
    rok = amount(hw) & amount(rec) & (hw > 0) & (rec <= hw)
    hwz = np.where(rok, hw, 1.0)
    fok = amount(inc) & amount(pop) & (pop > 0)
    incz, popz = np.where(fok, inc, 0.0), np.where(fok, pop, 1.0)
    lo, up = byar(incz)
    return {
        "recycling_rate": (HIGHER, False, series(rok, 100.0 * rec / hwz, numerator=rec,
                                                 denominator=hw)),
        "flytipping_per_1000": (LOWER, False, series(fok, 1000.0 * incz / popz,
                                                     1000.0 * lo / popz, 1000.0 * up / popz)),
    }


def acute_prevention_spend(read):
    acute, prevention = read("acute_spend"), read("prevention_spend")
    ok = np.isfinite(acute) & (acute >= 0) & np.isfinite(prevention) & (prevention >= 0)
    total = acute + prevention
    share_ok = ok & (total > 0)
    ratio_ok = ok & (prevention > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return {
            "prevention_share": (HIGHER, False, series(share_ok, 100.0 * prevention / total,
                                                       numerator=prevention, denominator=total)),
            "acute_to_prevention_ratio": (LOWER, False, series(ratio_ok, acute / prevention)),
        }


METRICS = [("worklessness", worklessness), ("attainment_gap", attainment_gap),
           ("recycling_flytipping", recycling_flytipping),
           ("prevention_spend", acute_prevention_spend)]


# ---- scoring ----

def latest_index(values, last):
    """Per row: the latest non-missing index <= last, or -1."""
    present = ~np.isnan(values[:, :last + 1])
    reversed_first = np.argmax(present[:, ::-1], axis=1)
    return np.where(present.any(axis=1), last - reversed_first, -1)


def spc_latest(values, period_index, direction):
    """XmR chart of each row up to its period index; the latest point's
    (variation, rule), or (None, None) without a moving range."""
    rows, times = values.shape
    cols = np.arange(times)
    w = np.where(cols[None, :] <= period_index[:, None], values, np.nan)
    present = ~np.isnan(w)
    points = present.sum(axis=1)
    total = np.cumsum(np.where(present, w, 0.0), axis=1)[:, -1]  # sequential, as in C
    pair = present[:, 1:] & present[:, :-1]
    ranges = np.where(pair, np.abs(w[:, 1:] - w[:, :-1]), 0.0)
    range_count = pair.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = total / points
        amr = np.cumsum(ranges, axis=1)[:, -1] / range_count
    upper, lower = mean + LIMIT_SIGMAS * amr, mean - LIMIT_SIGMAS * amr
    upper_near, lower_near = mean + NEAR_LIMIT_SIGMAS * amr, mean - NEAR_LIMIT_SIGMAS * amr
    side = np.where(present, np.sign(w - mean[:, None]), 0.0)

    # Run lengths ending at each point: same side of the mean (shift) and
    # strictly monotone steps (trend), walking along time for every row at once.
    shift_run = np.zeros(rows)
    trend_run = np.zeros(rows)
    step = np.zeros(rows)
    shift_at = np.zeros(rows)
    trend_at = np.zeros(rows)
    trend_side = np.zeros(rows)
    for t in range(times):
        s = side[:, t]
        same = (s != 0) & (t > 0) & (s == (side[:, t - 1] if t > 0 else 0))
        shift_run = np.where(same, shift_run + 1, np.where(s != 0, 1, 0))
        if t > 0:
            new_step = np.where(pair[:, t - 1], np.sign(w[:, t] - w[:, t - 1]), 0.0)
            trend_run = np.where((new_step != 0) & (new_step == step), trend_run + 1,
                                 np.where(new_step != 0, 2, 0))
            step = new_step
        at = t == period_index
        shift_at = np.where(at, shift_run, shift_at)
        trend_at = np.where(at, trend_run, trend_at)
        trend_side = np.where(at, step, trend_side)

    r = np.arange(rows)
    p = np.maximum(period_index, 0)
    value = w[r, p]
    side_last = side[r, p]
    rule = np.full(rows, "none", dtype=object)
    flag_side = np.zeros(rows)
    flagged = shift_at >= RUN_LENGTH
    rule[flagged], flag_side[flagged] = "shift", side_last[flagged]
    # two of three: the window ending at the latest point, all one side,
    # at least two of its points (and the latest) near a limit on that side.
    near_count = np.zeros(rows)
    window_ok = p >= 2
    for k in range(3):
        idx = np.maximum(p - k, 0)
        v, s = w[r, idx], side[r, idx]
        window_ok &= s == side_last
        near_count += np.where(side_last > 0, (v > upper_near) & (v <= upper),
                               (v < lower_near) & (v >= lower))
    latest_near = np.where(side_last > 0, (value > upper_near) & (value <= upper),
                           (value < lower_near) & (value >= lower))
    flagged = window_ok & (side_last != 0) & (near_count >= 2) & latest_near
    rule[flagged], flag_side[flagged] = "two_of_three", side_last[flagged]
    flagged = trend_at >= RUN_LENGTH
    rule[flagged], flag_side[flagged] = "trend", trend_side[flagged]
    above, below = value > upper, value < lower
    rule[above], flag_side[above] = "outside_limits", 1
    rule[below], flag_side[below] = "outside_limits", -1
    variation = np.where(rule == "none", "common_cause",
                         np.where(flag_side == direction, "improvement", "concern"))
    usable = (range_count > 0) & (period_index >= 0)
    return (np.where(usable, variation, None), np.where(usable, rule, None))


def trend_of(numerator, denominator, period_index):
    """Chi-squared test for trend over the 5 annual points ending at the
    period (docs/statistics.md), with the leave-one-out check."""
    rows = numerator.shape[0]
    r = np.arange(rows)
    idx = np.array([period_index - 12 * (TREND_POINTS - 1 - k) for k in range(TREND_POINTS)]).T
    ok = (period_index >= 12 * (TREND_POINTS - 1))
    idx = np.maximum(idx, 0)
    x, n = numerator[r[:, None], idx], denominator[r[:, None], idx]
    ok &= (np.isfinite(x) & np.isfinite(n) & (n > 0) & (x >= 0) & (x <= n)).all(axis=1)
    scores = np.arange(1, TREND_POINTS + 1, dtype=float)

    def fit(keep):
        xs, ns = np.where(keep, x, 0.0), np.where(keep, n, 0.0)
        events, trials = xs.sum(axis=1), ns.sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            mean_score = (ns * scores).sum(axis=1) / trials
            centred = scores[None, :] - mean_score[:, None]
            cov = (xs * centred).sum(axis=1)
            spread = (ns * centred * centred).sum(axis=1)
        return events, trials, cov, spread

    everything = np.ones((rows, TREND_POINTS), dtype=bool)
    events, trials, cov, spread = fit(everything)
    with np.errstate(divide="ignore", invalid="ignore"):
        overall = events / trials
        slope = cov / spread
        chi = cov * cov / (overall * (1.0 - overall) * spread)
    direction = np.sign(slope)
    result = np.where(ok & (overall > 0) & (overall < 1), "no_significant_change", None)
    significant = ok & (overall > 0) & (overall < 1) & (chi > TREND_CRITICAL) & (direction != 0)
    for skip in range(TREND_POINTS):
        keep = everything.copy()
        keep[:, skip] = False
        _, _, c, s = fit(keep)
        with np.errstate(divide="ignore", invalid="ignore"):
            significant &= np.sign(c / s) == direction
    return np.where(significant, np.where(direction > 0, "increasing", "decreasing"), result)


def day_text(times, index):
    return (EPOCH + datetime.timedelta(days=int(times[index]))).isoformat()


def number(value):
    return float(value) if math.isfinite(value) else None


def evaluate(store_path, constituencies):
    results = []
    with h5py.File(store_path, "r") as store:
        times = store["time"][:]
        codes = store["area"][:].astype(str)
        period_end = int(np.searchsorted(times, (PERIOD - EPOCH).days, side="right")) - 1
        baseline_end = int(np.searchsorted(times, (BASELINE - EPOCH).days, side="right")) - 1
        if constituencies:
            parents = store["area_parent"][:].astype(str)
            order = np.argsort(parents, kind="stable")
            units, starts = np.unique(parents[order], return_index=True)
            read = lambda name: np.add.reduceat(store[name][:][order], starts, axis=0)
        else:
            units = codes
            read = lambda name: store[name][:]
        for metric, plugin in METRICS:
            indicators = plugin(read)
            for name, (direction, proportion, s) in indicators.items():
                values = s["value"]
                period_index = latest_index(values, period_end)
                baseline_index = latest_index(values, baseline_end)
                signal, rule = spc_latest(values, period_index, direction)
                trend = trend_of(s["numerator"], s["denominator"], period_index) \
                    if proportion else np.full(len(units), None)
                rows = np.arange(len(units))
                p = np.maximum(period_index, 0)
                b = np.maximum(baseline_index, 0)
                value = values[rows, p]
                lower = s["lower"][rows, p] if s.get("lower") is not None else np.full(len(units), np.nan)
                upper = s["upper"][rows, p] if s.get("upper") is not None else np.full(len(units), np.nan)
                baseline = np.where(baseline_index >= 0, values[rows, b], np.nan)
                change = value - baseline
                with np.errstate(divide="ignore", invalid="ignore"):
                    change_pct = np.where(baseline != 0, 100.0 * change / np.abs(baseline), np.nan)
                benefit = -change * UNIT_COST if name == "claimants" else np.full(len(units), np.nan)
                for u in rows:
                    ok = period_index[u] >= 0
                    results.append({
                        "metric": metric, "indicator": name, "area": units[u],
                        "period": day_text(times, p[u]) if ok else None,
                        "value": number(value[u]) if ok else None,
                        "ci_lower": number(lower[u]) if ok else None,
                        "ci_upper": number(upper[u]) if ok else None,
                        "baseline_value": number(baseline[u]) if ok else None,
                        "change": number(change[u]) if ok else None,
                        "change_pct": number(change_pct[u]) if ok else None,
                        "spc_signal": signal[u] if ok else None,
                        "spc_rule": rule[u] if ok else None,
                        "trend": trend[u] if ok else None,
                        "fiscal_benefit": number(benefit[u]) if ok else None,
                        "status": "ok" if ok and baseline_index[u] >= 0 else "insufficient_data",
                    })
    return results


# ---- comparing with outcomes ----

COMPARED_NUMBERS = ["value", "ci_lower", "ci_upper", "baseline_value", "change", "change_pct",
                    "fiscal_benefit"]
COMPARED_TEXTS = ["period", "spc_signal", "spc_rule", "trend", "status"]


def close(a, b):
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def check(outcomes_path, reference_path, sample):
    with open(outcomes_path) as f:
        outcomes = json.load(f)["results"]
    with open(reference_path) as f:
        reference = json.load(f)
    strip = lambda metric: metric.split("_part")[0]
    ours = {(strip(r["metric"]), r["indicator"], r["area"]): r for r in outcomes}
    areas = sorted({r["area"] for r in reference})
    chosen = set(random.Random(6).sample(areas, min(sample, len(areas))))
    compared, problems = 0, []
    for r in reference:
        if r["area"] not in chosen:
            continue
        o = ours.get((r["metric"], r["indicator"], r["area"]))
        if o is None:
            problems.append("%s %s %s: not in the outcomes results" % (r["metric"], r["indicator"], r["area"]))
            continue
        compared += 1
        for key in COMPARED_NUMBERS:
            if not close(o[key], r[key]):
                problems.append("%s %s %s %s: outcomes %r, numpy %r" % (
                    r["metric"], r["indicator"], r["area"], key, o[key], r[key]))
        for key in COMPARED_TEXTS:
            if o[key] != r[key]:
                problems.append("%s %s %s %s: outcomes %r, numpy %r" % (
                    r["metric"], r["indicator"], r["area"], key, o[key], r[key]))
    for line in problems[:20]:
        print("numpy_reference: " + line, file=sys.stderr)
    print("numpy_reference: %d results of %d areas compared, %d differences"
          % (compared, len(chosen), len(problems)))
    return 1 if problems or compared == 0 else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run")
    run.add_argument("store")
    run.add_argument("output")
    run.add_argument("--constituencies", action="store_true")
    chk = sub.add_parser("check")
    chk.add_argument("outcomes")
    chk.add_argument("reference")
    chk.add_argument("--sample", type=int, default=300)
    args = parser.parse_args()
    if args.command == "check":
        return check(args.outcomes, args.reference, args.sample)
    results = evaluate(args.store, args.constituencies)
    with open(args.output, "w") as f:
        json.dump(results, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
