"""Draws from the declared distributions, centred on a nominal value where the mean is omitted."""

import math

import numpy as np

from models.distributions import Distribution as DistributionSpec
from models.distributions import Empirical, Exponential, LogNormal, Normal, Triangular, Uniform, Weibull


class Sampler:
    """Samples one declared distribution from one random stream."""

    def __init__(self, spec: DistributionSpec | None, rng: np.random.Generator) -> None:
        self.spec = spec
        self.rng = rng

    def draw(self, nominal: float = 1.0) -> float:
        """One value; `nominal` is the mean when the spec has none (and the value when spec is None)."""
        spec = self.spec
        if spec is None:
            return nominal
        return max(0.0, _draw(spec, self.rng, nominal))


def mean_of(spec: DistributionSpec | None, nominal: float = 1.0) -> float:
    """The distribution's mean (used for offered-load bounds and tests)."""
    if spec is None:
        return nominal
    if isinstance(spec, Triangular):
        scale = nominal if spec.relative else 1.0
        return scale * (spec.low + spec.mode + spec.high) / 3
    if isinstance(spec, Uniform):
        scale = nominal if spec.relative else 1.0
        return scale * (spec.low + spec.high) / 2
    if isinstance(spec, Empirical):
        scale = nominal if spec.relative else 1.0
        return scale * float(np.mean(spec.samples))
    if isinstance(spec, Weibull) and spec.scale is not None:
        return spec.scale * math.gamma(1 + 1 / spec.shape)
    return spec.mean if spec.mean is not None else nominal


def _draw(spec: DistributionSpec, rng: np.random.Generator, nominal: float) -> float:
    if isinstance(spec, Exponential):
        return float(rng.exponential(spec.mean or nominal))
    if isinstance(spec, Normal):
        mean = spec.mean if spec.mean is not None else nominal
        sd = spec.sd if spec.sd is not None else (spec.cv or 0.0) * mean
        return float(rng.normal(mean, sd))
    if isinstance(spec, LogNormal):
        mean = spec.mean if spec.mean is not None else nominal
        if mean <= 0:
            return 0.0
        sigma2 = math.log(1 + spec.cv**2)
        return float(rng.lognormal(math.log(mean) - sigma2 / 2, math.sqrt(sigma2)))
    if isinstance(spec, Triangular):
        scale = nominal if spec.relative else 1.0
        return float(rng.triangular(spec.low * scale, spec.mode * scale, spec.high * scale))
    if isinstance(spec, Uniform):
        scale = nominal if spec.relative else 1.0
        return float(rng.uniform(spec.low * scale, spec.high * scale))
    if isinstance(spec, Weibull):
        scale = spec.scale if spec.scale is not None else (spec.mean or nominal) / math.gamma(1 + 1 / spec.shape)
        return float(scale * rng.weibull(spec.shape))
    scale = nominal if spec.relative else 1.0
    return float(rng.choice(spec.samples)) * scale
