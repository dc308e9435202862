"""The compiled Giffler-Thompson pass: the same schedules as the plain-Python pass it replaced, for
every rule, on job shops, flexible shops, parallel machines with setups, releases and due dates;
and fast enough that large instances leave the time limit to the search."""

import random
import time

import pytest

from models import SchedulingProblem
from solvers.evaluators import evaluate
from solvers.families.scheduling import heuristic
from solvers.families.scheduling.data import ScheduleData, flatten
from solvers.families.scheduling.dispatch_kernel import RULE_NUMBERS, DispatchArrays, dispatch
from solvers.families.scheduling.generator import random_job_shop
from solvers.families.scheduling.heuristic import Placement, best_schedule, build_python, to_solution
from tests.solvers.cases import FT10, jsplib, schedule_violations


def random_shop(seed: int) -> SchedulingProblem:
    """Jobs of 1-4 operations, some with machine alternatives, zero durations, releases, due dates,
    weights (0 included) and setups on some machines."""
    rng = random.Random(seed)
    machines = [f"M{m}" for m in range(rng.randint(1, 4))]
    n_jobs = rng.randint(1, 9)

    def operation() -> dict[str, object]:
        if rng.random() < 0.4:
            chosen = rng.sample(machines, rng.randint(1, len(machines)))
            return {"alternatives": [{"machine": m, "duration": rng.randint(0, 9)} for m in chosen]}
        return {"machine": rng.choice(machines), "duration": rng.randint(0, 9)}

    jobs = [{"id": f"J{j}", "release": rng.choice([0, 0, rng.randint(0, 15)]), "due": rng.randint(5, 40),
             "weight": rng.choice([0.0, 0.5, 1.0, 2.5]),
             "operations": [operation() for _ in range(rng.randint(1, 4))]} for j in range(n_jobs)]
    setups = {m: [[0 if a == b else rng.randint(0, 6) for b in range(n_jobs)] for a in range(n_jobs)]
              for m in machines if rng.random() < 0.5}
    objective = rng.choice(["makespan", "total_weighted_tardiness"])
    return SchedulingProblem.model_validate({"kind": "scheduling", "machines": machines, "jobs": jobs,
                                             "setup_times": setups or None, "objective": objective})


def compiled(data: ScheduleData, rule: str) -> tuple[Placement, ...]:
    return tuple(Placement(m, s, e) for m, s, e in dispatch(data, rule).tolist())


@pytest.mark.parametrize("seed", range(60))
def test_the_compiled_pass_gives_the_schedules_of_the_python_pass(seed: int) -> None:
    problem = random_shop(seed)
    data = flatten(problem)
    for rule in RULE_NUMBERS:
        placements = compiled(data, rule)
        assert placements == build_python(data, rule), rule
        check = evaluate(problem, to_solution(data, placements))  # the service's checker: zero-length
        assert check.feasible, (rule, check.violations)  # operations sort before longer ones at a tie


def test_ft10_schedules_match_rule_by_rule() -> None:
    data = flatten(jsplib(FT10))
    for rule in RULE_NUMBERS:
        assert compiled(data, rule) == build_python(data, rule), rule


def test_a_thousand_jobs_on_twenty_machines_take_seconds_not_minutes() -> None:
    """20,000 operations: the plain-Python pass took 144 s for the five makespan rules."""
    problem = random_job_shop(1000, 20, seed=0)
    data = flatten(problem)
    assert len(data.ops) * data.n_jobs >= heuristic.COMPILED_FROM
    best_schedule(data, ["ect"])  # loads the compiled pass (from the cache after install)
    started = time.perf_counter()
    best = best_schedule(data)
    elapsed = time.perf_counter() - started
    assert elapsed < 5.0, f"{elapsed:.2f} s"
    assert schedule_violations(problem, to_solution(data, best.placements)) == []


def test_each_rule_built_from_one_packing_is_that_rules_schedule(monkeypatch: pytest.MonkeyPatch) -> None:
    """`build_each` (the GA's first genomes) packs the compiled pass's input once for every rule."""
    data = flatten(random_job_shop(100, 20, seed=3))
    assert len(data.ops) * data.n_jobs >= heuristic.COMPILED_FROM
    rules = list(heuristic.MAKESPAN_RULES)
    packings: list[ScheduleData] = []
    pack = DispatchArrays.of

    def counted(shop: ScheduleData) -> DispatchArrays:
        packings.append(shop)
        return pack(shop)

    monkeypatch.setattr(DispatchArrays, "of", counted)
    each = heuristic.build_each(data, rules)
    assert len(packings) == 1
    monkeypatch.undo()
    assert each == [compiled(data, rule) for rule in rules]
    assert best_schedule(data).placements in each
    small = flatten(jsplib(FT10))
    assert heuristic.build_each(small, rules) == [build_python(small, rule) for rule in rules]
