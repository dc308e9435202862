"""`optserve keys create|list|revoke`: API keys in the service database (the one OPTSERVE_* points at).

Server-side like `serve` and `worker`: it imports the service's key store, so it needs the
`server` extra. A new key is printed once; only its SHA-256 is stored.
"""

from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from app.auth.keys import KeyStore

keys_cli = typer.Typer(help="API keys for OPTSERVE_AUTH=required (stored hashed in the service database).",
                       no_args_is_help=True)


def _store() -> "KeyStore":
    try:
        from app.auth.keys import KeyStore
        from app.jobs.factory import build_store
        from app.settings import Settings
    except ModuleNotFoundError as exc:
        typer.echo(f'keys live in the service database: pip install "optserve[server]" (missing {exc.name!r})',
                   err=True)
        raise typer.Exit(2) from None
    return KeyStore(build_store(Settings()).engine)


@keys_cli.command("create")
def create(
    name: Annotated[str, typer.Argument(help="Who the key is for; jobs are owned by this name.")],
    admin: Annotated[bool, typer.Option(help="Sees every job, and /metrics.")] = False,
    requests_per_minute: Annotated[int | None, typer.Option(min=1, help="Requests per minute (per API process).")]
    = None,
    max_jobs: Annotated[int | None, typer.Option(min=1, help="Queued plus running jobs at once.")] = None,
    max_time_limit: Annotated[float | None, typer.Option(min=0.001, help="Largest options.time_limit (s); "
                                                         "above it a request is a 422.")] = None,
) -> None:
    """Create a key and print it (the only time it is shown)."""
    from app.auth.keys import ApiKey, KeyStoreError

    key = ApiKey(name=name, admin=admin, requests_per_minute=requests_per_minute, max_jobs=max_jobs,
                 max_time_limit=max_time_limit)
    try:
        token = _store().create(key)
    except KeyStoreError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    typer.echo(token)
    typer.echo(f"key {name!r} created; it is shown only now. Send it as `Authorization: Bearer KEY`, "
               "`X-API-Key: KEY`, or OPTSERVE_API_KEY for the SDK and CLI.", err=True)


@keys_cli.command("list")
def list_keys() -> None:
    """The keys with their quotas (never the keys themselves)."""
    rows = _store().list()
    if not rows:
        typer.echo("no keys; create one with `optserve keys create NAME`", err=True)
    for key in rows:
        state = f"revoked {key.revoked_at:%Y-%m-%d %H:%M}" if key.revoked_at else "active"
        quota = ", ".join(f"{label} {value:g}" for label, value in (
            ("rpm", key.requests_per_minute), ("jobs", key.max_jobs), ("time_limit", key.max_time_limit))
            if value is not None) or "no quotas"
        typer.echo(f"{key.name}\t{'admin' if key.admin else 'user'}\t{state}\t{quota}")


@keys_cli.command("revoke")
def revoke(name: Annotated[str, typer.Argument(help="The key to revoke (a running service stops accepting "
                                                   "it within a second).")]) -> None:
    """Revoke a key; its jobs stay (a new key with the same name owns them again)."""
    from app.auth.keys import KeyStoreError

    try:
        _store().revoke(name)
    except KeyStoreError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    typer.echo(f"key {name!r} revoked")
