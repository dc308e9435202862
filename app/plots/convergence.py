"""`convergence`: incumbent and bound over elapsed time, from a job's stored progress events.

Step lines (the value holds until the next event) because that is what the solver knew at each
moment; the vertical distance between the two curves is the gap still open.
"""

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from app.plots.common import ProgressPoint, new_figure, title_line
from models.problem import ProblemModel
from models.result import Result

TITLE = "Convergence: incumbent and bound over time"
NEEDS_SOLUTION = False
"""A job that found nothing may still have improved its bound: the history is drawn regardless."""


def usable(history: list[ProgressPoint] | None) -> list[ProgressPoint]:
    """The points that carry a number, in time order."""
    points = [p for p in history or [] if p.incumbent is not None or p.bound is not None]
    return sorted(points, key=lambda p: p.elapsed)


def reason(problem: ProblemModel, result: Result, history: list[ProgressPoint] | None) -> str | None:
    """No numbers over time, nothing to draw."""
    if not usable(history):
        return "convergence: no progress history"
    return None


def _series(points: list[ProgressPoint], final: float | None, end: float, incumbent: bool) -> tuple[
        list[float], list[float]]:
    """One curve's (time, value) pairs, extended to `end` with the final answer's value when known."""
    times = [p.elapsed for p in points if (p.incumbent if incumbent else p.bound) is not None]
    values = [v for p in points if (v := p.incumbent if incumbent else p.bound) is not None]
    if final is not None and (not values or values[-1] != final or times[-1] < end):
        times.append(end)
        values.append(final)
    return times, values


def draw(problem: ProblemModel, result: Result, history: list[ProgressPoint] | None) -> Figure:
    """Incumbent and bound as post-step lines, the final objective and bound closing them."""
    points = usable(history)
    end = max(points[-1].elapsed, result.timings.total)
    fig = new_figure(9, 5, title_line(problem, result))
    ax = fig.add_subplot()
    inc_t, inc_v = _series(points, result.objective, end, incumbent=True)
    bnd_t, bnd_v = _series(points, result.bound, end, incumbent=False)
    if inc_t:
        ax.step(inc_t, inc_v, where="post", color="#1f77b4", linewidth=1.5, marker="o", markersize=3,
                label="incumbent (best solution)")
    if bnd_t:
        ax.step(bnd_t, bnd_v, where="post", color="#d62728", linewidth=1.5, linestyle="--", marker=".",
                markersize=3, label="bound (proven)")
    _frame(ax, len(points))
    return fig


def _frame(ax: Axes, count: int) -> None:
    """Labels, and the number of events so a sparse history is not mistaken for a smooth one."""
    ax.set_xlabel("elapsed (s)")
    ax.set_ylabel("objective")
    ax.set_title(f"{count} progress event(s)", fontsize=9)
    ax.grid(True, linewidth=0.3, alpha=0.5)
    ax.legend(loc="best", fontsize=8)
