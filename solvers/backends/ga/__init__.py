"""Backend `ga`: a DEAP genetic algorithm with one feasibility-keeping encoding per family."""
