"""Knapsack under random weights: does the selection still fit, and what value is kept?

Items are loaded in the order of the solution; an item that no longer fits is left behind, so
`value_kept` is what a packer following the plan would actually ship.
"""

from models import KnapsackProblem, KnapsackSolution
from models.simulation import KnapsackSimModel
from solvers.simulation.sampling import Sampler
from solvers.simulation.streams import Streams


def simulate_knapsack(problem: KnapsackProblem, solution: KnapsackSolution, model: KnapsackSimModel,
                      streams: Streams) -> dict[str, float]:
    by_id = {item.id: item for item in problem.items}
    caps = problem.capacities()
    load = [0.0] * len(caps)
    kept, total, overflow = 0.0, 0.0, False
    for item_id in solution.selected:
        item = by_id[item_id]
        nominal = item.weight if isinstance(item.weight, list) else [item.weight]
        sampler = Sampler(model.weight, streams.rng("weight", str(item_id)))
        weights = [sampler.draw(w) for w in nominal]
        total += item.value or 0.0
        if all(load[d] + weights[d] <= caps[d] for d in range(len(caps))):
            load = [load[d] + weights[d] for d in range(len(caps))]
            kept += item.value or 0.0
        else:
            overflow = True
    return {"overflow": float(overflow), "value_kept": kept, "value_lost": total - kept,
            "load": load[0] / caps[0] if caps[0] > 0 else 0.0}
