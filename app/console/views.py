"""What the console's templates show, computed in Python so the templates stay simple.

Numbers are formatted here once (objective, gap, age), the same way the pictures' titles do.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from app.plots.common import fmt
from models.job import Job
from models.simulation import KpiStat, SimulationReport


@dataclass(frozen=True)
class JobRow:
    """One line of the jobs list."""

    id: str
    status: str
    kind: str
    solver: str
    objective: str
    gap: str
    age: str


@dataclass(frozen=True)
class KpiRow:
    """One KPI: the returned plan's interval, the deterministic plan's and their paired difference."""

    name: str
    plan: str
    baseline: str
    difference: str


def gap_text(gap: float | None) -> str:
    return "—" if gap is None else f"{100 * gap:.2f}%"


def age_text(then: datetime | None, now: datetime | None = None) -> str:
    """How long ago, in the largest sensible unit (seconds, minutes, hours, days)."""
    if then is None:
        return "—"
    seconds = max(0.0, ((now or datetime.now(UTC)) - then).total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds / size:.0f} {unit} ago"
    return f"{seconds:.0f} s ago"


def job_row(job: Job, now: datetime | None = None) -> JobRow:
    """A job as the list shows it: the solver that answered when known, else the one requested."""
    result = job.result
    solver = result.solver.name if result is not None else job.solver
    objective = result.objective if result is not None else job.progress.incumbent
    return JobRow(id=job.id, status=job.status.value, kind=job.kind, solver=solver, objective=fmt(objective),
                  gap=gap_text(result.gap if result is not None else None), age=age_text(job.created_at, now))


def interval(stat: KpiStat | None) -> str:
    return "—" if stat is None else f"{fmt(stat.mean)} ± {fmt(stat.half_width)} (n={stat.n})"


def kpi_rows(report: SimulationReport | None) -> list[KpiRow]:
    """The simulation KPIs of a result, with the baseline and the difference when the result has them."""
    if report is None:
        return []
    baseline = report.baseline.kpis if report.baseline is not None else {}
    difference = report.difference or {}
    return [KpiRow(name=name, plan=interval(stat), baseline=interval(baseline.get(name)),
                   difference=interval(difference.get(name))) for name, stat in sorted(report.kpis.items())]
