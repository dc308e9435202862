"""Simulation-optimisation of a plan from the deterministic optimum: the GA proposes, the
simulation scores, a local search polishes the GA's best, ranking and selection decides (see
plan_ga.py, plan_search.py and plan_select.py).

The polish is there because simulated fitness is expensive: with a few dozen evaluations the
GA's population explores broadly while a first-improvement descent goes deep (on cap41 with
queueing, the GA alone at population 10 lost to the local search alone at equal time; GA then
polish matched or beat it: bench/plan_simopt.py).
"""

import time
from collections.abc import Callable

from models.problem import Problem
from models.problem_solutions import Solution
from models.simulation import SimulationSpec
from solvers.backends.simopt.plan_ga import PlanEncoding, run_ga
from solvers.backends.simopt.plan_search import SEARCH_SHARE, PlanAnswer, PlanSearch
from solvers.backends.simopt.plan_select import FinalStage, select_plan
from solvers.evaluators import evaluate
from solvers.simulation.evaluator import Evaluator
from solvers.simulation.plan_models import objective_kpi
from solvers.simulation.stats import statistic

GA_SHARE = 0.6
"""Share of the search time for the GA; the polish gets the rest (and what the GA leaves)."""


def optimise_plan(problem: Problem, spec: SimulationSpec, evaluator: Evaluator, optimum: Solution,
                  warm_start: Solution | None = None, generations: int | None = None,
                  leader: Callable[[Solution], None] = lambda _plan: None) -> PlanAnswer:
    """Of SEARCH_SHARE of the evaluator's remaining time, GA_SHARE for the GA from the optimum
    (and a feasible warm start), the rest for the polish; then the final stage on fresh
    replications (from index 2 x pilot: the polish confirms moves on replications pilot..2 pilot-1)."""
    kpi, maximise = objective_kpi(problem)
    pilot = spec.replications if isinstance(spec.replications, int) else spec.min_replications
    seeds = [optimum]
    if warm_start is not None and warm_start != optimum and evaluate(problem, warm_start).feasible:
        seeds.append(warm_start)
    encoding = PlanEncoding(problem, spec, evaluator, kpi, maximise, pilot, seeds)
    now = time.monotonic()
    search_end = now + SEARCH_SHARE * max(0.0, evaluator.deadline - now)
    run = run_ga(encoding, spec.seed, now + GA_SHARE * (search_end - now), generations)
    if run.ranked:
        leader(run.ranked[0][0])  # the GA's best on the pilot replications
    ranked, steps = polish(problem, spec, evaluator, run.ranked, search_end)
    if ranked:
        leader(ranked[0][0])
    search = (f"genetic algorithm (DEAP fitness and elite archive, tournament selection, elitism; family "
              f"crossover and neighbour-move mutation) seeded with the deterministic optimum, fitness = "
              f"{spec.objective} of {kpi} over the same {pilot} pilot replications for every plan "
              f"(common random numbers: {spec.common_random_numbers}); {run.generations} generations, "
              f"{len(run.ranked)} feasible plans simulated, stopped by {run.reason}; then local search from the "
              f"GA's best ({steps} improving moves, each confirmed on {2 * pilot} paired replications)")
    stage = FinalStage(spec, evaluator, kpi, maximise, pilot, search, len(ranked), offset=2 * pilot)
    answer = select_plan(stage, ranked, optimum)
    leader(answer.best)
    answer.search_stop = run.reason
    return answer


def polish(problem: Problem, spec: SimulationSpec, evaluator: Evaluator, ranked: list[tuple[Solution, float]],
           deadline: float) -> tuple[list[tuple[Solution, float]], int]:
    """First-improvement local search from the best plan until `deadline` or stagnation; every
    plan it accepted joins the ranking (ahead of the GA's, by pilot fitness)."""
    if not ranked:
        return ranked, 0
    search = PlanSearch(problem, spec, evaluator, time.monotonic())
    search.search_deadline = deadline
    path = search.improve_path(ranked[0][0])
    known = {s.model_dump_json() for s, _ in ranked}
    extra = [(plan, statistic([r[search.kpi] for r in evaluator.results[plan.model_dump_json()][:search.pilot]],
                              spec.objective)) for plan in path if plan.model_dump_json() not in known]
    sign = -1.0 if search.maximise else 1.0
    return sorted([*extra, *ranked], key=lambda item: sign * item[1]), len(path)
