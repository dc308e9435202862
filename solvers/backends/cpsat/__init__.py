"""Backend `cpsat`: OR-Tools CP-SAT (scheduling with intervals, TSP by AddCircuit)."""
