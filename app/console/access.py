"""Who is looking at the console: the same keys as the API, but a missing key is not an error.

A browser navigating to /ui cannot attach a header, so with OPTSERVE_AUTH=required a page asked for
without a key renders locked (just the key field). The console's script keeps the key in
sessionStorage and asks for the same page again with `X-API-Key` (and `X-Console-Fragment: 1`),
then swaps the unlocked content in. Keys never travel in URLs (they would end up in logs and
history), so no `?api_key=` parameter exists anywhere.
"""

from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from app.auth.deps import ANONYMOUS, Caller
from app.deps import ServicesDep

KEY_HEADER = "x-api-key"
FRAGMENT_HEADER = "x-console-fragment"


def presented_key(request: Request) -> str | None:
    """The key sent as `X-API-Key` or `Authorization: Bearer KEY`, if any."""
    header = request.headers.get(KEY_HEADER)
    if header:
        return header
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def console_caller(request: Request, services: ServicesDep) -> Caller | None:
    """The caller, or None when a key is required and none (or an invalid one) was sent."""
    if not services.settings.auth_required:
        return ANONYMOUS
    token = presented_key(request)
    if not token:
        return None
    key = await run_in_threadpool(services.keys.lookup, token)
    return Caller(key=key) if key is not None else None


ViewerDep = Annotated[Caller | None, Depends(console_caller)]


def wants_fragment(request: Request) -> bool:
    """True when the console's script asks for the page content only (to swap it in)."""
    return request.headers.get(FRAGMENT_HEADER) == "1"
