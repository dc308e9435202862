"""CP-SAT scheduling model: optional intervals for alternatives, circuits for setups.

- One start/end pair per operation; one interval per machine choice (optional, with a presence
  literal, when there are alternatives; `AddExactlyOne` over the presences).
- Machines without setups: `AddNoOverlap`. With sequence-dependent setups: `AddCircuit` over a
  dummy node and the operations that may run there (arc i->j forces start_j >= end_i + setup;
  a self-loop skips an absent optional operation), plus the redundant `AddNoOverlap`.
- Makespan: the horizon is the heuristic's makespan (an optimal schedule never ends later).
  Total weighted tardiness: weights are scaled to integers (exactly when they have at most six
  decimals, else rounded down, which keeps the bound valid); the objective is always recomputed
  with the true weights, and the horizon stays the safe `ScheduleData.horizon()` because the
  tardiness optimum may end later than any heuristic schedule.
"""

import itertools
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from ortools.sat.python import cp_model

from models import ScheduleSolution, SchedulingProblem
from models.problem import Solution
from solvers.base import Incumbent, RawResult, SolveContext
from solvers.cpsat_common import Best, Outcome, Reporter, finish, parameters, scaled_bound
from solvers.families.schedule_heuristic import (
    Placement,
    best_schedule,
    makespan_lower_bound,
    objective,
    to_solution,
)
from solvers.families.scheduling_data import ScheduleData, flatten

MAX_WEIGHT_DECIMALS = 6
INTERLEAVE_ONE_WORKER = True
"""With one thread, `interleave_search` runs CP-SAT's portfolio (LNS, bound workers) inside it:
on ft10 it proved 930 in 10-18 s where the plain single worker had not after 30 s (2 CPUs, loaded)."""
PROBING_ARC_LIMIT = 2000
"""Above this many setup arcs, presolve probing is switched off: on 50 jobs x 5 parallel machines
(12,500 arcs) probing alone took 5-6 s per presolve round (17 s in all) before any search."""


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
            self.model.add_no_overlap(choice.interval for _, choice in on_machine)
            if self.data.setups[m] is not None and len(on_machine) > 1:
                self._circuit(m, on_machine)

    def _circuit(self, machine: int, on_machine: list[tuple[int, _Choice]]) -> None:
        """Sequence of the machine as a circuit through dummy node 0; arcs carry the setups."""
        model, data = self.model, self.data
        arcs: list[cp_model.ArcT] = []
        kept: list[_Arc] = []
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
                model.add(self.ops[kb].start >= self.ops[ka].end + setup).only_enforce_if(literal)
                arcs.append((a, b, literal))
                kept.append(_Arc(ka, kb, literal))
        if all(choice.presence is not None for _, choice in on_machine):
            empty = model.new_bool_var("")
            arcs.append((0, 0, empty))
            kept.append(_Arc(-1, -1, empty))
            for _, choice in on_machine:
                assert choice.presence is not None
                model.add_implication(choice.presence, ~empty)
        model.add_circuit(arcs)
        self.arcs[machine] = kept

    def arc_count(self) -> int:
        return sum(len(arcs) for arcs in self.arcs.values())

    def _makespan(self, lower_bound: int) -> None:
        self.makespan = self.model.new_int_var(lower_bound, self.horizon, "makespan")
        for ops in self.data.job_ops:
            self.model.add(self.makespan >= self.ops[ops[-1]].end)
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
        out = []
        for op in self.ops:
            start = int(values[op.start.index])
            chosen = next(c for c in op.choices if c.presence is None or values[c.presence.index])
            out.append(Placement(chosen.machine, start, start + chosen.duration))
        return out

    def extract(self, values: NDArray[np.int64]) -> tuple[Solution, float]:
        placements = self.placements(values)
        return to_solution(self.data, placements), objective(self.data, placements)


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


def solve(problem: SchedulingProblem, context: SolveContext) -> RawResult:
    """Heuristic first (reported at once), then CP-SAT hinted with the warm start or the heuristic."""
    started = time.monotonic()
    data = flatten(problem)
    heuristic = best_schedule(data)
    floor = float(makespan_lower_bound(data)) if data.minimise_makespan else 0.0
    best = Best()
    best.offer(to_solution(data, heuristic.placements), heuristic.objective, f"heuristic ({heuristic.rule})")
    context.progress(Incumbent(objective=best.objective, bound=floor, solution=best.solution))
    warm: list[Placement | None] = []
    notes: list[str] = []
    if context.options.warm_start is not None:
        warm, notes = warm_start_placements(data, context.options.warm_start)
    model = SchedulingModel(data, _horizon(data, heuristic.makespan, warm), int(floor))
    model.hint(warm if any(p is not None for p in warm) else heuristic.placements)
    if not model.weights_exact:
        notes.append(f"tardiness weights scaled by {model.objective_scale:g} and rounded down for CP-SAT; "
                     "the objective uses the true weights")
    built = time.monotonic()
    solver = cp_model.CpSolver()
    parameters(solver, context)
    _tune(solver, context, model)
    reporter = Reporter(model.extract, best, context, model.objective_scale, floor)
    status = solver.solve(model.model, reporter)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        solution, value = model.extract(np.asarray(solver.response_proto.solution, dtype=np.int64))
        best.offer(solution, value, "cpsat")
    outcome = Outcome(status, best, scaled_bound(solver.best_objective_bound, model.objective_scale, floor),
                      built - started, time.monotonic() - built, solver.response_stats(), notes)
    if status == cp_model.MODEL_INVALID:
        outcome.log = model.model.validate()
    return finish(outcome, context.options, f"{solver.status_name(status)}; best from {best.origin}")


def _tune(solver: cp_model.CpSolver, context: SolveContext, model: SchedulingModel) -> None:
    """Scheduling-specific parameters, each measured (see the constants)."""
    if context.options.threads == 1 and INTERLEAVE_ONE_WORKER:
        solver.parameters.interleave_search = True
    if model.arc_count() > PROBING_ARC_LIMIT:
        solver.parameters.cp_model_probing_level = 0


def _horizon(data: ScheduleData, heuristic_makespan: int, warm: Sequence[Placement | None]) -> int:
    """Latest end any schedule worth finding needs (see the module docstring)."""
    warm_end = max((p.end for p in warm if p is not None), default=0)
    if data.minimise_makespan:
        return max(heuristic_makespan, warm_end)
    return max(data.horizon(), heuristic_makespan, warm_end)
