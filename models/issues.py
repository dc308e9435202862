"""Semantic problems found after the schema accepted a request, each with its JSON path.

Pydantic checks shapes; this module's `Issue` records what only the whole problem can tell
(duplicate ids, dangling references, ragged matrices) so that every problem is reported at once.
"""

from dataclasses import dataclass, field

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Issue:
    """One semantic error: where it is (a JSON path) and why it is wrong."""

    loc: Loc
    msg: str


@dataclass
class IssueList:
    """Collects issues under a path prefix so family checks need not know where they sit."""

    prefix: Loc = ()
    items: list[Issue] = field(default_factory=list)

    def add(self, loc: Loc, msg: str) -> None:
        self.items.append(Issue(self.prefix + loc, msg))

    def under(self, *prefix: str | int) -> "IssueList":
        """A view that writes into the same list with a longer prefix."""
        child = IssueList(self.prefix + prefix, self.items)
        return child


def duplicate_positions(values: list[object]) -> list[int]:
    """Positions whose value already appeared earlier in the list."""
    seen: set[object] = set()
    dups: list[int] = []
    for pos, value in enumerate(values):
        key = (type(value).__name__, value)
        if key in seen:
            dups.append(pos)
        seen.add(key)
    return dups


def check_objective_names(issues: IssueList, names: list[str], known: set[str]) -> None:
    """Every requested criterion must be known to the family and requested once."""
    seen: set[str] = set()
    for pos, name in enumerate(names):
        if name not in known:
            issues.add(("objectives", pos), f"unknown objective {name!r}; choose from {sorted(known)}")
        if name in seen:
            issues.add(("objectives", pos), f"objective {name!r} listed twice")
        seen.add(name)


UNION_TAGS = frozenset({
    "knapsack", "tsp", "facility_location", "scheduling", "staffing",
    "exponential", "normal", "lognormal", "triangular", "uniform", "weibull", "empirical", "piecewise_poisson",
    "wait_mean", "service_level",
})
"""Discriminator values pydantic inserts into error locations; they are not JSON keys."""
UNION_MEMBER_TYPES = frozenset({"float", "int", "str", "bool", "list", "dict", "none"})


def _is_union_member(part: str) -> bool:
    """Pydantic names the union member it tried (`list[float]`, `constrained-float`): not a JSON key."""
    return part in UNION_MEMBER_TYPES or "[" in part or part.startswith(("constrained-", "function-"))


def json_path(loc: tuple[str | int, ...] | list[str | int]) -> tuple[list[str | int], bool]:
    """The JSON path of a pydantic error location, and whether union-member names were removed."""
    cleaned: list[str | int] = []
    saw_member = False
    for pos, part in enumerate(loc):
        if isinstance(part, str) and pos < len(loc) - 1 and part in UNION_TAGS:
            continue
        if isinstance(part, str) and _is_union_member(part):
            saw_member = True
            continue
        cleaned.append(part)
    return cleaned, saw_member
