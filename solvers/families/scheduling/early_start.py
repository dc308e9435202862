"""The constructive schedule of a large shop, as the incumbent a MIP backend reports before building.

Why: the disjunctive models (`scheduling.mip` for HiGHS and CBC, the Pyomo backend's own) are built
by walking every pair of operations in Python, and on 300 jobs x 20 machines (6,000 operations, 18
million pairs) HiGHS, CBC and Pyomo were all killed at a 5 s deadline while building, answering
`no_solution`. Reported first (`solvers.mip.early_start`), the Giffler-Thompson schedule (0.2 s there)
is what such a run answers with when it is cut short, with the certified machine and job bound
(0.023 s there, and the optimum on that shop) so that the answer has a gap. Below EARLY_FROM
operations the backends report the same schedule themselves once their model is built, so smaller
shops do not pay for it twice (larger ones do: 0.07 s for flattening and the five rules on Taillard
30 x 20, against 1-6 s of building from 1,000 operations).
"""

from models import SchedulingProblem
from solvers.contract import Incumbent
from solvers.families.scheduling.certified import scheduling_lower_bound
from solvers.families.scheduling.data import flatten
from solvers.families.scheduling.heuristic import best_schedule, to_solution

EARLY_FROM = 500
"""Operations from which the schedule is reported before the model is built. Building took 0.23 s
(array model) and 0.38 s (Pyomo) on 25 jobs x 20 machines, 1.0 and 1.4 s on 50 x 20, 3.0 and 5.8 s
on 100 x 20 (random job shops, Taillard's recipe): from 500 operations a 1 s limit can run out first."""


def constructive_incumbent(problem: SchedulingProblem) -> Incumbent | None:
    """The best priority-rule schedule of a shop of EARLY_FROM operations or more, with the family's
    certified lower bound; None below."""
    if sum(len(job.operations) for job in problem.jobs) < EARLY_FROM:
        return None
    data = flatten(problem)
    start = best_schedule(data)
    bound = scheduling_lower_bound(data)
    return Incumbent(objective=start.objective, bound=bound.value, bound_source=bound.source,
                     solution=to_solution(data, start.placements))
