"""Raw OR-Tools peers: the CP-SAT and routing models from the OR-Tools examples, default parameters.

CP-SAT: job shop with interval variables and NoOverlap (the documented example), TSP with
AddCircuit, knapsack with one Boolean per item (integer data only). Routing: one vehicle, the
default PATH_CHEAPEST_ARC first solution and GUIDED_LOCAL_SEARCH until the time limit.
Non-integral TSP distances are scaled by `SCALE` and rounded (CP-SAT and routing need integers);
the harness recomputes every objective from the solution, so the scaling never leaks into values.
OR-Tools is imported inside the functions.
"""

import time

from bench.peer_mip import PeerAnswer, Unsupported, fixed_job_shop_support, single_objective_support
from models import (
    KnapsackProblem,
    KnapsackSolution,
    ScheduledOperation,
    ScheduleSolution,
    SchedulingObjective,
    SchedulingProblem,
    TspProblem,
    TspSolution,
)
from models.problem import Problem

SCALE = 1000
CIRCUIT_MAX_NODES = 1000
"""AddCircuit takes one literal per arc; above this the n^2 model is not attempted."""


def cpsat_support(problem: Problem) -> str | None:
    if single_objective_support(problem):
        return single_objective_support(problem)
    if isinstance(problem, TspProblem):
        return f"AddCircuit model limited to {CIRCUIT_MAX_NODES} nodes" if problem.size > CIRCUIT_MAX_NODES else None
    if isinstance(problem, SchedulingProblem):
        if problem.objective is not SchedulingObjective.makespan:
            return "the example model minimises the makespan only"
        return fixed_job_shop_support(problem)
    if isinstance(problem, KnapsackProblem):
        numbers: list[list[float]] = [problem.capacities(), *problem.weight_rows(),
                                      [i.value or 0.0 for i in problem.items]]
        if not all(float(v).is_integer() for row in numbers for v in row):
            return "CP-SAT needs integer knapsack data"
        return None
    return "no CP-SAT model for this family"


def routing_support(problem: Problem) -> str | None:
    if single_objective_support(problem):
        return single_objective_support(problem)
    return None if isinstance(problem, TspProblem) else "routing solves TSP only"


def _integer_distances(problem: TspProblem) -> list[list[int]]:
    from solvers.families.tsp.distance import distance_matrix

    matrix = distance_matrix(problem)
    if not (matrix == matrix.round()).all():
        matrix = matrix * SCALE
    return [[round(v) for v in row] for row in matrix.tolist()]


def _status(cp_model: object, code: int) -> str:
    return {
        cp_model.OPTIMAL: "optimal",  # type: ignore[attr-defined]
        cp_model.FEASIBLE: "feasible",  # type: ignore[attr-defined]
        cp_model.INFEASIBLE: "infeasible",  # type: ignore[attr-defined]
        cp_model.MODEL_INVALID: "error",  # type: ignore[attr-defined]
    }.get(code, "no_solution")


def solve_cpsat(problem: Problem, time_limit: float, threads: int, seed: int) -> PeerAnswer:
    from ortools.sat.python import cp_model

    reason = cpsat_support(problem)
    if reason:
        raise Unsupported(reason)
    started = time.perf_counter()
    model = cp_model.CpModel()
    if isinstance(problem, TspProblem):
        decode = _cpsat_tsp(model, problem)
    elif isinstance(problem, SchedulingProblem):
        decode = _cpsat_job_shop(model, problem)
    else:
        assert isinstance(problem, KnapsackProblem)
        decode = _cpsat_knapsack(model, problem)
    built = time.perf_counter()
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = threads
    solver.parameters.random_seed = seed
    code = solver.Solve(model)
    solved = time.perf_counter()
    status = _status(cp_model, code)
    found = status in ("optimal", "feasible")
    return PeerAnswer(status, solver.ObjectiveValue() if found else None,
                      solver.BestObjectiveBound() if found else None,
                      decode(solver) if found else None, solver.StatusName(code), built - started, solved - built)


def _cpsat_tsp(model, problem: TspProblem):  # type: ignore[no-untyped-def]
    dist = _integer_distances(problem)
    n = len(dist)
    arcs, lits = [], {}
    for i in range(n):
        for j in range(n):
            if i != j:
                lits[i, j] = model.NewBoolVar(f"x{i}_{j}")
                arcs.append((i, j, lits[i, j]))
    model.AddCircuit(arcs)
    model.Minimize(sum(dist[i][j] * lit for (i, j), lit in lits.items()))

    def decode(solver):  # type: ignore[no-untyped-def]
        succ = {i: j for (i, j), lit in lits.items() if solver.BooleanValue(lit)}
        tour = [0]
        while len(tour) < n:
            tour.append(succ[tour[-1]])
        return TspSolution(tour=tour)

    return decode


def _cpsat_job_shop(model, problem: SchedulingProblem):  # type: ignore[no-untyped-def]
    horizon = max(job.release for job in problem.jobs) + sum(
        op.duration or 0 for job in problem.jobs for op in job.operations)
    starts: dict[tuple[int, int], object] = {}
    intervals: dict[str, list[object]] = {}
    last_ends: list[object] = []
    for j, job in enumerate(problem.jobs):
        previous = None
        for k, op in enumerate(job.operations):
            start = model.NewIntVar(job.release, horizon, f"s{j}_{k}")
            end = model.NewIntVar(0, horizon, f"e{j}_{k}")
            intervals.setdefault(str(op.machine), []).append(model.NewIntervalVar(start, op.duration, end, ""))
            if previous is not None:
                model.Add(start >= previous)
            starts[j, k], previous = start, end
        last_ends.append(previous)
    for group in intervals.values():
        model.AddNoOverlap(group)
    makespan = model.NewIntVar(0, horizon, "makespan")
    model.AddMaxEquality(makespan, last_ends)
    model.Minimize(makespan)

    def decode(solver):  # type: ignore[no-untyped-def]
        placed = []
        for (j, k), start in starts.items():
            op = problem.jobs[j].operations[k]
            s = solver.Value(start)
            placed.append(ScheduledOperation(job=problem.jobs[j].id, index=k, machine=op.machine, start=s,
                                             end=s + (op.duration or 0)))
        return ScheduleSolution(operations=placed)

    return decode


def _cpsat_knapsack(model, problem: KnapsackProblem):  # type: ignore[no-untyped-def]
    xs = [model.NewBoolVar(f"x{k}") for k in range(len(problem.items))]
    for weights, cap in zip(problem.weight_rows(), problem.capacities(), strict=True):
        model.Add(sum(int(w) * x for w, x in zip(weights, xs, strict=True)) <= int(cap))
    model.Maximize(sum(int(item.value or 0) * x for item, x in zip(problem.items, xs, strict=True)))

    def decode(solver):  # type: ignore[no-untyped-def]
        return KnapsackSolution(selected=[item.id for item, x in zip(problem.items, xs, strict=True)
                                          if solver.BooleanValue(x)])

    return decode


def solve_routing(problem: Problem, time_limit: float, threads: int, seed: int) -> PeerAnswer:
    """The OR-Tools TSP example: one vehicle, PATH_CHEAPEST_ARC, GUIDED_LOCAL_SEARCH."""
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    if not isinstance(problem, TspProblem):
        raise Unsupported("routing solves TSP only")
    started = time.perf_counter()
    dist = _integer_distances(problem)
    manager = pywrapcp.RoutingIndexManager(len(dist), 1, 0)
    routing = pywrapcp.RoutingModel(manager)

    def transit(a: int, b: int) -> int:
        return int(dist[manager.IndexToNode(a)][manager.IndexToNode(b)])

    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitCallback(transit))
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    params.time_limit.FromMilliseconds(int(time_limit * 1000))
    built = time.perf_counter()
    assignment = routing.SolveWithParameters(params)
    solved = time.perf_counter()
    native = str(routing.status())
    if assignment is None:
        return PeerAnswer("no_solution", native_status=native, build_time=built - started, solve_time=solved - built)
    tour, index = [], routing.Start(0)
    while not routing.IsEnd(index):
        tour.append(manager.IndexToNode(index))
        index = assignment.Value(routing.NextVar(index))
    return PeerAnswer("feasible", float(assignment.ObjectiveValue()), None, TspSolution(tour=tour), native,
                      built - started, solved - built)


def solve_cpsat_setups(problem: SchedulingProblem, time_limit: float, threads: int, seed: int,
                       hint: list[tuple[str, int]]) -> PeerAnswer:
    """Raw CP-SAT on single-operation jobs, parallel machines, sequence-dependent setups: the textbook
    model (start/end per job, presence per machine, one AddCircuit per machine whose arc literals
    enforce end_a + setup <= start_b, makespan >= every end), default parameters, hinted with a
    schedule given as (machine id, start) per job (the service's greedy, so both start alike)."""
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    jobs, n = problem.jobs, len(problem.jobs)
    horizon = max(start + next(c.duration for c in jobs[j].operations[0].choices() if str(c.machine) == m)
                  for j, (m, start) in enumerate(hint))
    starts = [model.new_int_var(job.release, horizon, f"s{j}") for j, job in enumerate(jobs)]
    ends = [model.new_int_var(0, horizon, f"e{j}") for j in range(n)]
    present: dict[tuple[int, str], cp_model.IntVar] = {}
    for j, job in enumerate(jobs):
        for c in job.operations[0].choices():
            lit = present[j, str(c.machine)] = model.new_bool_var("")
            model.add(ends[j] == starts[j] + c.duration).only_enforce_if(lit)
            model.add_hint(lit, hint[j][0] == str(c.machine))
        model.add_exactly_one(v for (k, _), v in present.items() if k == j)
        model.add_hint(starts[j], hint[j][1])
    for machine in problem.machines:
        _peer_circuit(model, problem, str(machine), present, starts, ends)
    makespan = model.new_int_var(0, horizon, "makespan")
    model.add_max_equality(makespan, ends)
    model.minimize(makespan)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = threads
    solver.parameters.random_seed = seed
    started = time.perf_counter()
    code = solver.solve(model)
    status = _status(cp_model, int(code))
    found = status in ("optimal", "feasible")
    return PeerAnswer(status, solver.objective_value if found else None,
                      solver.best_objective_bound if found else None, None, solver.status_name(code), 0.0,
                      time.perf_counter() - started)


def _peer_circuit(model, problem: SchedulingProblem, machine: str, present, starts, ends) -> None:  # type: ignore[no-untyped-def]
    setups = problem.setup_matrix(machine)
    users = [j for j in range(len(problem.jobs)) if (j, machine) in present]
    arcs = []
    for j in users:
        arcs += [(0, j + 1, model.NewBoolVar("")), (j + 1, 0, model.NewBoolVar("")),
                 (j + 1, j + 1, present[j, machine].Not())]
        for k in users:
            if k != j:
                lit = model.NewBoolVar("")
                model.Add(starts[k] >= ends[j] + (setups[j][k] if setups else 0)).OnlyEnforceIf(lit)
                arcs.append((j + 1, k + 1, lit))
    arcs.append((0, 0, model.NewBoolVar("")))
    model.AddCircuit(arcs)
