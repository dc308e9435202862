"""Scheduling in Pyomo: a disjunctive big-M MIP for small job shops, with alternatives and setups.

    s_o in [head_o, s_ub_o]                     start of operation o (continuous)
    a_ok binary, sum_k a_ok = 1                 o runs as its k-th choice (only when it has several)
    p_o = sum_k d_ok a_ok                       its duration
    s_next >= s_o + p_o                         job order
    y_ab binary for two operations of different jobs that may share machine m; on m:
      s_b >= s_a + d_am + S_m[a][b] - M (1 - y_ab) - M (2 - u_am - u_bm)
      s_a >= s_b + d_bm + S_m[b][a] - M y_ab       - M (2 - u_am - u_bm)
    C >= s_last + p_last, C >= machine load     (makespan), or
    T_j >= s_last + p_last - due_j, T_j >= 0    (total weighted tardiness)

u_om is a_ok for o's choice on m (the constant 1 when o's machine is fixed). Start windows come
from job lengths and the list-scheduling heuristic's makespan (makespan objective) or
`ScheduleData.horizon()` (tardiness); each M is the largest violation inside those windows.

Setups enter every ordered pair on a machine, which is exact when they satisfy the triangle
inequality; otherwise the model is a restriction (`exact` False: no optimality or bound claimed).
Decoding keeps the machine choices and the order of the starts and left-shifts the schedule.
"""

import itertools

import numpy as np
import pyomo.environ as pyo

from models import SchedulingProblem
from solvers.backends.pyomo.models import PyomoModel
from solvers.families.scheduling.data import ScheduleData, flatten
from solvers.families.scheduling.heuristic import best_schedule, objective, to_solution
from solvers.families.scheduling.mip import _triangle_holds, left_shift
from solvers.mip.formulation import Decoded


class _Schedule:
    """Windows, the model and decoding for one scheduling problem."""

    def __init__(self, problem: SchedulingProblem) -> None:
        self.data = data = flatten(problem)
        self.ops = range(len(data.ops))
        self.flex = [o for o in self.ops if len(data.ops[o].choices) > 1]
        self.min_dur = [min(c.duration for c in op.choices) for op in data.ops]
        self.head, self.tail = _windows(data, self.min_dur)
        start = best_schedule(data)
        self.heuristic = Decoded(to_solution(data, start.placements), start.objective)
        self.end_ub = float(start.makespan if data.minimise_makespan else max(data.horizon(), start.makespan))
        self.s_ub = [max(self.end_ub - self.tail[o] - self.min_dur[o], self.head[o]) for o in self.ops]
        self.m = pyo.ConcreteModel(name="scheduling")
        self._variables()
        self._job_order()
        self._disjunctions()
        self._objective()

    def _variables(self) -> None:
        m, data = self.m, self.data
        m.s = pyo.Var(self.ops, bounds=lambda _m, o: (self.head[o], self.s_ub[o]))
        choices = [(o, k) for o in self.flex for k in range(len(data.ops[o].choices))]
        m.a = pyo.Var(choices, domain=pyo.Binary)
        m.one_choice = pyo.Constraint(self.flex, rule=lambda m, o: pyo.quicksum(
            m.a[o, k] for k in range(len(data.ops[o].choices))) == 1)

    def duration(self, o: int) -> object:
        """p_o: an expression over the choice binaries, or a constant."""
        choices = self.data.ops[o].choices
        if o in self.flex:
            return pyo.quicksum(c.duration * self.m.a[o, k] for k, c in enumerate(choices))
        return choices[0].duration

    def on(self, o: int, machine: int) -> tuple[object | None, int]:
        """(u_om, or None when o's machine is fixed; o's duration on that machine)."""
        for k, c in enumerate(self.data.ops[o].choices):
            if c.machine == machine:
                return (self.m.a[o, k] if o in self.flex else None), c.duration
        raise ValueError(f"operation {o} cannot run on machine {machine}")

    def _job_order(self) -> None:
        pairs = [pair for ops in self.data.job_ops for pair in itertools.pairwise(ops)]
        self.m.job_order = pyo.Constraint(pairs, rule=lambda m, o, nxt: m.s[nxt] >= m.s[o] + self.duration(o))

    def _disjunctions(self) -> None:
        data, m = self.data, self.m
        m.disjunctive = pyo.ConstraintList()
        orders, pending = [], []
        for a, b in itertools.combinations(self.ops, 2):
            common = sorted({c.machine for c in data.ops[a].choices} & {c.machine for c in data.ops[b].choices})
            ja, jb = data.ops[a].job, data.ops[b].job
            if common and ja != jb:
                orders.append((a, b))
            for machine in common:
                (ua, da), (ub, db) = self.on(a, machine), self.on(b, machine)
                off = [1 - u for u in (ua, ub) if u is not None]  # type: ignore[operator]
                if ja == jb:  # same job: its order is fixed; only a same-job setup can bind
                    setup = data.setup(machine, ja, ja)
                    if setup > 0:
                        big = self._big_m(a, b, da + setup)
                        m.disjunctive.add(m.s[b] >= m.s[a] + da + setup - big * pyo.quicksum(off))
                    continue
                pending.append((a, b, da + data.setup(machine, ja, jb), db + data.setup(machine, jb, ja), off))
        m.y = pyo.Var(orders, domain=pyo.Binary)
        for a, b, gap_ab, gap_ba, off in pending:
            y = m.y[a, b]
            big_ab, big_ba = self._big_m(a, b, gap_ab), self._big_m(b, a, gap_ba)
            m.disjunctive.add(m.s[b] >= m.s[a] + gap_ab - big_ab * (1 - y) - big_ab * pyo.quicksum(off))
            m.disjunctive.add(m.s[a] >= m.s[b] + gap_ba - big_ba * y - big_ba * pyo.quicksum(off))

    def _big_m(self, first: int, second: int, gap: float) -> float:
        """Largest possible s_first + gap - s_second inside the start windows (at least 0)."""
        return max(0.0, self.s_ub[first] + gap - self.head[second])

    def _objective(self) -> None:
        data, m = self.data, self.m
        lasts = [ops[-1] for ops in data.job_ops]
        if data.minimise_makespan:
            m.makespan = pyo.Var(bounds=(0, self.end_ub))
            m.ends = pyo.Constraint(lasts, rule=lambda m, o: m.makespan >= m.s[o] + self.duration(o))
            m.loads = pyo.Constraint(range(data.n_machines), rule=self._load)
            m.goal = pyo.Objective(expr=m.makespan)
            return
        due = [j for j, job in enumerate(data.problem.jobs) if job.due is not None]
        m.tardiness = pyo.Var(due, bounds=(0, self.end_ub))
        m.late = pyo.Constraint(due, rule=lambda m, j: m.tardiness[j] >= m.s[lasts[j]] + self.duration(lasts[j])
                                - data.problem.jobs[j].due)
        m.goal = pyo.Objective(expr=pyo.quicksum(data.problem.jobs[j].weight * m.tardiness[j] for j in due))

    def _load(self, m: pyo.ConcreteModel, machine: int) -> object:
        """C >= the total processing on the machine (a cheap valid inequality)."""
        terms = []
        for o, op in enumerate(self.data.ops):
            for k, c in enumerate(op.choices):
                if c.machine == machine:
                    terms.append(c.duration * m.a[o, k] if o in self.flex else c.duration)
        return m.makespan >= pyo.quicksum(terms) if terms else pyo.Constraint.Skip

    def decode(self) -> Decoded:
        machines = []
        for o, op in enumerate(self.data.ops):
            if o in self.flex:
                values = [self.m.a[o, k].value or 0.0 for k in range(len(op.choices))]
                machines.append(op.choices[int(np.argmax(values))].machine)
            else:
                machines.append(op.choices[0].machine)
        priority = np.array([self.m.s[o].value or 0.0 for o in self.ops], dtype=np.float64)
        placements, _ = left_shift(self.data, machines, priority)
        return Decoded(to_solution(self.data, placements), objective(self.data, placements))


def _windows(data: ScheduleData, min_dur: list[int]) -> tuple[list[float], list[float]]:
    """Earliest start (release plus shortest predecessors) and shortest remaining work after o."""
    head, tail = [0.0] * len(data.ops), [0.0] * len(data.ops)
    for job, ops in zip(data.problem.jobs, data.job_ops, strict=True):
        before = float(job.release)
        after = float(sum(min_dur[o] for o in ops))
        for o in ops:
            after -= min_dur[o]
            head[o], tail[o] = before, after
            before += min_dur[o]
    return head, tail


def scheduling_model(problem: SchedulingProblem) -> PyomoModel:
    schedule = _Schedule(problem)
    data = schedule.data
    exact = data.problem.setup_times is None or _triangle_holds(data)
    warnings = () if exact else (
        "setup times break the triangle inequality; the model applies them between every ordered pair on a "
        "machine, so the schedule is feasible but not proven optimal",)
    return PyomoModel(schedule.m, False, schedule.decode, exact=exact, warnings=warnings, heuristic=schedule.heuristic)
