"""Backend `simopt`: simulation-optimisation of plans and staffing (SimPy, CRN, ranking and selection)."""
