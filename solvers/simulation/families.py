"""Which SimPy model simulates which family."""

import json

from models import StaffingProblem, StaffingSolution
from models.problem import Problem
from models.problem_solutions import Solution
from solvers.simulation.staffing_model import simulate_staffing
from solvers.simulation.streams import Streams


def simulate(problem: Problem, solution: Solution, model_json: str, streams: Streams) -> dict[str, float]:
    """One replication of `solution`: a dict of KPI name -> value."""
    if isinstance(problem, StaffingProblem) and isinstance(solution, StaffingSolution):
        servers = [solution.servers[str(s.id)] for s in problem.stations]
        return simulate_staffing(problem, servers, streams, json.loads(model_json or "{}").get("warmup"))
    from solvers.simulation.plan_models import simulate_plan

    kpis: dict[str, float] = simulate_plan(problem, solution, model_json, streams)
    return kpis
