"""JSPLIB job shop (`abz5`, `ft06`, `ta01`, ...) and Taillard flow-shop files in the same layout.

    # comment lines ('#' to the end of the line)
    n m                          jobs, machines
    M_11 P_11 M_12 P_12 ...      per job: (machine, processing time) pairs in technological order

Read as a token stream after removing comments. Machines are the ints 0..m-1 and jobs the ints
0..n-1 in file order; objective makespan. A flow-shop file (`parse_flowshop`) must list machines
0..m-1 in that order for every job. Note that a `SchedulingProblem` does not force one job
permutation on every machine, so published permutation flow-shop optima are upper bounds for it
(a job-shop solver may find shorter schedules).
"""

from pathlib import Path

from models import Operation, SchedulingJob, SchedulingProblem
from solvers.formats.common import FormatError, Tokens, read_text


def parse_jobshop(text: str) -> SchedulingProblem:
    """A JSPLIB job-shop file's text as a makespan `SchedulingProblem`."""
    tokens = Tokens(text, comment="#")
    n = tokens.int("number of jobs", minimum=1)
    m = tokens.int("number of machines", minimum=1)
    expected = 2 * n * m
    if tokens.remaining() < expected:
        raise FormatError(
            f"{n} jobs x {m} machines need {expected} numbers after the header, found {tokens.remaining()}",
            tokens.line,
        )
    jobs = [_job(tokens, j, m) for j in range(n)]
    tokens.expect_end(f"the {n} jobs")
    return SchedulingProblem(kind="scheduling", machines=list(range(m)), jobs=jobs)


def _job(tokens: Tokens, j: int, m: int) -> SchedulingJob:
    operations = []
    for k in range(m):
        line = tokens.line
        machine = tokens.int(f"machine of job {j} operation {k}")
        if not 0 <= machine < m:
            raise FormatError(f"job {j} operation {k}: machine {machine} is outside 0..{m - 1}", line)
        duration = tokens.int(f"duration of job {j} operation {k}", minimum=0)
        operations.append(Operation(machine=machine, duration=duration))
    return SchedulingJob(id=j, operations=operations)


def parse_flowshop(text: str) -> SchedulingProblem:
    """A Taillard flow-shop file in JSPLIB layout; every job must visit machines 0..m-1 in order."""
    problem = parse_jobshop(text)
    order = list(range(len(problem.machines)))
    for job in problem.jobs:
        if [op.machine for op in job.operations] != order:
            raise FormatError(f"job {job.id} does not visit machines 0..{len(order) - 1} in order; not a flow shop")
    return problem


def jobshop_from_path(path: str | Path) -> SchedulingProblem:
    return parse_jobshop(read_text(path))


def flowshop_from_path(path: str | Path) -> SchedulingProblem:
    return parse_flowshop(read_text(path))
