"""`items`: knapsack items by weight and value with the chosen ones marked, and capacity use.

Weight vs value shows at a glance whether the solver took the dense items (high value per weight);
the capacity panel shows which dimension binds. With several dimensions an item's "weight" on the
scatter is its total share of the capacities, so dimensions with different units stay comparable.
"""

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from app.plots.common import ProgressPoint, chosen_solution, has_solution, new_figure, title_line
from models.knapsack import KnapsackProblem, KnapsackSolution
from models.problem import ProblemModel
from models.result import Result

TITLE = "Items: weight, value, capacity use"
NEEDS_SOLUTION = True
LABEL_LIMIT = 60


def reason(problem: ProblemModel, result: Result, history: list[ProgressPoint] | None) -> str | None:
    """Why the picture cannot be drawn (None when it can): wrong family, foreign solution, unknown item."""
    if not isinstance(problem, KnapsackProblem):
        return f"items: only for knapsack problems, this is {problem.kind}"
    if not has_solution(result):
        return None
    solution = chosen_solution(result)
    if not isinstance(solution, KnapsackSolution):
        return "items: the answer's solution is not a selection of items"
    known = {str(item.id) for item in problem.items}
    unknown = [i for i in solution.selected if str(i) not in known]
    if unknown:
        return f"items: the selection names item {unknown[0]!r}, which the problem does not have"
    return None


def draw(problem: ProblemModel, result: Result, history: list[ProgressPoint] | None) -> Figure:
    """Scatter of all items (chosen ones filled) beside the used share of each capacity."""
    assert isinstance(problem, KnapsackProblem)
    solution = chosen_solution(result)
    assert isinstance(solution, KnapsackSolution)
    chosen = {str(i) for i in solution.selected}
    fig = new_figure(13, 5.5, title_line(problem, result))
    scatter_ax, use_ax = fig.subplots(1, 2, width_ratios=[3, 2])
    _draw_scatter(scatter_ax, problem, chosen)
    _draw_use(use_ax, problem, chosen)
    return fig


def scatter_weights(problem: KnapsackProblem) -> tuple[list[float], str]:
    """The x of each item and its axis label: the weight, or the summed share of the capacities."""
    rows = problem.weight_rows()
    if problem.dimensions == 1:
        return rows[0], "weight"
    caps = problem.capacities()
    shares = [sum(rows[d][k] / caps[d] if caps[d] > 0 else 0.0 for d in range(len(caps)))
              for k in range(len(problem.items))]
    return shares, f"weight as a share of capacity, summed over {len(caps)} dimensions"


def _draw_scatter(ax: Axes, problem: KnapsackProblem, chosen: set[str]) -> None:
    """Chosen items filled, the rest hollow; ids written next to them on small instances."""
    xs, xlabel = scatter_weights(problem)
    criterion = problem.criteria()[0]
    ys = problem.criterion_values(criterion)
    picked = [str(item.id) in chosen for item in problem.items]
    left = [(x, y) for x, y, p in zip(xs, ys, picked, strict=True) if not p]
    taken = [(x, y) for x, y, p in zip(xs, ys, picked, strict=True) if p]
    ax.scatter([x for x, _ in left], [y for _, y in left], s=18, facecolors="none", edgecolors="#7f7f7f",
               label="left out")
    ax.scatter([x for x, _ in taken], [y for _, y in taken], s=22, color="#2ca02c", edgecolors="black",
               linewidths=0.4, label="chosen", zorder=3)
    if len(problem.items) <= LABEL_LIMIT:
        for item, x, y in zip(problem.items, xs, ys, strict=True):
            ax.annotate(str(item.id), (x, y), xytext=(3, 3), textcoords="offset points", fontsize=7)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(criterion)
    ax.set_title(f"{len(chosen)} of {len(problem.items)} items chosen", fontsize=9)
    ax.grid(True, linewidth=0.3, alpha=0.5)
    ax.set_xlim(left=0)
    ax.set_ylim(bottom=0)
    ax.legend(loc="lower right", fontsize=7)


def capacity_use(problem: KnapsackProblem, chosen: set[str]) -> list[tuple[float, float]]:
    """(used, capacity) per dimension for the chosen items."""
    rows = problem.weight_rows()
    picked = [str(item.id) in chosen for item in problem.items]
    return [(sum(w for w, p in zip(row, picked, strict=True) if p), cap)
            for row, cap in zip(rows, problem.capacities(), strict=True)]


def _draw_use(ax: Axes, problem: KnapsackProblem, chosen: set[str]) -> None:
    """One horizontal bar per dimension: the used share of its capacity, 100% marked."""
    use = capacity_use(problem, chosen)
    shares = [100 * used / cap if cap > 0 else (0.0 if used == 0 else 100.0) for used, cap in use]
    rows = list(range(len(use)))
    colours = ["#d62728" if s > 100 + 1e-9 else "#1f77b4" for s in shares]
    ax.barh(rows, shares, height=0.5, color=colours, zorder=2)
    ax.axvline(100, color="black", linewidth=1, linestyle="--")
    for row, (used, cap), share in zip(rows, use, shares, strict=True):
        ax.text(min(share, 100) / 2 + 1, row, f"{used:g} / {cap:g} ({share:.1f}%)", va="center", fontsize=7)
    ax.set_yticks(rows, [f"dimension {d}" for d in rows] if len(use) > 1 else ["capacity"], fontsize=8)
    ax.set_xlim(0, max(110.0, max(shares, default=0) * 1.05))
    ax.set_ylim(max(len(use), 3) - 0.5, -0.5)  # first dimension on top; one bar does not fill the panel
    ax.set_xlabel("capacity used (%)")
    ax.set_title("capacity use per dimension", fontsize=9)
