"""CBC backend (`solvers/backends/cbc.py`): the shared MIP suite, run through the child-process runner."""

from tests.solvers.mip_suite import MipBackendSuite


class TestCbc(MipBackendSuite):
    backend = "cbc"
