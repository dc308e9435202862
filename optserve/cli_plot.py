"""`optserve plot RESULT.json [--problem REQUEST.json] --kind tour -o tour.svg`.

Draws locally with app.plots when the server extra is installed, or with `--server URL` through
the service's POST /plots/{name}.svg. RESULT.json may be a Result, a Job (its `result` is used) or
a POST /plots body holding both `problem` and `result`; REQUEST.json a POST /solve body or a bare
problem.
"""

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from optserve._base import API_KEY_ENV


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        typer.echo(f"{path}: {exc}", err=True)
        raise typer.Exit(2) from None
    if not isinstance(data, dict):
        typer.echo(f"{path}: expected a JSON object", err=True)
        raise typer.Exit(2)
    return data


def inputs(result_file: Path, problem_file: Path | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """(problem, result) from the files, whichever of the accepted shapes they have."""
    data = _read(result_file)
    result = data["result"] if isinstance(data.get("result"), dict) else data
    source = _read(problem_file) if problem_file is not None else data
    problem = source.get("problem", source if "kind" in source else None)
    if not isinstance(problem, dict):
        typer.echo("the problem is needed: pass --problem REQUEST.json (the request that produced the result)",
                   err=True)
        raise typer.Exit(2)
    return problem, result


def plot_command(
    result_file: Annotated[Path, typer.Argument(help="Result JSON (or a job, or a POST /plots body).")],
    kind: Annotated[str, typer.Option("--kind", help="tour | gantt | facilities | items | pareto | convergence "
                                      "| simulation")],
    out: Annotated[Path, typer.Option("--out", "-o", help="SVG file to write.")],
    problem: Annotated[Path | None, typer.Option(help="The request (or problem) JSON the result answers.")] = None,
    server: Annotated[str | None, typer.Option(help="Draw with this service instead of locally.")] = None,
    api_key: Annotated[str | None, typer.Option(envvar=API_KEY_ENV, show_envvar=True,
                                                help="API key for a --server that requires one.")] = None,
) -> None:
    """Draw one picture of a saved answer as SVG."""
    from optserve.pictures import PictureError, local_renderer, remote_renderer

    problem_data, result = inputs(result_file, problem)
    if server:
        draw = remote_renderer(server, api_key)
    else:
        from optserve.cli import needs_server

        with needs_server():
            draw = local_renderer()
    try:
        svg = draw(problem_data, result, kind)
    except PictureError as exc:
        typer.echo(f"cannot draw {kind!r}: {exc}", err=True)
        raise typer.Exit(2) from None
    out.write_text(svg, encoding="utf-8")
    typer.echo(f"wrote {out} ({len(svg) // 1024} KiB)")
