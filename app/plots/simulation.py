"""`simulation`: KPI confidence intervals of the simulated answer, and what they change.

Sections, each drawn only when the answer carries its data: the KPI intervals of the deterministic
plan (`simulation.baseline`) and of the returned plan side by side, one small panel per KPI because
KPIs have unrelated units; the paired difference returned minus deterministic (relative to the
deterministic mean, so KPIs share one axis; common random numbers make it much tighter than the
two intervals suggest); and for staffing fronts cost against waiting with error bars.
"""

import math
from collections.abc import Callable

from matplotlib.axes import Axes
from matplotlib.figure import Figure, SubFigure

from app.plots.common import ProgressPoint, fmt, has_solution, message_figure, new_figure, title_line
from models.multiobjective import ParetoPoint
from models.problem import ProblemModel
from models.result import Result
from models.simulation import KpiStat, SimulationReport
from models.staffing import StaffingProblem, StaffingSolution

TITLE = "Simulation: KPI intervals"
NEEDS_SOLUTION = True
MAX_KPIS = 12
COLS = 4
WAIT = "wait_mean"

Section = Callable[[SubFigure], None]


def staffing_front(problem: ProblemModel, result: Result) -> list[ParetoPoint]:
    """Front points of a staffing answer that carry simulated KPIs (empty otherwise)."""
    if not isinstance(problem, StaffingProblem):
        return []
    return [p for p in result.pareto_front or [] if p.kpis and WAIT in p.kpis]


def reason(problem: ProblemModel, result: Result, history: list[ProgressPoint] | None) -> str | None:
    """Simulated statistics are needed; a staffing answer without a solution still gets its card."""
    if result.simulation is not None or staffing_front(problem, result):
        return None
    if isinstance(problem, StaffingProblem) and not has_solution(result):
        return None
    return "simulation: the answer was not evaluated by simulation (it has no `simulation` block)"


def draw(problem: ProblemModel, result: Result, history: list[ProgressPoint] | None) -> Figure:
    """Stack the sections that have data, top to bottom."""
    sections: list[tuple[float, Section]] = []
    report = result.simulation
    if report is not None and report.kpis:
        rows = math.ceil(min(len(report.kpis), MAX_KPIS) / COLS)
        sections.append((2.6 * rows + 0.6, lambda sub: _draw_intervals(sub, report)))
    if report is not None and report.difference:
        diff = report.difference
        sections.append((0.35 * len(diff) + 1.6, lambda sub: _draw_difference(sub, report, diff)))
    front = staffing_front(problem, result)
    if front:
        sections.append((4.5, lambda sub: _draw_staffing(sub, problem, result, front)))
    extra = None if report is None else f"{report.replications} replications, {100 * report.confidence:g}% CI"
    if not sections:
        return message_figure(title_line(problem, result, extra), "No simulated KPIs to draw")
    fig = new_figure(12, sum(h for h, _ in sections) + 0.7, title_line(problem, result, extra))
    subs = fig.subfigures(len(sections), 1, height_ratios=[h for h, _ in sections], squeeze=False)
    for (_, section), sub in zip(sections, subs[:, 0], strict=True):
        section(sub)
    return fig


def _interval(ax: Axes, x: float, stat: KpiStat, colour: str, label: str) -> None:
    """Mean with its confidence interval as a capped error bar."""
    ax.errorbar([x], [stat.mean], yerr=[stat.half_width], fmt="o", color=colour, capsize=5, label=label)


def _draw_intervals(sub: SubFigure, report: SimulationReport) -> None:
    """One panel per KPI: the deterministic plan's interval (when simulated too) beside the returned one."""
    names = list(report.kpis)[:MAX_KPIS]
    baseline = report.baseline.kpis if report.baseline else {}
    cols = min(COLS, len(names))
    axes = sub.subplots(math.ceil(len(names) / cols), cols, squeeze=False)
    crn = "common random numbers" if report.common_random_numbers else "independent streams"
    sub.suptitle(f"KPI mean ± half-width (objective KPI: {report.objective_kpi}; {crn})", fontsize=9)
    for k, name in enumerate(names):
        ax = axes[k // cols][k % cols]
        if name in baseline:
            _interval(ax, 0, baseline[name], "#7f7f7f", "deterministic plan")
            ax.set_xticks([0, 1], ["deterministic", "returned"], fontsize=7)
        else:
            ax.set_xticks([1], ["returned"], fontsize=7)
        _interval(ax, 1, report.kpis[name], "#1f77b4", "returned plan")
        ax.set_xlim(-0.6, 1.6)
        ax.set_title(name, fontsize=8)
        ax.tick_params(axis="y", labelsize=7)
        ax.grid(True, axis="y", linewidth=0.3, alpha=0.5)
    for k in range(len(names), axes.size):
        axes[k // cols][k % cols].set_visible(False)


def _draw_difference(sub: SubFigure, report: SimulationReport, diff: dict[str, KpiStat]) -> None:
    """Paired difference per KPI as a share of the deterministic plan's mean; a zero line for 'no change'."""
    ax = sub.subplots()
    baseline = report.baseline.kpis if report.baseline else {}
    names = list(diff)
    labels = []
    for row, name in enumerate(names):
        stat = diff[name]
        ref = baseline.get(name)
        scale = abs(ref.mean) if ref is not None and abs(ref.mean) > 1e-12 else None
        significant = abs(stat.mean) > stat.half_width
        colour = "#d62728" if significant else "#7f7f7f"
        if scale is not None:
            ax.errorbar([100 * stat.mean / scale], [row], xerr=[100 * stat.half_width / scale], fmt="o",
                        color=colour, capsize=4)
        labels.append(f"{name}: {fmt(stat.mean)} ± {fmt(stat.half_width)}" + ("" if scale else " (no base)"))
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(range(len(names)), labels, fontsize=7)
    ax.set_ylim(len(names) - 0.5, -0.5)
    ax.set_xlabel("returned minus deterministic, % of the deterministic mean (red: interval excludes 0)")
    ax.grid(True, axis="x", linewidth=0.3, alpha=0.5)
    sub.suptitle("paired difference (same random streams)", fontsize=9)


def staffing_cost(problem: StaffingProblem, point: ParetoPoint, names: list[str]) -> float:
    """A point's cost: its `cost` objective when the front has one, else recomputed from the counts."""
    if "cost" in names and names.index("cost") < len(point.objectives):
        return point.objectives[names.index("cost")]
    servers = point.solution.servers if isinstance(point.solution, StaffingSolution) else {}
    return sum(s.cost_per_server * servers.get(str(s.id), 0) for s in problem.stations)


def _draw_staffing(sub: SubFigure, problem: ProblemModel, result: Result, front: list[ParetoPoint]) -> None:
    """Cost against mean wait with the wait's confidence interval; the compromise point starred."""
    assert isinstance(problem, StaffingProblem)
    names = list(result.objectives or problem.criteria())
    ax = sub.subplots()
    costs = [staffing_cost(problem, p, names) for p in front]
    waits = [p.kpis[WAIT] for p in front if p.kpis]
    ax.errorbar(costs, [w.mean for w in waits], yerr=[w.half_width for w in waits], fmt="o", color="#1f77b4",
                ecolor="#7f7f7f", capsize=3, label=f"front ({len(front)} staffings)")
    best = result.compromise
    if best is not None and result.pareto_front and 0 <= best < len(result.pareto_front):
        chosen = result.pareto_front[best]
        if chosen.kpis and WAIT in chosen.kpis:
            ax.scatter([staffing_cost(problem, chosen, names)], [chosen.kpis[WAIT].mean], s=180, marker="*",
                       color="#d62728", edgecolors="black", zorder=3, label=f"compromise (#{best})")
    ax.set_xlabel("cost")
    ax.set_ylabel("mean wait")
    ax.grid(True, linewidth=0.3, alpha=0.5)
    ax.legend(loc="upper right", fontsize=7)
    sub.suptitle("staffing front: cost against waiting", fontsize=9)
