"""Output analysis: Student-t intervals, paired differences, replications needed, quantiles."""

import math
from collections.abc import Sequence

import numpy as np
from scipy import stats

from models.simulation import KpiStat


def t_half_width(values: Sequence[float], confidence: float) -> float:
    """Half-width of the two-sided Student-t confidence interval of the mean."""
    n = len(values)
    if n < 2:
        return math.inf
    sd = float(np.std(values, ddof=1))
    return float(stats.t.ppf(0.5 + confidence / 2, n - 1) * sd / math.sqrt(n))


def kpi_stat(values: Sequence[float], confidence: float) -> KpiStat:
    """Mean, half-width, standard deviation and count of independent replications."""
    n = len(values)
    mean = float(np.mean(values)) if n else math.nan
    sd = float(np.std(values, ddof=1)) if n > 1 else 0.0
    half = t_half_width(values, confidence) if n > 1 else math.inf
    return KpiStat(mean=mean, half_width=half if math.isfinite(half) else 0.0, std=sd, n=n)


def paired_difference(a: Sequence[float], b: Sequence[float], confidence: float) -> KpiStat:
    """Interval on E[a - b] from paired replications (same streams under CRN)."""
    diffs = [x - y for x, y in zip(a, b, strict=True)]
    return kpi_stat(diffs, confidence)


def precise_enough(values: Sequence[float], confidence: float, relative: float) -> bool:
    """Relative precision reached: half-width <= relative * |mean| (absolute when the mean is ~0)."""
    if len(values) < 2:
        return False
    mean = abs(float(np.mean(values)))
    return t_half_width(values, confidence) <= relative * max(mean, 1e-9)


def statistic(values: Sequence[float], name: str) -> float:
    """`mean`, `p90` or `p95` of a sample of per-replication values."""
    if name == "mean":
        return float(np.mean(values))
    return float(np.quantile(values, QUANTILES[name]))


QUANTILES = {"p90": 0.9, "p95": 0.95}
BOOTSTRAP_RESAMPLES = 2000


def paired_quantile_interval(a: Sequence[float], b: Sequence[float], name: str, confidence: float,
                             seed: int) -> tuple[float, float]:
    """Percentile-bootstrap interval on quantile(a) - quantile(b).

    A t-interval on paired differences speaks of means; a p90 objective needs an interval on the
    difference of p90s. Replications are resampled in pairs, so the correlation common random
    numbers create is kept; the seed makes the interval reproducible."""
    q = QUANTILES[name]

    def difference(x: np.ndarray, y: np.ndarray, axis: int = -1) -> np.ndarray:
        return np.asarray(np.quantile(x, q, axis=axis) - np.quantile(y, q, axis=axis))

    result = stats.bootstrap((np.asarray(a, dtype=float), np.asarray(b, dtype=float)), difference, paired=True,
                             vectorized=True, confidence_level=confidence, n_resamples=BOOTSTRAP_RESAMPLES,
                             method="percentile", random_state=np.random.default_rng(seed))
    return float(result.confidence_interval.low), float(result.confidence_interval.high)
