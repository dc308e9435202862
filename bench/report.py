"""Rendering benchmark rows: the rich table, the per-backend summary, and the CSV file."""

import csv
import statistics
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bench.harness import Row


def _number(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.3f}".rstrip("0").rstrip(".")


def _percent(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{100 * value:.3f}%" if abs(value) >= 5e-6 else "0.000%"


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


STATUS_STYLE = {"optimal": "green", "feasible": "yellow", "error": "red", "killed": "red", "no_solution": "red"}


def rows_table(rows: Iterable[Row], title: str = "Benchmark runs") -> Table:
    table = Table(title=title, show_lines=False)
    for name, justify in (("instance", "left"), ("backend", "left"), ("value", "right"), ("known optimum", "right"),
                          ("gap to optimum", "right"), ("reported gap", "right"), ("status", "left"),
                          ("time (s)", "right")):
        table.add_column(name, justify=justify, no_wrap=name in ("instance", "backend"))  # type: ignore[arg-type]
    for row in rows:
        reference = _number(row.reference) + (" (best known)" if row.reference_kind == "best_known" else "")
        status = row.status + (f" ({row.termination})" if row.termination not in ("", "completed") else "")
        if row.verified is False and row.status in ("optimal", "feasible"):
            status += " UNVERIFIED"
        if row.status in ("error", "killed") and row.message:
            status += ": " + (row.message if len(row.message) <= 60 else row.message[:57] + "...")
        style = "bold red" if row.wrong_optimal_claim else STATUS_STYLE.get(row.status, "")
        table.add_row(row.instance, row.backend, _number(row.value), reference, _percent(row.gap_to_optimum),
                      _percent(row.reported_gap), f"[{style}]{status}[/]" if style else status, _seconds(row.time))
    return table


@dataclass
class Summary:
    """One backend over all its runs."""

    backend: str
    runs: int
    optimal: int
    """Runs with status `optimal` (proved by the backend)."""
    hit_optimum: int
    """Runs whose value equals the known optimum (within 1e-6 relative), proved or not."""
    wrong_optimal: int
    no_answer: int
    median_time: float | None
    max_gap: float | None


def summarise(rows: list[Row]) -> list[Summary]:
    by_backend: dict[str, list[Row]] = {}
    for row in rows:
        if row.status != "unsupported":
            by_backend.setdefault(row.backend, []).append(row)
    summaries = []
    for backend, mine in by_backend.items():
        times = [r.time for r in mine if r.time is not None]
        gaps = [r.gap_to_optimum for r in mine if r.gap_to_optimum is not None]
        summaries.append(Summary(
            backend=backend, runs=len(mine), optimal=sum(r.status == "optimal" for r in mine),
            hit_optimum=sum(r.hit_optimum for r in mine), wrong_optimal=sum(r.wrong_optimal_claim for r in mine),
            no_answer=sum(r.value is None for r in mine),
            median_time=statistics.median(times) if times else None, max_gap=max(gaps) if gaps else None))
    return summaries


def summary_table(summaries: list[Summary]) -> Table:
    table = Table(title="Per backend")
    for name in ("backend", "runs", "proved optimal", "optimum reached", "wrong 'optimal'", "no answer",
                 "median time (s)", "max gap to optimum"):
        table.add_column(name, justify="left" if name == "backend" else "right")
    for s in summaries:
        wrong = f"[bold red]{s.wrong_optimal}[/]" if s.wrong_optimal else "0"
        table.add_row(s.backend, str(s.runs), str(s.optimal), str(s.hit_optimum), wrong, str(s.no_answer),
                      _seconds(s.median_time), _percent(s.max_gap))
    return table


def write_csv(rows: list[Row], path: str | Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    names = [f.name for f in fields(Row)] + ["hit_optimum", "wrong_optimal_claim"]
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=names)
        writer.writeheader()
        for row in rows:
            writer.writerow({**asdict(row), "hit_optimum": row.hit_optimum,
                             "wrong_optimal_claim": row.wrong_optimal_claim})


def wide_console(stderr: bool = False) -> Console:
    """A console that does not squeeze the table to 80 columns when the output is a file or pipe."""
    console = Console(stderr=stderr)
    return console if console.is_terminal else Console(stderr=stderr, width=220)


def print_report(rows: list[Row], console: Console | None = None) -> list[Summary]:
    console = console or wide_console()
    shown = [r for r in rows if r.status != "unsupported"]
    console.print(rows_table(shown))
    skipped = len(rows) - len(shown)
    if skipped:
        console.print(f"({skipped} runs skipped: the backend does not take that problem; see the CSV)")
    summaries = summarise(rows)
    console.print(summary_table(summaries))
    console.print("gap to optimum: (value - optimum) / optimum when minimising, (optimum - value) / optimum "
                  "when maximising; against the best known value where no optimum is known (may be negative).")
    return summaries
