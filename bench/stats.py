"""Small statistics for the bench: medians, ranges, percentiles, a least-squares slope."""

from __future__ import annotations

import math
import statistics


def percentile(values: list[float], p: float) -> float | None:
    """p-th percentile (0..100), linear interpolation between closest ranks (as numpy's default)."""
    xs = sorted(v for v in values if v is not None and not math.isnan(v))
    if not xs:
        return None
    if len(xs) == 1:
        return xs[0]
    k = (len(xs) - 1) * p / 100.0
    lo, hi = math.floor(k), math.ceil(k)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def summary(values: list[float]) -> dict:
    """n, median, min, max, mean, p50, p95 of the values that are there."""
    xs = [v for v in values if v is not None and not math.isnan(v)]
    if not xs:
        return {"n": 0}
    return {
        "n": len(xs),
        "median": statistics.median(xs),
        "min": min(xs),
        "max": max(xs),
        "mean": statistics.fmean(xs),
        "p50": percentile(xs, 50),
        "p95": percentile(xs, 95),
    }


def slope(xs: list[float], ys: list[float]) -> float | None:
    """Least-squares slope of ys over xs."""
    pairs = [(x, y) for x, y in zip(xs, ys) if x is not None and y is not None]
    if len(pairs) < 3:
        return None
    mx = statistics.fmean(p[0] for p in pairs)
    my = statistics.fmean(p[1] for p in pairs)
    den = sum((x - mx) ** 2 for x, _ in pairs)
    if den == 0:
        return None
    return sum((x - mx) * (y - my) for x, y in pairs) / den


def ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return a / b
