"""Random streams keyed by (seed, replication, element): the basis of common random numbers.

Two candidates simulated with the same seed and replication index draw the same numbers for the
same stochastic element (the arrival process, job 3's processing times, ...), so differences
between them come from the decisions, not from luck. Without CRN the candidate joins the key.
"""

import hashlib

import numpy as np


def element_key(*parts: object) -> int:
    """A stable 32-bit integer for a tuple of names (Python's hash() is salted per process)."""
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=4).digest()
    return int.from_bytes(digest, "little")


class Streams:
    """Hands out independent generators per stochastic element of one replication."""

    def __init__(self, seed: int, replication: int, candidate: int | None = None) -> None:
        self.seed = seed
        self.replication = replication
        self.candidate = candidate

    def rng(self, *element: object) -> np.random.Generator:
        key: tuple[int, ...] = (self.replication, element_key(*element))
        if self.candidate is not None:
            key = (*key, self.candidate)
        return np.random.default_rng(np.random.SeedSequence(entropy=self.seed, spawn_key=key))
