"""`facilities`: the plan on a map when the problem gives locations, and always load vs capacity.

The contract's costs need no geometry, so locations are optional (`location: [x, y]` on facilities
and customers); the load panel is drawn regardless because over- or under-used facilities are what
a planner checks first.
"""

from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from app.plots.common import (
    ProgressPoint,
    Rgba,
    chosen_solution,
    colors_for,
    has_solution,
    new_figure,
    short_ids,
    title_line,
)
from models.facility import Customer, Facility, FacilityLocationProblem, FacilitySolution
from models.problem import ProblemModel
from models.result import Result

TITLE = "Facilities: map and load"
NEEDS_SOLUTION = True
LABEL_LIMIT = 60
"""Above this many points, id labels overlap: leave them out."""


def reason(problem: ProblemModel, result: Result, history: list[ProgressPoint] | None) -> str | None:
    """Why the picture cannot be drawn (None when it can): wrong family, foreign or dangling solution."""
    if not isinstance(problem, FacilityLocationProblem):
        return f"facilities: only for facility location problems, this is {problem.kind}"
    if not has_solution(result):
        return None
    solution = chosen_solution(result)
    if not isinstance(solution, FacilitySolution):
        return "facilities: the answer's solution is not a facility plan"
    facilities = {str(f.id) for f in problem.facilities}
    customers = {str(c.id) for c in problem.customers}
    for a in solution.assignments:
        if str(a.facility) not in facilities or str(a.customer) not in customers:
            return f"facilities: assignment {a.customer!r} -> {a.facility!r} names an unknown customer or facility"
    return None


def has_map(problem: FacilityLocationProblem) -> bool:
    """A map needs every facility and every customer located."""
    return all(f.location is not None for f in problem.facilities) and all(
        c.location is not None for c in problem.customers)


def draw(problem: ProblemModel, result: Result, history: list[ProgressPoint] | None) -> Figure:
    """The map (when located) beside the load-vs-capacity bars of the open facilities."""
    assert isinstance(problem, FacilityLocationProblem)
    solution = chosen_solution(result)
    assert isinstance(solution, FacilitySolution)
    located = has_map(problem)
    fig = new_figure(14 if located else 8, 6, title_line(problem, result))
    if located:
        map_ax, load_ax = fig.subplots(1, 2, width_ratios=[3, 2])
        _draw_map(map_ax, problem, solution)
    else:
        load_ax = fig.add_subplot()
    _draw_load(load_ax, problem, solution, located)
    return fig


def _draw_map(ax: Axes, problem: FacilityLocationProblem, solution: FacilitySolution) -> None:
    """Customers sized by demand, joined to the facilities serving them; open facilities highlighted."""
    opened = {str(f) for f in solution.open}
    palette = colors_for(len(problem.facilities))
    where = {str(f.id): (f.location or [0.0, 0.0]) for f in problem.facilities}
    colour = {str(f.id): palette[k] for k, f in enumerate(problem.facilities)}
    customers = {str(c.id): c for c in problem.customers}
    segments = []
    seg_colours = []
    widths = []
    for a in solution.assignments:
        c_loc = customers[str(a.customer)].location or [0.0, 0.0]
        segments.append([tuple(c_loc), tuple(where[str(a.facility)])])
        seg_colours.append(colour[str(a.facility)])
        widths.append(0.4 + 1.2 * a.fraction)
    ax.add_collection(LineCollection(segments, colors=seg_colours, linewidths=widths, alpha=0.7, zorder=1))
    top = max((c.demand for c in problem.customers), default=1.0) or 1.0
    ax.scatter([(c.location or [0, 0])[0] for c in problem.customers],
               [(c.location or [0, 0])[1] for c in problem.customers],
               s=[12 + 150 * c.demand / top for c in problem.customers], color="#4d4d4d", alpha=0.8, zorder=2,
               label="customer (size = demand)")
    _draw_sites(ax, problem, opened, colour)
    if len(problem.customers) + len(problem.facilities) <= LABEL_LIMIT:
        places: list[Facility | Customer] = [*problem.facilities, *problem.customers]
        for place in places:
            loc = place.location or [0.0, 0.0]
            ax.annotate(str(place.id), (loc[0], loc[1]), xytext=(4, 4), textcoords="offset points", fontsize=7)
    ax.set_aspect("equal", adjustable="datalim")
    ax.autoscale_view()
    ax.set_title(f"{len(opened)} of {len(problem.facilities)} facilities open, {len(problem.customers)} customers",
                 fontsize=9)
    ax.legend(loc="upper right", fontsize=7)


def _draw_sites(ax: Axes, problem: FacilityLocationProblem, opened: set[str], colour: dict[str, Rgba]) -> None:
    """Open facilities as large filled squares in their colour, closed ones as small hollow squares."""
    open_sites = [f for f in problem.facilities if str(f.id) in opened]
    closed = [f for f in problem.facilities if str(f.id) not in opened]
    if open_sites:
        ax.scatter([(f.location or [0, 0])[0] for f in open_sites], [(f.location or [0, 0])[1] for f in open_sites],
                   s=140, marker="s", c=[colour[str(f.id)] for f in open_sites], edgecolors="black", linewidths=1.2,
                   zorder=3, label="open facility")
    if closed:
        ax.scatter([(f.location or [0, 0])[0] for f in closed], [(f.location or [0, 0])[1] for f in closed],
                   s=60, marker="s", facecolors="none", edgecolors="#999999", zorder=3, label="closed facility")


def loads(problem: FacilityLocationProblem, solution: FacilitySolution) -> dict[str, float]:
    """Demand served by each facility: each assignment brings its share of the customer's demand."""
    demand = {str(c.id): c.demand for c in problem.customers}
    served: dict[str, float] = {}
    for a in solution.assignments:
        key = str(a.facility)
        served[key] = served.get(key, 0.0) + demand[str(a.customer)] * a.fraction
    return served


def _draw_load(ax: Axes, problem: FacilityLocationProblem, solution: FacilitySolution, located: bool) -> None:
    """Load bars of the open facilities against their capacity (unlimited capacity drawn as none)."""
    opened = {str(f) for f in solution.open}
    sites = [f for f in problem.facilities if str(f.id) in opened]
    served = loads(problem, solution)
    xs = list(range(len(sites)))
    load = [served.get(str(f.id), 0.0) for f in sites]
    over = [f.capacity is not None and served.get(str(f.id), 0.0) > f.capacity + 1e-9 for f in sites]
    ax.bar(xs, load, color=["#d62728" if o else "#2ca02c" for o in over], label="load (served demand)", zorder=2)
    capped = [(x, f.capacity) for x, f in zip(xs, sites, strict=True) if f.capacity is not None]
    if capped:
        ax.bar([x for x, _ in capped], [c for _, c in capped], width=0.8, fill=False, edgecolor="black",
               linewidth=1.0, label="capacity", zorder=3)
    if len(sites) <= LABEL_LIMIT:
        ax.set_xticks(xs, short_ids([f.id for f in sites]), rotation=45 if len(sites) > 8 else 0, fontsize=7)
    ax.set_ylabel("demand")
    note = "" if located else "\n(no locations in the problem: add `location: [x, y]` to draw a map)"
    ax.set_title(f"load vs capacity of the {len(sites)} open facilities{note}", fontsize=9)
    ax.grid(True, axis="y", linewidth=0.3, alpha=0.5)
    ax.legend(loc="upper right", fontsize=7)
