"""Declarations of the shipped backends (names, modules, capabilities, scope) and the measured
`auto` preferences. Nothing here imports a solver library: this runs in the service process.

To add a backend: a package (or module) under `solvers/backends/<name>/` exporting `solve`, one
`BackendSpec` below, and, if `auto` should prefer it somewhere, its name in `auto_preferences`.
"""

from models import FacilityLocationProblem, KnapsackProblem, ProblemKind, SolveRequest, TspProblem
from models.problem import is_multi_objective
from solvers.contract import BackendSpec, Capabilities

K, T, F, S = ProblemKind.knapsack, ProblemKind.tsp, ProblemKind.facility_location, ProblemKind.scheduling
MIP_FAMILIES = frozenset({K, T, F, S})
PLAN_FAMILIES = MIP_FAMILIES
ALL_FAMILIES = MIP_FAMILIES | {ProblemKind.staffing}

LARGE_FACILITY = 5000
"""Above this many facility x customer pairs the Lagrangian backend beats a plain MIP (bench/RESULTS.md)."""
SINGLE_SOURCE_PAIRS = 500
"""Single sourcing above this many pairs goes to the Lagrangian backend first (bench/facility_single.py:
25x100 at 10 s +0.05% vs raw HiGHS +0.15%; 50x200 +0.15-0.20% vs +3.0-3.6%)."""
MULTI_KNAPSACK_CBC_FROM = 2.0
"""Multi-dimensional knapsacks go to CBC first from this time limit (seconds), to HiGHS first below
it. Measured (`python -m bench.anytime --names 'mknapcb1-5.100-0*' --limits 1,2 --backends
cbc,highs`, load 1.2-1.8): at 1 s HiGHS ended better on 6 of 10 instances (by up to 0.32%), CBC on
2 (by up to 0.12%); at 2 s CBC better on 3 (by up to 0.18%), HiGHS on none."""
SMALL_TSP = 200
"""Up to this many nodes an exact TSP method is preferred; above it a local search. Measured
(bench/tsp_exact.py, 30 s, 2-core machine at load 2-3): highs proves all 13 TSPLIB instances of
51-200 cities optimal, 11 of them in 1.5-4 s, pr76 in 9-17 s and kroA200 in 17-23 s; when it
runs out of time it still returns the local search's tour with a bound (within 0.1% there)."""


def exact_tsp_pays(problem: TspProblem, time_limit: float) -> bool:
    """The exact TSP path is preferred when it has time to use its proof machinery: up to
    `SMALL_TSP` nodes and at least `max(3, n / 40)` seconds (5 s for 200 cities). Below that the
    local search returns a better tour (issue 12: a 200-city TSP at 2 s came back 4.9-10% above
    the optimum from the exact path, at the optimum from `tsp_ls`)."""
    return problem.size <= SMALL_TSP and time_limit >= max(3.0, problem.size / 40)


def auto_preferences(request: SolveRequest) -> list[str]:
    """Backends in the order `auto` tries them (bench/RESULTS.md); the portfolio takes its first
    exact and first heuristic member from the same order."""
    problem = request.problem
    kind = ProblemKind(problem.kind)
    if is_multi_objective(problem):
        return ["front", "nsga2", "epsilon"]  # `front` only where the exact sweep applies (its scope)
    if kind is ProblemKind.staffing:
        return ["simopt"]
    if isinstance(problem, KnapsackProblem):
        if problem.dimensions == 1:
            return ["knapsack_exact", "cbc", "highs", "ga"]
        if request.options.time_limit < MULTI_KNAPSACK_CBC_FROM:
            return ["highs", "cbc", "pyomo", "ga"]
        return ["cbc", "highs", "pyomo", "ga"]
    if isinstance(problem, TspProblem):
        if exact_tsp_pays(problem, request.options.time_limit):
            return ["highs", "cpsat", "cbc", "tsp_ls", "routing", "ga"]
        return ["tsp_ls", "routing", "highs", "ga"]
    if isinstance(problem, FacilityLocationProblem):
        pairs = len(problem.facilities) * len(problem.customers)
        if pairs > LARGE_FACILITY or (problem.single_source and pairs > SINGLE_SOURCE_PAIRS):
            return ["facility", "highs", "cbc", "pyomo", "ga"]
        return ["highs", "facility", "cbc", "pyomo", "ga"]
    return ["cpsat", "highs", "cbc", "ga"]


def _single_dimension(request: SolveRequest) -> str | None:
    problem = request.problem
    if isinstance(problem, KnapsackProblem) and problem.dimensions > 1:
        return "knapsack_exact solves single-constraint knapsacks; use cbc or highs for several dimensions"
    return None


def _plans_need_simulation(request: SolveRequest) -> str | None:
    if request.problem.kind != ProblemKind.staffing and request.simulation is None:
        return "simopt optimises plans under uncertainty: add a `simulation` block, or pick a deterministic solver"
    return None

BUILTIN_SPECS: tuple[BackendSpec, ...] = (
    BackendSpec(
        name="highs",
        module="solvers.backends.highs",
        description="HiGHS MIP through its array API (knapsack, facility location, TSP by subtour "
        "cuts, scheduling by disjunctive big-M).",
        capabilities=Capabilities(MIP_FAMILIES, exact=True, reports_bound=True, warm_start=True,
                                  deterministic=True),
        requires=("highspy",),
        version_of="highspy",
    ),
    BackendSpec(
        name="cbc",
        module="solvers.backends.cbc",
        description="COIN-OR CBC through PuLP, the classic open-source MIP reference.",
        capabilities=Capabilities(MIP_FAMILIES, exact=True, reports_bound=True, warm_start=True,
                                  deterministic=True),
        requires=("pulp",),
        version_of="pulp",
    ),
    BackendSpec(
        name="cpsat",
        module="solvers.backends.cpsat.backend",
        description="OR-Tools CP-SAT: interval scheduling with alternatives and setups; TSP by AddCircuit.",
        capabilities=Capabilities(frozenset({T, S}), exact=True, reports_bound=True, warm_start=True,
                                  deterministic=True),
        requires=("ortools",),
        version_of="ortools",
    ),
    BackendSpec(
        name="routing",
        module="solvers.backends.routing",
        description="OR-Tools routing with guided local search: the large-TSP heuristic.",
        capabilities=Capabilities(frozenset({T}), exact=False, reports_bound=True, warm_start=True,
                                  deterministic=False),
        requires=("ortools",),
        version_of="ortools",
    ),
    BackendSpec(
        name="knapsack_exact",
        module="solvers.backends.knapsack_exact",
        description="Dedicated exact 0/1 knapsack (single constraint): reduction, expanding-core Pareto "
        "states, dense dynamic programming when those explode.",
        capabilities=Capabilities(frozenset({K}), exact=True, reports_bound=True, warm_start=True,
                                  deterministic=True),
        requires=("numpy",),
        version_of="numpy",
        scope=_single_dimension,
    ),
    BackendSpec(
        name="pyomo",
        module="solvers.backends.pyomo.backend",
        description="The MIP formulations written once in Pyomo, solved by HiGHS (appsi) or CBC.",
        capabilities=Capabilities(MIP_FAMILIES, exact=True, reports_bound=True, warm_start=False,
                                  deterministic=True),
        requires=("pyomo", "highspy"),
        version_of="pyomo",
    ),
    BackendSpec(
        name="simopt",
        module="solvers.backends.simopt.backend",
        description="Simulation-optimisation (SimPy): staffing by sequential confidence intervals and CRN; "
        "plans of every family (with a `simulation` block) by a deterministic solve, a simulation-scored "
        "GA and ranking and selection.",
        capabilities=Capabilities(ALL_FAMILIES, exact=False, reports_bound=True, warm_start=True,
                                  deterministic=True, simulation=ALL_FAMILIES),
        requires=("simpy", "deap"),
        version_of="simpy",
        scope=_plans_need_simulation,
        orchestrator="solvers.backends.simopt.backend",
    ),
    BackendSpec(
        name="nsga2",
        module="solvers.backends.nsga2.backend",
        description="NSGA-II (pymoo) for multi-objective requests of every family: feasibility-keeping "
        "encodings, an archive of every non-dominated point found; seeded and reproducible with "
        "`iteration_limit` (generations). Staffing: cost against simulated waiting, run in process "
        "on the simulation evaluator.",
        capabilities=Capabilities(ALL_FAMILIES, exact=False, reports_bound=False, warm_start=True,
                                  deterministic=True, multi_objective=True,
                                  simulation=frozenset({ProblemKind.staffing})),
        requires=("pymoo",),
        version_of="pymoo",
        orchestrator="solvers.backends.nsga2.staffing_front",
        orchestrated_families=frozenset({ProblemKind.staffing}),
    ),
    BackendSpec(
        name="epsilon",
        module="solvers.backends.epsilon.backend",
        description="Exact Pareto front by the epsilon-constraint method on HiGHS: bi-objective knapsack "
        "with integer values in at least one objective, facility location `cost` against `max_distance` "
        "(status optimal when the front is complete).",
        capabilities=Capabilities(frozenset({K, F}), exact=True, reports_bound=False, warm_start=False,
                                  deterministic=True, multi_objective=True),
        requires=("highspy",),
        version_of="highspy",
        scope="solvers.backends.epsilon.scope:why_not_request",
    ),
    BackendSpec(
        name="front",
        module="solvers.backends.front.backend",
        description="Bi-objective fronts by NSGA-II (with Pareto local search), then the exact epsilon-constraint "
        "sweep in the time left; the union of both (status optimal when the sweep completes).",
        capabilities=Capabilities(frozenset({K, F}), exact=True, reports_bound=False, warm_start=False,
                                  deterministic=False, multi_objective=True),
        requires=("pymoo", "highspy"),
        version_of="pymoo",
        scope="solvers.backends.epsilon.scope:why_not_request",
        orchestrator="solvers.backends.front.backend",
    ),
    BackendSpec(
        name="portfolio",
        module="solvers.backends.portfolio.backend",
        description="Races an exact and a heuristic backend under one time limit, sharing incumbents as "
        "warm starts between rounds; stops when the gap target is met and names the member that won.",
        capabilities=Capabilities(MIP_FAMILIES, exact=True, reports_bound=True, warm_start=True,
                                  deterministic=False),
        orchestrator="solvers.backends.portfolio.backend",
    ),
    BackendSpec(
        name="ga",
        module="solvers.backends.ga.backend",
        description="Genetic algorithm on DEAP: feasibility-keeping encodings (repaired bit vectors, memetic "
        "permutations, open-facility vectors with optimal assignment, active-schedule decoding) and a "
        "certified bound for every answer.",
        capabilities=Capabilities(MIP_FAMILIES, exact=False, reports_bound=True, warm_start=True,
                                  deterministic=True),
        requires=("deap", "numba"),
        version_of="deap",
    ),
    BackendSpec(
        name="tsp_ls",
        module="solvers.backends.tsp_ls",
        description="Iterated local search (2-opt, Or-opt, or-3opt with neighbour lists and don't-look bits; "
        "double-bridge kicks), numba-compiled: the fast large-TSP heuristic, with a Held-Karp bound.",
        capabilities=Capabilities(frozenset({T}), exact=False, reports_bound=True, warm_start=True,
                                  deterministic=True),
        requires=("numba",),
        version_of="numba",
    ),
    BackendSpec(
        name="facility",
        module="solvers.backends.facility",
        description="Facility location by Lagrangian relaxation (subgradient bound, Lagrangian heuristic, "
        "local search) and a HiGHS MIP over the facilities reduced-cost tests leave open.",
        capabilities=Capabilities(frozenset({F}), exact=True, reports_bound=True, warm_start=True,
                                  deterministic=True),
        requires=("highspy", "numba"),
        version_of="highspy",
    ),
)
