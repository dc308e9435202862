"""A fast constructive heuristic for scheduling, and cheap lower bounds; imports no solver library.

Giffler-Thompson style list scheduling over the positional view (`ScheduleData`): at each step
the next operation of every job is a candidate, placed on the machine where it would finish
first (alternatives, setups and releases included). The candidate finishing first fixes a
machine m* and a time C*; every candidate that could start on m* before C* competes, and a
priority rule picks one. A few rules are run and the best schedule is kept. Every step scans all
jobs (operations x jobs in all): from COMPILED_FROM the compiled pass of `dispatch_kernel` runs
the same steps (same schedules), below it this plain-Python one.

Used as the CP-SAT hint and early incumbent, and as an upper bound for horizons and big-M.
Careful: its makespan bounds the OPTIMAL MAKESPAN only; a schedule minimising tardiness may end
later, so tardiness models need `ScheduleData.horizon()` instead.
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from models import ScheduledOperation, ScheduleSolution
from solvers.families.scheduling import dispatch_kernel
from solvers.families.scheduling.data import ScheduleData

MAKESPAN_RULES = ("mwkr", "mopnr", "spt", "ect", "lpt")
TARDINESS_RULES = ("edd", "mdd", "wspt", "ect", "mwkr")
COMPILED_FROM = 50_000
"""Operations x jobs from which the compiled pass runs. Plain Python took 0.7-1.1 s a rule on 200 jobs
x 20 machines (4,000 x 200 = 800,000) and 29 s on 1000 x 20 (144 s for the five rules: the service
answered `no_solution` at 10 s), compiled 0.01 s and 0.19-0.26 s; but loading the compiled pass in
a fresh process took 0.65-1.3 s, where ft10 (100 x 10) takes 0.016 s for five rules in Python.
Below 50,000, five rules in Python take at most about 0.33 s at the rate measured on 200 x 20."""


@dataclass(frozen=True)
class Placement:
    """Where and when one operation runs: machine position, start and end."""

    machine: int
    start: int
    end: int


@dataclass(frozen=True)
class HeuristicSchedule:
    """A complete schedule (one placement per entry of `data.ops`) and its objective."""

    placements: tuple[Placement, ...]
    objective: float
    rule: str

    @property
    def makespan(self) -> int:
        return max((p.end for p in self.placements), default=0)


@dataclass
class _Candidate:
    """The next operation of a job and where it would go now: (end, start, machine)."""

    job: int
    op: int
    end: int = 0
    start: int = 0
    machine: int = 0


class _State:
    """Machines' and jobs' progress while a schedule is built."""

    def __init__(self, data: ScheduleData) -> None:
        self.data = data
        self.job_ready = [job.release for job in data.problem.jobs]
        self.job_next = [0] * data.n_jobs
        self.machine_ready = [0] * data.n_machines
        self.machine_last = [-1] * data.n_machines
        self.placements: list[Placement | None] = [None] * len(data.ops)

    def earliest(self, job: int, machine: int) -> int:
        """Earliest start of `job`'s next operation on `machine` (setup after its last job)."""
        last = self.machine_last[machine]
        ready = self.machine_ready[machine]
        if last >= 0:
            ready += self.data.setup(machine, last, job)
        return max(ready, self.job_ready[job])

    def refresh(self, cand: _Candidate) -> None:
        """Places `cand` (virtually) on the machine where it finishes first."""
        best: tuple[int, int, int] | None = None
        for choice in self.data.ops[cand.op].choices:
            start = self.earliest(cand.job, choice.machine)
            key = (start + choice.duration, start, choice.machine)
            if best is None or key < best:
                best = key
        assert best is not None, "an operation without machine choices"
        cand.end, cand.start, cand.machine = best

    def commit(self, cand: _Candidate) -> None:
        self.placements[cand.op] = Placement(cand.machine, cand.start, cand.end)
        self.machine_ready[cand.machine] = cand.end
        self.machine_last[cand.machine] = cand.job
        self.job_ready[cand.job] = cand.end
        self.job_next[cand.job] += 1


Priority = Callable[[_State, _Candidate], float]


def _remaining_work(data: ScheduleData) -> list[list[int]]:
    """For each job and step k, the work (shortest choices) of operations k.. to the end."""
    table = []
    for ops in data.job_ops:
        shortest = [min(c.duration for c in data.ops[o].choices) for o in ops]
        suffix = [0] * (len(ops) + 1)
        for k in range(len(ops) - 1, -1, -1):
            suffix[k] = suffix[k + 1] + shortest[k]
        table.append(suffix)
    return table


def _priorities(data: ScheduleData) -> dict[str, Priority]:
    """Rule name -> key (lower runs first); ties go to the lower job position."""
    work = _remaining_work(data)
    jobs = data.problem.jobs
    due = [math.inf if job.due is None else float(job.due) for job in jobs]
    weight = [max(job.weight, 1e-9) for job in jobs]

    def remaining(s: _State, c: _Candidate) -> int:
        return work[c.job][s.job_next[c.job]]

    return {
        "mwkr": lambda s, c: -remaining(s, c),
        "mopnr": lambda s, c: -(len(data.job_ops[c.job]) - s.job_next[c.job]),
        "spt": lambda s, c: c.end - c.start,
        "lpt": lambda s, c: c.start - c.end,
        "ect": lambda s, c: c.end,
        "edd": lambda s, c: due[c.job],
        "mdd": lambda s, c: max(due[c.job], c.start + remaining(s, c)) / weight[c.job],
        "wspt": lambda s, c: -weight[c.job] / max(remaining(s, c), 1),
    }


def build(data: ScheduleData, rule: str, arrays: dispatch_kernel.DispatchArrays | None = None) -> tuple[Placement, ...]:
    """One Giffler-Thompson pass with the named priority rule (`arrays`: the compiled pass's input,
    built once by the caller running several rules)."""
    if len(data.ops) * data.n_jobs < COMPILED_FROM:
        return build_python(data, rule)
    return _placements(dispatch_kernel.dispatch(data, rule, arrays))


def build_each(data: ScheduleData, rules: Sequence[str]) -> list[tuple[Placement, ...]]:
    """Every rule's schedule, in the order of `rules`; the compiled pass's input is packed once for
    all of them (0.04 s a packing on 1000 x 20, where a rule's pass takes 0.19-0.26 s)."""
    arrays = dispatch_kernel.DispatchArrays.of(data) if len(data.ops) * data.n_jobs >= COMPILED_FROM else None
    return [build(data, rule, arrays) for rule in rules]


def build_python(data: ScheduleData, rule: str) -> tuple[Placement, ...]:
    """The pass in plain Python (no numba start-up: small instances, and the compiled pass's oracle)."""
    key = _priorities(data)[rule]
    state = _State(data)
    cands = [_Candidate(j, ops[0]) for j, ops in enumerate(data.job_ops) if ops]
    for cand in cands:
        state.refresh(cand)
    while cands:
        first = min(cands, key=lambda c: (c.end, c.start, c.job))
        m_star, c_star = first.machine, first.end
        conflict = [c for c in cands if _starts_before(state, c, m_star, c_star)] or [first]
        chosen = min(conflict, key=lambda c: (key(state, c), c.job))
        state.commit(chosen)
        _advance(state, cands, chosen)
    assert all(p is not None for p in state.placements)
    return tuple(p for p in state.placements if p is not None)


def _starts_before(state: _State, cand: _Candidate, machine: int, time: int) -> bool:
    on_machine = any(c.machine == machine for c in state.data.ops[cand.op].choices)
    return on_machine and state.earliest(cand.job, machine) < time


def _advance(state: _State, cands: list[_Candidate], chosen: _Candidate) -> None:
    """Moves the chosen job to its next operation; re-places candidates that used its machine."""
    machine = chosen.machine
    ops = state.data.job_ops[chosen.job]
    if state.job_next[chosen.job] < len(ops):
        chosen.op = ops[state.job_next[chosen.job]]
        state.refresh(chosen)
    else:
        cands.remove(chosen)
    for cand in cands:
        if cand is not chosen and any(c.machine == machine for c in state.data.ops[cand.op].choices):
            state.refresh(cand)


def objective(data: ScheduleData, placements: Sequence[Placement]) -> float:
    """Makespan, or total weighted tardiness (jobs without a due date are never late)."""
    return objective_of_ends(data, [p.end for p in placements])


def objective_of_ends(data: ScheduleData, ends: Sequence[int]) -> float:
    """`objective` from each operation's end alone."""
    if data.minimise_makespan:
        return float(max(ends, default=0))
    total = 0.0
    for job, ops in zip(data.problem.jobs, data.job_ops, strict=True):
        if job.due is not None and ops:
            total += job.weight * max(0, ends[ops[-1]] - job.due)
    return total


def best_schedule(data: ScheduleData, rules: Sequence[str] | None = None) -> HeuristicSchedule:
    """Runs each rule once and keeps the best schedule (ties: the earlier rule)."""
    if rules is None:
        rules = MAKESPAN_RULES if data.minimise_makespan else TARDINESS_RULES
    if len(data.ops) * data.n_jobs >= COMPILED_FROM:
        return _best_compiled(data, rules)
    return best_of(data, [build_python(data, rule) for rule in rules], rules)


def best_of(data: ScheduleData, schedules: Sequence[tuple[Placement, ...]], rules: Sequence[str]) -> HeuristicSchedule:
    """The best of schedules already built, one per rule (ties: the earlier rule), as `best_schedule`
    keeps it: for callers that need every rule's schedule as well as the best."""
    best: HeuristicSchedule | None = None
    for rule, placements in zip(rules, schedules, strict=True):
        value = objective(data, placements)
        if best is None or (value, max(p.end for p in placements)) < (best.objective, best.makespan):
            best = HeuristicSchedule(placements, value, rule)
    assert best is not None, "no rule given"
    return best


def _best_compiled(data: ScheduleData, rules: Sequence[str]) -> HeuristicSchedule:
    """`best_schedule` with compiled passes, compared on their arrays: only the best one's placements
    are built (one rule's 20,000 on 1000 x 20 took 0.08 s in a profile, where its pass took 0.26 s)."""
    arrays = dispatch_kernel.DispatchArrays.of(data)
    best: tuple[tuple[float, int], str, np.ndarray] | None = None
    for rule in rules:
        out = dispatch_kernel.dispatch(data, rule, arrays)
        ends = out[:, 2].tolist()
        key = (objective_of_ends(data, ends), max(ends, default=0))
        if best is None or key < best[0]:
            best = key, rule, out
    assert best is not None, "no rule given"
    (value, _), rule, out = best
    return HeuristicSchedule(_placements(out), value, rule)


def _placements(out: np.ndarray) -> tuple[Placement, ...]:
    return tuple(Placement(m, start, end) for m, start, end in out.tolist())


def to_solution(data: ScheduleData, placements: Sequence[Placement]) -> ScheduleSolution:
    """The wire format: job and machine ids, operation index within its job."""
    jobs = data.problem.jobs
    return ScheduleSolution(
        operations=[
            ScheduledOperation(job=jobs[op.job].id, index=op.index, machine=data.machine_ids[p.machine],
                               start=p.start, end=p.end)
            for op, p in zip(data.ops, placements, strict=True)
        ]
    )


def heuristic_solution(data: ScheduleData) -> tuple[ScheduleSolution, float]:
    """The best constructive schedule in wire format, with its objective."""
    best = best_schedule(data)
    return to_solution(data, best.placements), best.objective


def makespan_lower_bound(data: ScheduleData) -> int:
    """Job-length and machine-load bounds (shortest choices; setups ignored, so always valid)."""
    jobs = data.problem.jobs
    job_bound = max(
        jobs[j].release + sum(min(c.duration for c in data.ops[o].choices) for o in ops)
        for j, ops in enumerate(data.job_ops)
    )
    load = [0] * data.n_machines
    flexible = 0
    for op in data.ops:
        if len(op.choices) == 1:
            load[op.choices[0].machine] += op.choices[0].duration
        else:
            flexible += min(c.duration for c in op.choices)
    total = sum(load) + flexible
    spread = math.ceil(total / data.n_machines) if data.n_machines else 0
    return max(job_bound, max(load, default=0), spread)


def warm_start_placements(data: ScheduleData, warm: object) -> tuple[list[Placement | None], list[str]]:
    """The warm start as placements by operation position; unusable entries are skipped with a note."""
    placements: list[Placement | None] = [None] * len(data.ops)
    if not isinstance(warm, ScheduleSolution):
        return placements, ["warm start ignored: it is not a schedule"]
    job_pos = {str(job.id): j for j, job in enumerate(data.problem.jobs)}
    machine_pos = {str(m): k for k, m in enumerate(data.machine_ids)}
    skipped = 0
    for entry in warm.operations:
        j, m = job_pos.get(str(entry.job)), machine_pos.get(str(entry.machine))
        if j is None or m is None or entry.index >= len(data.job_ops[j]):
            skipped += 1
            continue
        k = data.job_ops[j][entry.index]
        duration = next((c.duration for c in data.ops[k].choices if c.machine == m), None)
        if duration is None:
            skipped += 1
            continue
        placements[k] = Placement(m, entry.start, entry.start + duration)
    notes = [f"warm start: {skipped} operation(s) did not match the problem and were ignored"] if skipped else []
    return placements, notes


def warm_up() -> None:
    """Loads the compiled pass (compiling it into numba's cache the first time): instances below
    COMPILED_FROM never do, so a process would otherwise pay for it in its first large solve."""
    from models import SchedulingProblem
    from solvers.families.scheduling.data import flatten

    data = flatten(SchedulingProblem.model_validate({"kind": "scheduling", "machines": ["A"], "jobs": [
        {"id": "J", "operations": [{"machine": "A", "duration": 1}]}]}))
    dispatch_kernel.dispatch(data, MAKESPAN_RULES[0])
