"""Seeded random job shops in Taillard's style, for tests and benchmarks (no downloads).

Taillard (1993), "Benchmarks for basic scheduling problems", EJOR 64(2): every job visits every
machine once, in a random order, with durations uniform in 1..99. Python's `random.Random(seed)`
draws them in a fixed order (durations and machine orders interleaved, job by job), so a
(jobs, machines, seed) triple always gives the same shop; Taillard's own generator (a Lehmer
sequence) is not reproduced, so these are not his instances. With many more jobs than machines the
busiest machine's load is usually the optimum, which makes large shops checkable.
"""

import random

from models import SchedulingProblem


def random_job_shop(n_jobs: int, n_machines: int, seed: int = 1) -> SchedulingProblem:
    """`n_jobs` jobs on machines M0..M{n_machines-1} (see the module docstring)."""
    rng = random.Random(seed)
    machines = [f"M{m}" for m in range(n_machines)]
    return SchedulingProblem.model_validate({"kind": "scheduling", "machines": machines, "jobs": [
        {"id": f"J{j}", "operations": [{"machine": m, "duration": rng.randint(1, 99)}
                                       for m in rng.sample(machines, n_machines)]} for j in range(n_jobs)]})
