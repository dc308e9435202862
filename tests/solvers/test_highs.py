"""HiGHS backend (`solvers/highs.py`): the shared MIP suite, run through the child-process runner."""

from tests.solvers.mip_suite import MipBackendSuite


class TestHighs(MipBackendSuite):
    backend = "highs"
