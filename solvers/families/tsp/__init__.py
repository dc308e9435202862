"""TSP algorithms: distances, bounds (1-tree, Held-Karp), local search, cuts, the MIP model."""
