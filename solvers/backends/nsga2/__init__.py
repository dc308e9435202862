"""Backend `nsga2`: NSGA-II (pymoo) fronts; staffing fronts run in process on the simulator."""
