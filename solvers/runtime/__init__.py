"""Process plumbing: child solve processes, the warm pool, the hard-deadline runner, numba warm-up."""
