"""`tour`: the TSP's cities on their coordinates with the closed tour drawn through them.

Built for size: the tour is ONE line artist and the cities ONE marker artist whatever the number
of cities (10,000 cities render in well under a second), and per-city labels only appear on small
instances, where they can be read.
"""

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from app.plots.common import ProgressPoint, chosen_solution, has_solution, new_figure, title_line
from models.problem import ProblemModel
from models.result import Result
from models.tsp import Metric, TspProblem, TspSolution

TITLE = "Tour on the map"
NEEDS_SOLUTION = True
LABEL_LIMIT = 200
"""Above this many cities, index labels overlap into noise and cost time: leave them out."""
MARKER_LIMIT = 3000
"""Above this many cities the tour line shows them already; per-city markers only add bytes."""


def reason(problem: ProblemModel, result: Result, history: list[ProgressPoint] | None) -> str | None:
    """Why the map cannot be drawn (None when it can): wrong family, no coordinates, foreign solution."""
    if not isinstance(problem, TspProblem):
        return f"tour: only for TSP problems, this is {problem.kind}"
    if problem.coordinates is None:
        return "tour: the TSP is given as a distance matrix only, it has no coordinates to draw on"
    if not has_solution(result):
        return None
    solution = chosen_solution(result)
    if not isinstance(solution, TspSolution):
        return "tour: the answer's solution is not a tour"
    n = len(problem.coordinates)
    bad = [node for node in solution.tour if not 0 <= node < n]
    if bad:
        return f"tour: the tour visits node {bad[0]}, but the problem has nodes 0..{n - 1}"
    return None


def draw(problem: ProblemModel, result: Result, history: list[ProgressPoint] | None) -> Figure:
    """The closed tour over the cities, the start city marked."""
    assert isinstance(problem, TspProblem) and problem.coordinates is not None
    solution = chosen_solution(result)
    assert isinstance(solution, TspSolution)
    xs, ys = _axes_values(problem)
    n = len(xs)
    fig = new_figure(8, 7, title_line(problem, result))
    ax = fig.add_subplot()
    _draw_tour(ax, xs, ys, solution.tour)
    if n <= MARKER_LIMIT:
        size = 4 if n <= LABEL_LIMIT else 1.5
        ax.plot(xs, ys, linestyle="none", marker="o", markersize=size, color="#1f4e79", zorder=3)
    if solution.tour:
        start = solution.tour[0]
        ax.plot([xs[start]], [ys[start]], linestyle="none", marker="s", markersize=8, color="#d62728",
                zorder=4, label=f"start (node {start})")
        ax.legend(loc="upper right", fontsize=8)
    if n <= LABEL_LIMIT:
        _label_cities(ax, xs, ys)
    _frame(ax, problem, n, len(solution.tour))
    return fig


def _axes_values(problem: TspProblem) -> tuple[list[float], list[float]]:
    """x and y to plot: TSPLIB `geo` gives latitude, longitude, so longitude goes across."""
    coords = problem.coordinates or []
    if problem.metric is Metric.geo:
        return [c[1] for c in coords], [c[0] for c in coords]
    return [c[0] for c in coords], [c[1] for c in coords]


def _draw_tour(ax: Axes, xs: list[float], ys: list[float], tour: list[int]) -> None:
    """One polyline through the tour and back to its first city."""
    if not tour:
        return
    closed = [*tour, tour[0]]
    width = 1.2 if len(tour) <= LABEL_LIMIT else 0.5
    ax.plot([xs[i] for i in closed], [ys[i] for i in closed], color="#ff7f0e", linewidth=width, zorder=2,
            label="tour")


def _label_cities(ax: Axes, xs: list[float], ys: list[float]) -> None:
    """Node indices next to the cities, for instances small enough to read them."""
    for index, (x, y) in enumerate(zip(xs, ys, strict=True)):
        ax.annotate(str(index), (x, y), xytext=(3, 3), textcoords="offset points", fontsize=7, color="#333333")


def _frame(ax: Axes, problem: TspProblem, n: int, visited: int) -> None:
    """Axis labels, equal scaling for planar metrics, and the size of the instance."""
    metric = problem.metric or Metric.euclidean
    if metric is Metric.geo:
        ax.set_xlabel("longitude (DDD.MM)")
        ax.set_ylabel("latitude (DDD.MM)")
    else:
        ax.set_aspect("equal", adjustable="datalim")
        ax.set_xlabel("x")
        ax.set_ylabel("y")
    ax.set_title(f"{n} cities, {visited} visited, metric {metric.value}", fontsize=9)
    ax.grid(True, linewidth=0.3, alpha=0.5)
