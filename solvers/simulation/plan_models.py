"""Simulating a plan (a solution of a deterministic family) under the request's randomness."""

import json

from models import (
    FacilityLocationProblem,
    FacilitySolution,
    KnapsackProblem,
    KnapsackSolution,
    ScheduleSolution,
    SchedulingProblem,
    TspProblem,
    TspSolution,
)
from models.problem import Problem
from models.problem_solutions import Solution
from models.simulation import FacilitySimModel, KnapsackSimModel, SchedulingSimModel, TspSimModel
from solvers.simulation.sim_facility import simulate_facility
from solvers.simulation.sim_knapsack import simulate_knapsack
from solvers.simulation.sim_scheduling import simulate_schedule
from solvers.simulation.sim_tsp import simulate_tour
from solvers.simulation.streams import Streams


def simulate_plan(problem: Problem, solution: Solution, model_json: str, streams: Streams) -> dict[str, float]:
    """KPIs of one replication of a plan."""
    model = json.loads(model_json)
    if isinstance(problem, SchedulingProblem) and isinstance(solution, ScheduleSolution):
        return simulate_schedule(problem, solution, SchedulingSimModel.model_validate(model), streams)
    if isinstance(problem, TspProblem) and isinstance(solution, TspSolution):
        return simulate_tour(problem, solution, TspSimModel.model_validate(model), streams)
    if isinstance(problem, KnapsackProblem) and isinstance(solution, KnapsackSolution):
        return simulate_knapsack(problem, solution, KnapsackSimModel.model_validate(model), streams)
    if isinstance(problem, FacilityLocationProblem) and isinstance(solution, FacilitySolution):
        return simulate_facility(problem, solution, FacilitySimModel.model_validate(model), streams)
    raise TypeError(f"cannot simulate a {type(solution).__name__} of a {problem.kind} problem")


def objective_kpi(problem: Problem) -> tuple[str, bool]:
    """The simulated KPI optimised for this family, and whether it is maximised."""
    if isinstance(problem, KnapsackProblem):
        return "value_kept", True
    if isinstance(problem, SchedulingProblem):
        return problem.objective.value, False
    if isinstance(problem, FacilityLocationProblem):
        return "response_mean", False
    return "tour_duration", False
