"""The start-up check: no unauthenticated service on a network address by accident."""

import logging

from app.settings import Settings

log = logging.getLogger("optserve.auth")


class InsecureBind(RuntimeError):
    """Auth is unset while the service would listen beyond loopback."""


def check_exposure(settings: Settings) -> None:
    """Refuses a non-loopback host without an explicit OPTSERVE_AUTH; warns when it is explicitly off."""
    if settings.loopback or settings.auth == "required":
        return
    if settings.auth is None:
        raise InsecureBind(
            f"refusing to start: the service would listen on {settings.host} without authentication. Set "
            "OPTSERVE_AUTH=required (and create keys with `optserve keys create NAME`), or OPTSERVE_AUTH=off "
            "to serve everyone who can reach the port without keys."
        )
    log.warning("OPTSERVE_AUTH=off while listening on %s: anyone who can reach this port can read, submit, "
                "cancel and delete every job", settings.host)
