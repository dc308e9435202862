"""Who is calling: the FastAPI dependency that checks the API key and the per-minute quota.

Protected routers are included with `REQUIRE_KEY`; handlers that need the caller declare
`caller: CallerDep` (FastAPI runs the dependency once per request either way). The two security
schemes make Swagger's "Authorize" button offer both ways of sending a key.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from app.auth.keys import ApiKey
from app.auth.ratelimit import retry_after
from app.deps import ServicesDep
from app.errors import ApiError
from models import ErrorBody

BEARER = HTTPBearer(auto_error=False, description="`Authorization: Bearer KEY` with a key from "
                    "`optserve keys create NAME` (only when the service runs with OPTSERVE_AUTH=required).")
HEADER = APIKeyHeader(name="X-API-Key", auto_error=False, description="The same key in an `X-API-Key` header.")


@dataclass(frozen=True)
class Caller:
    """The authenticated caller; with auth off, one anonymous user who sees everything."""

    key: ApiKey | None

    @property
    def owner(self) -> str | None:
        """Stored on the jobs this caller creates (None with auth off)."""
        return self.key.name if self.key is not None else None

    @property
    def scope(self) -> str | None:
        """Whose jobs this caller may see: None for all (admin key, or auth off)."""
        return None if self.key is None or self.key.admin else self.key.name

    @property
    def max_time_limit(self) -> float | None:
        return self.key.max_time_limit if self.key is not None else None


ANONYMOUS = Caller(key=None)


def unauthorized(message: str) -> ApiError:
    return ApiError(401, "unauthorized", message, headers={"WWW-Authenticate": "Bearer"})


async def authenticate(request: Request, services: ServicesDep,
                       bearer: Annotated[HTTPAuthorizationCredentials | None, Security(BEARER)],
                       header: Annotated[str | None, Security(HEADER)]) -> Caller:
    """The caller of this request, or 401 (no or bad key) / 429 (over the key's requests per minute)."""
    if not services.settings.auth_required:
        caller = ANONYMOUS
    else:
        token = bearer.credentials if bearer is not None else header
        if not token:
            raise unauthorized("this service needs an API key: send `Authorization: Bearer KEY` or `X-API-Key: KEY`")
        key = await run_in_threadpool(services.keys.lookup, token)
        if key is None:
            raise unauthorized("the API key is not valid (unknown or revoked)")
        caller = Caller(key=key)
        _check_rate(services.rate_limiter.admit, key)
    request.state.caller = caller  # the key's name for request logs; never the key itself
    return caller


def _check_rate(admit: Callable[[str, int], float | None], key: ApiKey) -> None:
    if key.requests_per_minute is None:
        return
    wait = admit(key.name, key.requests_per_minute)
    if wait is not None:
        raise ApiError(429, "rate_limited", f"key {key.name!r} is over its {key.requests_per_minute} requests "
                       "per minute; retry later", headers={"Retry-After": retry_after(wait)})


REQUIRE_KEY = Depends(authenticate)
CallerDep = Annotated[Caller, Depends(authenticate)]
UNAUTHORIZED: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "No API key, or an unknown or revoked one (OPTSERVE_AUTH=required); "
          "the answer carries `WWW-Authenticate: Bearer`."},
}
