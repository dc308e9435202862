"""The benchmark manifest (`<benchmarks_dir>/manifest.json`): entries into problems plus optima.

    library = BenchmarkLibrary()                      # root: argument, else OPTSERVE_BENCHMARKS_DIR
    entries = select(library.entries(), families={"knapsack"}, max_size=1000)
    instance = library.load(entries[0])               # problem model, known optimum, known solution

Reference values: `optimum` is a proven optimum of the problem as modelled here; otherwise
`lower_bound` / `upper_bound` bracket it. Permutation flow-shop optima (`jsplib-flowshop`) become
an `upper_bound`: our scheduling model allows a different job order per machine, so a solver may
legitimately beat them.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from models import MAXIMISED, ProblemKind, TspSolution
from models.problem import Problem, Solution
from solvers.formats.common import FormatError, read_text
from solvers.formats.jsplib import parse_flowshop, parse_jobshop
from solvers.formats.knapsack_files import (
    KnapsackInstance,
    mknap_instances,
    parse_jooken,
    read_kp01,
    read_pisinger_csv,
)
from solvers.formats.orlib_cap import parse_cap
from solvers.formats.tsplib import parse_tour, parse_tsp
from solvers.settings import SolverSettings

FAMILIES: dict[str, ProblemKind] = {
    "tsp": ProblemKind.tsp,
    "facility": ProblemKind.facility_location,
    "knapsack": ProblemKind.knapsack,
    "jobshop": ProblemKind.scheduling,
    "flowshop": ProblemKind.scheduling,
}
"""Manifest `problem` value -> our problem family."""


def benchmark_root(root: str | Path | None = None) -> Path:
    """The benchmark directory: the argument, else the `benchmarks_dir` setting (OPTSERVE_BENCHMARKS_DIR,
    default ../shared/benchmarks next to the checkout)."""
    return Path(root) if root is not None else SolverSettings().benchmarks_dir


@dataclass(frozen=True)
class ManifestEntry:
    """One benchmark entry as listed in manifest.json (the raw dict is kept in `raw`)."""

    name: str
    problem: str
    variant: str
    path: str
    format: str
    size: int | list[int]
    optimum: float | None = None
    lower_bound: float | None = None
    upper_bound: float | None = None
    instance_index: int | None = None
    instance_name: str | None = None
    capacity: float | None = None
    ignore_capacity: bool = False
    opt_tour_path: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ManifestEntry":
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data and k != "raw"}
        return cls(**known, raw=dict(data))

    @property
    def family(self) -> ProblemKind:
        return FAMILIES[self.problem]

    @property
    def scale(self) -> int:
        """One number for size filters: cities, items, facilities x customers, jobs x machines."""
        if isinstance(self.size, int):
            return self.size
        if self.problem == "knapsack":
            return self.size[0]
        product = 1
        for part in self.size:
            product *= part
        return product


def load_manifest(root: str | Path | None = None) -> list[ManifestEntry]:
    """Every entry of `<root>/manifest.json`, in file order."""
    data = json.loads((benchmark_root(root) / "manifest.json").read_text(encoding="utf-8"))
    return [ManifestEntry.from_dict(item) for item in data]


def select(
    entries: list[ManifestEntry],
    problems: set[str] | None = None,
    names: list[str] | None = None,
    max_size: int | None = None,
) -> list[ManifestEntry]:
    """Entries filtered by manifest problem (`tsp`, `facility`, `knapsack`, `jobshop`, `flowshop`)
    or family name (`facility_location`, `scheduling`), by name patterns (fnmatch), by `scale`."""
    from fnmatch import fnmatchcase

    chosen = []
    for entry in entries:
        if problems and entry.problem not in problems and entry.family.value not in problems:
            continue
        if names and not any(fnmatchcase(entry.name, pattern) for pattern in names):
            continue
        if max_size is not None and entry.scale > max_size:
            continue
        chosen.append(entry)
    return chosen


@dataclass(frozen=True)
class BenchmarkInstance:
    """An entry turned into a problem model, with what is known about its optimum."""

    entry: ManifestEntry
    problem: Problem
    optimum: float | None
    lower_bound: float | None = None
    upper_bound: float | None = None
    known_solution: Solution | None = None
    """An optimal solution shipped with the data (TSP .opt.tour, knapsack solution vectors)."""

    @property
    def maximise(self) -> bool:
        return self.entry.family in MAXIMISED

    @property
    def reference(self) -> tuple[float | None, str]:
        """The value to score against: the optimum, else the best known solution value."""
        if self.optimum is not None:
            return self.optimum, "optimum"
        best = self.lower_bound if self.maximise else self.upper_bound
        return best, "best_known" if best is not None else "none"


class BenchmarkLibrary:
    """Loads manifest entries into `BenchmarkInstance`s, reading and parsing each shared file once."""

    def __init__(self, root: str | Path | None = None) -> None:
        self.root = benchmark_root(root)
        self._texts: dict[str, str] = {}
        self._mknap: dict[str, list[KnapsackInstance]] = {}

    def entries(self) -> list[ManifestEntry]:
        return load_manifest(self.root)

    def text(self, relative: str) -> str:
        if relative not in self._texts:
            self._texts[relative] = read_text(self.root / relative)
        return self._texts[relative]

    def load(self, entry: ManifestEntry) -> BenchmarkInstance:
        """The entry's problem model and reference values; a bad file raises `FormatError` naming it."""
        reader = _READERS.get(entry.format)
        if reader is None:
            raise FormatError(f"{entry.name}: unknown manifest format {entry.format!r}")
        try:
            problem, solution = reader(self, entry)
        except FormatError as exc:
            raise FormatError(f"{entry.path}: {exc}") from exc
        if entry.format == "jsplib-flowshop":
            return BenchmarkInstance(entry, problem, None, None, entry.optimum or entry.upper_bound, solution)
        return BenchmarkInstance(entry, problem, entry.optimum, entry.lower_bound, entry.upper_bound, solution)

    def mknap(self, relative: str) -> list[KnapsackInstance]:
        if relative not in self._mknap:
            self._mknap[relative] = mknap_instances(self.text(relative))
        return self._mknap[relative]


Loaded = tuple[Problem, Solution | None]


def _tsplib(library: BenchmarkLibrary, entry: ManifestEntry) -> Loaded:
    problem = parse_tsp(library.text(entry.path))
    tour: TspSolution | None = None
    if entry.opt_tour_path:
        tour = parse_tour(library.text(entry.opt_tour_path), problem.size)
    return problem, tour


def _orlib_cap(library: BenchmarkLibrary, entry: ManifestEntry) -> Loaded:
    return parse_cap(library.text(entry.path), entry.capacity, entry.ignore_capacity), None


def _kp01(library: BenchmarkLibrary, entry: ManifestEntry) -> Loaded:
    instance = read_kp01(library.text(entry.path))
    return instance.problem, instance.solution


def _pisinger(library: BenchmarkLibrary, entry: ManifestEntry) -> Loaded:
    instance = read_pisinger_csv(library.text(entry.path), entry.instance_index or 1)
    if entry.instance_name and instance.name != entry.instance_name:
        raise FormatError(f"block {entry.instance_index} is {instance.name!r}, not {entry.instance_name!r}")
    return instance.problem, instance.solution


def _jooken(library: BenchmarkLibrary, entry: ManifestEntry) -> Loaded:
    return parse_jooken(library.text(entry.path)), None


def _mknap(library: BenchmarkLibrary, entry: ManifestEntry) -> Loaded:
    instances = library.mknap(entry.path)
    index = entry.instance_index or 1
    if not 1 <= index <= len(instances):
        raise FormatError(f"problem index {index} is outside 1..{len(instances)}")
    return instances[index - 1].problem, None


def _jsplib(library: BenchmarkLibrary, entry: ManifestEntry) -> Loaded:
    return parse_jobshop(library.text(entry.path)), None


def _flowshop(library: BenchmarkLibrary, entry: ManifestEntry) -> Loaded:
    return parse_flowshop(library.text(entry.path)), None


_READERS = {
    "tsplib": _tsplib,
    "orlib-cap": _orlib_cap,
    "kp01-plain": _kp01,
    "kp01-plain-with-solution": _kp01,
    "pisinger-csv": _pisinger,
    "jooken-kp": _jooken,
    "orlib-mknap": _mknap,
    "jsplib": _jsplib,
    "jsplib-flowshop": _flowshop,
}
