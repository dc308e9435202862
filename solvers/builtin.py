"""Declarations of the shipped backends: names, modules, capabilities (no solver imports)."""

from models import ProblemKind
from solvers.contract import BackendSpec, Capabilities

K, T, F, S = ProblemKind.knapsack, ProblemKind.tsp, ProblemKind.facility_location, ProblemKind.scheduling
MIP_FAMILIES = frozenset({K, T, F, S})

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
        description="Simulation-optimisation (SimPy): staffing by sequential confidence intervals and CRN.",
        capabilities=Capabilities(frozenset({ProblemKind.staffing}), exact=False, reports_bound=True,
                                  warm_start=False, deterministic=True),
        requires=("simpy",),
        version_of="simpy",
        in_process=True,
    ),
    BackendSpec(
        name="nsga2",
        module="solvers.backends.nsga2.backend",
        description="NSGA-II (pymoo) for multi-objective requests of every family: feasibility-keeping "
        "encodings, an archive of every non-dominated point found; seeded and reproducible with "
        "`iteration_limit` (generations). Staffing: cost against simulated waiting, run in process "
        "on the simulation evaluator.",
        capabilities=Capabilities(MIP_FAMILIES | {ProblemKind.staffing}, exact=False, reports_bound=False,
                                  warm_start=True,
                                  deterministic=True, multi_objective=True),
        requires=("pymoo",),
        version_of="pymoo",
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
    ),
    BackendSpec(
        name="portfolio",
        module="solvers.backends.portfolio.backend",
        description="Races an exact and a heuristic backend under one time limit, sharing incumbents as "
        "warm starts between rounds; stops when the gap target is met and names the member that won.",
        capabilities=Capabilities(MIP_FAMILIES, exact=True, reports_bound=True, warm_start=True,
                                  deterministic=False),
        in_process=True,
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
