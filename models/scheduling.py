"""Scheduling family: job shop, with flexible/parallel machines and sequence-dependent setups.

Times are integers (the unit is the user's): exact scheduling engines work on integer time and
people's data (minutes, seconds) is integer already; fractional data would be silently rounded.
"""

from enum import StrEnum
from typing import Literal

from pydantic import Field

from models._base import ContractModel, Id
from models.issues import IssueList, check_objective_names, duplicate_positions

SetupMatrix = list[list[int]]
SCHEDULING_CRITERIA = ("makespan", "total_weighted_tardiness", "total_completion_time")


class MachineOption(ContractModel):
    """One way to run an operation: on this machine, taking this long."""

    machine: Id = Field(description="Machine id (one of `machines`).")
    duration: int = Field(ge=0, description="Processing time on that machine (integer >= 0).")


class Operation(ContractModel):
    """A step of a job: a fixed machine and duration, or a choice of `alternatives`."""

    machine: Id | None = Field(default=None, description="Machine id, when the machine is fixed.")
    duration: int | None = Field(default=None, ge=0, description="Processing time, with `machine`.")
    alternatives: list[MachineOption] | None = Field(
        default=None, description="Machines able to run this operation (flexible or parallel machines)."
    )

    def choices(self) -> list[MachineOption]:
        """Every (machine, duration) this operation may run as."""
        if self.alternatives is not None:
            return list(self.alternatives)
        if self.machine is None or self.duration is None:
            return []
        return [MachineOption(machine=self.machine, duration=self.duration)]


class SchedulingJob(ContractModel):
    """Operations executed in the listed order, none before `release`."""

    id: Id = Field(description="Unique job identifier.")
    operations: list[Operation] = Field(min_length=1, description="Operations in technological order.")
    release: int = Field(default=0, ge=0, description="Earliest start of the first operation.")
    due: int | None = Field(default=None, ge=0, description="Due date (for tardiness objectives).")
    weight: float = Field(default=1.0, ge=0, allow_inf_nan=False, description="Tardiness weight.")


class SchedulingObjective(StrEnum):
    """What to minimise."""

    makespan = "makespan"
    total_weighted_tardiness = "total_weighted_tardiness"


class SchedulingProblem(ContractModel):
    """Assign operations to machines and times: no overlap per machine, job order kept."""

    kind: Literal["scheduling"] = Field(description="Problem family discriminator.")
    machines: list[Id] = Field(min_length=1, description="Machine ids.")
    jobs: list[SchedulingJob] = Field(min_length=1, description="Jobs to schedule.")
    setup_times: SetupMatrix | dict[str, SetupMatrix] | None = Field(
        default=None,
        description="setup[a][b] = time between finishing job a and starting job b on the same "
        "machine (positions in `jobs`; none before a machine's first job). An object maps a machine "
        "id to its own matrix.",
    )
    objective: SchedulingObjective = Field(
        default=SchedulingObjective.makespan, description="`makespan` or `total_weighted_tardiness`."
    )
    objectives: list[str] | None = Field(
        default=None, min_length=2, description="Multi-objective: two or more of `makespan`, "
        "`total_weighted_tardiness`, `total_completion_time`, all minimised (then `objective` is ignored).",
    )

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "kind": "scheduling",
                    "machines": ["M1", "M2", "M3"],
                    "jobs": [
                        {"id": "J1", "operations": [{"machine": "M1", "duration": 3},
                                                    {"machine": "M2", "duration": 2},
                                                    {"machine": "M3", "duration": 2}]},
                        {"id": "J2", "operations": [{"machine": "M1", "duration": 2},
                                                    {"machine": "M3", "duration": 1},
                                                    {"machine": "M2", "duration": 4}]},
                        {"id": "J3", "operations": [{"machine": "M2", "duration": 4},
                                                    {"machine": "M3", "duration": 3}]},
                    ],
                    "objective": "makespan",
                }
            ]
        }
    }

    def setup_matrix(self, machine: Id) -> SetupMatrix | None:
        """The setup matrix that applies on `machine`, or None when there are no setups."""
        if self.setup_times is None or isinstance(self.setup_times, list):
            return self.setup_times
        return self.setup_times.get(str(machine))

    def check(self, issues: IssueList) -> None:
        """Unique ids, resolvable machines, exactly one way to state each operation, square setups."""
        for pos in duplicate_positions(list(self.machines)):
            issues.add(("machines", pos), f"duplicate machine id {self.machines[pos]!r}")
        for pos in duplicate_positions([j.id for j in self.jobs]):
            issues.add(("jobs", pos, "id"), f"duplicate job id {self.jobs[pos].id!r}")
        known = {str(m) for m in self.machines}
        for j, job in enumerate(self.jobs):
            for k, op in enumerate(job.operations):
                _check_operation(issues.under("jobs", j, "operations", k), op, known)
        self._check_setups(issues, known)
        if self.objectives is not None:
            check_objective_names(issues, self.objectives, set(SCHEDULING_CRITERIA))

    def criteria(self) -> list[str]:
        return list(self.objectives) if self.objectives else [self.objective.value]

    def _check_setups(self, issues: IssueList, known: set[str]) -> None:
        if self.setup_times is None:
            return
        if isinstance(self.setup_times, list):
            _check_setup_matrix(issues.under("setup_times"), self.setup_times, len(self.jobs))
            return
        for machine, matrix in self.setup_times.items():
            if machine not in known:
                issues.add(("setup_times", machine), f"unknown machine {machine!r}")
            _check_setup_matrix(issues.under("setup_times", machine), matrix, len(self.jobs))


def _check_operation(issues: IssueList, op: Operation, known: set[str]) -> None:
    fixed = op.machine is not None or op.duration is not None
    if fixed and op.alternatives is not None:
        issues.add((), "give either `machine` and `duration` or `alternatives`, not both")
        return
    if op.alternatives is None and (op.machine is None or op.duration is None):
        issues.add((), "an operation needs `machine` and `duration`, or `alternatives`")
        return
    if op.alternatives is not None and not op.alternatives:
        issues.add(("alternatives",), "list at least one machine")
    if op.machine is not None and str(op.machine) not in known:
        issues.add(("machine",), f"unknown machine {op.machine!r}")
    for a, alt in enumerate(op.alternatives or []):
        if str(alt.machine) not in known:
            issues.add(("alternatives", a, "machine"), f"unknown machine {alt.machine!r}")
    alt_machines = [str(alt.machine) for alt in op.alternatives or []]
    for pos in duplicate_positions(list(alt_machines)):
        issues.add(("alternatives", pos, "machine"), "machine listed twice")


def _check_setup_matrix(issues: IssueList, matrix: SetupMatrix, n_jobs: int) -> None:
    if len(matrix) != n_jobs:
        issues.add((), f"setup matrix has {len(matrix)} rows; need one per job ({n_jobs})")
    for a, row in enumerate(matrix):
        if len(row) != n_jobs:
            issues.add((a,), f"row has {len(row)} entries; need one per job ({n_jobs})")
        for b, value in enumerate(row):
            if value < 0:
                issues.add((a, b), f"setup time must be >= 0, got {value}")


class ScheduledOperation(ContractModel):
    """When and where one operation runs."""

    job: Id = Field(description="Job id.")
    index: int = Field(ge=0, description="Position of the operation within its job.")
    machine: Id = Field(description="Machine that runs it.")
    start: int = Field(ge=0, description="Start time.")
    end: int = Field(ge=0, description="End time (start + duration on that machine).")


class ScheduleSolution(ContractModel):
    """Every operation of every job, placed."""

    operations: list[ScheduledOperation] = Field(description="All scheduled operations.")
