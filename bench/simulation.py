"""Simulation benchmarks (issue: simulation-optimisation). Prints three tables:

1. replications per second of an M/M/c staffing model on 1 and 2 worker processes (speed-up);
2. coverage of nominal 95% Student-t intervals for the M/M/c mean wait over many macro-replications
   (the truth is Erlang C);
3. a staffing instance whose optimum is known analytically, solved by simulation-optimisation:
   servers found vs the Erlang C optimum, replications simulated.

    .venv/bin/python -m bench.simulation [--macro 200] [--replications 10]
    .venv/bin/python -m bench.simulation --celery [--broker redis://127.0.0.1:6379/12]

`--warmup` prints only the table of issue 9: coverage of /evaluate's intervals at utilisation 0.8 and
0.95 with a fixed warm-up, MSER-5, and `replications: auto` (which lengthens short runs);
`--warmup-macro` and `--auto-macro` set the macro-replications (auto at 0.95 simulates 15x longer runs).

`--celery` prints only a fourth table instead: replications/s of one candidate on the local pool vs
fanned out over an `optserve worker` (2 processes) started on this machine's Redis, and both at once.
"""

import argparse
import time

from rich.console import Console
from rich.table import Table

from models import SolveRequest
from models.evaluation import EvaluateRequest
from models.simulation import SimulationSpec
from models.staffing import StaffingProblem, StaffingSolution
from solvers.dispatch import solve
from solvers.registry import load_builtin
from solvers.simulation.evaluate import evaluate_plan
from solvers.simulation.evaluator import Evaluator
from solvers.simulation.queueing import mmc_mean_wait
from solvers.simulation.runners import LocalPoolRunner, set_default_runner
from solvers.simulation.staffing_model import simulate_staffing
from solvers.simulation.stats import kpi_stat
from solvers.simulation.streams import Streams


def station(mean_service: float, horizon: float, warmup: float, **extra: object) -> StaffingProblem:
    return StaffingProblem.model_validate({
        "kind": "staffing", "arrivals": {"distribution": "exponential", "mean": 1.0},
        "stations": [{"id": "s", "service": {"distribution": "exponential", "mean": mean_service},
                      "servers": {"min": 1, "max": 20}}],
        "horizon": horizon, "warmup": warmup, **extra})


def throughput(replications: int) -> Table:
    problem = station(2.4, 2000, 200)
    table = Table("workers", "replications", "start-up s (excluded)", "seconds", "replications/s", "speed-up")
    base = None
    for workers in (1, 2):
        spec = SimulationSpec(replications=replications, seed=workers)
        evaluator = Evaluator(problem, spec, time.monotonic() + 3600, workers=workers)
        warm = time.perf_counter()
        evaluator.kpis(StaffingSolution(servers={"s": 6}), 4 * workers)  # start the pool, import SimPy
        warm = time.perf_counter() - warm
        started = time.perf_counter()
        evaluator.kpis(StaffingSolution(servers={"s": 4}), replications)
        seconds = time.perf_counter() - started
        evaluator.close()
        rate = replications / seconds
        base = base or rate
        table.add_row(str(workers), str(replications), f"{warm:.2f}", f"{seconds:.2f}", f"{rate:.1f}",
                      f"{rate / base:.2f}x")
    return table


def coverage(macro: int, replications: int) -> Table:
    problem = station(2.4, 2000, 500)
    truth = mmc_mean_wait(4, 1.0, 1 / 2.4)
    covered = 0
    for m in range(macro):
        waits = [simulate_staffing(problem, [4], Streams(10_000 + m, r))["wait_mean"] for r in range(replications)]
        stat = kpi_stat(waits, 0.95)
        covered += abs(stat.mean - truth) <= stat.half_width
    table = Table("model", "truth (Erlang C)", "macro-replications", "replications each", "coverage (nominal 95%)")
    table.add_row("M/M/4, rho=0.6, mean wait", f"{truth:.4f}", str(macro), str(replications),
                  f"{100 * covered / macro:.1f}%")
    return table


WARMUP_CASES = {"M/M/3, utilisation 0.8": (2.4, 3), "M/M/2, utilisation 0.95": (1.9, 2)}
"""The issue's two /evaluate cases (horizon 5,000, warm-up 500, 10 replications, arrival rate 1)."""
WARMUP_METHODS: dict[str, dict[str, object]] = {
    "fixed warm-up 500": {"replications": 10},
    "MSER-5 per replication": {"replications": 10, "warmup": "mser5"},
    "replications auto (±15%, max 20)": {"replications": "auto", "target_half_width": 0.15, "max_replications": 20},
}


def warmup_coverage(macro: int, auto_macro: int) -> Table:
    """Coverage of the Erlang C mean wait by POST /evaluate's nominal 95% intervals, one macro-replication
    per seed, replications run inline (no pool: the comparison is statistical, not about speed)."""
    set_default_runner(lambda workers: LocalPoolRunner(workers, inline=True))
    table = Table("case", "method", "macro", "coverage (nominal 95%)", "missed low/high", "mean half-width",
                  "mean replications", "mean warm-up deleted", "warned", "seconds")
    for case, (service, servers) in WARMUP_CASES.items():
        problem = station(service, 5000, 500)
        truth = mmc_mean_wait(servers, 1.0, 1 / service)
        for method, simulation in WARMUP_METHODS.items():
            count = auto_macro if simulation["replications"] == "auto" else macro
            table.add_row(case, method, *_coverage_row(problem, servers, truth, simulation, count))
    set_default_runner(None)
    return table


def _coverage_row(problem: StaffingProblem, servers: int, truth: float, simulation: dict[str, object],
                  macro: int) -> list[str]:
    started = time.perf_counter()
    covered = low = high = warned = 0
    widths, reps, cuts = [], [], []
    for m in range(macro):
        request = EvaluateRequest.model_validate({"problem": problem.model_dump(),
                                                  "solution": {"servers": {"s": servers}},
                                                  "simulation": {**simulation, "seed": 50_000 + m}})
        report = evaluate_plan(request, 3600, lambda: False)
        assert report.simulation is not None
        stat = report.simulation.kpis["wait_mean"]
        covered += abs(stat.mean - truth) <= stat.half_width
        low, high = low + (stat.mean + stat.half_width < truth), high + (stat.mean - stat.half_width > truth)
        warned += any("under-cover" in w for w in report.warnings)
        widths.append(stat.half_width)
        reps.append(stat.n)
        cuts.append(report.simulation.kpis["warmup"].mean)
    return [str(macro), f"{100 * covered / macro:.0f}%", f"{low}/{high}", f"{sum(widths) / macro:.3g}",
            f"{sum(reps) / macro:.1f}", f"{sum(cuts) / macro:.0f}", f"{warned}/{macro}",
            f"{time.perf_counter() - started:.0f}"]


def staffing() -> Table:
    table = Table("instance", "found", "optimum (Erlang C)", "replications", "seconds")
    for service, limit in ((2.5, 0.5), (4.0, 0.2), (8.0, 0.1)):
        problem = station(service, 2000, 200, constraints=[{"kpi": "wait_mean", "max": limit}])
        started = time.perf_counter()
        result = solve(SolveRequest(problem=problem, simulation={"replications": 10, "seed": 1},
                                    options={"time_limit": 300}), load_builtin())
        optimum = next(c for c in range(1, 100) if mmc_mean_wait(c, 1.0, 1 / service) <= limit)
        found = result.solution.servers["s"] if isinstance(result.solution, StaffingSolution) else None
        total = result.simulation.selection.replications_total if result.simulation and result.simulation.selection \
            else 0
        table.add_row(f"M/M/c, a={service}, Wq<={limit}", str(found), str(optimum), str(total),
                      f"{time.perf_counter() - started:.1f}")
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--macro", type=int, default=200)
    parser.add_argument("--replications", type=int, default=10)
    parser.add_argument("--throughput", type=int, default=40)
    parser.add_argument("--celery", action="store_true", help="Only the Celery fan-out table (needs Redis).")
    parser.add_argument("--warmup", action="store_true", help="Only the warm-up / run-length coverage table.")
    parser.add_argument("--warmup-macro", type=int, default=100)
    parser.add_argument("--auto-macro", type=int, default=100)
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/12")
    args = parser.parse_args()
    console = Console()
    if args.celery:
        from bench.simulation_celery import fanout_throughput

        console.print(fanout_throughput(station(2.4, 2000, 200), 80, args.broker))
        return
    if args.warmup:
        console.print(warmup_coverage(args.warmup_macro, args.auto_macro))
        return
    console.print(throughput(args.throughput))
    console.print(coverage(args.macro, args.replications))
    console.print(staffing())


if __name__ == "__main__":
    main()
