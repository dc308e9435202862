"""The OPTSERVE_* settings solver code reads itself (in child processes, without importing app/).

`app.settings.Settings` extends this class, so every variable is still one field of the one
Settings object (and one row of the README table); solver code reads only this part of it.
"""

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

CHECKOUT = Path(__file__).resolve().parents[1]
"""The directory holding `solvers/` (the checkout, or site-packages when installed)."""


class SolverSettings(BaseSettings):
    """Solver-side configuration; invalid values fail when read, naming the variable."""

    model_config = SettingsConfigDict(env_prefix="OPTSERVE_", extra="ignore")

    benchmarks_dir: Path = Field(
        default=CHECKOUT.parent / "shared" / "benchmarks",
        description="Benchmark instances (`manifest.json` and the files it lists), read by `bench/`, the tests "
        "and `BenchmarkLibrary`.",
    )
    pyomo_solver: Literal["highs", "cbc"] = Field(
        default="highs", description="What the `pyomo` backend solves with: HiGHS through appsi, or CBC."
    )
