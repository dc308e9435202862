"""The classic file readers: handmade texts with hand-computed answers, and the shared benchmark files."""

from pathlib import Path

import pytest

from models import FacilityLocationProblem, KnapsackProblem, SchedulingProblem, SolveRequest, TspProblem
from solvers.families.tsp.distance import distance_matrix, tour_length
from solvers.formats import FormatError, convert
from solvers.formats.jsplib import flowshop_from_path, jobshop_from_path, parse_flowshop, parse_jobshop
from solvers.formats.knapsack_files import (
    mknap_instances,
    parse_jooken,
    parse_jooken_optimum,
    parse_kp01,
    parse_optimum,
    pisinger_instances,
    read_kp01,
    read_mknap,
    read_pisinger_csv,
)
from solvers.formats.manifest import BenchmarkLibrary, benchmark_root, load_manifest, select
from solvers.formats.orlib_cap import cap_from_path, parse_cap
from solvers.formats.tsplib import parse_tour, parse_tsp, tour_from_path, tsp_from_path
from tests.brute import item_values

ROOT = benchmark_root()
needs_benchmarks = pytest.mark.skipif(not (ROOT / "manifest.json").exists(), reason=f"no benchmark set at {ROOT}")


def matrix(problem: TspProblem) -> list[list[float]]:
    rows: list[list[float]] = distance_matrix(problem).tolist()
    return rows


def tsp_text(edge_type: str, coords: list[tuple[float, float]], eof: bool = True) -> str:
    lines = ["NAME : hand", "TYPE: TSP", f"DIMENSION:{len(coords)}", f"EDGE_WEIGHT_TYPE : {edge_type}",
             "NODE_COORD_SECTION"]
    lines += [f"  {k} {x} {y}" for k, (x, y) in enumerate(coords, start=1)]
    return "\n".join(lines + (["EOF"] if eof else [])) + "\n"


# TSPLIB coordinates and metrics ---------------------------------------------------------------


def test_geo_distances_follow_the_tsplib_formula() -> None:
    # 0.30 is 0 degrees 30 minutes = 0.5 degree; 0.5 * 3.141592 / 180 * 6378.388 = 55.66 -> int(55.66 + 1) = 56.
    # Nodes 2 and 3 are 0.5 degree north and 0.5 degree west of node 1: acos(cos(0.5deg)^2) * R = 78.72 -> 79.
    problem = parse_tsp(tsp_text("GEO", [(0.0, 0.0), (0.30, 0.0), (0.0, -0.30)]))
    assert problem.metric == "geo"
    assert matrix(problem) == [[0, 56, 56], [56, 0, 79], [56, 79, 0]]


def test_geo_distances_between_german_cities() -> None:
    # Berlin 52.31 13.24, Munich 48.08 11.34, Hamburg 53.33 10.00 (DDD.MM), by the TSPLIB GEO formula.
    problem = parse_tsp(tsp_text("GEO", [(52.31, 13.24), (48.08, 11.34), (53.33, 10.0)]))
    assert matrix(problem) == [[0, 506, 255], [506, 0, 613], [255, 613, 0]]


def test_att_distances_round_up_the_pseudo_euclidean_distance() -> None:
    # sqrt(100/10) = 3.16 -> nint 3 < 3.16 -> 4; sqrt(900/10) = 9.49 -> 9 < 9.49 -> 10; sqrt(1000/10) = 10 -> 10.
    problem = parse_tsp(tsp_text("ATT", [(0, 0), (10, 0), (0, 30)]))
    assert problem.metric == "att"
    assert matrix(problem) == [[0, 4, 10], [4, 0, 10], [10, 10, 0]]


def test_ceil_2d_and_euc_2d_round_per_edge() -> None:
    coords: list[tuple[float, float]] = [(0, 0), (3, 4), (3, 0.5)]  # 5 exactly, sqrt(9.25) = 3.04, 3.5
    assert matrix(parse_tsp(tsp_text("CEIL_2D", coords))) == [[0, 5, 4], [5, 0, 4], [4, 4, 0]]
    assert matrix(parse_tsp(tsp_text("EUC_2D", coords))) == [[0, 5, 3], [5, 0, 4], [3, 4, 0]]


def test_missing_eof_scientific_notation_and_any_node_order() -> None:
    text = "NAME: x\nTYPE : TSP\nDIMENSION : 3\nEDGE_WEIGHT_TYPE: EUC_2D\nNODE_COORD_SECTION\n" \
           "2 1.0e+01 0\n 1 0 0\n3 0.0 2.0E1\n"
    problem = parse_tsp(text)
    assert problem.coordinates == [[0, 0], [10, 0], [0, 20]]


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (tsp_text("EUC_3D", [(0, 0), (1, 1)]), 4, "EUC_3D"),
        ("NAME: v\nTYPE: CVRP\nDIMENSION: 2\n", 2, "CVRP"),
        ("TYPE: TSP\nDIMENSION: 2\nEDGE_WEIGHT_TYPE: EXPLICIT\nEDGE_WEIGHT_FORMAT: FUNCTION\nEDGE_WEIGHT_SECTION\n1\n",
         5, "EDGE_WEIGHT_FORMAT"),
        ("TYPE: TSP\nDIMENSION: 2\nEDGE_WEIGHT_TYPE: EUC_2D\nNODE_COORD_SECTION\n1 0 0\n1 1 1\n", 6, "twice"),
        ("TYPE: TSP\nDIMENSION: 3\nEDGE_WEIGHT_TYPE: EUC_2D\nNODE_COORD_SECTION\n1 0 0\n2 1 1\nEOF\n", 7, "early"),
        ("TYPE: TSP\nDIMENSION: 2\nEDGE_WEIGHT_TYPE: EUC_2D\nNODE_COORD_SECTION\n1 0 0 0\n", 5, "id x y"),
        ("TYPE: TSP\nDIMENSION: 2\nEDGE_WEIGHT_TYPE: EUC_2D\nEDGE_DATA_SECTION\n", 4, "EDGE_DATA_SECTION"),
        ("TYPE: TSP\nDIMENSION two\n", 2, "KEY : value"),
    ],
)
def test_unsupported_or_broken_tsplib_names_the_line(text: str, line: int, words: str) -> None:
    with pytest.raises(FormatError, match=words) as info:
        parse_tsp(text)
    assert info.value.line == line
    assert str(info.value).startswith(f"line {line}:")
    assert isinstance(info.value, ValueError)


# TSPLIB explicit matrices ---------------------------------------------------------------------

SYMMETRIC = [[0, 3, 5, 9], [3, 0, 4, 7], [5, 4, 0, 6], [9, 7, 6, 0]]
LAYOUTS = {
    "FULL_MATRIX": "0 3 5 9\n3 0 4 7\n5 4 0 6\n9 7 6 0",
    "UPPER_ROW": "3 5 9\n4 7\n6",
    "LOWER_ROW": "3\n5 4\n9 7 6",
    "UPPER_DIAG_ROW": "0 3 5 9\n0 4 7\n0 6\n0",
    "LOWER_DIAG_ROW": "0\n3 0\n5 4 0\n9 7 6 0",
    "UPPER_COL": "3\n5 4\n9 7 6",
    "LOWER_COL": "3 5 9\n4 7\n6",
    "UPPER_ROW_WRAPPED": "3 5\n9 4 7 6",
}


def explicit(layout: str, body: str, kind: str = "TSP", n: int = 4) -> str:
    return (f"NAME : m\nTYPE : {kind}\nDIMENSION : {n}\nEDGE_WEIGHT_TYPE : EXPLICIT\n"
            f"EDGE_WEIGHT_FORMAT : {layout}\nDISPLAY_DATA_TYPE : NO_DISPLAY\nEDGE_WEIGHT_SECTION\n{body}\nEOF\n")


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_explicit_formats_expand_to_the_full_matrix(layout: str) -> None:
    problem = parse_tsp(explicit(layout.removesuffix("_WRAPPED"), LAYOUTS[layout]))
    assert problem.distances == SYMMETRIC
    assert problem.coordinates is None and problem.metric is None


def test_explicit_atsp_keeps_asymmetry_and_zeroes_the_diagonal() -> None:
    problem = parse_tsp(explicit("FULL_MATRIX", "9999 1 2\n3 9999 4\n5 6 9999", kind="ATSP", n=3))
    assert problem.distances == [[0, 1, 2], [3, 0, 4], [5, 6, 0]]


def test_explicit_with_display_data_section_is_read() -> None:
    text = explicit("UPPER_ROW", "3 5 9 4 7 6").replace(
        "EOF", "DISPLAY_DATA_SECTION\n1 0 0\n2 1 0\n3 1 1\n4 0 1\nEOF")
    assert parse_tsp(text).distances == SYMMETRIC


def test_explicit_count_mismatch_is_an_error() -> None:
    with pytest.raises(FormatError, match="too many"):
        parse_tsp(explicit("UPPER_ROW", "3 5 9 4 7 6 8"))
    with pytest.raises(FormatError, match="ends early"):
        parse_tsp(explicit("UPPER_ROW", "3 5 9 4 7"))
    with pytest.raises(FormatError, match="ATSP"):
        parse_tsp(explicit("UPPER_ROW", LAYOUTS["UPPER_ROW"], kind="ATSP"))


# tours ----------------------------------------------------------------------------------------


def test_tour_rotates_to_node_zero_and_reads_several_ids_per_line() -> None:
    text = "NAME : t\nTYPE : TOUR\nTOUR_SECTION\n 3 1\n  4 2 -1\n"
    assert parse_tour(text).tour == [0, 3, 1, 2]
    assert parse_tour("TYPE: TOUR\nDIMENSION: 3\nTOUR_SECTION\n2\n3\n1\n-1\nEOF\n").tour == [0, 1, 2]


def test_tour_must_be_a_permutation() -> None:
    with pytest.raises(FormatError, match="permutation"):
        parse_tour("TYPE : TOUR\nDIMENSION : 4\nTOUR_SECTION\n1 2 3\n-1\n")
    with pytest.raises(FormatError, match="not a tour"):
        parse_tour("TYPE : TSP\nTOUR_SECTION\n1\n-1\n")


@needs_benchmarks
def test_berlin52_optimal_tour_has_length_7542() -> None:
    problem = tsp_from_path(ROOT / "tsp/berlin52.tsp")
    assert problem.size == 52 and problem.metric == "euc_2d"
    tour = tour_from_path(ROOT / "tsp/berlin52.opt.tour")
    assert tour.tour[0] == 0 and sorted(tour.tour) == list(range(52))
    assert tour_length(distance_matrix(problem), tour.tour) == 7542


@needs_benchmarks
def test_pr1002_without_eof_and_rd100_tour_without_dimension() -> None:
    assert tsp_from_path(ROOT / "tsp/pr1002.tsp").size == 1002
    rd100 = tsp_from_path(ROOT / "tsp/rd100.tsp")
    tour = tour_from_path(ROOT / "tsp/rd100.opt.tour", rd100.size)
    assert tour_length(distance_matrix(rd100), tour.tour) == 7910


# OR-Library facility location -----------------------------------------------------------------


def test_cap_token_stream_with_bare_points() -> None:
    text = "2 3\n 100 7500.\n capacity .00000\n5 10. 20.\n 6 .5\n 3.25 7 1 2 \n"
    problem = parse_cap(text, capacity=50)
    assert [f.capacity for f in problem.facilities] == [100, 50]
    assert [f.fixed_cost for f in problem.facilities] == [7500, 0]
    assert [c.demand for c in problem.customers] == [5, 6, 7]
    assert problem.costs == [[10, 0.5, 1], [20, 3.25, 2]]
    assert [f.id for f in problem.facilities] == [1, 2] and [c.id for c in problem.customers] == [1, 2, 3]
    assert problem.single_source is False


def test_cap_errors() -> None:
    with pytest.raises(FormatError, match="placeholder") as info:
        parse_cap("1 1\ncapacity 3.\n1 2\n")
    assert info.value.line == 2
    with pytest.raises(FormatError, match="ends early"):
        parse_cap("1 2\n10 3.\n1 2\n")
    with pytest.raises(FormatError, match="unexpected data"):
        parse_cap("1 1\n10 3.\n1 2\n9\n")
    with pytest.raises(FormatError, match="not a number"):
        parse_cap("1 1\n10 x\n1 2\n")


@needs_benchmarks
def test_cap41_sizes_and_orientation() -> None:
    problem = cap_from_path(ROOT / "facility/cap41.txt")
    assert isinstance(problem, FacilityLocationProblem)
    assert (len(problem.facilities), len(problem.customers)) == (16, 50)
    assert (problem.facilities[0].capacity, problem.facilities[0].fixed_cost) == (5000, 7500)
    assert problem.facilities[10].fixed_cost == 0
    assert problem.customers[0].demand == 146
    assert (problem.costs[0][0], problem.costs[1][0]) == (6739.725, 10355.05)  # customer 1's line: c_11, c_21
    assert len(problem.costs) == 16 and all(len(row) == 50 for row in problem.costs)


@needs_benchmarks
def test_capa_with_capacity_8000_and_uncapacitated() -> None:
    problem = cap_from_path(ROOT / "facility/capa.txt", capacity=8000)
    assert (len(problem.facilities), len(problem.customers)) == (100, 1000)
    assert {f.capacity for f in problem.facilities} == {8000}
    assert problem.facilities[0].fixed_cost == 2141200
    with pytest.raises(FormatError, match="placeholder"):
        cap_from_path(ROOT / "facility/capa.txt")
    uncapacitated = cap_from_path(ROOT / "facility/capa.txt", ignore_capacity=True)
    assert {f.capacity for f in uncapacitated.facilities} == {None}


# job shop and flow shop -----------------------------------------------------------------------


def test_jsplib_comments_and_token_stream() -> None:
    problem = parse_jobshop("# instance x\n#  c\n2 2 # jobs machines\n1 5 0 3\n0 2\n 1 4\n")
    assert problem.machines == [0, 1]
    assert [j.id for j in problem.jobs] == [0, 1]
    assert [(op.machine, op.duration) for op in problem.jobs[0].operations] == [(1, 5), (0, 3)]
    assert [(op.machine, op.duration) for op in problem.jobs[1].operations] == [(0, 2), (1, 4)]
    assert problem.objective == "makespan"


def test_jsplib_errors() -> None:
    with pytest.raises(FormatError, match=r"outside 0\.\.1") as info:
        parse_jobshop("2 2\n0 1 1 1\n0 1 2 1\n")
    assert info.value.line == 3
    with pytest.raises(FormatError, match="need 8 numbers"):
        parse_jobshop("2 2\n0 1 1 1\n0 1\n")
    with pytest.raises(FormatError, match="unexpected data"):
        parse_jobshop("1 1\n0 1\n7\n")
    with pytest.raises(FormatError, match="not an integer"):
        parse_jobshop("1 1\n0 1.5\n")
    with pytest.raises(FormatError, match="not a flow shop"):
        parse_flowshop("1 2\n1 3 0 4\n")


@needs_benchmarks
def test_ft06_and_taillard_flowshop() -> None:
    ft06 = jobshop_from_path(ROOT / "jobshop/jsplib/ft06")
    assert isinstance(ft06, SchedulingProblem)
    assert (len(ft06.jobs), len(ft06.machines)) == (6, 6)
    assert [(op.machine, op.duration) for op in ft06.jobs[0].operations] == [(2, 1), (0, 3), (1, 6), (3, 7),
                                                                            (5, 3), (4, 6)]
    tfs = flowshop_from_path(ROOT / "jobshop/taillard_pfsp/tfs001.txt")
    assert (len(tfs.jobs), len(tfs.machines)) == (20, 5)
    assert [op.duration for op in tfs.jobs[0].operations] == [54, 79, 16, 66, 58]
    with pytest.raises(FormatError, match="not a flow shop"):
        flowshop_from_path(ROOT / "jobshop/jsplib/ft06")


# knapsack -------------------------------------------------------------------------------------


def test_kp01_plain_crlf_and_real_numbers() -> None:
    problem = parse_kp01("3 \r\n10\r\n5 4\r\n2.5 6\r\n7 1")
    assert problem.capacity == 10
    assert [(i.id, i.value, i.weight) for i in problem.items] == [(1, 5, 4), (2, 2.5, 6), (3, 7, 1)]
    instance = read_kp01("3 10\n5 4\n2 6\n7 1\n1 0 1\n")
    assert instance.solution is not None and instance.solution.selected == [1, 3]
    with pytest.raises(FormatError, match="solution line"):
        read_kp01("3 10\n5 4\n2 6\n7 1\n1 0\n")
    with pytest.raises(FormatError, match="only 0 and 1"):
        read_kp01("2 10\n5 4\n2 6\n1 2\n")
    assert parse_optimum("481,0694") == 481.0694
    assert parse_optimum("9147\r\n") == 9147


PISINGER = """knapPI_1_3_1000_1
n 3
c 10
z 12
time 0.00
1,5,4,1
2,2,6,0
3,7,6,1
-----

knapPI_1_3_1000_2
n 3
c 5
z 7
time 0.00
1,1,1,0
2,2,2,1
3,5,3,1
-----

"""


def test_pisinger_blocks() -> None:
    first, second = pisinger_instances(PISINGER)
    assert first.name == "knapPI_1_3_1000_1" and first.optimum == 12
    assert first.solution is not None and first.solution.selected == [1, 3]
    assert second.problem.capacity == 5 and second.optimum == 7
    assert read_pisinger_csv(PISINGER, 2).name == "knapPI_1_3_1000_2"
    with pytest.raises(FormatError, match=r"outside 1\.\.2"):
        read_pisinger_csv(PISINGER, 3)
    with pytest.raises(FormatError, match="item lines"):
        read_pisinger_csv(PISINGER.replace("n 3\nc 10", "n 4\nc 10"), 1)


def test_jooken_and_mknap() -> None:
    problem = parse_jooken("3\n0 10 4\n1 20 5\n2 5 1\n9\n")
    assert [i.id for i in problem.items] == [0, 1, 2] and problem.capacity == 9
    assert parse_jooken_optimum("30\n10 4\n20 5\n") == 30
    text = " 2\n 3 2 7\n 1 2 3\n 1 1 1\n 2 0 1\n 2 2\n\n 2 1 0\n 4 5\n 3 3\n 4\n"
    first, second = mknap_instances(text)
    assert first.optimum == 7 and second.optimum is None  # 0 means "not given"
    assert first.problem.capacity == [2, 2]
    assert [i.weight for i in first.problem.items] == [[1, 2], [1, 0], [1, 1]]
    assert second.problem.capacity == [4] and second.problem.items[1].weight == [3]
    assert read_mknap(text, 2).problem == second.problem


@needs_benchmarks
def test_knapsack_benchmark_files() -> None:
    f1 = read_kp01((ROOT / "knapsack/instances_01_KP/low-dimensional/f1_l-d_kp_10_269").read_text())
    assert (len(f1.problem.items), f1.problem.capacity, f1.solution) == (10, 269, None)
    mknap1 = read_mknap((ROOT / "knapsack/mknap/mknap1.txt").read_text(), 1)
    assert (len(mknap1.problem.items), mknap1.problem.dimensions, mknap1.optimum) == (6, 10, 3800)
    cb = mknap_instances((ROOT / "knapsack/mknap/mknapcb1.txt").read_text())
    assert len(cb) == 30 and {(len(i.problem.items), i.problem.dimensions) for i in cb} == {(100, 5)}


# convert --------------------------------------------------------------------------------------


def test_convert_returns_a_valid_problem_object() -> None:
    body = convert("tsplib", explicit("LOWER_ROW", LAYOUTS["LOWER_ROW"]))
    assert body["kind"] == "tsp" and body["distances"][3] == [9, 7, 6, 0] and "coordinates" not in body
    request = SolveRequest.model_validate({"problem": convert("orlib-cap", "1 1\ncapacity 3.\n1 2\n", capacity=5)})
    assert isinstance(request.problem, FacilityLocationProblem)
    request = SolveRequest.model_validate({"problem": convert("kp01-plain-with-solution", "2 10\n5 4\n2 6\n1 0\n")})
    assert isinstance(request.problem, KnapsackProblem)
    assert convert("pisinger-csv", PISINGER, index=2)["capacity"] == 5
    assert convert("jsplib", "1 1\n0 4\n")["jobs"][0]["operations"] == [{"machine": 0, "duration": 4}]
    assert convert("mknap", " 1\n 2 1 0\n 4 5\n 3 3\n 4\n")["capacity"] == [4]


def test_convert_errors_are_format_errors() -> None:
    with pytest.raises(FormatError, match="unknown format"):
        convert("xml", "")
    with pytest.raises(FormatError, match="bad options"):
        convert("tsplib", "", capacity=3)
    with pytest.raises(FormatError, match="twice"):
        convert("jooken", "2\n0 1 1\n0 2 2\n5\n")
    with pytest.raises(FormatError, match="at least 2 nodes"):  # found by the model's own semantic check
        convert("tsplib", "TYPE: TSP\nDIMENSION: 1\nEDGE_WEIGHT_TYPE: EUC_2D\nNODE_COORD_SECTION\n1 0 0\n")
    with pytest.raises(FormatError, match="capacity is negative"):
        convert("kp01", "1 -10\n5 4\n")
    with pytest.raises(FormatError, match="negative"):
        convert("kp01", "1 10\n-5 4\n")


def test_formats_import_no_solver_library() -> None:
    import subprocess
    import sys

    code = ("import sys, solvers.formats, solvers.formats.manifest; "
            "bad = [m for m in ('highspy', 'ortools', 'pulp', 'pyomo', 'numpy') if m in sys.modules]; "
            "print(bad); sys.exit(1 if bad else 0)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[2], timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


# the manifest ---------------------------------------------------------------------------------


def _objective(instance_problem: object, solution: object) -> float:
    if isinstance(instance_problem, TspProblem):
        return tour_length(distance_matrix(instance_problem), solution.tour)  # type: ignore[attr-defined]
    assert isinstance(instance_problem, KnapsackProblem)
    chosen = set(solution.selected)  # type: ignore[attr-defined]
    rows = instance_problem.weight_rows()
    positions = [k for k, item in enumerate(instance_problem.items) if item.id in chosen]
    assert len(positions) == len(chosen)
    for row, cap in zip(rows, instance_problem.capacities(), strict=True):
        assert sum(row[k] for k in positions) <= cap + 1e-9
    values = item_values(instance_problem)
    return sum(values[k] for k in positions)


@needs_benchmarks
def test_every_manifest_entry_parses_with_its_size_and_known_solutions_attain_the_optimum() -> None:
    library = BenchmarkLibrary()
    entries = library.entries()
    assert len(entries) == 404
    with_solution = 0
    for entry in entries:
        instance = library.load(entry)
        problem = instance.problem
        if isinstance(problem, TspProblem):
            size: object = problem.size
        elif isinstance(problem, FacilityLocationProblem):
            size = [len(problem.facilities), len(problem.customers)]
        elif isinstance(problem, KnapsackProblem):
            size = [len(problem.items), problem.dimensions] if entry.format == "orlib-mknap" else len(problem.items)
        else:
            assert isinstance(problem, SchedulingProblem), entry.name
            size = [len(problem.jobs), len(problem.machines)]
        assert size == entry.size, entry.name
        assert problem.kind == entry.family.value
        if instance.known_solution is not None:
            with_solution += 1
            assert instance.optimum is not None
            assert _objective(problem, instance.known_solution) == pytest.approx(instance.optimum, rel=1e-9), entry.name
    assert with_solution == 16 + 21 + 50  # TSP tours, large-scale vectors, Pisinger x columns


@needs_benchmarks
def test_manifest_selection_and_reference_values() -> None:
    entries = load_manifest()
    knapsack = select(entries, problems={"knapsack"}, max_size=50)
    assert knapsack and all(e.problem == "knapsack" and e.scale <= 50 for e in knapsack)
    assert [e.name for e in select(entries, names=["ft*"])] == ["ft06", "ft10", "ft20"]
    assert {e.problem for e in select(entries, problems={"scheduling"})} == {"jobshop", "flowshop"}
    library = BenchmarkLibrary()
    (capa,) = select(entries, names=["capa-8000"])
    assert capa.capacity == 8000 and capa.scale == 100_000
    (ta001,) = select(entries, names=["ta001"])
    flow = library.load(ta001)
    assert flow.optimum is None and flow.upper_bound == 1278 and flow.reference == (1278, "best_known")
    (open_entry,) = select(entries, names=["abz8"])
    abz8 = library.load(open_entry)
    assert abz8.optimum is None and abz8.reference[1] == "best_known"
    (kp,) = select(entries, names=["f1_l-d_kp_10_269"])
    assert library.load(kp).reference == (295, "optimum") and library.load(kp).maximise
