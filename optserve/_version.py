"""The package version, in one place: pyproject reads it, the SDK sends it, FastAPI shows it."""

__version__ = "0.1.0"
