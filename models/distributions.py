"""Randomness declared as data: a distribution is a name and its parameters, never code.

Where a distribution describes variation around a nominal value (a processing time, a travel
time), `mean` may be omitted: the nominal value is the mean and `cv` (coefficient of variation)
sets the spread.
"""

from typing import Annotated, Literal

from pydantic import Field, model_validator

from models._base import ContractModel

Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]
NonNegative = Annotated[float, Field(ge=0, allow_inf_nan=False)]


class Exponential(ContractModel):
    """Memoryless; `mean` is 1/rate."""

    distribution: Literal["exponential"]
    mean: Positive | None = Field(default=None, description="Mean (default: the nominal value).")


class Normal(ContractModel):
    """Gaussian, truncated at zero (durations cannot be negative)."""

    distribution: Literal["normal"]
    mean: NonNegative | None = Field(default=None, description="Mean (default: the nominal value).")
    sd: NonNegative | None = Field(default=None, description="Standard deviation (or give `cv`).")
    cv: NonNegative | None = Field(default=None, description="Coefficient of variation sd/mean.")


class LogNormal(ContractModel):
    """Right-skewed durations; parameterised by the mean and cv of the variable itself."""

    distribution: Literal["lognormal"]
    mean: Positive | None = Field(default=None, description="Mean (default: the nominal value).")
    cv: NonNegative = Field(description="Coefficient of variation sd/mean.")


class Triangular(ContractModel):
    """Three-point estimate; `low`/`mode`/`high` absolute, or relative factors of the nominal value."""

    distribution: Literal["triangular"]
    low: NonNegative = Field(description="Minimum.")
    mode: NonNegative = Field(description="Most likely value.")
    high: NonNegative = Field(description="Maximum.")
    relative: bool = Field(default=False, description="If true the three numbers multiply the nominal value.")

    @model_validator(mode="after")
    def _ordered(self) -> "Triangular":
        if not self.low <= self.mode <= self.high or self.low == self.high:
            raise ValueError("need low <= mode <= high and low < high")
        return self


class Uniform(ContractModel):
    """Every value in [low, high] equally likely (absolute, or relative to the nominal value)."""

    distribution: Literal["uniform"]
    low: NonNegative = Field(description="Minimum.")
    high: NonNegative = Field(description="Maximum.")
    relative: bool = Field(default=False, description="If true the bounds multiply the nominal value.")

    @model_validator(mode="after")
    def _ordered(self) -> "Uniform":
        if self.low >= self.high:
            raise ValueError("need low < high")
        return self


class Weibull(ContractModel):
    """Failure and repair times; `shape` k with either `scale` or `mean` (default: the nominal value)."""

    distribution: Literal["weibull"]
    shape: Positive = Field(description="Shape k (1 = exponential).")
    scale: Positive | None = Field(default=None, description="Scale lambda.")
    mean: Positive | None = Field(default=None, description="Mean instead of scale.")


class Empirical(ContractModel):
    """Resample observed values (with replacement)."""

    distribution: Literal["empirical"]
    samples: list[NonNegative] = Field(min_length=1, description="Observed values.")
    relative: bool = Field(default=False, description="If true the samples multiply the nominal value.")


Distribution = Annotated[
    Exponential | Normal | LogNormal | Triangular | Uniform | Weibull | Empirical,
    Field(discriminator="distribution", description="A distribution, chosen by `distribution`."),
]
