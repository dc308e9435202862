"""Readers for the classic OR file formats, producing the wire models (plain Python, no solver imports).

`convert(kind, text, **kw)` is the one entry point for `optserve convert KIND FILE`; the modules
(`tsplib`, `orlib_cap`, `jsplib`, `knapsack_files`, `manifest`) offer the typed readers.
"""

import inspect
from collections.abc import Callable
from typing import Any

from solvers.formats.common import FormatError

__all__ = ["CONVERT_KINDS", "FormatError", "convert"]

CONVERT_KINDS: dict[str, str] = {
    "tsplib": "TSPLIB .tsp/.atsp (EUC_2D, CEIL_2D, GEO, ATT, EXPLICIT)",
    "orlib-cap": "OR-Library capacitated warehouse location (kw: capacity, ignore_capacity, single_source)",
    "jsplib": "JSPLIB job shop",
    "jsplib-flowshop": "Taillard flow shop in JSPLIB layout",
    "kp01": "0/1 knapsack 'n C' + 'profit weight' lines (an optional solution line is ignored)",
    "pisinger-csv": "Pisinger knapPI CSV (kw: index, 1-based block)",
    "jooken": "Jooken et al. 2022 knapsack test.in",
    "mknap": "OR-Library multidimensional knapsack (kw: index, 1-based problem)",
}

ALIASES = {
    "tsp": "tsplib",
    "kp01-plain": "kp01",
    "kp01-plain-with-solution": "kp01",
    "jooken-kp": "jooken",
    "orlib-mknap": "mknap",
    "flowshop": "jsplib-flowshop",
}


def _reader(kind: str) -> Callable[..., Any]:
    from solvers.formats import jsplib, knapsack_files, orlib_cap, tsplib

    readers: dict[str, Callable[..., Any]] = {
        "tsplib": tsplib.parse_tsp,
        "orlib-cap": orlib_cap.parse_cap,
        "jsplib": jsplib.parse_jobshop,
        "jsplib-flowshop": jsplib.parse_flowshop,
        "kp01": knapsack_files.parse_kp01,
        "pisinger-csv": knapsack_files.parse_pisinger_csv,
        "jooken": knapsack_files.parse_jooken,
        "mknap": knapsack_files.parse_mknap,
    }
    return readers[kind]


def convert(kind: str, text: str, **kw: Any) -> dict[str, Any]:
    """The JSON `problem` object for a file of format `kind` (see `CONVERT_KINDS`).

    Raises `FormatError` (a ValueError) for an unknown kind, unknown options, a malformed file,
    or a file whose content the problem model rejects (e.g. duplicate ids).
    """
    from pydantic import ValidationError

    from models.issues import IssueList

    name = ALIASES.get(kind, kind)
    if name not in CONVERT_KINDS:
        raise FormatError(f"unknown format {kind!r}; known: {', '.join(CONVERT_KINDS)}")
    reader = _reader(name)
    try:
        inspect.signature(reader).bind(text, **kw)
    except TypeError as exc:
        raise FormatError(f"{kind}: bad options {sorted(kw)}: {exc}") from None
    try:
        problem = reader(text, **kw)
    except ValidationError as exc:
        listed = "; ".join(f"{'/'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:10])
        raise FormatError(f"{kind}: the file's data is not a valid problem: {listed}") from exc
    issues = IssueList()
    problem.check(issues)
    if issues.items:
        listed = "; ".join(f"{'/'.join(map(str, i.loc)) or '(problem)'}: {i.msg}" for i in issues.items[:10])
        raise FormatError(f"{kind}: the file's data is not a valid problem: {listed}")
    result: dict[str, Any] = problem.model_dump(mode="json", exclude_none=True)
    return result
