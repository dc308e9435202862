"""Backend `pyomo`: the MIP formulations written once in Pyomo, solved by HiGHS or CBC."""
