"""Compiles every numba kernel once (into numba's on-disk cache) so no solve pays for it.

`make install` runs `python -m solvers.runtime.warmup`; a fresh checkout would otherwise spend about
10 s compiling inside the first GA or local-search solve, eating its time limit.
"""

import time


def warm_up() -> None:
    from solvers.backends.ga import backend as ga
    from solvers.families.tsp import local_search as tsp_local_search

    ga.warm_up()
    from solvers.families.facility import transport as facility_transport

    facility_transport.warm_up()
    warm = getattr(tsp_local_search, "warm_up", None)
    if callable(warm):
        warm()
    from solvers.families.tsp import mincut as tsp_mincut

    tsp_mincut.warm_up()
    from solvers.families.scheduling import flowshop, heuristic, jobshop_tabu, parallel_search

    heuristic.warm_up()
    jobshop_tabu.warm_up()
    flowshop.warm_up()
    parallel_search.warm_up()


if __name__ == "__main__":
    began = time.monotonic()
    warm_up()
    print(f"numba kernels ready in {time.monotonic() - began:.1f} s")
