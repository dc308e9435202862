"""Pictures of an answer, rendered on the server as SVG (issue 10, item 1).

A pure package: it depends only on the wire contract (`models`) and matplotlib, so the HTTP layer,
the CLI and the batch report can all draw the same pictures. `applicable` says which pictures fit a
problem and its answer (and why the others do not); `render` draws one as an SVG document.

Each picture is a module with `TITLE`, `NEEDS_SOLUTION`, `reason(problem, result, history)` (None
when it applies) and `draw(problem, result, history) -> Figure`; this module only dispatches, so
the rule "a picture that applies always renders, an answer without a solution gets a card saying
so" lives in one place.
"""

from dataclasses import dataclass
from types import ModuleType

from app.plots import convergence, facilities, gantt, items, pareto, simulation, tour
from app.plots.common import (
    PlotError,
    PlotNotApplicable,
    ProgressPoint,
    UnknownPlot,
    has_solution,
    no_solution_figure,
    to_svg,
)
from models.problem import ProblemModel
from models.result import Result

PICTURES: dict[str, ModuleType] = {
    "tour": tour,
    "gantt": gantt,
    "facilities": facilities,
    "items": items,
    "pareto": pareto,
    "convergence": convergence,
    "simulation": simulation,
}
PLOT_NAMES: tuple[str, ...] = tuple(PICTURES)
"""Every picture name, in the order a listing shows them."""

__all__ = ["PLOT_NAMES", "PlotError", "PlotInfo", "PlotNotApplicable", "ProgressPoint", "UnknownPlot",
           "applicable", "render"]


@dataclass(frozen=True)
class PlotInfo:
    """One entry of a picture listing: whether it applies to this answer, and if not, why."""

    name: str
    title: str
    available: bool
    reason: str | None = None


def _picture(name: str) -> ModuleType:
    """The picture module, or `UnknownPlot` listing the known names (so a typo is easy to fix)."""
    try:
        return PICTURES[name]
    except KeyError:
        raise UnknownPlot(f"unknown picture {name!r}; known: {', '.join(PLOT_NAMES)}") from None


def applicable(problem: ProblemModel, result: Result, history: list[ProgressPoint] | None = None) -> list[PlotInfo]:
    """Every picture, in `PLOT_NAMES` order, marked available or given the reason it does not apply."""
    listing = []
    for name, module in PICTURES.items():
        why = module.reason(problem, result, history)
        listing.append(PlotInfo(name=name, title=module.TITLE, available=why is None, reason=why))
    return listing


def render(name: str, problem: ProblemModel, result: Result, history: list[ProgressPoint] | None = None) -> str:
    """The picture `name` as an SVG document.

    Raises `UnknownPlot` for a name not in `PLOT_NAMES` and `PlotNotApplicable` (with the reason)
    for a picture that does not fit; an answer without a solution renders a card saying so.
    """
    module = _picture(name)
    why = module.reason(problem, result, history)
    if why is not None:
        raise PlotNotApplicable(why)
    if module.NEEDS_SOLUTION and not has_solution(result):
        fig = no_solution_figure(problem, result)
    else:
        fig = module.draw(problem, result, history)
    return to_svg(fig, str(fig.get_suptitle()))
