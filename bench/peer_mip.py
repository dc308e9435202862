"""Raw MIP peers: textbook formulations handed to CBC (through PuLP) and to HiGHS (through highspy).

These are deliberately naive, what someone would write in an afternoon: knapsack as one binary per
item; facility location as the split-demand model (x_ij <= y_i only for uncapacitated sites);
TSP as Miller-Tucker-Zemlin; job shop as the disjunctive big-M model. Solver settings are the
defaults, except the time limit, the thread count, the seed and silence.

A formulation is built once as a solver-neutral `LinearModel` (plain lists) and translated: for PuLP
one `LpVariable` per column and one `lpSum` per row, the way PuLP is normally used; for highspy the
array API (`addVars`, `addRows`). Solver libraries are imported inside the functions, so this
module can be imported where they must not be loaded.
"""

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from models import (
    Assignment,
    FacilityLocationProblem,
    FacilitySolution,
    KnapsackProblem,
    KnapsackSolution,
    ScheduledOperation,
    ScheduleSolution,
    SchedulingObjective,
    SchedulingProblem,
    TspProblem,
    TspSolution,
)
from models.problem import Problem, Solution

INF = math.inf
MTZ_MAX_NODES = 200
"""Above this the MTZ model (n^2 binaries) is not attempted."""


@dataclass
class LinearModel:
    """Columns with bounds, costs and integrality; rows lo <= sum(coef * x) <= hi."""

    maximise: bool = False
    cost: list[float] = field(default_factory=list)
    lower: list[float] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)
    integer: list[bool] = field(default_factory=list)
    rows: list[tuple[list[int], list[float], float, float]] = field(default_factory=list)

    def var(self, lb: float = 0.0, ub: float = INF, cost: float = 0.0, integer: bool = False) -> int:
        self.cost.append(cost)
        self.lower.append(lb)
        self.upper.append(ub)
        self.integer.append(integer)
        return len(self.cost) - 1

    def row(self, index: list[int], value: list[float], lo: float = -INF, hi: float = INF) -> None:
        self.rows.append((index, value, lo, hi))


Decoder = Callable[[list[float]], Solution]


@dataclass
class PeerAnswer:
    """What a raw peer returns before the harness re-checks the solution."""

    status: str
    objective: float | None = None
    bound: float | None = None
    solution: Solution | None = None
    native_status: str = ""
    build_time: float = 0.0
    solve_time: float = 0.0


class Unsupported(Exception):
    """The peer has no formulation for this problem (the reason is the message)."""


def single_objective_support(problem: Problem) -> str | None:
    """The peers' textbook models have one objective."""
    return "multi-objective problems are not in the textbook models" if getattr(problem, "objectives", None) else None


def mip_support(problem: Problem) -> str | None:
    """Why the naive MIP peers cannot take `problem`, or None."""
    if single_objective_support(problem):
        return single_objective_support(problem)
    if isinstance(problem, TspProblem) and problem.size > MTZ_MAX_NODES:
        return f"MTZ model limited to {MTZ_MAX_NODES} nodes"
    if isinstance(problem, SchedulingProblem):
        return fixed_job_shop_support(problem)
    return None


def fixed_job_shop_support(problem: SchedulingProblem) -> str | None:
    if problem.setup_times is not None:
        return "no setup times in the textbook model"
    if any(op.alternatives is not None for job in problem.jobs for op in job.operations):
        return "no machine alternatives in the textbook model"
    return None


# formulations ---------------------------------------------------------------------------------


def build(problem: Problem) -> tuple[LinearModel, Decoder]:
    reason = mip_support(problem)
    if reason:
        raise Unsupported(reason)
    if isinstance(problem, KnapsackProblem):
        return _knapsack(problem)
    if isinstance(problem, FacilityLocationProblem):
        return _facility(problem)
    if isinstance(problem, TspProblem):
        return _tsp_mtz(problem)
    if isinstance(problem, SchedulingProblem):
        return _job_shop(problem)
    raise Unsupported(f"no MIP peer for {problem.kind}")


def _knapsack(problem: KnapsackProblem) -> tuple[LinearModel, Decoder]:
    model = LinearModel(maximise=True)
    xs = [model.var(0, 1, item.value or 0.0, integer=True) for item in problem.items]
    for weights, cap in zip(problem.weight_rows(), problem.capacities(), strict=True):
        model.row(xs, weights, hi=cap)
    ids = [item.id for item in problem.items]
    return model, lambda v: KnapsackSolution(selected=[ids[k] for k, x in enumerate(xs) if v[x] > 0.5])


def _facility(problem: FacilityLocationProblem) -> tuple[LinearModel, Decoder]:
    model = LinearModel()
    m, n = len(problem.facilities), len(problem.customers)
    ys = [model.var(0, 1, f.fixed_cost, integer=True) for f in problem.facilities]
    xs = [[model.var(0, 1, problem.costs[i][j], integer=problem.single_source) for j in range(n)] for i in range(m)]
    for j in range(n):
        model.row([xs[i][j] for i in range(m)], [1.0] * m, 1.0, 1.0)
    for i, facility in enumerate(problem.facilities):
        if facility.capacity is None:
            for j in range(n):
                model.row([xs[i][j], ys[i]], [1.0, -1.0], hi=0.0)
        else:
            demands = [c.demand for c in problem.customers]
            model.row([*xs[i], ys[i]], [*demands, -facility.capacity], hi=0.0)

    def decode(v: list[float]) -> Solution:
        opened = [problem.facilities[i].id for i in range(m) if v[ys[i]] > 0.5]
        assignments = []
        for j, customer in enumerate(problem.customers):
            shares = {i: v[xs[i][j]] for i in range(m) if v[xs[i][j]] > 1e-9 and v[ys[i]] > 0.5}
            total = sum(shares.values()) or 1.0
            assignments += [Assignment(customer=customer.id, facility=problem.facilities[i].id,
                                       fraction=min(1.0, share / total)) for i, share in shares.items()]
        return FacilitySolution(open=opened, assignments=assignments)

    return model, decode


def _tsp_mtz(problem: TspProblem) -> tuple[LinearModel, Decoder]:
    from solvers.families.tsp.distance import distance_matrix

    dist = distance_matrix(problem).tolist()
    n = len(dist)
    model = LinearModel()
    x = {(i, j): model.var(0, 1, dist[i][j], integer=True) for i in range(n) for j in range(n) if i != j}
    u = [model.var(1, n - 1) for _ in range(n)]
    for i in range(n):
        others = [j for j in range(n) if j != i]
        model.row([x[i, j] for j in others], [1.0] * (n - 1), 1.0, 1.0)
        model.row([x[j, i] for j in others], [1.0] * (n - 1), 1.0, 1.0)
    for i in range(1, n):
        for j in range(1, n):
            if i != j:
                model.row([u[i], u[j], x[i, j]], [1.0, -1.0, n - 1.0], hi=n - 2.0)

    def decode(v: list[float]) -> Solution:
        tour, node = [0], 0
        for _ in range(n - 1):
            node = max((j for j in range(n) if j != node), key=lambda j: v[x[node, j]])
            tour.append(node)
        return TspSolution(tour=tour)

    return model, decode


def _job_shop(problem: SchedulingProblem) -> tuple[LinearModel, Decoder]:
    ops = [(j, k, op.machine, op.duration or 0) for j, job in enumerate(problem.jobs)
           for k, op in enumerate(job.operations)]
    horizon = max((job.release for job in problem.jobs), default=0) + sum(d for *_, d in ops)
    model = LinearModel()
    start = {(j, k): model.var(0, horizon) for j, k, _, _ in ops}
    ends = []
    for j, job in enumerate(problem.jobs):
        model.row([start[j, 0]], [1.0], lo=float(job.release))
        for k in range(1, len(job.operations)):
            model.row([start[j, k], start[j, k - 1]], [1.0, -1.0], lo=float(job.operations[k - 1].duration or 0))
        ends.append((start[j, len(job.operations) - 1], job.operations[-1].duration or 0))
    by_machine: dict[str, list[tuple[int, int, int]]] = {}
    for j, k, machine, d in ops:
        by_machine.setdefault(str(machine), []).append((j, k, d))
    for group in by_machine.values():
        for a in range(len(group)):
            for b in range(a + 1, len(group)):
                (ja, ka, da), (jb, kb, db) = group[a], group[b]
                z = model.var(0, 1, integer=True)  # 1: a before b
                model.row([start[jb, kb], start[ja, ka], z], [1.0, -1.0, -horizon], lo=da - horizon)
                model.row([start[ja, ka], start[jb, kb], z], [1.0, -1.0, horizon], lo=float(db))
    _scheduling_objective(problem, model, ends, horizon)

    def decode(v: list[float]) -> Solution:
        placed = []
        for j, k, machine, d in ops:
            s = max(0, round(v[start[j, k]]))
            placed.append(ScheduledOperation(job=problem.jobs[j].id, index=k, machine=machine, start=s, end=s + d))
        return ScheduleSolution(operations=placed)

    return model, decode


def _scheduling_objective(problem: SchedulingProblem, model: LinearModel, ends: list[tuple[int, int]],
                          horizon: int) -> None:
    if problem.objective is SchedulingObjective.makespan:
        cmax = model.var(0, horizon, 1.0)
        for col, d in ends:
            model.row([cmax, col], [1.0, -1.0], lo=float(d))
        return
    if problem.objective is not SchedulingObjective.total_weighted_tardiness:
        raise Unsupported(f"objective {problem.objective} is not in the textbook model")
    for job, (col, d) in zip(problem.jobs, ends, strict=True):
        tardiness = model.var(0, INF, job.weight)
        model.row([tardiness, col], [1.0, -1.0], lo=d - float(job.due if job.due is not None else horizon))


# solvers --------------------------------------------------------------------------------------


def solve_cbc(problem: Problem, time_limit: float, threads: int, seed: int) -> PeerAnswer:
    """CBC through PuLP's default command-line interface (CBC's own seed; `seed` is not passed)."""
    import pulp

    started = time.perf_counter()
    model, decode = build(problem)
    lp = pulp.LpProblem("peer", pulp.LpMaximize if model.maximise else pulp.LpMinimize)
    cols = [pulp.LpVariable(f"x{k}", lowBound=lb if lb > -INF else None, upBound=ub if ub < INF else None,
                            cat=pulp.LpInteger if integer else pulp.LpContinuous)
            for k, (lb, ub, integer) in enumerate(zip(model.lower, model.upper, model.integer, strict=True))]
    lp += pulp.lpSum(c * cols[k] for k, c in enumerate(model.cost) if c)
    for r, (index, value, lo, hi) in enumerate(model.rows):
        expr = pulp.lpSum(a * cols[k] for k, a in zip(index, value, strict=True))
        if lo == hi:
            lp += expr == lo, f"r{r}"
        elif hi < INF:
            lp += expr <= hi, f"r{r}"
        if lo > -INF and lo != hi:
            lp += expr >= lo, f"r{r}_lo"
    built = time.perf_counter()
    # `threads` is passed only above 1: PuLP then adds `-threads N`, CBC's threaded code path.
    lp.solve(pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit, threads=threads if threads > 1 else None))
    solved = time.perf_counter()
    label, sol_status = pulp.LpStatus[lp.status], getattr(lp, "sol_status", None)
    has_solution = sol_status in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible)
    status = {pulp.LpSolutionOptimal: "optimal", pulp.LpSolutionIntegerFeasible: "feasible",
              pulp.LpSolutionInfeasible: "infeasible", pulp.LpSolutionUnbounded: "unbounded"}.get(
        sol_status, "no_solution")
    values = [col.varValue or 0.0 for col in cols] if has_solution else None
    return PeerAnswer(status, pulp.value(lp.objective) if has_solution else None, None,
                      decode(values) if values is not None else None,
                      f"LpStatus={label} sol_status={sol_status}", built - started, solved - built)


def solve_highs(problem: Problem, time_limit: float, threads: int, seed: int) -> PeerAnswer:
    """HiGHS through highspy's array API, default options."""
    import highspy
    import numpy as np

    started = time.perf_counter()
    model, decode = build(problem)
    h = highspy.Highs()  # type: ignore[no-untyped-call]
    for name, value in (("output_flag", False), ("time_limit", float(time_limit)), ("threads", threads),
                        ("random_seed", seed)):
        h.setOptionValue(name, value)
    n = len(model.cost)
    inf = highspy.kHighsInf
    h.addVars(n, np.clip(np.array(model.lower), -inf, inf), np.clip(np.array(model.upper), -inf, inf))
    h.changeColsCost(n, np.arange(n, dtype=np.int32), np.array(model.cost))
    integer = np.flatnonzero(model.integer).astype(np.int32)
    if integer.size:
        h.changeColsIntegrality(integer.size, integer, np.full(integer.size, highspy.HighsVarType.kInteger))
    if model.maximise:
        h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    _add_rows(h, model, inf)
    built = time.perf_counter()
    h.run()
    solved = time.perf_counter()
    status = h.getModelStatus()
    info = h.getInfo()
    has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
    label = h.modelStatusToString(status)
    mapped = {"Optimal": "optimal", "Infeasible": "infeasible", "Unbounded": "unbounded"}.get(label)
    if mapped is None:
        mapped = "feasible" if has_solution else "no_solution"
    solution = decode(list(h.getSolution().col_value)) if has_solution else None
    bound = info.mip_dual_bound if integer.size and math.isfinite(info.mip_dual_bound) else None
    return PeerAnswer(mapped, info.objective_function_value if has_solution else None, bound, solution,
                      f"model_status={label}", built - started, solved - built)


def _add_rows(h: Any, model: LinearModel, inf: float) -> None:
    import numpy as np

    starts: list[int] = []
    index: list[int] = []
    value: list[float] = []
    lower: list[float] = []
    upper: list[float] = []
    for idx, val, lo, hi in model.rows:
        starts.append(len(index))
        index += idx
        value += val
        lower.append(max(lo, -inf))
        upper.append(min(hi, inf))
    h.addRows(len(model.rows), np.array(lower), np.array(upper), len(index), np.array(starts, dtype=np.int32),
              np.array(index, dtype=np.int32), np.array(value, dtype=np.float64))
