"""Scheduling algorithms: data preparation, dispatching heuristics, tabu searches, the MIP model."""
