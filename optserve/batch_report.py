"""What a batch shows: a live progress bar while it runs, a summary table when it ends."""

import statistics
from collections import Counter
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table


class BatchProgress:
    """A progress bar with succeeded / failed counts and an ETA."""

    def __init__(self, console: Console, total: int, enabled: bool = True) -> None:
        self.counts: Counter[str] = Counter()
        self._progress = Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("[green]{task.fields[ok]} ok[/] [red]{task.fields[failed]} failed[/]"),
            TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
            console=console, disable=not enabled,
        )
        self._task: TaskID = self._progress.add_task("solving", total=total, ok=0, failed=0)

    def advance(self, record: dict[str, Any]) -> None:
        self.counts[record["status"]] += 1
        failed = sum(n for status, n in self.counts.items() if status != "succeeded")
        self._progress.update(self._task, advance=1, ok=self.counts["succeeded"], failed=failed)

    def __enter__(self) -> "BatchProgress":
        self._progress.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._progress.stop()


def _stats(values: Sequence[float]) -> tuple[str, str]:
    if not values:
        return "-", "-"
    return f"{statistics.median(values):.4g}", f"{max(values):.4g}"


def summary_table(records: Sequence[dict[str, Any]], ran: int, skipped: int, wall: float) -> Table:
    """Status counts, result statuses, gap and time statistics, throughput of this run."""
    table = Table(title="optserve batch", show_header=True, header_style="bold")
    table.add_column("what")
    table.add_column("value", justify="right")
    for status, count in sorted(Counter(r["status"] for r in records).items()):
        table.add_row(f"jobs {status}", str(count))
    results = [r["result"] for r in records if r.get("result")]
    for status, count in sorted(Counter(r.get("status", "?") for r in results).items()):
        table.add_row(f"results {status}", str(count))
    gap_median, gap_max = _stats([r["gap"] for r in results if r.get("gap") is not None])
    table.add_row("gap median / max", f"{gap_median} / {gap_max}")
    times = [r["timings"]["total"] for r in results if (r.get("timings") or {}).get("total") is not None]
    time_median, time_max = _stats(times)
    table.add_row("time median / max (s)", f"{time_median} / {time_max}")
    table.add_row("time total (s)", f"{sum(times):.4g}")
    table.add_row("run now / skipped (done before)", f"{ran} / {skipped}")
    table.add_row("wall time (s)", f"{wall:.3g}")
    table.add_row("throughput (requests/s)", f"{ran / wall:.3g}" if wall > 0 and ran else "-")
    return table
