"""The Pyomo model of each family, and the solver to run it: everything that imports Pyomo itself,
kept apart so that the backend's module loads without it (see `backend.warm_up`)."""

from models import FacilityLocationProblem, KnapsackProblem, SchedulingProblem, TspProblem
from models.problem import Problem
from solvers.backends.pyomo.models import PyomoModel, facility_model, knapsack_model
from solvers.backends.pyomo.scheduling import scheduling_model
from solvers.backends.pyomo.solvers import make_solver as make_solver
from solvers.backends.pyomo.tsp import tsp_model


def build(problem: Problem) -> PyomoModel:
    """The Pyomo model of `problem`."""
    if isinstance(problem, KnapsackProblem):
        return knapsack_model(problem)
    if isinstance(problem, FacilityLocationProblem):
        return facility_model(problem)
    if isinstance(problem, TspProblem):
        return tsp_model(problem)
    if isinstance(problem, SchedulingProblem):
        return scheduling_model(problem)
    raise TypeError(f"no Pyomo model for {type(problem).__name__}")
