"""Scheduling and TSP cases for the OR-Tools backends: classic instances, generators, checks.

The benchmark instances are embedded (the JSPLIB / TSPLIB text of the few used here) so the tests
need nothing outside the repository. `schedule_violations` and `schedule_objective` re-check a
schedule from scratch; `brute_force_schedule` enumerates machine choices and machine orders.
"""

import itertools
import random

from models import MachineOption, ScheduleSolution, SchedulingProblem, TspProblem

FT06 = """6 6
2 1 0 3 1 6 3 7 5 3 4 6
1 8 2 5 4 10 5 10 0 10 3 4
2 5 3 4 5 8 0 9 1 1 4 7
1 5 0 5 2 5 3 3 4 8 5 9
2 9 1 3 4 5 5 4 0 3 3 1
1 3 3 3 5 9 0 10 4 4 2 1
"""

LA01 = """10 5
1 21 0 53 4 95 3 55 2 34
0 21 3 52 4 16 2 26 1 71
3 39 4 98 1 42 2 31 0 12
1 77 0 55 4 79 2 66 3 77
0 83 3 34 2 64 1 19 4 37
1 54 2 43 4 79 0 92 3 62
3 69 4 77 1 87 2 87 0 93
2 38 0 60 1 41 3 24 4 83
3 17 1 49 4 25 0 44 2 98
4 77 3 79 2 43 1 75 0 96
"""

FT10 = """10 10
0 29 1 78 2 9 3 36 4 49 5 11 6 62 7 56 8 44 9 21
0 43 2 90 4 75 9 11 3 69 1 28 6 46 5 46 7 72 8 30
1 91 0 85 3 39 2 74 8 90 5 10 7 12 6 89 9 45 4 33
1 81 2 95 0 71 4 99 6 9 8 52 7 85 3 98 9 22 5 43
2 14 0 6 1 22 5 61 3 26 4 69 8 21 7 49 9 72 6 53
2 84 1 2 5 52 3 95 8 48 9 72 0 47 6 65 4 6 7 25
1 46 0 37 3 61 2 13 6 32 5 21 9 32 8 89 7 30 4 55
2 31 0 86 1 46 5 74 4 32 6 88 8 19 9 48 7 36 3 79
0 76 1 69 3 76 5 51 2 85 9 11 6 40 7 89 4 26 8 74
1 85 0 13 2 61 6 7 8 64 9 76 5 47 3 52 4 90 7 45
"""

BERLIN52 = [
    (565, 575), (25, 185), (345, 750), (945, 685), (845, 655), (880, 660), (25, 230), (525, 1000),
    (580, 1175), (650, 1130), (1605, 620), (1220, 580), (1465, 200), (1530, 5), (845, 680), (725, 370),
    (145, 665), (415, 635), (510, 875), (560, 365), (300, 465), (520, 585), (480, 415), (835, 625),
    (975, 580), (1215, 245), (1320, 315), (1250, 400), (660, 180), (410, 250), (420, 555), (575, 665),
    (1150, 1160), (700, 580), (685, 595), (685, 610), (770, 610), (795, 645), (720, 635), (760, 650),
    (475, 960), (95, 260), (875, 920), (700, 500), (555, 815), (830, 485), (1170, 65), (830, 610),
    (605, 625), (595, 360), (1340, 725), (1740, 245),
]


def jsplib(text: str) -> SchedulingProblem:
    """A JSPLIB job shop (machines numbered from 0) as a makespan problem."""
    rows = [line.split() for line in text.strip().splitlines() if not line.startswith("#")]
    n_machines = int(rows[0][1])
    jobs = []
    for j, row in enumerate(rows[1:]):
        pairs = list(zip(row[::2], row[1::2], strict=True))
        jobs.append({"id": f"J{j}", "operations": [{"machine": f"M{m}", "duration": int(d)} for m, d in pairs]})
    return SchedulingProblem.model_validate(
        {"kind": "scheduling", "machines": [f"M{m}" for m in range(n_machines)], "jobs": jobs})


def berlin52() -> TspProblem:
    return TspProblem.model_validate({"kind": "tsp", "coordinates": [list(p) for p in BERLIN52], "metric": "euc_2d"})


def parallel_with_setups(n_jobs: int = 50, n_machines: int = 5, seed: int = 1) -> SchedulingProblem:
    """Single-operation jobs on unrelated parallel machines with sequence-dependent setups."""
    rng = random.Random(seed)
    machines = [f"P{m}" for m in range(n_machines)]
    jobs = [{"id": f"J{j}", "operations": [{"alternatives": [
        {"machine": m, "duration": rng.randint(5, 30)} for m in machines]}]} for j in range(n_jobs)]
    setups = [[0 if a == b else rng.randint(1, 15) for b in range(n_jobs)] for a in range(n_jobs)]
    return SchedulingProblem.model_validate(
        {"kind": "scheduling", "machines": machines, "jobs": jobs, "setup_times": setups})


def released_with_due_dates() -> SchedulingProblem:
    return SchedulingProblem.model_validate({
        "kind": "scheduling", "machines": ["A", "B"], "objective": "total_weighted_tardiness",
        "jobs": [
            {"id": "j0", "release": 4, "due": 9, "weight": 2.5,
             "operations": [{"machine": "A", "duration": 3}, {"machine": "B", "duration": 2}]},
            {"id": "j1", "due": 4, "operations": [{"alternatives": [{"machine": "A", "duration": 4},
                                                                    {"machine": "B", "duration": 2}]}]},
            {"id": "j2", "release": 1, "due": 3, "weight": 0.5,
             "operations": [{"machine": "B", "duration": 5}, {"machine": "A", "duration": 1}]},
        ],
        "setup_times": {"A": [[0, 1, 2], [1, 0, 3], [2, 2, 0]]},
    })


def setup_of(problem: SchedulingProblem, machine: str | int, a: int, b: int) -> int:
    matrix = problem.setup_matrix(machine)
    return 0 if matrix is None else matrix[a][b]


def schedule_violations(problem: SchedulingProblem, solution: ScheduleSolution) -> list[str]:
    """Every broken rule: coverage, machine choice, duration, release, job order, overlap plus setup."""
    out: list[str] = []
    job_pos = {str(job.id): j for j, job in enumerate(problem.jobs)}
    placed = {(str(o.job), o.index): o for o in solution.operations}
    expected = {(str(job.id), k) for job in problem.jobs for k in range(len(job.operations))}
    if set(placed) != expected or len(solution.operations) != len(expected):
        out.append("operations missing, duplicated or unknown")
        return out
    for job in problem.jobs:
        previous_end = job.release
        for k, op in enumerate(job.operations):
            o = placed[(str(job.id), k)]
            durations = {str(c.machine): c.duration for c in op.choices()}
            if str(o.machine) not in durations:
                out.append(f"{job.id}[{k}] on a machine it cannot use")
            elif o.end - o.start != durations[str(o.machine)]:
                out.append(f"{job.id}[{k}] has the wrong duration")
            if o.start < previous_end:
                out.append(f"{job.id}[{k}] starts before its predecessor ends or before the release")
            previous_end = o.end
    for machine in problem.machines:
        runs = sorted((o for o in solution.operations if str(o.machine) == str(machine)), key=lambda o: o.start)
        for a, b in itertools.pairwise(runs):
            gap = setup_of(problem, machine, job_pos[str(a.job)], job_pos[str(b.job)])
            if b.start < a.end + gap:
                out.append(f"{a.job}[{a.index}] and {b.job}[{b.index}] overlap on {machine} (setup {gap})")
    return out


def schedule_objective(problem: SchedulingProblem, solution: ScheduleSolution) -> float:
    ends: dict[str, int] = {}
    for o in solution.operations:
        ends[str(o.job)] = max(ends.get(str(o.job), 0), o.end)
    if problem.objective.value == "makespan":
        return float(max(ends.values()))
    return sum(job.weight * max(0, ends[str(job.id)] - job.due) for job in problem.jobs if job.due is not None)


def brute_force_schedule(problem: SchedulingProblem) -> float:
    """Best semi-active schedule over every machine choice and every order on each machine."""
    ops = [(j, k) for j, job in enumerate(problem.jobs) for k in range(len(job.operations))]
    options = [problem.jobs[j].operations[k].choices() for j, k in ops]
    best = float("inf")
    for assignment in itertools.product(*options):
        by_machine: dict[str, list[int]] = {str(m): [] for m in problem.machines}
        for pos, choice in enumerate(assignment):
            by_machine[str(choice.machine)].append(pos)
        for orders in itertools.product(*(itertools.permutations(v) for v in by_machine.values())):
            value = _simulate(problem, ops, assignment, dict(zip(by_machine, orders, strict=True)))
            if value is not None:
                best = min(best, value)
    return best


def _simulate(
    problem: SchedulingProblem,
    ops: list[tuple[int, int]],
    assignment: tuple[MachineOption, ...],
    orders: dict[str, tuple[int, ...]],
) -> float | None:
    """Semi-active schedule of fixed machine orders; None when the orders deadlock."""
    end: dict[int, int] = {}
    pointer = dict.fromkeys(orders, 0)
    free = dict.fromkeys(orders, 0)
    last_job: dict[str, int | None] = dict.fromkeys(orders)
    position = {op: pos for pos, op in enumerate(ops)}
    while len(end) < len(ops):
        progressed = False
        for m, order in orders.items():
            if pointer[m] == len(order):
                continue
            pos = order[pointer[m]]
            j, k = ops[pos]
            if k > 0 and position[(j, k - 1)] not in end:
                continue
            ready = end[position[(j, k - 1)]] if k > 0 else problem.jobs[j].release
            previous = last_job[m]
            gap = 0 if previous is None else setup_of(problem, m, previous, j)
            end[pos] = max(ready, free[m] + gap) + assignment[pos].duration
            free[m], last_job[m] = end[pos], j
            pointer[m] += 1
            progressed = True
        if not progressed:
            return None
    finish = {j: max(end[position[(j, k)]] for k in range(len(job.operations))) for j, job in enumerate(problem.jobs)}
    if problem.objective.value == "makespan":
        return float(max(finish.values()))
    return sum(job.weight * max(0, finish[j] - job.due) for j, job in enumerate(problem.jobs) if job.due is not None)
