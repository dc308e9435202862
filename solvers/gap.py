"""The one place the optimality gap is computed (DESIGN.md section 3)."""

GAP_FLOOR = 1e-9


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    """|objective - bound| / max(|objective|, 1e-9); None when either side is missing."""
    if objective is None or bound is None:
        return None
    return abs(objective - bound) / max(abs(objective), GAP_FLOOR)
