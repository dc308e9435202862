"""`optserve batch --report report.html`: one self-contained HTML page of a batch.

A summary line, then one row per request (status, objective, gap, time) with its picture inline
as a `data:` URI: the file opens from disk with no network and no other file next to it.
"""

import base64
import html
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from optserve.batch_inputs import BatchItem
from optserve.pictures import PictureError, Renderer, default_picture

STYLE = """body{font:14px system-ui,sans-serif;margin:24px;color:#1d2330}table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid #d9dee7;padding:6px 10px;text-align:left;vertical-align:top}th{background:#eef1f6}
td.num{text-align:right;font-variant-numeric:tabular-nums}img{width:560px;max-width:100%;border:1px solid #d9dee7}
.failed{color:#a52a2a}.succeeded{color:#1e7a3c}small{color:#5b6475}"""


def picture_cell(item: BatchItem, record: dict[str, Any], draw: Renderer | None) -> str:
    """The row's picture as an <img> with a data: URI, or a short note saying why there is none."""
    result = record.get("result")
    if draw is None or not result or item.request_json is None:
        return "<small>no picture</small>"
    problem = json.loads(item.request_json)["problem"]
    name = default_picture(problem, result)
    if name is None:
        return "<small>no picture for this family</small>"
    try:
        svg = draw(problem, result, name)
    except PictureError as exc:
        return f"<small>{html.escape(str(exc))}</small>"
    data = base64.b64encode(svg.encode()).decode()
    return f'<img alt="{name}" src="data:image/svg+xml;base64,{data}">'


def row(item: BatchItem, record: dict[str, Any], draw: Renderer | None) -> str:
    result = record.get("result") or {}
    gap = result.get("gap")
    total = (result.get("timings") or {}).get("total")
    cells = [html.escape(item.name), f'<span class="{html.escape(record["status"])}">{html.escape(record["status"])}'
             f'</span><br><small>{html.escape(str(result.get("status", (record.get("error") or {}).get("code", ""))))}'
             "</small>", _num(result.get("objective")), "—" if gap is None else f"{100 * gap:.2f}%",
             "—" if total is None else f"{total:.2f} s", picture_cell(item, record, draw)]
    classes = ["", "", "num", "num", "num", ""]
    return "<tr>" + "".join(f'<td class="{c}">{v}</td>' for c, v in zip(classes, cells, strict=True)) + "</tr>"


def _num(value: float | None) -> str:
    if value is None:
        return "—"
    return str(round(value)) if float(value).is_integer() else f"{value:.6g}"


def write_report(path: Path, items: Sequence[BatchItem], records: dict[str, dict[str, Any]],
                 draw: Renderer | None) -> None:
    """Writes the page: every input request once, in input order."""
    seen: set[str] = set()
    rows = []
    for item in items:
        if item.id in seen or item.id not in records:
            continue
        seen.add(item.id)
        rows.append(row(item, records[item.id], draw))
    ok = sum(1 for item_id in seen if records[item_id]["status"] == "succeeded")
    page = (f"<!doctype html><html lang=en><head><meta charset=utf-8><title>optserve batch report</title>"
            f"<style>{STYLE}</style></head><body><h1>optserve batch report</h1>"
            f"<p>{len(seen)} request(s): {ok} succeeded, {len(seen) - ok} not.</p><table><thead><tr><th>Request</th>"
            "<th>Status</th><th>Objective</th><th>Gap</th><th>Time</th><th>Picture</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table></body></html>\n")
    path.write_text(page, encoding="utf-8")
