"""CP-SAT scheduling: the phases around the model of `schedule_model.py` (intervals, circuits for
setups, the LOAD_CUT, the sequence-only variant).

- Makespan: the horizon is the best makespan known (heuristic, local search or an earlier CP-SAT
  run): an optimal schedule never ends later, so CP-SAT's bound stays valid for the problem.
  Total weighted tardiness: weights are scaled to integers (exactly when they have at most six
  decimals, else rounded down, which keeps the bound valid); the objective is always recomputed
  with the true weights, and the horizon stays the safe `ScheduleData.horizon()` because the
  tardiness optimum may end later than any heuristic schedule.

`solve` runs in phases (see `_phases`): constructive heuristic, for flow shops a permutation
iterated greedy (`families.scheduling.flowshop`), a CP-SAT probe, local search from
`families.schedule_search` (tabu search for job shops, iterated greedy for parallel machines),
then CP-SAT hinted with the best schedule; job shops repeat tabu search and CP-SAT while time is
left. Job shops below LARGE_JOBSHOP_OPS skip the probe: tabu search, then CP-SAT shaving from its
schedule (`_search_then_shave`). With `threads` >= 2, each tabu phase runs min(threads, 4)
independent searches in threads (`families.scheduling.parallel_tabu`; the native status says how
many), and CP-SAT runs `threads` workers; with one thread, large job shops run two searches
taking turns (`parallel_tabu.searches`).
Parallel machines with setups (makespan) run `_setup_phases`: iterated greedy, the exact
cover of `families.scheduling.partition` where few jobs share a machine, CP-SAT. Every phase's
incumbents are reported; the status is optimal only when the best schedule meets a proven bound.
"""

import time
from collections.abc import Sequence
from functools import partial

import numpy as np
from ortools.sat.python import cp_model

from models import SchedulingProblem
from solvers.backends.cpsat.common import SOLVE_MARGIN, Outcome, Reporter, Tracker, finish, parameters, scaled_bound
from solvers.backends.cpsat.schedule_model import SchedulingModel
from solvers.contract import RawResult, SolveContext
from solvers.evaluators import evaluate
from solvers.families.scheduling import flowshop, parallel_search, parallel_tabu, partition
from solvers.families.scheduling import search as schedule_search
from solvers.families.scheduling.certified import scheduling_lower_bound
from solvers.families.scheduling.data import ScheduleData, flatten
from solvers.families.scheduling.heuristic import (
    Placement,
    best_schedule,
    objective,
    to_solution,
    warm_start_placements,
)

INTERLEAVE_ONE_WORKER = True
"""With one thread, `interleave_search` runs CP-SAT's portfolio (LNS, bound workers) inside it; used
after local search, where LNS from the hinted schedule is what improves it (the probe runs without)."""
INTERLEAVE_BATCH = 1
"""Interleaved tasks per batch. The default (0) ran 1.0-dtime tasks in batches and stopped up to
2.5 s before the time limit (orb01: 5.7 s of 8); with 1 the run uses its time (ta01 then proved)."""
STRONG_DISJUNCTIVE = True
"""`use_strong_propagation_in_disjunctive`: ft10 from the heuristic's horizon proved in 1.1-2.6 s
instead of 11-17 s, la01-la20 each in under 0.7 s (one worker, loaded machine; bench/scheduling.py)."""
SHAVE_ONE_WORKER = True
"""One worker without interleaving (the job-shop probe) shaves the objective: ft10 proved in 1.3-1.6 s
over 5 seeds (2.2-4.7 s without; with interleave_search as well, not within 10 s); la01-la20 < 1.3 s."""
JOBSHOP_PROBE = 0.35
"""Share of the time for the CP-SAT probe; easy instances are proved within it. It runs first only on
flow shops (after their iterated greedy) and on job shops with a partial warm start (the probe is what
takes it as a hint); other job shops below LARGE_JOBSHOP_OPS search first (`_search_then_shave`), and
large ones skip it."""
PROBE_FULL_OPS = 100
"""Job shops above this many operations get a proportionally shorter probe: CP-SAT alone proves
instances up to 10 x 10 quickly, while on 20 x 10 and larger tabu search finds far better schedules."""
SEARCH_SHARE = 0.6
"""Share of the time left after the probe given to tabu search; CP-SAT gets the rest."""
LARGE_JOBSHOP_OPS = 300
"""Job shops from this many operations (Taillard 20 x 15 and larger) skip the CP-SAT probe and give
tabu search LARGE_SEARCH_SHARE of the time without patience: at 20 s tabu search alone reached
ta41 2122 (5.8% off, 40,000 moves) where probe + tabu with patience + CP-SAT reached 2169 (8.2%);
ta21 1680 against 1678. CP-SAT's LNS found nothing from 2191 on ta41 in 22 s."""
LARGE_SEARCH_SHARE = 0.9
MIN_ROUND = 1.0
"""Job shops: when tabu search gave up and CP-SAT (interleaved) returned early, another round of both
starts if at least this many seconds are left (ta25 at 30 s: CP-SAT asked for 19.7 s took 13.8 s)."""
TABU_PATIENCE = 100
"""Restart periods without a better schedule after which tabu search hands the time back to CP-SAT (a
period is STALL_BASE + STALL_PER_OP per operation iterations: 100 periods are 200,000 iterations on
ft10 and 225,000 on la21, 0.36 and 0.51 s at the 550,000 and 440,000 per second measured there). 16 job
shops below LARGE_JOBSHOP_OPS (ft10, la16, la19, la21, la24, la25, la27, la29, la36, la38, la40,
orb01, orb03, abz5, abz7, swv01), seeds 0 and 1, one thread, `bench.scheduling`, two screenings side
by side (load about 2); mean gap to the optimum and runs proved optimal of 32, at 1 / 2 / 5 / 10 s:
with 10 (set when the compiled kernel was new; 10 periods are 0.04-0.05 s) 1.31% (0), 1.15% (3),
0.67% (10), 0.45% (14); with 30 0.82% (2), 0.55% (11), 0.46% (15) at 2-10 s; with 100 1.07% (0),
0.71% (2), 0.37% (11), 0.28% (15); with 1000 (in effect, never) 0.75% (2), 0.28% (8), 0.23% (10) at
2-10 s: the best values, but ft10 and la36 unproved at 5 s and la24 and orb03 at 10 s (CP-SAT left
too little time). The worst run at 5 and 10 s: 3.62% and 4.83% with 10, 2.35% with 100
(bench/RESULTS.md)."""
PARALLEL_PROBE = 0.05
"""Share of the time for the CP-SAT probe on parallel machines (proves the small ones); none above
PROBING_ARC_LIMIT setup arcs (50 x 5: building the model alone took 0.3 s, the probe found nothing)."""
PARALLEL_SEARCH_SHARE = 0.85
"""Share of the time left after the probe for iterated greedy; CP-SAT gets the rest (bound, polishing)."""
FLOWSHOP_SHARE = 0.6
"""Flow shops: share of the time for the permutation iterated greedy before the job-shop phases
(`families.scheduling.flowshop`; at 1 s alone it met the best known on 26 of the 30 Taillard
instances ta001-ta030, where the job-shop phases ended 0.3-0.9% above on ta001 at 1-5 s)."""
PRESOLVE_LARGE_CIRCUITS = False
"""Presolve above PROBING_ARC_LIMIT arcs: even without probing it took 1.85 s on 50 x 5 (12,500
enforced precedences, load 7) and changed nothing; without it the bound reached 110 by 1.3-3 s."""
SETUP_WARMUP = 0.1
"""Parallel machines with setups: share of the time for iterated greedy before CP-SAT (20 x 2: the
optimum 151 within 0.5 s; CP-SAT then proves it in 0.4 s instead of 3.6 s from the greedy 172)."""
SETUP_WARMUP_STALL = 20_000
"""... or until this many iterated-greedy steps bring nothing better. Set when the search ran in plain
Python (1,600-3,500 steps/s on 8-20 jobs) at 1,000: 20 x 3 reached its optimum 86 after 0.09-0.76 s
over three seeds, and CP-SAT then proved it faster. Compiled (`parallel_kernel`, 89,000-450,000 steps
per CPU second) 1,000 steps took milliseconds, and on 50 x 5 the search reached 115 only after
CP-SAT's bound phase (after 4.06 s of 10, bench/scheduling.py, load 1.3); with 20,000 (400 per job)
after 1.18 s, the 8- and 20-job instances still proven, in 1.2-1.9 s (1.1-2.6 s in a later run)."""
SETUP_WARMUP_STALL_PER_JOB = 400
"""... at most this many per job (8 jobs: 3,200 steps, about 0.01 s; the exact cover proves them at once)."""
PARTITION_SHARE = 0.5
"""Share of the time left for the exact cover (`families.scheduling.partition`) where it applies; it
gives up at once when a machine has too many possible sequences (20 x 2, 20 x 3: CP-SAT proves them)."""
SETUP_BOUND_SHARE = 0.3
"""Above PROBING_ARC_LIMIT arcs, the share of the time left for CP-SAT's bound before iterated greedy
takes the rest (50 x 5: presolve off, root LP at 110 after 1.3-3 s at load 7, no better by 8 s)."""
PROBING_OP_LIMIT = 200
"""Above this many operations, presolve probing is switched off too: it took 0.65 s (ta01, 225 ops),
1-2.6 s (abz7, 300) and 2.1 s (ta21, 400) per run, once leaving CP-SAT no time to search at all;
on ft10 (100) it is what makes the proof fast (1.3-1.5 s with, 4.3-7.5 s without)."""
PROBING_ARC_LIMIT = 2000
"""Above this many setup arcs, presolve probing is switched off: on 50 jobs x 5 parallel machines
(12,500 arcs) probing alone took 5-6 s per presolve round (17 s in all) before any search."""


class _Run(Tracker[tuple[Placement, ...]]):
    """The tracker, and how many tabu searches ran (for the native status)."""

    tabu_searches = 1


def solve(problem: SchedulingProblem, context: SolveContext) -> RawResult:
    """Heuristic first, then local search and CP-SAT in phases (see `_phases`)."""
    started = time.monotonic()
    data = flatten(problem)
    heuristic = best_schedule(data)
    floor = scheduling_lower_bound(data).value if data.minimise_makespan else 0.0
    run = _Run(context, partial(to_solution, data), heuristic.placements, heuristic.objective,
               f"heuristic ({heuristic.rule})", floor)
    hint = _warm_start(run, data, problem)
    built = time.monotonic()
    status = _phases(run, data, hint)
    outcome = Outcome(status, run.best, run.bound, built - started, time.monotonic() - built, run.log, run.notes)
    together = "in parallel" if context.options.threads > 1 else "taking turns on one thread"
    parallel = f"; {run.tabu_searches} tabu searches {together}" if run.tabu_searches > 1 else ""
    return finish(outcome, context.options, f"{run.native}; best from {run.best.origin}{parallel}")


def _warm_start(run: _Run, data: ScheduleData, problem: SchedulingProblem) -> list[Placement | None]:
    """A feasible complete warm start competes as a schedule; anything else is only a CP-SAT hint."""
    if run.context.options.warm_start is None:
        return []
    warm, run.notes = warm_start_placements(data, run.context.options.warm_start)
    complete = [p for p in warm if p is not None]
    if len(complete) == len(warm) and evaluate(problem, to_solution(data, complete)).feasible:
        run.offer(tuple(complete), objective(data, complete), "warm start")
        return []
    return warm if complete else []


def _phases(run: _Run, data: ScheduleData, hint: list[Placement | None]) -> cp_model.CpSolverStatus:
    """CP-SAT alone when no local search applies; job shops below LARGE_JOBSHOP_OPS without a
    partial warm start: `_search_then_shave`; else a CP-SAT probe, local search, CP-SAT.

    The probe (no interleaving, objective shaving; where it runs, see JOBSHOP_PROBE) proves the easy
    instances on its own: la01-la20 and ft10 within 0.05-2.6 s when it ran first on every job shop,
    tiny parallel-machine instances at once. Otherwise the local search
    takes over from the best schedule (tabu search on job shops, giving up after TABU_PATIENCE
    restart periods without progress; iterated greedy on parallel machines, whose circuit model
    CP-SAT is slow to start on), and CP-SAT gets the rest, hinted with the best schedule and its
    makespan as horizon, for the bound and for LNS.
    """
    context = run.context
    name, flow_shop = schedule_search.method(data), flowshop.applicable(data)
    if flow_shop:
        _flowshop_search(run, data, FLOWSHOP_SHARE * context.remaining())
        if run.closed():
            return cp_model.OPTIMAL
    if name is None:
        return _cpsat(run, data, hint, context.remaining())
    if name == "iterated greedy" and data.minimise_makespan and data.has_setups:
        return _setup_phases(run, data, hint)
    tabu = name == "tabu search"
    large = tabu and len(data.ops) >= LARGE_JOBSHOP_OPS
    if tabu and not large and not hint and not flow_shop:
        return _search_then_shave(run, data)
    if large:
        probe = 0.0
    elif tabu:
        probe = JOBSHOP_PROBE * min(1.0, PROBE_FULL_OPS / len(data.ops))
    else:
        probe = PARALLEL_PROBE if _setup_arcs(data) <= PROBING_ARC_LIMIT else 0.0
    if probe:
        status = _cpsat(run, data, hint, probe * context.remaining(), mode="shave")
        if status in (cp_model.OPTIMAL, cp_model.INFEASIBLE) or run.closed():
            return status
    share = LARGE_SEARCH_SHARE if large else SEARCH_SHARE if tabu else PARALLEL_SEARCH_SHARE
    _local_search(run, data, share * context.remaining(), TABU_PATIENCE if tabu and not large else None)
    status = _cpsat(run, data, [], context.remaining())
    rounds = 1
    while tabu and status not in (cp_model.OPTIMAL, cp_model.INFEASIBLE) and not run.closed() \
            and context.remaining() > MIN_ROUND:
        _local_search(run, data, SEARCH_SHARE * context.remaining(), TABU_PATIENCE, seed_offset=rounds)
        status, rounds = _cpsat(run, data, [], context.remaining()), rounds + 1
    return status


def _search_then_shave(run: _Run, data: ScheduleData) -> cp_model.CpSolverStatus:
    """Job shops below LARGE_JOBSHOP_OPS (no partial warm start to probe with): tabu search first
    (SEARCH_SHARE of the time, TABU_PATIENCE), then CP-SAT shaving the objective for the rest, from
    tabu search's schedule (hint and horizon).

    Why not the probe first (CP-SAT shaving from the constructive schedule, then tabu search, then
    CP-SAT with LNS, in rounds; the order until the nineteenth session): the probe's schedule is a
    trap for tabu search (ft10 at 2 s: the probe ends at 938-939 and tabu search, from there, at 938
    over four seeds; from the constructive schedule it reaches 930 on eight seeds of eight within
    0.1-1.25 s), and what the probe proves, shaving proves as well from tabu search's horizon. The 16
    job shops of TABU_PATIENCE, `bench.scheduling --warm` (bench/RESULTS.md, nineteenth session), mean
    gap to the optimum / worst run / runs proved optimal, probe first -> search first: 1 s (32 runs)
    0.91% / 3.26% / 0 -> 0.73% / 2.49% / 2; 2 s (64) 0.72% / 3.26% / 8 -> 0.52% / 3.13% / 14; 5 s (64)
    0.35% / 2.35% / 23 -> 0.39% / 3.13% / 25; 10 s (32) 0.31% / 2.35% / 13 -> 0.26% / 1.63% / 18. At
    5 s within the noise (la29 and swv01 end higher from the constructive start, la21 and la24 lower).
    Tried and dropped: CP-SAT shaving for half the time left, then tabu search again, in rounds (the
    proofs of la36 and orb03 at 5 s need the whole rest in one run); above 100 operations, LNS instead
    of shaving after the search, or two tabu searches taking turns: no better at 5 s."""
    context = run.context
    _local_search(run, data, SEARCH_SHARE * context.remaining(), TABU_PATIENCE)
    if run.closed():
        return cp_model.OPTIMAL
    return _cpsat(run, data, [], context.remaining(), mode="shave")


def _setup_phases(run: _Run, data: ScheduleData, hint: list[Placement | None]) -> cp_model.CpSolverStatus:
    """Parallel machines with setups, makespan: a short iterated greedy (the horizon), CP-SAT with
    the LOAD_CUT of `schedule_model` (proves the small instances; on large ones its root LP gives the bound, as good
    from a 131 as from a 115 on 50 x 5), then iterated greedy for the rest of the time."""
    context = run.context
    if parallel_search.compiled(data):
        # numba's start-up in a fresh process (about 0.4 CPU seconds) before the time is shared out: inside the
        # warm-up's share it left 50 x 5 at 2 s (load 11) without any search step, at 134 in 4 runs of 6
        parallel_search.warm_up()
    stall = min(SETUP_WARMUP_STALL, SETUP_WARMUP_STALL_PER_JOB * data.n_jobs)
    _local_search(run, data, SETUP_WARMUP * context.remaining(), None, stall=stall)
    if partition.applicable(data) and _exact_cover(run, data, PARTITION_SHARE * context.remaining()):
        return cp_model.OPTIMAL
    large = _setup_arcs(data) > PROBING_ARC_LIMIT
    share = SETUP_BOUND_SHARE if large else 1.0
    status = _cpsat(run, data, hint, share * context.remaining(), mode="plain")
    if status in (cp_model.OPTIMAL, cp_model.INFEASIBLE) or run.closed() or context.remaining() <= SOLVE_MARGIN:
        return status
    _local_search(run, data, context.remaining() - SOLVE_MARGIN, None)
    return status


def _exact_cover(run: _Run, data: ScheduleData, seconds: float) -> bool:
    """`families.scheduling.partition` below the best makespan; True when it proved the optimum."""
    found, best, proven = partition.improve(data, round(run.best.objective), seconds)
    if found is not None:
        run.offer(found, float(best), "exact cover")
    if proven:
        run.tighten(float(best))
        run.native = "exact cover of machine sequences: no better schedule"
    return proven


def _flowshop_search(run: _Run, data: ScheduleData, seconds: float) -> None:
    """Permutation iterated greedy from NEH (every improvement, NEH's schedule first, goes to the
    tracker as it is found); the job-shop phases go on from the best schedule."""
    flowshop.iterated_greedy(data, seconds, run.context.options.seed, int(run.floor),
                             lambda p, v: run.offer(p, float(v), "iterated greedy (flow shop)"), between=run.flush)
    run.report(force=True)


def _local_search(run: _Run, data: ScheduleData, seconds: float, patience: int | None,
                  stall: int | None = None, seed_offset: int = 0) -> None:
    """The family's local search from the best schedule; every improvement goes to the tracker.
    Tabu search runs `parallel_tabu.searches(threads, large)` searches on `threads` threads
    (they call `run.offer` under a lock)."""
    seed, threads = run.context.options.seed + seed_offset, run.context.options.threads
    found = schedule_search.improve(data, run.native_best, seconds, seed, run.floor,
                                    lambda p, v: run.offer(p, v, "local search"), patience=patience, stall=stall,
                                    searches=parallel_tabu.searches(threads, len(data.ops) >= LARGE_JOBSHOP_OPS),
                                    between=run.flush, threads=threads)
    if found is not None:
        run.tabu_searches = max(run.tabu_searches, found.searches)
        run.offer(found.placements, found.objective, found.method)
        run.report(force=True)


def _setup_arcs(data: ScheduleData) -> int:
    """Arcs the circuit constraints will need (before building them)."""
    users = [0] * data.n_machines
    for op in data.ops:
        for c in op.choices:
            users[c.machine] += 1
    return sum(k * k for m, k in enumerate(users) if data.setups[m] is not None)


def _cpsat(run: _Run, data: ScheduleData, hint: Sequence[Placement | None], seconds: float,
           mode: str = "interleave") -> cp_model.CpSolverStatus:
    """One CP-SAT run hinted with the best schedule (or a partial warm start), horizon from it.
    `mode` (one worker): "interleave" (LNS from the hint), "shave" (objective shaving) or "plain"."""
    context = run.context
    model = SchedulingModel(data, _horizon(data, run.native_best, hint), int(run.floor))
    model.hint(hint if hint else run.native_best)
    if not model.weights_exact and not any("weights scaled" in n for n in run.notes):
        run.notes.append(f"tardiness weights scaled by {model.objective_scale:g} and rounded down for CP-SAT; "
                         "the objective uses the true weights")
    solver = cp_model.CpSolver()
    parameters(solver, context)
    solver.parameters.max_time_in_seconds = max(0.01, min(seconds, context.remaining() - SOLVE_MARGIN))
    _tune(solver, context, model, mode)
    status = solver.solve(model.model, Reporter(model.extract, run.best, context, model.objective_scale, run.bound))
    run.native = solver.status_name(status)
    run.log = model.model.validate() if status == cp_model.MODEL_INVALID else solver.response_stats()
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        placements = tuple(model.placements(np.asarray(solver.response_proto.solution, dtype=np.int64)))
        value = objective(data, placements)
        run.offer(placements, value, "cpsat")
        if value <= run.best.objective:  # CP-SAT's callback took it first: keep its placements for hints
            run.native_best = placements
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE, cp_model.UNKNOWN):
        # valid without a solution too: some schedule ends by the horizon, so the optimum does
        run.tighten(scaled_bound(solver.best_objective_bound, model.objective_scale, run.floor))
    return status


def _tune(solver: cp_model.CpSolver, context: SolveContext, model: SchedulingModel, mode: str) -> None:
    """Scheduling-specific parameters, each measured (see the constants)."""
    params = solver.parameters
    if context.options.threads == 1 and INTERLEAVE_ONE_WORKER and mode == "interleave":
        params.interleave_search = True
        params.interleave_batch_size = INTERLEAVE_BATCH
    elif context.options.threads == 1 and SHAVE_ONE_WORKER and mode == "shave":
        params.use_objective_shaving_search = True
    params.use_strong_propagation_in_disjunctive = STRONG_DISJUNCTIVE
    if model.arc_count() > PROBING_ARC_LIMIT or len(model.data.ops) > PROBING_OP_LIMIT:
        params.cp_model_probing_level = 0
    if model.arc_count() > PROBING_ARC_LIMIT and not PRESOLVE_LARGE_CIRCUITS:
        params.cp_model_presolve = False


def _horizon(data: ScheduleData, best: Sequence[Placement], warm: Sequence[Placement | None]) -> int:
    """Latest end any schedule worth finding needs (see the module docstring)."""
    best_end = max((p.end for p in best), default=0)
    warm_end = max((p.end for p in warm if p is not None), default=0)
    if data.minimise_makespan:
        return max(best_end, warm_end)
    return max(data.horizon(), best_end, warm_end)
