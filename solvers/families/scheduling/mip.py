"""Scheduling as a disjunctive MIP with per-pair big-M (small instances; CP-SAT does the heavy ones).

Columns (all integer), in order: start s_o of every operation; a_ok (operation o runs as choice k) for
operations with alternatives; one order binary y_ab per pair of operations of different jobs
that may share a machine (1: a before b); then the makespan C, or a tardiness T_j per job with
a due date.

    s_o' >= s_o + p_o                                   job order (p_o = sum_k d_ok a_ok)
    s_b >= s_a + d_am + S_m[a][b] - M_ab (3 - y_ab - u_am - u_bm)   and the mirror with 1 - y_ab
    C >= s_last + p_last,   C >= load of each machine;    or  T_j >= s_last + p_last - due_j

u_om is a_ok for the choice of o on machine m (the constant 1 for a fixed machine). Every M is
computed per pair from the start windows [head_o, end_ub - tail_o - min p_o], where end_ub is the
list-scheduling makespan (makespan objective) or `ScheduleData.horizon()` (tardiness).

Setups enter every ordered pair on a machine, which is exact when they satisfy the triangle
inequality S[a][c] <= S[a][b] + p_b + S[b][c]. When they do not, the MIP is a restriction: it
still yields valid schedules, but `exact` is False and no optimality or bound is claimed.

Decoding keeps the MIP's machine choices and sequences and left-shifts every operation (a
semi-active schedule: integral, never later than the MIP's times), so the result is valid even
when the solver's continuous starts are slightly off.
"""

import heapq
import itertools

import numpy as np
from numpy.typing import NDArray

from models import ScheduleSolution, SchedulingProblem
from models.problem import Solution
from solvers.families.scheduling.data import ScheduleData, flatten
from solvers.families.scheduling.heuristic import Placement, best_schedule, objective, to_solution
from solvers.mip.array_mip import INF, FloatArray, RowCollector, make_mip
from solvers.mip.formulation import Decoded, Formulation


class SchedulingFormulation(Formulation):
    """See the module docstring."""

    def __init__(self, problem: SchedulingProblem) -> None:
        self.data = data = flatten(problem)
        self.min_dur = np.array([min(c.duration for c in op.choices) for op in data.ops], dtype=np.float64)
        self.head, self.tail = _windows(data, self.min_dur)
        self.heuristic_placements = best_schedule(data).placements
        makespan = max((p.end for p in self.heuristic_placements), default=0)
        self.end_ub = float(makespan if data.minimise_makespan else max(data.horizon(), makespan))
        self.s_ub = np.maximum(self.end_ub - self.tail - self.min_dur, self.head)
        self._columns()
        rows = RowCollector(self.n_cols)
        self._assignment_rows(rows)
        self._precedence_rows(rows)
        self._disjunctive_rows(rows)
        self._objective_rows(rows)
        self.mip = make_mip(self._cost(), rows, self._lower(), self._upper(), self._integral())
        self.exact = data.problem.setup_times is None or _triangle_holds(data)
        if not self.exact:
            self.warnings = ("setup times break the triangle inequality; the MIP applies them between every "
                             "ordered pair on a machine, so the schedule is feasible but not proven optimal",)

    # --- columns ----------------------------------------------------------------------------

    def _columns(self) -> None:
        data, col = self.data, len(self.data.ops)
        self.assign: dict[int, list[int]] = {}
        for o, op in enumerate(data.ops):
            if len(op.choices) > 1:
                self.assign[o] = list(range(col, col + len(op.choices)))
                col += len(op.choices)
        self.order: dict[tuple[int, int], int] = {}
        self.common: dict[tuple[int, int], list[int]] = {}
        for a, b in itertools.combinations(range(len(data.ops)), 2):
            machines = sorted({c.machine for c in data.ops[a].choices} & {c.machine for c in data.ops[b].choices})
            if machines:
                self.common[(a, b)] = machines
                if data.ops[a].job != data.ops[b].job:
                    self.order[(a, b)] = col
                    col += 1
        self.first_objective_col = col
        if data.minimise_makespan:
            self.due_jobs: list[int] = []
            col += 1
        else:
            self.due_jobs = [j for j, job in enumerate(data.problem.jobs) if job.due is not None]
            col += len(self.due_jobs)
        self.n_cols = col

    def on(self, o: int, machine: int) -> tuple[int | None, int]:
        """(column of u_om or None when o's machine is fixed, duration of o on that machine)."""
        for k, choice in enumerate(self.data.ops[o].choices):
            if choice.machine == machine:
                return (self.assign[o][k] if o in self.assign else None), choice.duration
        raise ValueError(f"operation {o} cannot run on machine {machine}")

    def _duration_terms(self, o: int) -> tuple[list[int], list[float], float]:
        """p_o as (columns, coefficients, constant)."""
        choices = self.data.ops[o].choices
        if o in self.assign:
            return self.assign[o], [float(c.duration) for c in choices], 0.0
        return [], [], float(choices[0].duration)

    # --- rows ---------------------------------------------------------------------------------

    def _assignment_rows(self, rows: RowCollector) -> None:
        for cols in self.assign.values():
            rows.add(cols, 1.0, 1.0, 1.0)

    def _precedence_rows(self, rows: RowCollector) -> None:
        for ops in self.data.job_ops:
            for o, nxt in itertools.pairwise(ops):
                cols, coefs, const = self._duration_terms(o)
                rows.add([o, nxt, *cols], [1.0, -1.0, *coefs], -INF, -const)

    def _disjunctive_rows(self, rows: RowCollector) -> None:
        data = self.data
        for (a, b), machines in self.common.items():
            ja, jb = data.ops[a].job, data.ops[b].job
            for m in machines:
                (ua, da), (ub, db) = self.on(a, m), self.on(b, m)
                flex: list[int] = [u for u in (ua, ub) if u is not None]
                if ja == jb:  # same job: order fixed by the job, only a same-job setup can bind
                    setup = data.setup(m, ja, ja)
                    if setup > 0:
                        big = self._big_m(a, b, da + setup)
                        rows.add([a, b, *flex], [1.0, -1.0, *[big] * len(flex)], -INF, big * len(flex) - da - setup)
                    continue
                y = self.order[(a, b)]
                self._pair(rows, a, b, y, flex, da + data.setup(m, ja, jb), +1.0)
                self._pair(rows, b, a, y, flex, db + data.setup(m, jb, ja), -1.0)

    def _pair(self, rows: RowCollector, first: int, second: int, y: int, flex: list[int], gap: float,
              sign: float) -> None:
        """s_second >= s_first + gap when y says first-before-second (sign +1: y = 1; -1: y = 0)."""
        big = self._big_m(first, second, gap)
        active = 1.0 if sign > 0 else 0.0  # the y value that activates this row
        rhs = big * (len(flex) + active) - gap
        rows.add([first, second, y, *flex], [1.0, -1.0, sign * big, *[big] * len(flex)], -INF, rhs)

    def _big_m(self, first: int, second: int, gap: float) -> float:
        """Largest possible s_first + gap - s_second inside the start windows (at least 0)."""
        return max(0.0, float(self.s_ub[first] + gap - self.head[second]))

    def _objective_rows(self, rows: RowCollector) -> None:
        data, first = self.data, self.first_objective_col
        lasts = [ops[-1] for ops in data.job_ops]
        if data.minimise_makespan:
            for o in lasts:
                cols, coefs, const = self._duration_terms(o)
                rows.add([o, *cols, first], [1.0, *coefs, -1.0], -INF, -const)
            self._load_rows(rows)
            return
        for t, j in enumerate(self.due_jobs):
            o = lasts[j]
            cols, coefs, const = self._duration_terms(o)
            due = data.problem.jobs[j].due
            assert due is not None
            rows.add([o, *cols, first + t], [1.0, *coefs, -1.0], -INF, due - const)

    def _load_rows(self, rows: RowCollector) -> None:
        """C >= total processing on each machine (a cheap, LP-tightening valid inequality)."""
        fixed = np.zeros(self.data.n_machines)
        flex: dict[int, tuple[list[int], list[float]]] = {m: ([], []) for m in range(self.data.n_machines)}
        for o, op in enumerate(self.data.ops):
            if o not in self.assign:
                fixed[op.choices[0].machine] += op.choices[0].duration
                continue
            for col, choice in zip(self.assign[o], op.choices, strict=True):
                flex[choice.machine][0].append(col)
                flex[choice.machine][1].append(float(choice.duration))
        for m, (cols, coefs) in flex.items():
            rows.add([*cols, self.first_objective_col], [*coefs, -1.0], -INF, -fixed[m])

    # --- column data --------------------------------------------------------------------------

    def _cost(self) -> FloatArray:
        c = np.zeros(self.n_cols)
        if self.data.minimise_makespan:
            c[self.first_objective_col] = 1.0
        else:
            jobs = self.data.problem.jobs
            c[self.first_objective_col:] = [jobs[j].weight for j in self.due_jobs]
        return c

    def _lower(self) -> FloatArray:
        lower = np.zeros(self.n_cols)
        lower[: len(self.data.ops)] = self.head
        return lower

    def _upper(self) -> FloatArray:
        upper = np.ones(self.n_cols)
        upper[: len(self.data.ops)] = self.s_ub
        upper[self.first_objective_col:] = self.end_ub
        return upper

    def _integral(self) -> NDArray[np.bool_]:
        """Every column: times are integers in the data, so some optimal schedule has integer starts.

        Measured: integer starts make HiGHS faster (la01 6.8 s -> 1.9 s, ft06 0.8 s -> 0.4 s) and
        avoid a wrong "optimal 57" from CBC 2.10.3 on ft06 (seed 1; 55 is optimal) with continuous ones.
        """
        return np.ones(self.n_cols, dtype=bool)

    # --- decoding and encoding ----------------------------------------------------------------

    def decode(self, x: FloatArray) -> Decoded:
        machines = [self._chosen_machine(o, x) for o in range(len(self.data.ops))]
        return self._decoded(machines, x[: len(self.data.ops)])

    def _chosen_machine(self, o: int, x: FloatArray) -> int:
        choices = self.data.ops[o].choices
        if o not in self.assign:
            return choices[0].machine
        return choices[int(np.argmax(x[self.assign[o]]))].machine

    def _decoded(self, machines: list[int], priority: FloatArray) -> Decoded:
        placements, _ = left_shift(self.data, machines, priority)
        return Decoded(to_solution(self.data, placements), objective(self.data, placements))

    def encode(self, solution: Solution) -> FloatArray | None:
        if not isinstance(solution, ScheduleSolution):
            return None
        read = _read_solution(self.data, solution)
        if read is None:
            return None
        placements, rank = left_shift(self.data, *read)
        x = self._vector(placements, rank)
        return x if self.mip.violation(x) <= 1e-6 else None

    def _vector(self, placements: tuple[Placement, ...], rank: list[int]) -> FloatArray:
        x = np.zeros(self.n_cols)
        x[: len(placements)] = [p.start for p in placements]
        for o, cols in self.assign.items():
            for col, choice in zip(cols, self.data.ops[o].choices, strict=True):
                x[col] = float(choice.machine == placements[o].machine)
        for (a, b), col in self.order.items():
            x[col] = float(rank[a] < rank[b])
        ends = [placements[ops[-1]].end for ops in self.data.job_ops]
        if self.data.minimise_makespan:
            x[self.first_objective_col] = max(ends)
        else:
            for t, j in enumerate(self.due_jobs):
                due = self.data.problem.jobs[j].due
                assert due is not None
                x[self.first_objective_col + t] = max(0, ends[j] - due)
        return x

    def heuristic(self) -> Decoded:
        machines = [p.machine for p in self.heuristic_placements]
        return self._decoded(machines, np.array([p.start for p in self.heuristic_placements], dtype=np.float64))


def _windows(data: ScheduleData, min_dur: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Earliest start (release plus shortest predecessors) and shortest remaining work after o."""
    head, tail = np.zeros(len(data.ops)), np.zeros(len(data.ops))
    for job, ops in zip(data.problem.jobs, data.job_ops, strict=True):
        durations = min_dur[list(ops)]
        head[list(ops)] = job.release + np.concatenate([[0.0], np.cumsum(durations)[:-1]])
        tail[list(ops)] = durations.sum() - np.cumsum(durations)
    return head, tail


Sequenced = tuple[tuple[Placement, ...], list[int]]
"""Placements in `data.ops` order, and each operation's rank in the sequence."""


def left_shift(data: ScheduleData, machines: list[int], priority: FloatArray) -> Sequenced:
    """Semi-active schedule for the given machines, sequencing by `priority` (ties: job, index)."""
    duration = [next(c.duration for c in op.choices if c.machine == m)
                for op, m in zip(data.ops, machines, strict=True)]
    job_ready = [job.release for job in data.problem.jobs]
    machine_ready = [0] * data.n_machines
    machine_last = [-1] * data.n_machines
    placements: list[Placement | None] = [None] * len(data.ops)
    rank = [0] * len(data.ops)
    ready = [(float(priority[ops[0]]), j, 0) for j, ops in enumerate(data.job_ops) if ops]
    heapq.heapify(ready)
    count = 0
    while ready:
        _, j, k = heapq.heappop(ready)
        o, m = data.job_ops[j][k], machines[data.job_ops[j][k]]
        last = machine_last[m]
        start = max(job_ready[j], machine_ready[m] + (data.setup(m, last, j) if last >= 0 else 0))
        placements[o] = Placement(m, start, start + duration[o])
        job_ready[j] = machine_ready[m] = start + duration[o]
        machine_last[m] = j
        rank[o] = count
        count += 1
        if k + 1 < len(data.job_ops[j]):
            heapq.heappush(ready, (float(priority[data.job_ops[j][k + 1]]), j, k + 1))
    return tuple(p for p in placements if p is not None), rank


def _read_solution(data: ScheduleData, solution: ScheduleSolution) -> tuple[list[int], FloatArray] | None:
    """Machine positions and start times per operation, or None when the solution does not fit."""
    job_pos = {str(job.id): j for j, job in enumerate(data.problem.jobs)}
    machine_pos = {str(m): k for k, m in enumerate(data.machine_ids)}
    machines, starts = [-1] * len(data.ops), np.zeros(len(data.ops))
    for op in solution.operations:
        j, m = job_pos.get(str(op.job)), machine_pos.get(str(op.machine))
        if j is None or m is None or not 0 <= op.index < len(data.job_ops[j]):
            return None
        o = data.job_ops[j][op.index]
        if all(c.machine != m for c in data.ops[o].choices):
            return None
        machines[o], starts[o] = m, op.start
    return (machines, starts) if min(machines, default=0) >= 0 else None


def _triangle_holds(data: ScheduleData) -> bool:
    """S[a][c] <= S[a][b] + p_b + S[b][c] on every machine, p_b the shortest run of job b there."""
    for m in range(data.n_machines):
        if data.setups[m] is None:
            continue
        setup = np.array(data.setups[m], dtype=np.float64)
        shortest = np.full(data.n_jobs, np.inf)
        for op in data.ops:
            for c in op.choices:
                if c.machine == m:
                    shortest[op.job] = min(shortest[op.job], c.duration)
        jobs = np.flatnonzero(np.isfinite(shortest))
        sub = setup[np.ix_(jobs, jobs)]
        for pos, b in enumerate(jobs):
            via = sub[:, pos][:, None] + shortest[b] + sub[pos, :][None, :]
            if (sub > via + 1e-9).any():
                return False
    return True
