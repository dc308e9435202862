"""Knapsack algorithms: Dantzig bound, reduction, core and dense dynamic programming, the MIP model."""
