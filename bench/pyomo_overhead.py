"""How much the Pyomo modelling layer costs against building the same MIP as arrays.

For each instance it times, in one process:
  pyomo build    the Pyomo model of `solvers/backends/pyomo/models.py` (knapsack_model / facility_model)
  pyomo->highs   APPSI translating that model into HiGHS (`set_instance`)
  arrays build   the array formulation of `solvers/mip/formulations` plus highspy's `passModel`
  solve          HiGHS on the array model (same options as the `highs` backend), with status

    python bench/pyomo_overhead.py                       # the default instances, 20 s solves
    python bench/pyomo_overhead.py --time-limit 5 --names cap41 knapPI_1_10000_1000_1
    python bench/pyomo_overhead.py --pyomo-solve         # also solve through Pyomo/APPSI

Instances come from the shared benchmark set (`$OPTSERVE_BENCHMARKS_DIR`, default ../shared/benchmarks).
This script imports highspy directly (it is a benchmark, not the service) and never ortools.
"""

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import highspy
import numpy as np
from pyomo.contrib.appsi.solvers import Highs

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from models import FacilityLocationProblem, KnapsackProblem
from solvers.backends.pyomo.models import PyomoModel, facility_model, knapsack_model
from solvers.formats.manifest import BenchmarkLibrary, select
from solvers.mip.array_mip import ArrayMip
from solvers.mip.formulations import Formulation, build

T = TypeVar("T")
DEFAULT_NAMES = ["knapPI_3_10000_1000_1", "knapPI_1_10000_1000_1", "cap41", "capa-8000"]


def pyomo_model(problem: KnapsackProblem | FacilityLocationProblem) -> PyomoModel:
    return knapsack_model(problem) if isinstance(problem, KnapsackProblem) else facility_model(problem)


def pass_arrays(mip: ArrayMip, time_limit: float, knapsack_row: bool) -> highspy.Highs:
    highs = highspy.Highs()  # type: ignore[no-untyped-call]
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("time_limit", time_limit)
    if knapsack_row:
        highs.setOptionValue("presolve", "off")  # as the highs backend does for one-row knapsacks
    a = mip.a
    highs.passModel(
        mip.n_cols, mip.n_rows, a.nnz, int(highspy.MatrixFormat.kRowwise),
        int(highspy.ObjSense.kMaximize if mip.maximise else highspy.ObjSense.kMinimize), mip.offset,
        mip.c, mip.col_lower, mip.col_upper, mip.row_lower, mip.row_upper,
        a.indptr.astype(np.int32), a.indices.astype(np.int32), a.data, mip.integrality.astype(np.int32),
    )
    return highs


def timed(task: Callable[[], T]) -> tuple[T, float]:
    began = time.perf_counter()
    value = task()
    return value, time.perf_counter() - began


def measure(name: str, problem: KnapsackProblem | FacilityLocationProblem, time_limit: float,
            pyomo_solve: bool, repeat: int) -> dict[str, object]:
    """Each build is repeated `repeat` times and the fastest kept (the machine may be busy)."""
    pyomo_build = pyomo_load = arrays_build = float("inf")
    knapsack_row = isinstance(problem, KnapsackProblem) and problem.dimensions == 1
    for _ in range(repeat):
        model, seconds = timed(lambda: pyomo_model(problem))
        pyomo_build = min(pyomo_build, seconds)
        appsi = Highs()
        appsi.config.stream_solver = False
        appsi.config.load_solution = False
        appsi.config.time_limit = time_limit
        appsi.highs_options = {"output_flag": False, **model.highs_options}
        _, seconds = timed(lambda: appsi.set_instance(model.model))  # noqa: B023 - called at once
        pyomo_load = min(pyomo_load, seconds)
        (formulation, highs), seconds = timed(lambda: _arrays(problem, time_limit, knapsack_row))
        arrays_build = min(arrays_build, seconds)
    began = time.perf_counter()
    highs.run()
    solve = time.perf_counter() - began
    row: dict[str, object] = {
        "instance": name, "columns": formulation.mip.n_cols, "rows": formulation.mip.n_rows,
        "pyomo build": pyomo_build, "pyomo->highs": pyomo_load, "arrays build": arrays_build,
        "solve": solve, "status": highs.modelStatusToString(highs.getModelStatus()),
        "objective": highs.getInfo().objective_function_value,
    }
    if pyomo_solve:
        began = time.perf_counter()
        results = appsi.solve(model.model)
        row["pyomo solve"] = time.perf_counter() - began
        row["pyomo status"] = results.termination_condition.name
    return row


def _arrays(problem: KnapsackProblem | FacilityLocationProblem, time_limit: float,
            knapsack_row: bool) -> tuple[Formulation, highspy.Highs]:
    formulation = build(problem)
    return formulation, pass_arrays(formulation.mip, time_limit, knapsack_row)


def print_table(rows: list[dict[str, object]]) -> None:
    keys = list(rows[0])
    for row in rows[1:]:
        keys += [k for k in row if k not in keys]
    cells = [[_cell(row.get(k, "")) for k in keys] for row in rows]
    widths = [max(len(k), *(len(c[i]) for c in cells)) for i, k in enumerate(keys)]
    print("  ".join(k.ljust(w) for k, w in zip(keys, widths, strict=True)))
    for c in cells:
        print("  ".join(v.ljust(w) for v, w in zip(c, widths, strict=True)))


def _cell(value: object) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--names", nargs="+", default=DEFAULT_NAMES, help="manifest entry names (fnmatch patterns)")
    parser.add_argument("--time-limit", type=float, default=20.0, help="seconds per HiGHS solve")
    parser.add_argument("--pyomo-solve", action="store_true", help="also solve through Pyomo/APPSI")
    parser.add_argument("--repeat", type=int, default=3, help="builds per instance (the fastest is shown)")
    parser.add_argument("--root", help="benchmark directory")
    args = parser.parse_args()
    library = BenchmarkLibrary(args.root)
    rows = []
    for entry in select(library.entries(), problems={"knapsack", "facility"}, names=args.names):
        instance = library.load(entry)
        problem = instance.problem
        assert isinstance(problem, KnapsackProblem | FacilityLocationProblem)
        rows.append(measure(entry.name, problem, args.time_limit, args.pyomo_solve, args.repeat))
        print(f"done {entry.name}", file=sys.stderr, flush=True)
    if rows:
        print_table(rows)


if __name__ == "__main__":
    main()
