"""Render times of the large pictures (issue 10: a 10,000-city tour or a 2,000-operation Gantt in < 2 s).

Usage (from the repository root, with the project's virtualenv):

    python -m bench.plots                       # the default sizes, median of 3
    python -m bench.plots --repeat 5

Each row is the wall clock of `app.plots.render` (figure built, laid out and serialised to an SVG
string) on a synthetic instance; the first render of the process (font cache, imports) is done
beforehand and not counted. The instance builders are also used by the tests' time limits.
"""

import argparse
import random
import statistics
import time
from collections.abc import Callable

from app.plots import render
from models.problem import ProblemModel
from models.result import Result, SolverInfo, Status, Termination, Timings
from models.scheduling import Operation, ScheduledOperation, ScheduleSolution, SchedulingJob, SchedulingProblem
from models.tsp import TspProblem, TspSolution


def answer(solution: TspSolution | ScheduleSolution, objective: float, bound: float) -> Result:
    """A plausible feasible answer around `solution` (the pictures only read it)."""
    return Result(status=Status.feasible, termination=Termination.time_limit, objective=objective, bound=bound,
                  gap=abs(objective - bound) / max(abs(objective), 1e-9), solution=solution, verified=True,
                  timings=Timings(total=10.0), solver=SolverInfo(name="bench"), seed=0)


def large_tour(cities: int, seed: int = 0) -> tuple[TspProblem, Result]:
    """Random cities in a square, visited in index order."""
    rng = random.Random(seed)
    coords = [[rng.uniform(0, 10_000), rng.uniform(0, 10_000)] for _ in range(cities)]
    problem = TspProblem(kind="tsp", coordinates=coords, metric="euc_2d")
    return problem, answer(TspSolution(tour=list(range(cities))), 1e6, 9e5)


def greedy_schedule(problem: SchedulingProblem, setups: list[list[int]] | None = None) -> ScheduleSolution:
    """Jobs in order, each operation as early as its job and first-listed machine allow (feasible, not good).

    `setups` (a matrix by job position) is waited for after the machine's previous job.
    """
    machine_free: dict[str, tuple[int, int]] = {}
    placed = []
    for pos, job in enumerate(problem.jobs):
        ready = job.release
        for index, op in enumerate(job.operations):
            choice = op.choices()[0]
            free, previous = machine_free.get(str(choice.machine), (0, -1))
            setup = setups[previous][pos] if setups is not None and previous >= 0 else 0
            start = max(ready, free + setup)
            ready = start + choice.duration
            machine_free[str(choice.machine)] = (ready, pos)
            placed.append(ScheduledOperation(job=job.id, index=index, machine=choice.machine, start=start, end=ready))
    return ScheduleSolution(operations=placed)


def large_schedule(jobs: int, machines: int, seed: int = 0, setups: bool = True) -> tuple[SchedulingProblem, Result]:
    """A random job shop with due dates (and setups): every job visits every machine once."""
    rng = random.Random(seed)
    names = [f"M{m}" for m in range(machines)]
    job_list = []
    for j in range(jobs):
        order = rng.sample(names, machines)
        ops = [Operation(machine=m, duration=rng.randint(1, 20)) for m in order]
        job_list.append(SchedulingJob(id=f"J{j}", operations=ops, due=rng.randint(50, 50 * jobs)))
    matrix = [[0 if a == b else rng.randint(0, 5) for b in range(jobs)] for a in range(jobs)] if setups else None
    problem = SchedulingProblem(kind="scheduling", machines=list(names), jobs=job_list, setup_times=matrix)
    solution = greedy_schedule(problem, matrix)
    makespan = max(op.end for op in solution.operations)
    return problem, answer(solution, makespan, makespan * 0.5)


def median_seconds(work: Callable[[], object], repeat: int) -> float:
    """Median wall clock of `repeat` runs."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    """Print one row per case: picture, size, median seconds."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    cases: list[tuple[str, str, tuple[ProblemModel, Result]]] = [
        ("tour", "1,000 cities", large_tour(1_000)),
        ("tour", "10,000 cities", large_tour(10_000)),
        ("gantt", "20 jobs x 15 machines (300 ops)", large_schedule(20, 15)),
        ("gantt", "200 jobs x 10 machines (2,000 ops)", large_schedule(200, 10)),
    ]
    render("tour", *large_tour(10))  # the first render pays font loading: keep it out of the table
    print(f"{'picture':<8} {'size':<36} {'seconds':>8}  (median of {args.repeat})")
    for name, size, (problem, result) in cases:
        seconds = median_seconds(lambda: render(name, problem, result), args.repeat)  # noqa: B023
        print(f"{name:<8} {size:<36} {seconds:>8.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
