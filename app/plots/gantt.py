"""`gantt`: one row per machine, operations as bars coloured by job, setups, due dates, makespan.

Built for size: all bars are ONE PolyCollection, all setups another, due-date marks one marker
artist, so 2,000 operations cost about as much as 20; the per-bar job labels (one text artist each)
are skipped above `LABEL_LIMIT` bars, where they would not fit anyway.
"""

from dataclasses import dataclass, field
from itertools import pairwise

from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from app.plots.common import ProgressPoint, chosen_solution, colors_for, fmt, has_solution, new_figure, title_line
from models.problem import ProblemModel
from models.result import Result
from models.scheduling import ScheduledOperation, ScheduleSolution, SchedulingProblem

TITLE = "Gantt chart"
NEEDS_SOLUTION = True
LABEL_LIMIT = 400
BAR = 0.7
"""Bar height as a share of a row: the gap between rows keeps machines apart."""
CHAR_SHARE = 0.0065
"""Width of one label character as a share of the time axis (6 pt text on an 11-inch figure)."""

Box = list[tuple[float, float]]


@dataclass
class Layout:
    """Where things go: a row per machine, a position per job (setup matrices are indexed by it)."""

    rows: dict[str, int]
    job_pos: dict[str, int]
    ops: list[ScheduledOperation]
    machine_names: list[str] = field(default_factory=list)


def reason(problem: ProblemModel, result: Result, history: list[ProgressPoint] | None) -> str | None:
    """Why the chart cannot be drawn (None when it can): wrong family, foreign solution, unknown job."""
    if not isinstance(problem, SchedulingProblem):
        return f"gantt: only for scheduling problems, this is {problem.kind}"
    if not has_solution(result):
        return None
    solution = chosen_solution(result)
    if not isinstance(solution, ScheduleSolution):
        return "gantt: the answer's solution is not a schedule"
    known = {str(job.id) for job in problem.jobs}
    unknown = [op.job for op in solution.operations if str(op.job) not in known]
    if unknown:
        return f"gantt: the schedule names job {unknown[0]!r}, which the problem does not have"
    return None


def draw(problem: ProblemModel, result: Result, history: list[ProgressPoint] | None) -> Figure:
    """Bars per machine row, setups hatched before operations, due dates and tardy jobs, makespan."""
    assert isinstance(problem, SchedulingProblem)
    solution = chosen_solution(result)
    assert isinstance(solution, ScheduleSolution)
    layout = _layout(problem, solution)
    height = min(14.0, max(3.5, 1.6 + 0.45 * len(layout.rows)))
    fig = new_figure(11, height, title_line(problem, result))
    ax = fig.add_subplot()
    _draw_bars(ax, layout)
    _draw_setups(ax, problem, layout)
    tardy = _draw_due_dates(ax, problem, layout)
    makespan = max((op.end for op in layout.ops), default=0)
    ax.axvline(makespan, color="#d62728", linewidth=1.2, linestyle="--")
    if len(layout.ops) <= LABEL_LIMIT:
        _label_bars(ax, layout, makespan)
    _frame(ax, layout, makespan, tardy)
    return fig


def _layout(problem: SchedulingProblem, solution: ScheduleSolution) -> Layout:
    """Rows in the problem's machine order (machines the problem does not list go last)."""
    names = [str(m) for m in problem.machines]
    for op in solution.operations:
        if str(op.machine) not in names:
            names.append(str(op.machine))
    rows = {name: row for row, name in enumerate(names)}
    job_pos = {str(job.id): pos for pos, job in enumerate(problem.jobs)}
    return Layout(rows=rows, job_pos=job_pos, ops=list(solution.operations), machine_names=names)


def _box(start: float, end: float, row: int, height: float = BAR) -> Box:
    """Corners of a bar from `start` to `end` centred on a machine row."""
    low = row - height / 2
    return [(start, low), (end, low), (end, low + height), (start, low + height)]


def _draw_bars(ax: Axes, layout: Layout) -> None:
    """Every operation in one collection, coloured by its job's position."""
    palette = colors_for(len(layout.job_pos))
    boxes = [_box(op.start, op.end, layout.rows[str(op.machine)]) for op in layout.ops]
    colours = [palette[layout.job_pos[str(op.job)]] for op in layout.ops]
    edge = 0.4 if len(layout.ops) <= LABEL_LIMIT else 0.1
    ax.add_collection(PolyCollection(boxes, facecolors=colours, edgecolors="white", linewidths=edge, zorder=2))


def _draw_setups(ax: Axes, problem: SchedulingProblem, layout: Layout) -> None:
    """Sequence-dependent setups shaded just before the operation that needs them."""
    if problem.setup_times is None:
        return
    by_machine: dict[str, list[ScheduledOperation]] = {}
    for op in layout.ops:
        by_machine.setdefault(str(op.machine), []).append(op)
    boxes: list[Box] = []
    for machine, ops in by_machine.items():
        matrix = problem.setup_matrix(machine)
        if matrix is None:
            continue
        ops.sort(key=lambda op: op.start)
        for before, after in pairwise(ops):
            setup = matrix[layout.job_pos[str(before.job)]][layout.job_pos[str(after.job)]]
            if setup > 0:
                boxes.append(_box(after.start - setup, after.start, layout.rows[machine], BAR * 0.6))
    if boxes:
        ax.add_collection(PolyCollection(boxes, facecolors="#d9d9d9", edgecolors="#7f7f7f", hatch="////",
                                         linewidths=0.3, zorder=1))


def _draw_due_dates(ax: Axes, problem: SchedulingProblem, layout: Layout) -> int:
    """A triangle at each due date on the row of the job's last operation; tardy jobs outlined in red."""
    last: dict[str, ScheduledOperation] = {}
    for op in layout.ops:
        key = str(op.job)
        if key not in last or op.end > last[key].end:
            last[key] = op
    marks_x: list[float] = []
    marks_y: list[float] = []
    late_boxes: list[Box] = []
    late_lines: list[list[tuple[float, float]]] = []
    for job in problem.jobs:
        final = last.get(str(job.id))
        if job.due is None or final is None:
            continue
        row = layout.rows[str(final.machine)]
        marks_x.append(job.due)
        marks_y.append(row - BAR / 2 - 0.08)
        if final.end > job.due:
            late_boxes.append(_box(final.start, final.end, row))
            late_lines.append([(job.due, row + BAR / 2 + 0.06), (final.end, row + BAR / 2 + 0.06)])
    if marks_x:
        ax.plot(marks_x, marks_y, linestyle="none", marker="v", markersize=6, color="black", zorder=4)
    if late_boxes:
        ax.add_collection(PolyCollection(late_boxes, facecolors="none", edgecolors="#d62728", linewidths=1.5,
                                         zorder=3))
        ax.add_collection(LineCollection(late_lines, colors="#d62728", linewidths=2, zorder=3))
    return len(late_boxes)


def _label_bars(ax: Axes, layout: Layout, makespan: float) -> None:
    """The job id in the middle of each bar wide enough to hold it (and only when bars are few)."""
    per_char = CHAR_SHARE * max(makespan, 1)
    for op in layout.ops:
        if op.end - op.start < per_char * len(str(op.job)):
            continue
        ax.text((op.start + op.end) / 2, layout.rows[str(op.machine)], str(op.job), ha="center", va="center",
                fontsize=6, clip_on=True, zorder=5)


def _frame(ax: Axes, layout: Layout, makespan: float, tardy: int) -> None:
    """Machine names down the side, the first machine on top, a legend of the marks."""
    ax.set_yticks(range(len(layout.machine_names)), layout.machine_names, fontsize=8)
    ax.set_ylim(len(layout.machine_names) - 0.4, -0.6)
    ax.set_xlim(0, makespan * 1.02 + 0.5)
    ax.set_xlabel("time")
    ax.set_ylabel("machine")
    ax.grid(True, axis="x", linewidth=0.3, alpha=0.5)
    ax.set_title(f"{len(layout.ops)} operations on {len(layout.rows)} machines, makespan {fmt(makespan)}, "
                 f"{tardy} tardy job(s)", fontsize=9)
    handles = [Patch(facecolor="#d9d9d9", edgecolor="#7f7f7f", hatch="////", label="setup"),
               Line2D([], [], linestyle="none", marker="v", color="black", label="due date"),
               Patch(facecolor="none", edgecolor="#d62728", linewidth=1.5, label="tardy job"),
               Line2D([], [], color="#d62728", linewidth=2, label="lateness"),
               Line2D([], [], color="#d62728", linestyle="--", label="makespan")]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7, frameon=False)
