"""The one numba configuration every compiled kernel uses.

Kernels are cached next to their modules (or in NUMBA_CACHE_DIR; OPTSERVE_NUMBA_NO_CACHE=1 turns
the cache off): compiling them all costs seconds, loading them from the cache a fraction of that,
so `python -m solvers.runtime.warmup` compiles them once at install time.
"""

import os

from numba import njit

CACHE = os.environ.get("OPTSERVE_NUMBA_NO_CACHE", "") == ""
jit = njit(cache=CACHE, nogil=True)
"""Compiled, cached, and releasing the GIL (solver threads run kernels side by side)."""
