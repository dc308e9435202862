"""Simulation-optimisation: SimPy models of every family, replications, statistics, search."""
