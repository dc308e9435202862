"""Shared pieces of every picture: figure creation, the title line, the no-solution card, SVG output.

Figures are built with `matplotlib.figure.Figure` and serialised by `FigureCanvasSVG` directly: no
pyplot, so no global figure registry, no backend switch and no state shared between threads (the
service renders pictures concurrently).
"""

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure

from models.problem import ProblemModel
from models.problem_solutions import Solution
from models.result import Result, Status

NO_SOLUTION = frozenset({Status.infeasible, Status.unbounded, Status.no_solution, Status.error})
"""Statuses whose answer carries nothing to draw."""

TITLE_SIZE = 10
PALETTE = "tab20"
Rgba = tuple[float, float, float, float]


@dataclass(frozen=True)
class ProgressPoint:
    """One moment of a job's progress: what the HTTP layer converts stored job events into."""

    elapsed: float
    incumbent: float | None
    bound: float | None


class PlotError(ValueError):
    """Base of the errors a caller can map to a client error (bad name, picture that does not apply)."""


class UnknownPlot(PlotError):
    """The picture name is not one of `PLOT_NAMES`."""


class PlotNotApplicable(PlotError):
    """The picture does not apply to this problem and answer; the message says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def fmt(value: float | None) -> str:
    """Numbers as people read them: integers without decimals, others to 6 significant digits."""
    if value is None:
        return "—"
    if math.isfinite(value) and value == round(value) and abs(value) < 1e15:
        return str(round(value))
    return f"{value:.6g}"


def title_line(problem: ProblemModel, result: Result, extra: str | None = None) -> str:
    """Family · solver · status · objective · bound · gap: what a reader needs to judge the picture."""
    gap = "—" if result.gap is None else f"{100 * result.gap:.2f}%"
    parts = [problem.kind, result.solver.name, result.status.value, f"objective {fmt(result.objective)}",
             f"bound {fmt(result.bound)}", f"gap {gap}"]
    if extra:
        parts.append(extra)
    return " · ".join(parts)


def new_figure(width: float, height: float, title: str) -> Figure:
    """A figure with constrained layout and the title line on top."""
    fig = Figure(figsize=(width, height), layout="constrained")
    fig.suptitle(title, fontsize=TITLE_SIZE)
    return fig


def has_solution(result: Result) -> bool:
    """True when the answer has something to draw (a solution, or a front of them)."""
    if result.status in NO_SOLUTION:
        return False
    return result.solution is not None or bool(result.pareto_front)


def chosen_solution(result: Result) -> Solution | None:
    """The solution to draw: the answer's own, or for a front without one the compromise point's."""
    if result.solution is not None:
        return result.solution
    front = result.pareto_front or []
    if front:
        pick = result.compromise if result.compromise is not None and 0 <= result.compromise < len(front) else 0
        return front[pick].solution
    return None


def message_figure(title: str, headline: str, detail: str | None = None) -> Figure:
    """A card that says, in large text, that there is nothing to draw and why (never an exception)."""
    fig = Figure(figsize=(8, 4.5))
    fig.suptitle(title, fontsize=TITLE_SIZE)
    fig.text(0.5, 0.55, headline, ha="center", va="center", fontsize=28, color="#b22222", weight="bold")
    if detail:
        fig.text(0.5, 0.32, _wrap(detail, 90), ha="center", va="center", fontsize=11, color="#333333")
    return fig


def no_solution_figure(problem: ProblemModel, result: Result) -> Figure:
    """The picture of an answer without a solution: its status in large letters and the reason."""
    headline = {
        Status.infeasible: "Infeasible: no solution exists",
        Status.unbounded: "Unbounded: no finite optimum",
        Status.error: "Error: no solution",
    }.get(result.status, "No solution found")
    if result.status not in NO_SOLUTION:
        headline = "No solution found"
    return message_figure(title_line(problem, result), headline, result.message)


def _wrap(text: str, width: int) -> str:
    """Greedy word wrap, so a long solver message stays inside the card."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    if current:
        lines.append(current)
    return "\n".join(lines[:6])


def to_svg(fig: Figure, title: str) -> str:
    """Serialise through the SVG canvas only; the title also goes into the SVG metadata (dc:title)."""
    FigureCanvasSVG(fig)  # attaches itself to the figure: savefig below cannot pick another backend
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Title": title, "Date": None})
    return buffer.getvalue()


def colors_for(count: int) -> list[Rgba]:
    """`count` distinct-enough colours from a qualitative palette (cycled beyond its size)."""
    from matplotlib import colormaps

    cmap = colormaps[PALETTE]
    return [cmap(k % cmap.N) for k in range(count)]


def short_ids(ids: Sequence[object]) -> list[str]:
    """Identifiers as labels, trimmed so a long id does not swamp a bar."""
    return [str(i) if len(str(i)) <= 8 else str(i)[:7] + "…" for i in ids]
