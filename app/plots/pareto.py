"""`pareto`: the non-dominated front, one panel for 2 objectives and pairwise panels for 3 or more.

The compromise point (the one the service recommends, `result.compromise`) is starred so the reader
sees where the returned `solution` sits on the trade-off; the hypervolume goes into the title as the
one-number summary of the front. Simulated criteria (staffing) get their confidence intervals as
error bars, since a point's position is then only an estimate.
"""

import math
from itertools import combinations

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from app.plots.common import ProgressPoint, fmt, new_figure, title_line
from models.multiobjective import ParetoPoint
from models.problem import ProblemModel
from models.result import Result

TITLE = "Pareto front"
NEEDS_SOLUTION = True
MAX_PANELS = 15
"""Pairs of 6 objectives; beyond that the panels are too small to read."""


def reason(problem: ProblemModel, result: Result, history: list[ProgressPoint] | None) -> str | None:
    """Why the front cannot be drawn (None when it can)."""
    if not problem.objectives and not result.pareto_front:
        return "pareto: single-objective answer"
    front = result.pareto_front or []
    if result.solution is not None and not front:
        return "pareto: the answer carries no Pareto front"
    if front and min(len(p.objectives) for p in front) < 2:
        return "pareto: the front's points have fewer than 2 objective values"
    return None


def objective_names(problem: ProblemModel, result: Result, width: int) -> list[str]:
    """Criteria names in vector order: the answer's own, else the problem's, else placeholders."""
    names = list(result.objectives or problem.criteria())
    return names + [f"objective {k}" for k in range(len(names), width)]


def draw(problem: ProblemModel, result: Result, history: list[ProgressPoint] | None) -> Figure:
    """One scatter panel per pair of objectives, the compromise point starred."""
    front = result.pareto_front or []
    width = min(len(p.objectives) for p in front)
    names = objective_names(problem, result, width)
    pairs = list(combinations(range(width), 2))[:MAX_PANELS]
    cols = min(3, len(pairs))
    rows = math.ceil(len(pairs) / cols)
    hv = f"hypervolume {fmt(result.hypervolume)}"
    if result.reference_point:
        hv += f" (reference {', '.join(fmt(v) for v in result.reference_point)})"
    fig = new_figure(4.6 * cols + 1.5, 4.2 * rows + 0.6, title_line(problem, result, hv))
    axes = fig.subplots(rows, cols, squeeze=False)
    for k, (a, b) in enumerate(pairs):
        _draw_pair(axes[k // cols][k % cols], front, result.compromise, (a, b), names)
    for k in range(len(pairs), rows * cols):
        axes[k // cols][k % cols].set_visible(False)
    return fig


def _errors(front: list[ParetoPoint], name: str) -> list[float] | None:
    """Half-widths of a simulated criterion, when every point carries them."""
    if not all(p.kpis and name in p.kpis for p in front):
        return None
    return [p.kpis[name].half_width for p in front if p.kpis]


def _draw_pair(ax: Axes, front: list[ParetoPoint], best: int | None, pair: tuple[int, int], names: list[str]) -> None:
    """The front projected on two criteria (a staircase through it when there are only two)."""
    a, b = pair
    order = sorted(range(len(front)), key=lambda k: (front[k].objectives[a], front[k].objectives[b]))
    xs = [front[k].objectives[a] for k in order]
    ys = [front[k].objectives[b] for k in order]
    xerr, yerr = _errors(front, names[a]), _errors(front, names[b])
    if xerr or yerr:
        ax.errorbar(xs, ys, xerr=[xerr[k] for k in order] if xerr else None,
                    yerr=[yerr[k] for k in order] if yerr else None, fmt="none", ecolor="#7f7f7f",
                    elinewidth=0.8, capsize=2, label="confidence interval")
    if len(names) == 2 or len(front[0].objectives) == 2:
        ax.plot(xs, ys, color="#1f77b4", linewidth=0.8, linestyle=":", zorder=1)
    ax.scatter(xs, ys, s=22, color="#1f77b4", zorder=2, label=f"front ({len(front)} points)")
    if best is not None and 0 <= best < len(front):
        point = front[best].objectives
        ax.scatter([point[a]], [point[b]], s=180, marker="*", color="#d62728", edgecolors="black",
                   linewidths=0.6, zorder=3, label=f"compromise (#{best})")
    ax.set_xlabel(names[a])
    ax.set_ylabel(names[b])
    ax.grid(True, linewidth=0.3, alpha=0.5)
    ax.legend(loc="upper right", fontsize=7)
