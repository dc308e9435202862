"""Backend `portfolio`: races an exact and a heuristic member under one time limit."""
