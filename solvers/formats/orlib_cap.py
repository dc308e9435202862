"""OR-Library capacitated warehouse location (Beasley's `capinfo`: cap41..cap134, capa/capb/capc).

The file is a token stream (line breaks carry no meaning):

    m n
    s_1 f_1  ...  s_m f_m              capacity and fixed cost of each facility
    d_1 c_11 ... c_m1  ...             each customer: demand, then the cost of serving ALL of
                                       its demand from facility 1..m

Numbers may be written `7500.` or `.00000`. In capa/capb/capc every capacity is the literal word
`capacity`, to be replaced by one of the values of Beasley 1988 (pass `capacity=`).
`ignore_capacity=True` reads the same file as an uncapacitated problem (the UFL set).

Ids: facilities are the ints 1..m and customers the ints 1..n, in file order.
`costs[i][j]` is the file's c_ij unchanged (the OR-Library convention is also ours).
"""

from pathlib import Path

from models import Customer, Facility, FacilityLocationProblem
from solvers.formats.common import FormatError, Tokens, parse_float, read_text

CAPACITY_PLACEHOLDER = "capacity"


def parse_cap(
    text: str, capacity: float | None = None, ignore_capacity: bool = False, single_source: bool = False
) -> FacilityLocationProblem:
    """An OR-Library `cap*` file's text as a `FacilityLocationProblem`."""
    tokens = Tokens(text)
    m = tokens.int("number of facilities", minimum=1)
    n = tokens.int("number of customers", minimum=1)
    facilities = [_facility(tokens, i, capacity, ignore_capacity) for i in range(1, m + 1)]
    customers: list[Customer] = []
    costs: list[list[float]] = [[0.0] * n for _ in range(m)]
    for j in range(n):
        demand = tokens.float(f"demand of customer {j + 1}")
        if demand < 0:
            raise FormatError(f"demand of customer {j + 1} is negative ({demand})", tokens.line)
        customers.append(Customer(id=j + 1, demand=demand))
        for i in range(m):
            costs[i][j] = tokens.float(f"cost of serving customer {j + 1} from facility {i + 1}")
    tokens.expect_end(f"the {n} customers")
    return FacilityLocationProblem(
        kind="facility_location", facilities=facilities, customers=customers, costs=costs, single_source=single_source
    )


def _facility(tokens: Tokens, number: int, capacity: float | None, ignore_capacity: bool) -> Facility:
    token, line = tokens.next(f"capacity of facility {number}")
    if token.lower() == CAPACITY_PLACEHOLDER:
        if capacity is None and not ignore_capacity:
            raise FormatError(
                f"facility {number} has the placeholder capacity 'capacity'; give the capacity to use "
                "(capa: 8000/10000/12000/14000, capb: 5000/6000/7000/8000, capc: 5000/5750/6500/7250)",
                line,
            )
        value = capacity
    else:
        value = parse_float(token, f"capacity of facility {number}", line)
    fixed_cost = tokens.float(f"fixed cost of facility {number}")
    if fixed_cost < 0 or (value is not None and value < 0):
        raise FormatError(f"facility {number} has a negative capacity or fixed cost", line)
    return Facility(id=number, fixed_cost=fixed_cost, capacity=None if ignore_capacity else value)


def cap_from_path(
    path: str | Path, capacity: float | None = None, ignore_capacity: bool = False, single_source: bool = False
) -> FacilityLocationProblem:
    return parse_cap(read_text(path), capacity, ignore_capacity, single_source)
