"""Portfolio: an exact and a heuristic member racing under one time limit, sharing incumbents.

Runs in the service process (its declaration names `orchestrate` as its in-process entry): each member is an
ordinary child solve (`solvers.runtime.runner.run_backend`) driven by one thread, so a member keeps its
own process isolation and hard deadline. Members are chosen by `members.members` from the registry's preference order.

Sharing is by rounds. Each run of a member is given all the time left; at the end of each round
(`HEURISTIC_ROUND` of the time limit) a heuristic member is restarted with the best incumbent
found so far as `warm_start` (the GA seeded with the exact member's solution), with a new seed,
if another member holds a strictly better solution than any it found and it has not improved on
its own during the round: a member that leads, or still improves, is never interrupted. A
heuristic that stops early is restarted too. The exact member starts warm instead: it waits a
moment (`HEAD_START`, at most `HEAD_START_SECONDS`) for the heuristic's first incumbent and is
warm-started from the best incumbent at that point; it is not restarted later
(`EXACT_RESTART_AT`), because a restart throws its search tree and bound away: measured on ch150
(HiGHS) and ft10/abz7 (CP-SAT), restarting it at 15% of the time limit lost proofs and never
found a better solution. So the exact member sees only what exists when it starts: with warm
worker processes (the service's pool) that is the heuristic's constructive solution (measured:
nearest-neighbour tour at 0.04 s on ch150, priority-rule schedule at 0.07 s on ft10); with cold
processes the heuristic often reports after the head start, and the exact member starts cold.
Later, better incumbents reach it only through the stop rule (gap closed), never as a start.
Every incumbent is verified by the family evaluator before it is shared. The tightest bound of
any member is kept; as soon as the best verified objective and that bound meet the gap target
(`options.relative_gap`), or a member proves optimality or infeasibility, the others are
cancelled. The answer names the member that found the solution (`found_by`, also in `warnings`)
and the one whose bound it is (`bound_by`, with how it proved it in `bound_source`), and reports
each member's own best verified objective, tightest bound and number of runs (`members`).
"""

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from models import SolveOptions, SolveRequest, Status, Termination
from models.problem import Problem, Solution
from models.result import MemberReport
from solvers.backends.portfolio.members import members
from solvers.contract import BackendSpec, Incumbent, Orchestration, ProgressSink, RawResult, SolveContext
from solvers.evaluators import evaluate
from solvers.gap import gap_closed
from solvers.objective import is_maximised
from solvers.registry import Registry
from solvers.runtime.pool import WorkerPool
from solvers.runtime.runner import RunLimits, run_backend

NAME = "portfolio"
EXACT_RESTART_AT: float | None = None
"""Share of the time limit at which the exact member would be restarted once with the best
incumbent if another member leads; None: never (measured: restarts cost more than they gave)."""
HEAD_START = 0.05
HEAD_START_SECONDS = 1.0
"""The exact member waits at most this share of the time limit (and at most these seconds) for
the heuristic's first incumbent, so that it starts warm."""
HEURISTIC_ROUND = 0.25
"""Share of the time limit each heuristic round lasts."""
MIN_ROUND_SECONDS = 0.5
"""No round starts with less than this left, and no check-in comes sooner."""
MAX_ROUNDS = 8
CLOSER_GRACE = 0.5
"""Seconds the member that closed the race may take to answer before it is cancelled too."""


@dataclass
class Standing:
    """The race's shared state (guarded by `Race.lock`)."""

    solution: Solution | None = None
    objective: float | None = None
    found_by: str | None = None
    bound: float | None = None
    bound_by: str | None = None
    bound_source: str | None = None
    """How `bound_by` proved `bound` (its own `bound_source`, or its name when it gave none)."""
    proven: Status | None = None
    """Set when a member proved the answer: optimal, or infeasible."""
    rounds: dict[str, int] = field(default_factory=dict)
    own_best: dict[str, float] = field(default_factory=dict)
    own_time: dict[str, float] = field(default_factory=dict)
    own_bound: dict[str, float] = field(default_factory=dict)
    runs: dict[str, int] = field(default_factory=dict)


class Race:
    """One portfolio solve; see the module docstring."""

    def __init__(self, problem: Problem, options: SolveOptions, limits: RunLimits, progress: ProgressSink | None,
                 cancelled: Callable[[], bool], pool: WorkerPool | None) -> None:
        self.problem, self.options, self.limits, self.pool = problem, options, limits, pool
        self.progress, self.cancelled = progress, cancelled
        self.maximise = is_maximised(problem)
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.closed_by: str | None = None
        """The member whose report closed the race (`halted_for`), and when."""
        self.closed_at = 0.0
        self.first_found = threading.Event()
        self.head_start = False
        self.standing = Standing()
        self.started = time.monotonic()

    def remaining(self) -> float:
        return self.options.time_limit - (time.monotonic() - self.started)

    def halted(self) -> bool:
        return self.stop.is_set() or self.cancelled()

    def halted_for(self, member: str) -> bool:
        """`halted`, but the member that closed the race is left CLOSER_GRACE to answer on its own.
        Why: it is about to (its report met the bound), and a cancelled member's process is killed,
        so the next request for that backend met a replacement still loading: the GA closed cap101
        at 1 s in 0.02 s inside the race, was killed, and the GA run after it waited 1.36 s for a
        fresh process and answered its first individual, 57% above the optimum (`bench.anytime`)."""
        if self.cancelled():
            return True
        if not self.stop.is_set():
            return False
        with self.lock:
            closer, since = self.closed_by, self.closed_at
        return member != closer or time.monotonic() - since >= CLOSER_GRACE

    def run(self, specs: list[BackendSpec]) -> RawResult:
        self.head_start = any(not spec.capabilities.exact for spec in specs)
        threads = [threading.Thread(target=self._member, args=(spec,), name=f"portfolio-{spec.name}", daemon=True)
                   for spec in specs]
        for thread in threads:
            thread.start()
        self._wait(threads)
        return self._result(specs)

    def _wait(self, threads: list[threading.Thread]) -> None:
        """Waits for the members, but past `time_limit + answer_margin` only while nobody has a
        solution: then the members still running are stopped (their runner kills them). Why: a
        member without an incumbent of its own is waited for until the grace, and the race with it
        (100 x 1,000 single-source facility location at 2 s) answered 1.07 s late with a solution
        another member had found long before (`bench/time_limits.py`)."""
        deadline = self.started + self.options.time_limit + self.limits.answer_margin
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        with self.lock:
            found = self.standing.solution is not None
        if found:
            self.stop.set()
        for thread in threads:
            thread.join()

    def _member(self, spec: BackendSpec) -> None:
        exact = spec.capabilities.exact
        if exact and self.head_start and spec.capabilities.warm_start:
            self.first_found.wait(min(HEAD_START_SECONDS, HEAD_START * self.options.time_limit))
        for round_no in range(MAX_ROUNDS):
            left = self.remaining()
            if self.halted() or left < MIN_ROUND_SECONDS:
                return
            check_in = (EXACT_RESTART_AT or 0.0) if exact else HEURISTIC_ROUND
            allowed = not exact or (EXACT_RESTART_AT is not None and round_no == 0)
            restart = _Restart(self, spec.name, check_in * self.options.time_limit, allowed)
            with self.lock:
                self.standing.runs[spec.name] = round_no + 1
            raw = run_backend(spec, self.problem, self._options(spec, round_no, left), self.limits,
                              progress=partial(self._heard, restart, spec.name, round_no), cancelled=restart,
                              pool=self.pool)
            self._absorb(spec.name, raw, round_no)
            finished_early = not exact and raw.termination is Termination.completed
            if not (restart.fired or finished_early):
                return

    def beaten(self, member: str, quiet: float) -> bool:
        """True when another member holds a strictly better solution than any `member` found, and
        `member` has not improved on its own for `quiet` seconds (a member still improving goes on)."""
        with self.lock:
            s = self.standing
            own = s.own_best.get(member)
            stalled = time.monotonic() - s.own_time.get(member, self.started) >= quiet
            ahead = s.objective is not None and s.found_by != member and (own is None or self._better(s.objective, own))
            return ahead and stalled

    def _options(self, spec: BackendSpec, round_no: int, length: float) -> SolveOptions:
        with self.lock:
            warm = self.standing.solution if spec.capabilities.warm_start else None
        return self.options.model_copy(update={
            "time_limit": max(length, 0.05), "warm_start": warm or self.options.warm_start,
            "seed": self.options.seed + round_no if not spec.capabilities.exact else self.options.seed})

    def _heard(self, restart: "_Restart", member: str, round_no: int, incumbent: Incumbent) -> None:
        restart.heard = True
        self.offer(member, incumbent, round_no)

    def offer(self, member: str, incumbent: Incumbent, round_no: int) -> None:
        """An incumbent or bound reported by a member while it runs."""
        self._consider(member, incumbent.solution, incumbent.bound, round_no, incumbent.bound_source)

    def _absorb(self, member: str, raw: RawResult, round_no: int) -> None:
        """A member's final answer for its round."""
        bound = raw.bound
        source = raw.bound_source
        if raw.status is Status.optimal and raw.termination is Termination.completed and bound is None:
            bound, source = raw.objective, "optimal solution"
        self._consider(member, raw.solution, bound, round_no, source)
        if raw.status is Status.infeasible and raw.termination is Termination.completed:
            with self.lock:
                self.standing.proven = Status.infeasible
                self.standing.bound_by, self.standing.bound_source = member, raw.bound_source or member
            self.stop.set()

    def _consider(self, member: str, solution: Solution | None, bound: float | None, round_no: int,
                  source: str | None = None) -> None:
        """`source`: how the member proved `bound` (None: by its own search)."""
        objective = self._verified(solution)
        with self.lock:
            s = self.standing
            improved = objective is not None and (s.objective is None or self._better(objective, s.objective))
            if objective is not None and (member not in s.own_best or self._better(objective, s.own_best[member])):
                s.own_best[member] = objective
                s.own_time[member] = time.monotonic()
            if improved:
                self.first_found.set()
                s.solution, s.objective, s.found_by = solution, objective, member
                s.rounds[member] = round_no + 1
            if bound is not None and (member not in s.own_bound or self._better(s.own_bound[member], bound)):
                s.own_bound[member] = bound
            if bound is not None and (s.bound is None or self._better(s.bound, bound)):
                s.bound, s.bound_by, s.bound_source = bound, member, source or member
            if self._closed():
                s.proven = s.proven or Status.optimal
                if not self.stop.is_set():
                    self.closed_by, self.closed_at = member, time.monotonic()
                self.stop.set()
            if (improved or bound is not None) and self.progress is not None:
                shown = s.solution if improved else None
                self.progress(Incumbent(objective=s.objective, bound=s.bound, solution=shown))

    def _verified(self, solution: Solution | None) -> float | None:
        if solution is None:
            return None
        check = evaluate(self.problem, solution)
        return check.objective if check.feasible else None

    def _better(self, a: float, b: float) -> bool:
        return a > b if self.maximise else a < b

    def _closed(self) -> bool:
        return gap_closed(self.standing.objective, self.standing.bound, self.options.relative_gap)

    def _result(self, specs: list[BackendSpec]) -> RawResult:
        s = self.standing
        names = ", ".join(spec.name for spec in specs)
        reports = [MemberReport(name=spec.name, objective=s.own_best.get(spec.name), bound=s.own_bound.get(spec.name),
                                runs=s.runs.get(spec.name, 0)) for spec in specs]
        elapsed = time.monotonic() - self.started
        if s.proven is Status.infeasible and s.solution is None:
            return RawResult(status=Status.infeasible, termination=Termination.completed, bound_source=s.bound_source,
                             bound_by=s.bound_by,
                             native_status=f"{s.bound_by} proved the problem infeasible", solve_time=elapsed,
                             warnings=[f"portfolio of {names}"], members=reports)
        termination = (Termination.cancelled if self.cancelled() else
                       Termination.completed if s.proven else Termination.time_limit)
        if s.solution is None:
            return RawResult(status=Status.no_solution, termination=termination, bound=s.bound,
                             bound_source=s.bound_source, bound_by=s.bound_by,
                             native_status="no member found a solution",
                             solve_time=elapsed, warnings=[f"portfolio of {names}: no member found a solution"],
                             members=reports)
        note = f"portfolio of {names}: solution found by {s.found_by} (round {s.rounds.get(s.found_by or '', 1)})"
        if s.bound_by is not None:
            note += f", bound by {s.bound_by}" + (f" ({s.bound_source})" if s.bound_source != s.bound_by else "")
        return RawResult(status=Status.feasible, termination=termination, solution=s.solution, objective=s.objective,
                         bound=s.bound, bound_source=s.bound_source, native_status=note, solve_time=elapsed,
                         warnings=[note], found_by=s.found_by, bound_by=s.bound_by, members=reports)


class _Restart:
    """A member run's cancel check: the race is over, or the round is over and someone did better.

    Polled by the runner; when it ends a round for a restart, `fired` says so. A run that has not
    reported anything yet (`heard`) is never restarted: its process may still be loading, and a
    restart kills it, so the next run meets a fresh process loading from scratch (a GA member on
    100 x 1,000 facility location at 2 s was restarted every 0.5 s and never reported at all).
    """

    def __init__(self, race: Race, member: str, check_in: float, allowed: bool) -> None:
        self.race, self.member, self.allowed = race, member, allowed
        self.interval = max(check_in, MIN_ROUND_SECONDS)
        self.at = time.monotonic() + self.interval
        self.fired = False
        self.heard = False

    def __call__(self) -> bool:
        if self.race.halted_for(self.member):
            return True
        if not self.allowed or not self.heard or time.monotonic() < self.at:
            return False
        self.at = time.monotonic() + self.interval
        if self.race.remaining() > MIN_ROUND_SECONDS and self.race.beaten(self.member, self.interval):
            self.fired = True
        return self.fired


def run_portfolio(problem: Problem, options: SolveOptions, registry: Registry, limits: RunLimits,
                  progress: ProgressSink | None = None, cancelled: Callable[[], bool] = lambda: False,
                  pool: WorkerPool | None = None) -> RawResult:
    """Races the members `members.members` picks for `problem` (see the module docstring)."""
    specs = members(registry, problem, options)
    if not specs:
        return RawResult(status=Status.error, termination=Termination.error, native_status="no members",
                         log=f"no registered, available backend can join a portfolio for this {problem.kind} problem")
    return Race(problem, options, limits, progress, cancelled, pool).run(specs)


def orchestrate(request: SolveRequest, env: Orchestration) -> RawResult:
    """The registry's entry: race the members for `request` with dispatch's limits and stop signal."""
    return run_portfolio(request.problem, request.options, env.registry, env.limits, env.progress, env.cancelled,
                         env.pool)


def solve(problem: Problem, context: SolveContext) -> RawResult:
    """The portfolio orchestrates child solves from the service process; it never runs inside one."""
    return RawResult(status=Status.error, termination=Termination.error, native_status="wrong process",
                     log="the portfolio runs in the service process through `orchestrate`, not in a solve worker")
