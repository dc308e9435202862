"""Is a staffing decision feasible? Sequential replications until the intervals decide.

Each constraint gets a Bonferroni share of the error probability, so all verdicts hold together
with the requested confidence. Replications are added (doubling) while an interval straddles
the limit, up to `max_replications`; then the point estimate decides and says so.
"""

from dataclasses import dataclass, field

from models.problem_solutions import Solution
from models.simulation import KpiStat, SimulationSpec
from models.staffing import ServiceLevel, StaffingProblem
from solvers.simulation.evaluator import Evaluator
from solvers.simulation.stats import kpi_stat


@dataclass
class Verdict:
    """Feasible, infeasible, or undecided (None), with the statistics behind it."""

    feasible: bool | None
    kpis: dict[str, KpiStat]
    violation: float
    decided_by_mean: bool = False
    replications: int = 0
    notes: list[str] = field(default_factory=list)


def constraint_kpi(constraint: object) -> str:
    if isinstance(constraint, ServiceLevel):
        return f"service_level@{constraint.wait:g}"
    return "wait_mean"


def judge(problem: StaffingProblem, runs: list[dict[str, float]], confidence: float) -> Verdict:
    """The verdict these replications support at the given overall confidence."""
    per_constraint = 1 - (1 - confidence) / max(1, len(problem.constraints))
    names = sorted({name for run in runs for name in run})
    kpis = {name: kpi_stat([run.get(name, 0.0) for run in runs], confidence) for name in names}
    states, violation = [], 0.0
    for constraint in problem.constraints:
        stat = kpi_stat([run[constraint_kpi(constraint)] for run in runs], per_constraint)
        if isinstance(constraint, ServiceLevel):
            low, high, limit, sign = stat.mean - stat.half_width, stat.mean + stat.half_width, constraint.min, -1
            states.append(True if low >= limit else False if high < limit else None)
        else:
            low, high, limit, sign = stat.mean - stat.half_width, stat.mean + stat.half_width, constraint.max, 1
            states.append(True if high <= limit else False if low > limit else None)
        violation += max(0.0, sign * (stat.mean - limit)) / max(abs(limit), 1e-9)
    feasible = False if False in states else (True if all(states) else None)
    return Verdict(feasible, kpis, violation, replications=len(runs))


def decide(evaluator: Evaluator, problem: StaffingProblem, solution: Solution, spec: SimulationSpec,
           start: int | None = None) -> Verdict:
    """Adds replications until the verdict is decided or the cap is reached."""
    n = start or (spec.replications if isinstance(spec.replications, int) else spec.min_replications)
    while True:
        verdict = judge(problem, evaluator.kpis(solution, n), spec.confidence)
        if verdict.feasible is not None:
            return verdict
        if n >= spec.max_replications:
            verdict.feasible = verdict.violation <= 0
            verdict.decided_by_mean = True
            return verdict
        n = min(spec.max_replications, 2 * n)
