"""Backend `front`: NSGA-II, then the exact epsilon-constraint sweep, one front."""
