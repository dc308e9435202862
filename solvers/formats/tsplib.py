"""TSPLIB 95 readers: `.tsp` (and `.atsp`) instances into `TspProblem`, `.opt.tour` into `TspSolution`.

Supported: TYPE TSP or ATSP; EDGE_WEIGHT_TYPE EUC_2D, CEIL_2D, GEO, ATT (kept as coordinates with
the matching `metric`, so every backend uses TSPLIB's own rounding) and EXPLICIT with
EDGE_WEIGHT_FORMAT FULL_MATRIX, UPPER_ROW, LOWER_ROW, UPPER_DIAG_ROW, LOWER_DIAG_ROW (and the
equivalent *_COL forms) into a full `distances` matrix with a zero diagonal. Anything else
(EUC_3D, MAN_2D, XRAY, EDGE_DATA_SECTION, CVRP, ...) raises `FormatError` naming the line.

Quirks handled: `KEY: value`, `KEY : value` and `KEY :value`; a missing `EOF` (pr1002); coordinates
in scientific notation; DISPLAY_DATA_SECTION and FIXED_EDGES_SECTION are skipped; tour files with
several ids per line, a `-1` on the last id line, no `DIMENSION` (rd100) or no `EOF` (a280).
"""

from dataclasses import dataclass, field
from pathlib import Path

from models import Metric, TspProblem, TspSolution
from solvers.formats.common import FormatError, parse_float, parse_int, read_text

COORDINATE_METRICS: dict[str, Metric] = {
    "EUC_2D": Metric.euc_2d,
    "CEIL_2D": Metric.ceil_2d,
    "GEO": Metric.geo,
    "ATT": Metric.att,
}

MATRIX_FORMATS: dict[str, str] = {
    "FULL_MATRIX": "FULL_MATRIX",
    "UPPER_ROW": "UPPER_ROW",
    "LOWER_ROW": "LOWER_ROW",
    "UPPER_DIAG_ROW": "UPPER_DIAG_ROW",
    "LOWER_DIAG_ROW": "LOWER_DIAG_ROW",
    # For a symmetric matrix, listing a triangle by columns is listing the other triangle by rows.
    "UPPER_COL": "LOWER_ROW",
    "LOWER_COL": "UPPER_ROW",
    "UPPER_DIAG_COL": "LOWER_DIAG_ROW",
    "LOWER_DIAG_COL": "UPPER_DIAG_ROW",
}

PROBLEM_TYPES = frozenset({"TSP", "ATSP"})
SKIPPED_HEADER_KEYS = frozenset({"NAME", "COMMENT", "DISPLAY_DATA_TYPE", "CAPACITY"})


@dataclass
class _Header:
    """Header fields seen so far, with the line each came from."""

    values: dict[str, str] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)

    def dimension(self, line: int) -> int:
        if "DIMENSION" not in self.values:
            raise FormatError("a section starts before DIMENSION is given", line)
        return int(self.values["DIMENSION"])

    def edge_weight_type(self, line: int) -> str:
        if "EDGE_WEIGHT_TYPE" not in self.values:
            raise FormatError("a section starts before EDGE_WEIGHT_TYPE is given", line)
        return self.values["EDGE_WEIGHT_TYPE"]


class _Lines:
    """The file's lines with a cursor; line numbers are 1-based."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.pos = 0

    def next_nonblank(self) -> tuple[str, int] | None:
        while self.pos < len(self.lines):
            self.pos += 1
            stripped = self.lines[self.pos - 1].strip()
            if stripped:
                return stripped, self.pos
        return None


def parse_tsp(text: str) -> TspProblem:
    """A TSPLIB `.tsp`/`.atsp` file's text as a `TspProblem`."""
    lines = _Lines(text)
    header = _Header()
    coordinates: list[list[float]] | None = None
    weights: list[list[float]] | None = None
    while (item := lines.next_nonblank()) is not None:
        stripped, number = item
        key, sep, value = (part.strip() for part in stripped.partition(":"))
        key = key.upper()
        if key == "EOF":
            break
        if key.endswith("_SECTION"):
            if key == "NODE_COORD_SECTION":
                coordinates = _node_coords(lines, header, number)
            elif key == "EDGE_WEIGHT_SECTION":
                weights = _edge_weights(lines, header, number)
            elif key == "DISPLAY_DATA_SECTION":
                _skip_lines(lines, header.dimension(number), number)
            elif key == "FIXED_EDGES_SECTION":
                _skip_to_minus_one(lines)
            else:
                raise FormatError(f"unsupported section {key}", number)
            continue
        if not sep:
            raise FormatError(f"expected 'KEY : value', got {stripped!r}", number)
        _header_field(header, key, value, number)
    return _problem(header, coordinates, weights)


def _header_field(header: _Header, key: str, value: str, line: int) -> None:
    """Records one header line, rejecting what this reader cannot represent right where it appears."""
    upper = value.upper()
    if key == "TYPE" and upper not in PROBLEM_TYPES:
        raise FormatError(f"TYPE {value!r} is not supported (only TSP and ATSP)", line)
    if key == "EDGE_WEIGHT_TYPE" and upper not in COORDINATE_METRICS and upper != "EXPLICIT":
        supported = ", ".join([*COORDINATE_METRICS, "EXPLICIT"])
        raise FormatError(f"EDGE_WEIGHT_TYPE {value!r} is not supported (supported: {supported})", line)
    if key == "EDGE_WEIGHT_FORMAT" and upper not in MATRIX_FORMATS and upper != "FUNCTION":
        raise FormatError(f"EDGE_WEIGHT_FORMAT {value!r} is not supported (supported: {', '.join(MATRIX_FORMATS)})",
                          line)
    if key == "NODE_COORD_TYPE" and upper not in ("TWOD_COORDS", "NO_COORDS"):
        raise FormatError(f"NODE_COORD_TYPE {value!r} is not supported (only TWOD_COORDS)", line)
    if key == "DIMENSION":
        dimension = parse_int(value, "DIMENSION", line)
        if dimension < 1:
            raise FormatError(f"DIMENSION must be >= 1, got {dimension}", line)
        upper = str(dimension)
    header.values[key] = value if key in SKIPPED_HEADER_KEYS else upper
    header.lines[key] = line


def _node_coords(lines: _Lines, header: _Header, section_line: int) -> list[list[float]]:
    """Exactly DIMENSION lines `id x y` (ids 1..n, any order); stops there, so EOF may be missing."""
    n = header.dimension(section_line)
    if header.edge_weight_type(section_line) not in COORDINATE_METRICS:
        raise FormatError(
            f"NODE_COORD_SECTION with EDGE_WEIGHT_TYPE {header.values['EDGE_WEIGHT_TYPE']} is not supported",
            section_line,
        )
    coords: list[list[float] | None] = [None] * n
    for _ in range(n):
        item = lines.next_nonblank()
        if item is None or item[0].upper() == "EOF":
            raise FormatError(f"NODE_COORD_SECTION ends early: expected {n} nodes", item[1] if item else None)
        stripped, number = item
        parts = stripped.split()
        if len(parts) != 3:
            raise FormatError(f"expected 'id x y', got {stripped!r}", number)
        node = parse_int(parts[0], "node id", number)
        if not 1 <= node <= n:
            raise FormatError(f"node id {node} is outside 1..{n}", number)
        if coords[node - 1] is not None:
            raise FormatError(f"node id {node} appears twice", number)
        coords[node - 1] = [parse_float(parts[1], "x", number), parse_float(parts[2], "y", number)]
    return [point for point in coords if point is not None]


def _edge_weights(lines: _Lines, header: _Header, section_line: int) -> list[list[float]]:
    """The EDGE_WEIGHT_SECTION numbers (a token stream) expanded into a full matrix."""
    n = header.dimension(section_line)
    if header.edge_weight_type(section_line) != "EXPLICIT":
        raise FormatError("EDGE_WEIGHT_SECTION needs EDGE_WEIGHT_TYPE: EXPLICIT", section_line)
    layout = MATRIX_FORMATS.get(header.values.get("EDGE_WEIGHT_FORMAT", ""))
    if layout is None:
        raise FormatError("EDGE_WEIGHT_SECTION needs an EDGE_WEIGHT_FORMAT such as FULL_MATRIX", section_line)
    if header.values.get("TYPE") == "ATSP" and layout != "FULL_MATRIX":
        raise FormatError("an ATSP matrix must be FULL_MATRIX (a triangle cannot be asymmetric)", section_line)
    needed = _entry_count(layout, n)
    values: list[float] = []
    while len(values) < needed:
        item = lines.next_nonblank()
        if item is None or item[0].upper() == "EOF" or item[0].upper().endswith("_SECTION"):
            raise FormatError(f"EDGE_WEIGHT_SECTION ends early: {len(values)} of {needed} weights for "
                              f"{layout} with n={n}", item[1] if item else None)
        stripped, number = item
        values.extend(parse_float(token, "edge weight", number) for token in stripped.split())
        if len(values) > needed:
            raise FormatError(f"too many edge weights: {layout} with n={n} needs {needed}", number)
    return _expand(layout, n, values)


def _entry_count(layout: str, n: int) -> int:
    if layout == "FULL_MATRIX":
        return n * n
    if layout in ("UPPER_ROW", "LOWER_ROW"):
        return n * (n - 1) // 2
    return n * (n + 1) // 2


def _expand(layout: str, n: int, values: list[float]) -> list[list[float]]:
    """Full matrix from a row-wise layout; triangles are mirrored, the diagonal is set to 0."""
    if layout == "FULL_MATRIX":
        matrix = [values[i * n:(i + 1) * n] for i in range(n)]
    else:
        matrix = [[0.0] * n for _ in range(n)]
        it = iter(values)
        for i in range(n):
            for j in _row_columns(layout, i, n):
                matrix[i][j] = matrix[j][i] = next(it)
    for i in range(n):
        matrix[i][i] = 0.0
    return matrix


def _row_columns(layout: str, i: int, n: int) -> range:
    return {
        "UPPER_ROW": range(i + 1, n),
        "LOWER_ROW": range(i),
        "UPPER_DIAG_ROW": range(i, n),
        "LOWER_DIAG_ROW": range(i + 1),
    }[layout]


def _skip_lines(lines: _Lines, count: int, section_line: int) -> None:
    for _ in range(count):
        if lines.next_nonblank() is None:
            raise FormatError(f"section ends early: expected {count} lines", section_line)


def _skip_to_minus_one(lines: _Lines) -> None:
    while (item := lines.next_nonblank()) is not None:
        if item[0].split()[-1] == "-1":
            return


def _problem(header: _Header, coordinates: list[list[float]] | None, weights: list[list[float]] | None) -> TspProblem:
    if "DIMENSION" not in header.values:
        raise FormatError("no DIMENSION line")
    if "EDGE_WEIGHT_TYPE" not in header.values:
        raise FormatError("no EDGE_WEIGHT_TYPE line")
    kind = header.values["EDGE_WEIGHT_TYPE"]
    if kind in COORDINATE_METRICS:
        if coordinates is None:
            raise FormatError(f"EDGE_WEIGHT_TYPE {kind} needs a NODE_COORD_SECTION")
        return TspProblem(kind="tsp", coordinates=coordinates, metric=COORDINATE_METRICS[kind])
    if weights is None:
        raise FormatError("EDGE_WEIGHT_TYPE EXPLICIT needs an EDGE_WEIGHT_SECTION")
    return TspProblem(kind="tsp", distances=weights)


def parse_tour(text: str, dimension: int | None = None) -> TspSolution:
    """A TSPLIB `.tour` file as a `TspSolution`: 0-based node indices, rotated to start at node 0.

    `dimension` (the instance's n) overrides the file's DIMENSION line, which some files lack.
    """
    lines = _Lines(text)
    ids: list[int] = []
    section_line = None
    while (item := lines.next_nonblank()) is not None:
        stripped, number = item
        key, _, value = (part.strip() for part in stripped.partition(":"))
        key = key.upper()
        if key == "TOUR_SECTION":
            section_line = number
            _read_tour_ids(lines, ids)
            break
        if key == "EOF":
            break
        if key == "TYPE" and value.upper() != "TOUR":
            raise FormatError(f"TYPE {value!r}: not a tour file", number)
        if key == "DIMENSION" and dimension is None:
            dimension = parse_int(value, "DIMENSION", number)
    if section_line is None:
        raise FormatError("no TOUR_SECTION")
    return TspSolution(tour=_rotate(ids, dimension or len(ids), section_line))


def _read_tour_ids(lines: _Lines, ids: list[int]) -> None:
    """Node ids, any number per line, up to `-1` or `EOF` (either may be missing)."""
    while (item := lines.next_nonblank()) is not None:
        stripped, number = item
        if stripped.upper() == "EOF":
            return
        for token in stripped.split():
            node = parse_int(token, "node id", number)
            if node == -1:
                return
            ids.append(node)


def _rotate(ids: list[int], n: int, line: int) -> list[int]:
    if sorted(ids) != list(range(1, n + 1)):
        missing = sorted(set(range(1, n + 1)) - set(ids))[:5]
        raise FormatError(f"the tour is not a permutation of 1..{n} ({len(ids)} ids; missing {missing})", line)
    start = ids.index(1)
    return [node - 1 for node in ids[start:] + ids[:start]]


def tsp_from_path(path: str | Path) -> TspProblem:
    return parse_tsp(read_text(path))


def tour_from_path(path: str | Path, dimension: int | None = None) -> TspSolution:
    return parse_tour(read_text(path), dimension)
