"""What a simulation worker process runs: a batch of replications of one candidate.

Kept tiny and importable so a process pool can pickle the call; the heavy lifting is in the
family models.
"""

from pydantic import TypeAdapter

from models.problem import Problem
from models.problem_solutions import Solution
from solvers.simulation.streams import Streams

PROBLEM = TypeAdapter(Problem)
SOLUTION = TypeAdapter(Solution)


def run_batch(problem_json: str, solution_json: str, model_json: str, seed: int,
              replications: list[int], candidate: int | None) -> list[dict[str, float]]:
    """KPIs of each listed replication (`candidate` set only when streams must not be shared)."""
    from solvers.simulation.families import simulate

    problem = PROBLEM.validate_json(problem_json)
    solution = SOLUTION.validate_json(solution_json)
    return [simulate(problem, solution, model_json, Streams(seed, r, candidate)) for r in replications]
