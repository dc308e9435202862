"""The random stream of the compiled kernels: xorshift32 (Marsaglia 2003) kept in one int64 slot.

Why not numpy's generators: a kernel keeps its whole state in int64 arrays it is handed, so a
seed gives the same run on any machine, in any thread and after a pause between chunks (the
stream's state is one entry of those arrays, saved with them); three shifts per number cost less
than a call into a generator object.
"""

from solvers.families.jit import jit


@jit
def next_xorshift(state, slot):  # type: ignore[no-untyped-def]
    """Advances the xorshift32 stream in state[slot] (non-zero, below 2**32) and returns it."""
    x = state[slot]
    x ^= (x << 13) & 0xFFFFFFFF
    x ^= x >> 17
    x ^= (x << 5) & 0xFFFFFFFF
    state[slot] = x
    return x
