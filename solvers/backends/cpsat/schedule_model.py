"""The CP-SAT model of a scheduling problem (built by `scheduling.py`'s phases): optional intervals
for alternatives, circuits for setups, the load cut, hinting and read-back.

- One start/end pair per operation; one interval per machine choice (optional, with a presence
  literal, when there are alternatives; `AddExactlyOne` over the presences).
- Machines without setups: `AddNoOverlap`. With sequence-dependent setups: `AddCircuit` over a
  dummy node and the operations that may run there (arc i->j forces start_j >= end_i + setup;
  a self-loop skips an absent optional operation), plus the redundant `AddNoOverlap` and, for the
  makespan, the LOAD_CUT. Where a machine's end is exactly its durations plus its setups
  (`sequence_only`) the times and their enforced precedences are left out and read back from
  the sequences.
"""

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from ortools.sat.python import cp_model

from models.problem import Solution
from solvers.families.scheduling.data import ScheduleData
from solvers.families.scheduling.heuristic import Placement, objective, to_solution

MAX_WEIGHT_DECIMALS = 6
SEQUENCE_ONLY = True
"""Use the sequence-only model where it is exact (see `sequence_only`)."""
LOAD_CUT = "makespan >= durations + setups of the arcs used, per machine"
"""The redundant linear constraint every machine with setups gets (a machine runs its operations one
after another, setups between them, so it is busy at least that long before the makespan). The
precedences enforced by arc literals are invisible to the LP; this one makes the LP bound an
assignment relaxation. Raw circuit model, one worker, greedy hint (load 7): 20 x 2 proved in 3.6 s
instead of nothing in 10 s (bound 29 against 151); 50 x 5 hinted with a 115: bound 110 instead of 90."""


@dataclass
class _Choice:
    machine: int
    duration: int
    presence: cp_model.IntVar | None
    """None when the operation has this one choice only (always present)."""
    interval: cp_model.IntervalVar


@dataclass
class _OpVars:
    start: cp_model.IntVar
    end: cp_model.IntVar
    choices: list[_Choice]


@dataclass
class _Arc:
    tail: int
    head: int
    literal: cp_model.IntVar


def sequence_only(data: ScheduleData) -> bool:
    """Makespan, one operation per job, no releases, setups on every machine with two or more
    candidates: a machine ends after its durations plus its setups, so circuits with the LOAD_CUT
    are the exact model and times follow from the sequences. Without the 12,500 enforced
    precedences and the no-overlaps of 50 x 5: 20 x 3 proved in 1.8 s instead of 4-10 s (load 6)."""
    users = [0] * data.n_machines
    for op in data.ops:
        for c in op.choices:
            users[c.machine] += 1
    return (SEQUENCE_ONLY and data.minimise_makespan and all(len(ops) == 1 for ops in data.job_ops)
            and not any(job.release for job in data.problem.jobs)
            and all(s is not None or u == 0 for s, u in zip(data.setups, users, strict=True))
            and all(u != 1 for u in users))


def weight_scale(weights: Sequence[float]) -> tuple[list[int], float, bool]:
    """Integer weights, the factor applied, and whether the scaling is exact."""
    for decimals in range(MAX_WEIGHT_DECIMALS + 1):
        scale = 10.0**decimals
        scaled = [w * scale for w in weights]
        if all(abs(v - round(v)) <= 1e-9 * max(1.0, v) for v in scaled):
            return [round(v) for v in scaled], scale, True
    return [math.floor(w * scale) for w in weights], scale, False




class SchedulingModel:
    """The CP-SAT model of one scheduling problem, with hinting and read-back."""

    def __init__(self, data: ScheduleData, horizon: int, lower_bound: int) -> None:
        self.data = data
        self.horizon = horizon
        self.model = cp_model.CpModel()
        self.ops = [self._operation(k) for k in range(len(data.ops))]
        self.arcs: dict[int, list[_Arc]] = {}
        self.busy: list[cp_model.LinearExpr] = []
        """Per machine with setups: its durations plus the setups of the arcs used (see `_makespan`)."""
        self.sequence_only = sequence_only(data)
        self._precedences()
        self._machines()
        self.objective_scale = 1.0
        self.weights_exact = True
        self.makespan: cp_model.IntVar | None = None
        self.tardiness: list[tuple[int, cp_model.IntVar]] = []
        if data.minimise_makespan:
            self._makespan(lower_bound)
        else:
            self._tardiness()

    def _operation(self, k: int) -> _OpVars:
        op = self.data.ops[k]
        release = self.data.problem.jobs[op.job].release
        start = self.model.new_int_var(release, self.horizon, f"s{k}")
        end = self.model.new_int_var(release, self.horizon, f"e{k}")
        if len(op.choices) == 1:
            c = op.choices[0]
            interval = self.model.new_interval_var(start, c.duration, end, f"i{k}")
            return _OpVars(start, end, [_Choice(c.machine, c.duration, None, interval)])
        choices = []
        for c in op.choices:
            present = self.model.new_bool_var(f"p{k}_{c.machine}")
            interval = self.model.new_optional_interval_var(start, c.duration, end, present, f"i{k}_{c.machine}")
            choices.append(_Choice(c.machine, c.duration, present, interval))
        self.model.add_exactly_one(c.presence for c in choices if c.presence is not None)
        return _OpVars(start, end, choices)

    def _precedences(self) -> None:
        for ops in self.data.job_ops:
            for a, b in itertools.pairwise(ops):
                self.model.add(self.ops[b].start >= self.ops[a].end)

    def _machines(self) -> None:
        users: list[list[tuple[int, _Choice]]] = [[] for _ in range(self.data.n_machines)]
        for k, op in enumerate(self.ops):
            for choice in op.choices:
                users[choice.machine].append((k, choice))
        for m, on_machine in enumerate(users):
            if not on_machine:
                continue
            if not self.sequence_only:
                self.model.add_no_overlap(choice.interval for _, choice in on_machine)
            if self.data.setups[m] is not None and len(on_machine) > 1:
                self._circuit(m, on_machine)

    def _circuit(self, machine: int, on_machine: list[tuple[int, _Choice]]) -> None:
        """Sequence of the machine as a circuit through dummy node 0; arcs carry the setups."""
        model, data = self.model, self.data
        arcs: list[cp_model.ArcT] = []
        kept: list[_Arc] = []
        setups: list[cp_model.LinearExprT] = []
        for node, (k, choice) in enumerate(on_machine, start=1):
            first, last = model.new_bool_var(""), model.new_bool_var("")
            arcs += [(0, node, first), (node, 0, last)]
            kept += [_Arc(-1, k, first), _Arc(k, -1, last)]
            if choice.presence is not None:
                arcs.append((node, node, ~choice.presence))
        for a, (ka, _) in enumerate(on_machine, start=1):
            op_a = data.ops[ka]
            for b, (kb, _) in enumerate(on_machine, start=1):
                op_b = data.ops[kb]
                if a == b or (op_a.job == op_b.job and op_b.index < op_a.index):
                    continue  # a job's later operation never precedes its earlier one
                literal = model.new_bool_var("")
                setup = data.setup(machine, op_a.job, op_b.job)
                if not self.sequence_only:
                    model.add(self.ops[kb].start >= self.ops[ka].end + setup).only_enforce_if(literal)
                arcs.append((a, b, literal))
                kept.append(_Arc(ka, kb, literal))
                if setup:
                    setups.append(setup * literal)
        if all(choice.presence is not None for _, choice in on_machine):
            empty = model.new_bool_var("")
            arcs.append((0, 0, empty))
            kept.append(_Arc(-1, -1, empty))
            for _, choice in on_machine:
                assert choice.presence is not None
                model.add_implication(choice.presence, ~empty)
        model.add_circuit(arcs)
        self.arcs[machine] = kept
        work: list[cp_model.LinearExprT] = [c.duration if c.presence is None else c.duration * c.presence
                                            for _, c in on_machine]
        self.busy.append(cp_model.LinearExpr.sum(work + setups))

    def arc_count(self) -> int:
        return sum(len(arcs) for arcs in self.arcs.values())

    def _makespan(self, lower_bound: int) -> None:
        self.makespan = self.model.new_int_var(lower_bound, self.horizon, "makespan")
        for ops in self.data.job_ops:
            self.model.add(self.makespan >= self.ops[ops[-1]].end)
        for busy in self.busy:  # redundant, but what gives the LP its strength (see LOAD_CUT)
            self.model.add(self.makespan >= busy)
        self.model.minimize(self.makespan)

    def _tardiness(self) -> None:
        jobs = self.data.problem.jobs
        weights, self.objective_scale, self.weights_exact = weight_scale([job.weight for job in jobs])
        terms = []
        for j, (job, ops) in enumerate(zip(jobs, self.data.job_ops, strict=True)):
            if job.due is None or weights[j] == 0:
                continue
            late = self.model.new_int_var(0, max(0, self.horizon - job.due), f"t{j}")
            self.model.add(late >= self.ops[ops[-1]].end - job.due)
            self.tardiness.append((j, late))
            terms.append(weights[j] * late)
        self.model.minimize(sum(terms))

    def hint(self, placements: Sequence[Placement | None]) -> None:
        """A (possibly partial) start: times, machine choices, sequences, objective terms."""
        model = self.model
        for op, place in zip(self.ops, placements, strict=True):
            if place is None:
                continue
            model.add_hint(op.start, place.start)
            model.add_hint(op.end, place.end)
            for choice in op.choices:
                if choice.presence is not None:
                    model.add_hint(choice.presence, choice.machine == place.machine)
        if all(p is not None for p in placements):
            self._hint_complete([p for p in placements if p is not None])

    def _hint_complete(self, placements: list[Placement]) -> None:
        for machine, arcs in self.arcs.items():
            order = sorted((p.start, p.end, k) for k, p in enumerate(placements) if p.machine == machine)
            chain = [-1, *(k for _, _, k in order), -1]
            used = set(itertools.pairwise(chain))
            for arc in arcs:
                self.model.add_hint(arc.literal, (arc.tail, arc.head) in used)
        ends = [p.end for p in placements]
        if self.makespan is not None:
            self.model.add_hint(self.makespan, max(ends))
        jobs = self.data.problem.jobs
        for j, late in self.tardiness:
            due = jobs[j].due
            assert due is not None
            self.model.add_hint(late, max(0, ends[self.data.job_ops[j][-1]] - due))

    def placements(self, values: NDArray[np.int64]) -> list[Placement]:
        """Reads a schedule from solver values (indexed by variable index)."""
        if self.sequence_only:
            return self._from_sequences(values)
        out = []
        for op in self.ops:
            start = int(values[op.start.index])
            chosen = next(c for c in op.choices if c.presence is None or values[c.presence.index])
            out.append(Placement(chosen.machine, start, start + chosen.duration))
        return out

    def _from_sequences(self, values: NDArray[np.int64]) -> list[Placement]:
        """Each machine's chain of arcs from the dummy node, run back to back (see `sequence_only`)."""
        ops, out = self.data.ops, [Placement(-1, 0, 0)] * len(self.data.ops)
        for m, arcs in self.arcs.items():
            after = {a.tail: a.head for a in arcs if values[a.literal.index] and a.tail != a.head}
            t, last, k = 0, -1, after.get(-1, -1)
            while k != -1:
                start = t + (self.data.setup(m, ops[last].job, ops[k].job) if last >= 0 else 0)
                t, last = start + next(c.duration for c in ops[k].choices if c.machine == m), k
                out[k] = Placement(m, start, t)
                k = after.get(k, -1)
        return out

    def extract(self, values: NDArray[np.int64]) -> tuple[Solution, float]:
        placements = self.placements(values)
        return to_solution(self.data, placements), objective(self.data, placements)
