"""The one numba configuration every compiled kernel uses.

Kernels are cached next to their modules (numba falls back to a per-user cache directory, or
NUMBA_CACHE_DIR, where that is read-only): compiling them all costs seconds, loading them from
the cache a fraction of that, so `python -m solvers.runtime.warmup` compiles them once at install time.
"""

from numba import njit

CACHE = True
"""For kernels that need other flags: `@njit(cache=CACHE)`."""
jit = njit(cache=CACHE, nogil=True)
"""Compiled, cached, and releasing the GIL (solver threads run kernels side by side)."""
