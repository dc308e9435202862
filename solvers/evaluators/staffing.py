"""Staffing check: a count for every station, within its bounds; cost recomputed.

Service levels are random quantities: they are checked by simulation, not here.
"""

from models import StaffingProblem, StaffingSolution
from solvers.evaluators.base import Evaluation


def evaluate(problem: StaffingProblem, solution: StaffingSolution) -> Evaluation:
    result = Evaluation()
    known = {str(s.id) for s in problem.stations}
    for name in set(solution.servers) - known:
        result.violate(f"station {name!r} does not exist")
    cost = 0.0
    for station in problem.stations:
        count = solution.servers.get(str(station.id))
        if count is None:
            result.violate(f"station {station.id!r} has no server count")
            continue
        if not station.servers.min <= count <= station.servers.max:
            result.violate(f"station {station.id!r}: {count} servers outside [{station.servers.min}, "
                           f"{station.servers.max}]")
        cost += count * station.cost_per_server
    result.objective = cost
    return result
