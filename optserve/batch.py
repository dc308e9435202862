"""`optserve batch`: solve many requests, resumably, locally or on a server.

    optserve batch requests/ more.jsonl --out results.jsonl [--server URL] [--concurrency N]

1. Every input request gets a content id (`optserve.batch_inputs`); requests already recorded
   in `results.jsonl` are skipped (transient failures are retried), duplicates run once.
2. Invalid requests are recorded at once as failed, with the 422 details (loc, msg).
3. The rest run in a local process pool (`optserve.batch_local`) or as jobs on `--server`
   (`optserve.batch_remote`); each record is appended to the JSONL as soon as it is known.
4. At the end: a CSV next to the JSONL (one row per input request), a summary table, and the
   exit code: 0 when every request of this batch succeeded, 1 otherwise, 130 on Ctrl-C.
"""

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console

from optserve.batch_inputs import BatchItem, load_items
from optserve.batch_report import BatchProgress, summary_table
from optserve.batch_store import RecordWriter, csv_path, csv_row, is_done, read_records, record, write_csv

INTERRUPTED = 130


@dataclass(frozen=True)
class BatchOptions:
    """How to run a batch; `transport` lets tests run the server in process."""

    server: str | None = None
    concurrency: int | None = None
    wait_timeout: float | None = None
    progress: bool = True
    poll: float = 1.0
    transport: httpx.AsyncBaseTransport | None = None
    api_key: str | None = None
    report: Path | None = None
    """Also write one self-contained HTML page (table + a picture per request) here."""

    def workers(self) -> int:
        if self.concurrency is not None:
            return max(1, self.concurrency)
        return 4 if self.server else max(1, os.cpu_count() or 1)


def run_batch(inputs: Sequence[Path], out: Path, options: BatchOptions = BatchOptions(),
              console: Console | None = None) -> int:
    """Runs the batch and returns the process exit code."""
    console = console or Console()
    started = time.perf_counter()
    items = load_items(inputs)
    results = read_records(out)
    todo = pending(items, results)
    skipped = len({item.id for item in items}) - len(todo)
    if skipped:
        console.print(f"{skipped} request(s) already in {out}: skipped")
    try:
        _execute(todo, out, options, results, console)
    except KeyboardInterrupt:
        console.print(f"[yellow]interrupted[/]: finished records are in {out}; run again to resume")
        return INTERRUPTED
    rows = [(item.name, results[item.id]) for item in items]
    write_csv(csv_path(out), [csv_row(name, line) for name, line in rows])
    if options.report is not None:
        from optserve.batch_html import write_report
        from optserve.pictures import renderer_for

        write_report(options.report, items, results, renderer_for(options.server, options.api_key))
    unique = list({line["id"]: line for _, line in rows}.values())
    console.print(summary_table(unique, ran=len(todo), skipped=skipped, wall=time.perf_counter() - started))
    return 0 if all(line["status"] == "succeeded" for line in unique) else 1


def pending(items: Sequence[BatchItem], done: dict[str, dict[str, Any]]) -> list[BatchItem]:
    """Items still to run: not recorded as done, each id once (first occurrence)."""
    seen: set[str] = set()
    todo = []
    for item in items:
        if item.id in seen or (item.id in done and is_done(done[item.id])):
            continue
        seen.add(item.id)
        todo.append(item)
    return todo


def _execute(todo: list[BatchItem], out: Path, options: BatchOptions, results: dict[str, dict[str, Any]],
             console: Console) -> None:
    with RecordWriter(out) as writer, BatchProgress(console, len(todo), options.progress) as progress:

        def on_record(line: dict[str, Any]) -> None:
            writer.write(line)
            results[line["id"]] = line
            progress.advance(line)

        for item in todo:
            if item.error is not None:
                on_record(record(item.name, item.id, "failed", error=item.error))
        valid = [item for item in todo if item.error is None]
        if not valid:
            return
        if options.server:
            from optserve.batch_remote import run_remote

            run_remote(valid, options.server, options.workers(), on_record, options.wait_timeout,
                       options.transport, options.poll, options.api_key)
        else:
            from optserve.batch_local import run_local

            run_local(valid, options.workers(), on_record)
