"""One log line and one metrics sample per request, and the `X-Request-ID` round trip.

A pure ASGI middleware (not BaseHTTPMiddleware) so event streams pass through unbuffered and the
request id context variable is visible to everything logged while the request is served.
"""

import logging
import re
import time
import uuid
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.observability.logs import request_id
from app.observability.metrics import metrics

log = logging.getLogger("optserve.request")

HEADER = "x-request-id"
MAX_ID_LENGTH = 64
_UNSAFE = re.compile(r"[^A-Za-z0-9._:\-]")


def sanitise_request_id(value: str | None) -> str:
    """The caller's id with anything but letters, digits and `._:-` removed, capped; a new one if empty."""
    cleaned = _UNSAFE.sub("", value or "")[:MAX_ID_LENGTH]
    return cleaned or uuid.uuid4().hex


def route_template(scope: Scope) -> str:
    """`/jobs/{job_id}`, not `/jobs/1234`: label values must not grow with the ids."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else "<unmatched>"


def key_name(scope: Scope) -> str | None:
    """The API key's name the auth dependency stored on the request (never the key itself)."""
    state: Any = scope.get("state") or {}
    name = state.get("key_name")
    if name is None and state.get("caller") is not None:
        name = getattr(state["caller"], "owner", None)
    return name if isinstance(name, str) else None


class RequestObserver:
    """Assigns the request id, then logs and measures the request when its answer is complete."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        rid = sanitise_request_id(headers.get(HEADER.encode(), b"").decode("latin-1"))
        token = request_id.set(rid)
        began, status = time.perf_counter(), 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)["X-Request-ID"] = rid
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            self._observe(scope, status, time.perf_counter() - began, rid)
            request_id.reset(token)

    @staticmethod
    def _observe(scope: Scope, status: int, seconds: float, rid: str) -> None:
        route, method = route_template(scope), scope["method"]
        labels = {"route": route, "method": method, "status": str(status)}
        metrics().requests.labels(**labels).inc()
        metrics().latency.labels(**labels).observe(seconds)
        log.info("%s %s %s %.1f ms", method, route, status, seconds * 1000, extra={
            "request_id": rid, "method": method, "route": route, "path": scope.get("path"), "status": status,
            "duration_ms": round(seconds * 1000, 2), "key_name": key_name(scope)})
