"""The `optserve` command: serve, solve, convert, openapi.

This module is the composition root: it may import the service (`app`) and the solvers, which
the SDK modules (`optserve.client`) never do.
"""

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from optserve._base import API_KEY_ENV
from optserve.cli_keys import keys_cli
from optserve.cli_plot import plot_command

if TYPE_CHECKING:
    from models import Result, SolveRequest

S = TypeVar("S")
cli = typer.Typer(help="optserve: an operations-research optimisation service.", no_args_is_help=True)

cli.add_typer(keys_cli, name="keys")

SERVER_HINT = 'this command needs the service packages: pip install "optserve[server]"'
ApiKeyOption = Annotated[str | None, typer.Option(envvar=API_KEY_ENV, show_envvar=True,
                                                  help="API key for a --server that requires one.")]


@contextmanager
def needs_server() -> Iterator[None]:
    """Wraps the imports of service/solver code: `pip install optserve` has only the SDK's packages."""
    try:
        yield
    except ModuleNotFoundError as exc:
        typer.echo(f"{SERVER_HINT} (missing module {exc.name!r})", err=True)
        raise typer.Exit(2) from None


def load_settings(settings_class: Callable[..., S], **overrides: object) -> S:
    """The service settings; an invalid OPTSERVE_* variable stops the command with one line per problem."""
    from pydantic import ValidationError

    try:
        return settings_class(**overrides)
    except ValidationError as exc:
        for error in exc.errors():
            typer.echo(f"OPTSERVE_{str(error['loc'][0]).upper()}: {error['msg']}", err=True)
        raise typer.Exit(2) from None


@cli.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (default from OPTSERVE_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Bind port (default from OPTSERVE_PORT).")] = None,
) -> None:
    """Run the HTTP service with its embedded defaults."""
    with needs_server():
        import uvicorn

        from app.auth.exposure import InsecureBind, check_exposure
        from app.main import create_app
        from app.settings import Settings

    settings = load_settings(Settings) if host is None else load_settings(Settings, host=host)
    try:
        check_exposure(settings)
    except InsecureBind as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    # The app logs one line per request itself (JSON off a terminal); uvicorn's own lines go through the same
    # root handler instead of its text formatter.
    uvicorn.run(create_app(settings), host=settings.host, port=port or settings.port, log_config=None,
                access_log=False)


@cli.command()
def solve(
    request_file: Annotated[Path, typer.Argument(help="JSON file with a POST /solve body ('-' for stdin).")],
    server: Annotated[str | None, typer.Option(help="Service URL; without it the solve runs locally.")] = None,
    api_key: ApiKeyOption = None,
) -> None:
    """Solve one request and print the Result as JSON."""
    from models import SolveRequest

    text = sys.stdin.read() if str(request_file) == "-" else request_file.read_text()
    request = SolveRequest.model_validate_json(text)
    if server:
        from optserve.client import Client

        with Client(server, api_key=api_key) as client:
            result = client.solve_request(request)
    else:
        result = _solve_locally(request)
    typer.echo(result.model_dump_json(indent=2))


def _solve_locally(request: "SolveRequest") -> "Result":
    from models import semantic_issues

    with needs_server():
        from solvers.dispatch import solve as dispatch_solve
        from solvers.registry import load_builtin

    issues = semantic_issues(request)
    if issues:
        for issue in issues:
            typer.echo(f"{'.'.join(map(str, issue.loc))}: {issue.msg}", err=True)
        raise typer.Exit(2)
    return dispatch_solve(request, load_builtin())


@cli.command()
def convert(
    fmt: Annotated[str, typer.Argument(help="tsplib | orlib-cap | jsplib | kp01 | pisinger-csv | jooken | mknap")],
    file: Annotated[Path, typer.Argument(help="Input file in that format.")],
    request: Annotated[bool, typer.Option(help="Wrap the problem into a full POST /solve body.")] = False,
    capacity: Annotated[float | None, typer.Option(help="orlib-cap: value of the literal `capacity`.")] = None,
    index: Annotated[int, typer.Option(help="Files with several instances: 1-based instance number.")] = 1,
    uncapacitated: Annotated[bool, typer.Option(help="orlib-cap: drop capacities (UFL variant).")] = False,
    single_source: Annotated[bool, typer.Option(help="orlib-cap: every customer served by one facility.")] = False,
) -> None:
    """Convert a TSPLIB / OR-Library / JSPLIB / knapsack file into the JSON problem spec."""
    with needs_server():
        from solvers.formats import FormatError
        from solvers.formats import convert as convert_text

    kwargs: dict[str, object] = {}
    if capacity is not None:
        kwargs["capacity"] = capacity
    if uncapacitated:
        kwargs["ignore_capacity"] = True
    if single_source:
        kwargs["single_source"] = True
    if fmt in {"pisinger-csv", "mknap"}:
        kwargs["index"] = index
    try:
        problem = convert_text(fmt, file.read_text(), **kwargs)
    except FormatError as exc:
        typer.echo(f"{file}: {exc}", err=True)
        raise typer.Exit(2) from None
    body = {"problem": problem, "solver": "auto", "options": {"time_limit": 10}} if request else problem
    typer.echo(json.dumps(body))


@cli.command()
def openapi(out: Annotated[Path | None, typer.Option(help="Write here instead of stdout.")] = None) -> None:
    """Print the OpenAPI document of the service."""
    with needs_server():
        from app.openapi_doc import render

    text = render()
    if out is None:
        typer.echo(text)
    else:
        out.write_text(text)


@cli.command()
def worker(
    concurrency: Annotated[int | None, typer.Option(help="Jobs at once (default OPTSERVE_WORKER_CONCURRENCY).")] = None,
    loglevel: Annotated[str, typer.Option(help="Celery log level.")] = "INFO",
) -> None:
    """Run a Celery worker that executes jobs (needs OPTSERVE_BROKER_URL and OPTSERVE_DATABASE_URL)."""
    with needs_server():
        from app.jobs.celery_app import make_celery, worker_context
        from app.jobs.replications import connect, install, serve_replications
        from app.observability.logs import configure_logging
        from app.settings import Settings

    settings = load_settings(Settings)
    if not settings.broker_url:
        typer.echo("OPTSERVE_BROKER_URL is not set: a worker needs the Redis broker of the service.", err=True)
        raise typer.Exit(2)
    configure_logging(settings.log_format)  # JSON lines off a terminal, like the service
    worker_context()  # fail fast on an unreachable database, and migrate it
    celery = make_celery(settings.broker_url, settings.max_time_limit, settings.queue)
    celery.conf.worker_hijack_root_logger = False  # keep our handler: Celery's own lines go through it too
    threads = concurrency or settings.worker_concurrency
    queues = [settings.queue, *serve_replications(celery, settings, threads)]
    install(connect(settings))  # sim-opt jobs run here fan their replications out too
    node = f"optserve-{os.getpid()}@%h"  # unique per process: several workers may share a host
    celery.worker_main(["--quiet", "worker", "-n", node, "--pool=threads", f"--concurrency={threads}",
                        "-Q", ",".join(queues), f"--loglevel={loglevel}", "--without-gossip", "--without-mingle"])


@cli.command()
def batch(
    inputs: Annotated[list[Path], typer.Argument(help="Directories of JSON request files and/or JSONL files.")],
    out: Annotated[Path, typer.Option(help="Results JSONL (appended; a CSV with the same stem is written too).")],
    server: Annotated[str | None, typer.Option(help="Service URL; without it requests solve locally.")] = None,
    concurrency: Annotated[int | None, typer.Option(min=1, help="In flight at once (default: CPUs locally, "
                                                    "4 on a server).")] = None,
    wait_timeout: Annotated[float | None, typer.Option(help="With --server: give up on a job after this many "
                                                       "seconds (it is retried on the next run).")] = None,
    progress: Annotated[bool, typer.Option(help="Show the live progress bar.")] = True,
    api_key: ApiKeyOption = None,
    report: Annotated[Path | None, typer.Option(help="Also write one self-contained HTML report (a row and a "
                                                "picture per request) here.")] = None,
) -> None:
    """Solve many requests; a re-run skips those already in --out. Exit 1 when any failed."""
    from optserve.batch import BatchOptions, run_batch
    from optserve.batch_inputs import InputError

    if server is None:
        with needs_server():  # local solves run the solvers in this machine's processes
            import solvers.dispatch  # noqa: F401
    options = BatchOptions(server=server, concurrency=concurrency, wait_timeout=wait_timeout, progress=progress,
                           api_key=api_key, report=report)
    try:
        code = run_batch(inputs, out, options)
    except InputError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    raise typer.Exit(code)


cli.command(name="plot")(plot_command)


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
