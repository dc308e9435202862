"""The DEAP-based genetic-algorithm engine and its composable stopping rules, shared by the `ga`
backend (one encoding per family, in `solvers/backends/ga/`) and `simopt` (plans scored by simulation)."""
