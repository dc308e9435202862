"""0/1 knapsack files people already have, each read into a `KnapsackProblem`.

| format | layout |
|---|---|
| `kp01-plain` | token stream `n C`, then n lines `profit weight` (instances_01_KP low-dimensional) |
| `kp01-plain-with-solution` | the same plus one line of n 0/1 tokens, an optimal x (large_scale) |
| `pisinger-csv` | Pisinger's knapPI_t_n_R.csv: 100 blocks `name / n / c / z / time / i,p,w,x ... / -----` |
| `jooken-kp` | Jooken et al. 2022 `test.in`: `n`, n lines `id p w`, then `C` |
| `orlib-mknap` | OR-Library mknap1 / mknapcb*: `K`, then per problem `n m opt`, profits, m rows, capacities |

Item ids are ints: the file's own ids where it numbers items (pisinger-csv 1..n, jooken-kp 0..n-1),
otherwise the positions 1..n. Multi-dimensional problems (mknap) use weight and capacity lists.
Files holding several instances or a solution are also readable as `KnapsackInstance`s, which
carry the optimum and an optimal selection when the file has them.
"""

from dataclasses import dataclass

from models import KnapsackItem, KnapsackProblem, KnapsackSolution
from solvers.formats.common import FormatError, Tokens, parse_float, parse_int


@dataclass(frozen=True)
class KnapsackInstance:
    """One instance of a file, with what the file says about its optimum."""

    name: str | None
    problem: KnapsackProblem
    optimum: float | None = None
    solution: KnapsackSolution | None = None


def _problem(profits: list[float], weights: list[float] | list[list[float]], capacity: float | list[float],
             ids: list[int]) -> KnapsackProblem:
    for pos, (p, w) in enumerate(zip(profits, weights, strict=True)):
        if p < 0 or min(w if isinstance(w, list) else [w]) < 0:
            raise FormatError(f"item {ids[pos]} has a negative profit or weight")
    if min(capacity if isinstance(capacity, list) else [capacity]) < 0:
        raise FormatError(f"the capacity is negative ({capacity})")
    items = [KnapsackItem(id=i, weight=w, value=p) for i, p, w in zip(ids, profits, weights, strict=True)]
    return KnapsackProblem(kind="knapsack", items=items, capacity=capacity)


# kp01-plain and kp01-plain-with-solution -------------------------------------------------------


def read_kp01(text: str) -> KnapsackInstance:
    """`n C`, n pairs `profit weight`, and optionally n 0/1 tokens (an optimal solution)."""
    tokens = Tokens(text)
    n = tokens.int("number of items", minimum=1)
    capacity = tokens.float("capacity")
    profits, weights = [], []
    for i in range(1, n + 1):
        profits.append(tokens.float(f"profit of item {i}"))
        weights.append(tokens.float(f"weight of item {i}"))
    problem = _problem(profits, weights, capacity, list(range(1, n + 1)))
    solution = None
    if not tokens.at_end():
        line = tokens.line
        if tokens.remaining() != n:
            raise FormatError(f"after the {n} items expected nothing or a solution line of {n} 0/1 values, "
                              f"found {tokens.remaining()} tokens", line)
        flags = [tokens.int(f"solution value of item {i}") for i in range(1, n + 1)]
        if any(x not in (0, 1) for x in flags):
            raise FormatError("the solution line must hold only 0 and 1", line)
        solution = KnapsackSolution(selected=[i for i, x in enumerate(flags, start=1) if x])
    return KnapsackInstance(None, problem, None, solution)


def parse_kp01(text: str) -> KnapsackProblem:
    return read_kp01(text).problem


def parse_optimum(text: str) -> float:
    """A single-number optimum file; a decimal comma (`481,0694`) is accepted."""
    tokens = text.split()
    if len(tokens) != 1:
        raise FormatError(f"an optimum file holds one number, found {len(tokens)} tokens")
    return parse_float(tokens[0].replace(",", "."), "optimum", 1)


# pisinger-csv ---------------------------------------------------------------------------------


def _pisinger_blocks(text: str) -> list[list[tuple[str, int]]]:
    """Non-blank lines grouped into blocks ended by a `-----` line."""
    blocks: list[list[tuple[str, int]]] = []
    current: list[tuple[str, int]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if set(line) == {"-"}:
            if current:
                blocks.append(current)
            current = []
        else:
            current.append((line, number))
    if current:
        blocks.append(current)
    return blocks


def _pisinger_instance(block: list[tuple[str, int]]) -> KnapsackInstance:
    name, first = block[0]
    fields: dict[str, str] = {}
    rows = block[1:]
    while rows and "," not in rows[0][0]:
        key, _, value = rows[0][0].partition(" ")
        fields[key.strip()] = value.strip()
        rows = rows[1:]
    for key in ("n", "c"):
        if key not in fields:
            raise FormatError(f"instance {name!r} has no '{key}' line", first)
    n = parse_int(fields["n"], "n", first)
    if len(rows) != n:
        raise FormatError(f"instance {name!r} says n {n} but has {len(rows)} item lines", first)
    ids, profits, weights, selected = [], [], [], []
    has_x = True
    for line, number in rows:
        parts = [p.strip() for p in line.split(",")]
        if len(parts) < 3:
            raise FormatError(f"expected 'i,p,w,x', got {line!r}", number)
        ids.append(parse_int(parts[0], "item id", number))
        profits.append(parse_float(parts[1], "profit", number))
        weights.append(parse_float(parts[2], "weight", number))
        has_x = has_x and len(parts) > 3
        if len(parts) > 3 and parse_int(parts[3], "x", number) == 1:
            selected.append(ids[-1])
    if len(set(ids)) != n:
        raise FormatError(f"instance {name!r} repeats an item id", first)
    problem = _problem(profits, weights, parse_float(fields["c"], "c", first), ids)
    optimum = parse_float(fields["z"], "z", first) if "z" in fields else None
    return KnapsackInstance(name, problem, optimum, KnapsackSolution(selected=selected) if has_x else None)


def pisinger_instances(text: str) -> list[KnapsackInstance]:
    """Every block of a Pisinger CSV file."""
    return [_pisinger_instance(block) for block in _pisinger_blocks(text)]


def read_pisinger_csv(text: str, index: int = 1) -> KnapsackInstance:
    """Block `index` (1-based, as the manifest's `instance_index`) of a Pisinger CSV file."""
    blocks = _pisinger_blocks(text)
    if not 1 <= index <= len(blocks):
        raise FormatError(f"instance index {index} is outside 1..{len(blocks)}")
    return _pisinger_instance(blocks[index - 1])


def parse_pisinger_csv(text: str, index: int = 1) -> KnapsackProblem:
    return read_pisinger_csv(text, index).problem


# jooken-kp ------------------------------------------------------------------------------------


def parse_jooken(text: str) -> KnapsackProblem:
    """`n`, n lines `id profit weight`, then the capacity."""
    tokens = Tokens(text)
    n = tokens.int("number of items", minimum=1)
    ids, profits, weights = [], [], []
    for k in range(n):
        ids.append(tokens.int(f"id of item line {k + 1}"))
        profits.append(tokens.float(f"profit of item {ids[-1]}"))
        weights.append(tokens.float(f"weight of item {ids[-1]}"))
    capacity = tokens.float("capacity (last line)")
    tokens.expect_end("the capacity")
    if len(set(ids)) != n:
        raise FormatError("an item id appears twice")
    return _problem(profits, weights, capacity, ids)


def parse_jooken_optimum(text: str) -> float:
    """The first number of a Jooken `outp.out` (the optimum; the chosen items follow)."""
    tokens = text.split()
    if not tokens:
        raise FormatError("empty optimum file")
    return parse_float(tokens[0], "optimum", 1)


# orlib-mknap ----------------------------------------------------------------------------------


def mknap_instances(text: str) -> list[KnapsackInstance]:
    """Every problem of an OR-Library mknap file; `optimum` is None where the file gives 0."""
    tokens = Tokens(text)
    count = tokens.int("number of problems", minimum=1)
    return [_mknap_problem(tokens, k) for k in range(1, count + 1)]


def _mknap_problem(tokens: Tokens, k: int) -> KnapsackInstance:
    n = tokens.int(f"problem {k}: number of items", minimum=1)
    m = tokens.int(f"problem {k}: number of constraints", minimum=1)
    opt = tokens.float(f"problem {k}: optimal value")
    profits = [tokens.float(f"problem {k}: profit {j + 1}") for j in range(n)]
    rows = [[tokens.float(f"problem {k}: constraint {i + 1} coefficient {j + 1}") for j in range(n)] for i in range(m)]
    capacities = [tokens.float(f"problem {k}: capacity {i + 1}") for i in range(m)]
    weights = [[rows[i][j] for i in range(m)] for j in range(n)]
    problem = _problem(profits, weights, capacities, list(range(1, n + 1)))
    return KnapsackInstance(f"problem {k}", problem, opt if opt != 0 else None)


def read_mknap(text: str, index: int = 1) -> KnapsackInstance:
    """Problem `index` (1-based) of an OR-Library mknap file."""
    instances = mknap_instances(text)
    if not 1 <= index <= len(instances):
        raise FormatError(f"problem index {index} is outside 1..{len(instances)}")
    return instances[index - 1]


def parse_mknap(text: str, index: int = 1) -> KnapsackProblem:
    return read_mknap(text, index).problem
