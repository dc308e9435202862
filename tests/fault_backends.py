"""Backends that fail the way native solvers do: one eats memory without bound, one segfaults.

Used by tests/app/test_faults.py to show that a solve process dying takes only its own solve
down: the answer is `status: error` with the reason, and the next solve works.
"""

import os
import signal

from models import ProblemKind, Status, Termination
from models.problem import Problem
from solvers.contract import BackendSpec, Capabilities, RawResult, SolveContext

CAPS = Capabilities(frozenset({ProblemKind.knapsack}), exact=False, reports_bound=False, warm_start=False,
                    deterministic=True)
MEMORY_HOG = BackendSpec(name="memory_hog", module="tests.fault_backends", description="allocates until it fails",
                         capabilities=CAPS)
SEGFAULT = BackendSpec(name="segfault", module="tests.fault_backends_segv", description="dies with SIGSEGV",
                       capabilities=CAPS)


def solve(problem: Problem, context: SolveContext) -> RawResult:
    hoard = []
    while True:  # like a model build that never stops growing
        hoard.append(bytearray(64 * 1024**2))
    return RawResult(status=Status.error, termination=Termination.error)


def crash() -> RawResult:
    os.kill(os.getpid(), signal.SIGSEGV)
    return RawResult(status=Status.error, termination=Termination.error)
