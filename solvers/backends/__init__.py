"""One home per registered backend, named as in the registry (`solvers/builtin.py`)."""
