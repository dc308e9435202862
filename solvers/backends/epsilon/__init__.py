"""Backend `epsilon`: exact bi-objective fronts by the epsilon-constraint method on HiGHS."""
