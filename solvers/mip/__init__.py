"""The shared array-MIP plumbing: array models, column maps, the cut loop, reduced-cost fixing."""
