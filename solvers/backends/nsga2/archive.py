"""The NSGA-II driver's external archive: NSGA-II's population is bounded, the archive keeps every
non-dominated feasible vector seen (up to ARCHIVE_CAP), and it is the answer."""

import numpy as np

from solvers.backends.nsga2.encodings import FloatArray

ARCHIVE_CAP = 2000
"""Largest archive kept; beyond it the archive is thinned evenly along the first criterion."""


class Archive:
    """Every non-dominated feasible vector seen so far, with one genome each (minimisation form)."""

    def __init__(self, n_obj: int) -> None:
        self.f = np.zeros((0, n_obj))
        self.x: list[FloatArray] = []
        self.changed_at = 0

    def offer(self, xs: FloatArray, fs: FloatArray, generation: int) -> None:
        for x, f in zip(xs, fs, strict=True):
            if len(self.f) and np.any(np.all(self.f <= f, axis=1)):
                continue  # dominated by, or equal to, an archived vector
            alive = ~np.all(f <= self.f, axis=1)
            self.f = np.vstack([self.f[alive], f[None, :]])
            self.x = [kept for kept, keep in zip(self.x, alive, strict=True) if keep] + [np.array(x)]
            self.changed_at = generation
        if len(self.x) > ARCHIVE_CAP:
            order = np.argsort(self.f[:, 0], kind="stable")
            chosen = order[np.linspace(0, len(order) - 1, ARCHIVE_CAP).round().astype(int)]
            self.f, self.x = self.f[chosen], [self.x[i] for i in chosen]
