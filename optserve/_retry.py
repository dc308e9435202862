"""When to retry a request and how long to wait: bounded exponential backoff with jitter.

Retried: 429 (after `Retry-After` when given), 503 (unless the server says the solver itself is
missing, which no retry fixes) and transport errors. A request that may have reached the
server is retried only when it is idempotent (GET, DELETE, POST /validate, POST /jobs with an
idempotency key); otherwise only errors that prove it was never sent (connection refused,
connect or pool timeout) are retried. Other 4xx are never retried.
"""

import random
from dataclasses import dataclass, field

import httpx

from optserve.exceptions import APIError

RETRY_STATUSES = frozenset({429, 503})
PERMANENT_503_CODES = frozenset({"solver_unavailable", "no_backend"})
"""503 codes that describe this server's installation, not a passing outage."""

NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
"""Transport errors raised before the request reached the server: always safe to retry."""

NEVER_RETRY = (httpx.UnsupportedProtocol, httpx.LocalProtocolError, httpx.ProxyError)
"""Transport errors a retry cannot fix (bad URL scheme, malformed request, proxy refused)."""


@dataclass(frozen=True)
class RetryPolicy:
    """How many times to try a request and how long to wait in between.

    The n-th retry waits `backoff * 2**(n-1)` seconds, capped at `max_backoff`, of which the
    `jitter` fraction is random (so clients that failed together do not retry together). A
    `Retry-After` header is honoured as a minimum; when it asks for more than `max_retry_after`
    seconds the error is raised at once instead.
    """

    max_attempts: int = 4
    """Tries in total, the first included (1 disables retries)."""
    backoff: float = 0.5
    max_backoff: float = 10.0
    jitter: float = 0.5
    max_retry_after: float = 60.0
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.backoff < 0 or self.max_backoff < 0 or not 0 <= self.jitter <= 1:
            raise ValueError("backoff and max_backoff must be >= 0 and jitter within [0, 1]")

    def backoff_delay(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based)."""
        ceiling = min(self.max_backoff, self.backoff * 2.0 ** (attempt - 1))
        return ceiling * (1 - self.jitter * self.rng.random())

    def delay(self, attempt: int, retry_after: float | None = None) -> float | None:
        """Seconds before the next attempt, or None when the caller should give up."""
        if attempt >= self.max_attempts:
            return None
        wait = self.backoff_delay(attempt)
        if retry_after is not None:
            if retry_after > self.max_retry_after:
                return None
            wait = max(wait, retry_after)
        return wait


def retryable_status(error: APIError) -> bool:
    """Whether an error answer is worth another try."""
    if error.status_code not in RETRY_STATUSES:
        return False
    return not (error.status_code == 503 and error.code in PERMANENT_503_CODES)


def retryable_transport(exc: httpx.TransportError, idempotent: bool) -> bool:
    """Whether a transport failure is worth another try for a request of this kind."""
    if isinstance(exc, NEVER_RETRY):
        return False
    return idempotent or isinstance(exc, NOT_SENT)


def coerce_policy(retry: "RetryPolicy | int | None") -> RetryPolicy:
    """A policy from what a client constructor accepts: a policy, a number of attempts, or None (no retries)."""
    if retry is None:
        return RetryPolicy(max_attempts=1)
    if isinstance(retry, RetryPolicy):
        return retry
    return RetryPolicy(max_attempts=retry)
