"""Benchmarks: our backends (through the service's dispatcher) against raw solver calls, on public instances.

Entry points: `python -m bench.run ...` (the harness) and `python -m bench.peers PEER INSTANCE` (one raw
peer run, used by the harness in a subprocess). See bench/README.md.
"""
