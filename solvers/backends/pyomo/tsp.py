"""The TSP in Pyomo: degree constraints up front, subtour elimination cuts added lazily.

Symmetric matrices (n >= 3) get one binary per undirected edge and degree 2 at every node;
otherwise one binary per arc with out- and in-degree 1 (plus x_ij + x_ji <= 1 when n >= 3).
After each integer solution `separate` adds, for every connected component S of the chosen
edges, sum of the edges inside S <= |S| - 1, and the backend solves again (a cut loop; APPSI
re-solves incrementally). A solution that still has subtours when time runs out is patched
into one tour by cheapest merges and 2-opt, so decoding always yields a valid tour.
"""

import numpy as np
import pyomo.environ as pyo
from numpy.typing import NDArray
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from models import TspProblem, TspSolution
from solvers.backends.pyomo.models import PyomoModel
from solvers.families.tsp.distance import distance_matrix, tour_length
from solvers.families.tsp.mip import merge_cycles, two_opt
from solvers.families.tsp.tools import nearest_neighbour_tour
from solvers.mip.formulation import Decoded


class _Tsp:
    """Edges (or arcs), the model over them, cut separation and decoding."""

    def __init__(self, problem: TspProblem) -> None:
        self.d = d = distance_matrix(problem)
        self.n = n = len(d)
        self.symmetric = n >= 3 and bool(np.array_equal(d, d.T))
        if self.symmetric:
            self.tails, self.heads = np.triu_indices(n, 1)
        else:
            self.tails, self.heads = np.nonzero(~np.eye(n, dtype=bool))
        self.model = self._model()

    def _model(self) -> pyo.ConcreteModel:
        edges = range(len(self.tails))
        m = pyo.ConcreteModel(name="tsp")
        m.x = pyo.Var(edges, domain=pyo.Binary)
        arcs = list(zip(self.tails.tolist(), self.heads.tolist(), strict=True))
        m.length = pyo.Objective(expr=pyo.quicksum(float(self.d[t, h]) * m.x[e] for e, (t, h) in enumerate(arcs)))
        out: list[list[int]] = [[] for _ in range(self.n)]
        into: list[list[int]] = [[] for _ in range(self.n)]
        for e, (t, h) in enumerate(arcs):
            out[t].append(e)
            into[h].append(e)
        nodes = range(self.n)
        if self.symmetric:
            m.degree = pyo.Constraint(nodes, rule=lambda m, v: pyo.quicksum(m.x[e] for e in out[v] + into[v]) == 2)
        else:
            m.leave = pyo.Constraint(nodes, rule=lambda m, v: pyo.quicksum(m.x[e] for e in out[v]) == 1)
            m.enter = pyo.Constraint(nodes, rule=lambda m, v: pyo.quicksum(m.x[e] for e in into[v]) == 1)
            if self.n >= 3:
                index = {arc: e for e, arc in enumerate(arcs)}
                pairs = [(i, j) for i in nodes for j in nodes if i < j]
                m.two_cycle = pyo.Constraint(pairs, rule=lambda m, i, j: m.x[index[i, j]] + m.x[index[j, i]] <= 1)
        m.cuts = pyo.ConstraintList()
        return m

    def chosen(self) -> NDArray[np.bool_]:
        return np.array([(self.model.x[e].value or 0.0) > 0.5 for e in range(len(self.tails))], dtype=bool)

    def separate(self) -> bool:
        """Adds one subtour cut per connected component; False when the edges form one tour."""
        chosen = self.chosen()
        ones = np.ones(int(chosen.sum()))
        graph = coo_matrix((ones, (self.tails[chosen], self.heads[chosen])), shape=(self.n, self.n))
        count, labels = connected_components(graph, directed=False)
        if count <= 1:
            return False
        inside = np.zeros(self.n, dtype=bool)
        for label in range(count):
            nodes = labels == label
            if self.symmetric and 2 * int(nodes.sum()) > self.n:
                nodes = ~nodes  # the same cut given the degree rows, with fewer terms
            inside[:] = nodes
            edges = np.flatnonzero(inside[self.tails] & inside[self.heads])
            self.model.cuts.add(pyo.quicksum(self.model.x[int(e)] for e in edges) <= int(nodes.sum()) - 1)
        return True

    def decode(self) -> Decoded:
        cycles = self._cycles(self.chosen())
        if cycles is None:
            tour = self._polish(nearest_neighbour_tour(self.d))
        elif len(cycles) == 1:
            tour = cycles[0]
        else:
            tour = self._polish(merge_cycles(self.d, cycles, self.symmetric))
        return self._decoded(tour)

    def heuristic(self) -> Decoded:
        return self._decoded(self._polish(nearest_neighbour_tour(self.d)))

    def _polish(self, tour: list[int]) -> list[int]:
        return two_opt(self.d, tour) if self.symmetric else tour

    def _decoded(self, tour: list[int]) -> Decoded:
        first = tour.index(0)
        tour = tour[first:] + tour[:first]
        return Decoded(TspSolution(tour=tour), tour_length(self.d, tour))

    def _cycles(self, chosen: NDArray[np.bool_]) -> list[list[int]] | None:
        """The cycles the chosen edges form, or None when they are not a 2-factor / permutation."""
        tails, heads = self.tails[chosen].tolist(), self.heads[chosen].tolist()
        if len(tails) != self.n:
            return None
        neighbours: list[list[int]] = [[] for _ in range(self.n)]
        for t, h in zip(tails, heads, strict=True):
            neighbours[t].append(h)
            if self.symmetric:
                neighbours[h].append(t)
        if any(len(nb) != (2 if self.symmetric else 1) for nb in neighbours):
            return None
        seen = [False] * self.n
        cycles = []
        for first in range(self.n):
            if seen[first]:
                continue
            cycle, prev, node = [], -1, first
            while not seen[node]:
                seen[node] = True
                cycle.append(node)
                nxt = neighbours[node][0] if neighbours[node][0] != prev or not self.symmetric else neighbours[node][1]
                prev, node = node, nxt
            cycles.append(cycle)
        return cycles


def tsp_model(problem: TspProblem) -> PyomoModel:
    tsp = _Tsp(problem)
    return PyomoModel(tsp.model, False, tsp.decode, separate=tsp.separate, heuristic=tsp.heuristic())
