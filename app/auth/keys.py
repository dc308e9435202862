"""API keys in the service database: only a SHA-256 of each token is stored.

A key is `osk_` + 43 URL-safe characters (32 random bytes from `secrets`). It is shown once, at
creation; the database keeps its hash, so a leaked database does not leak usable keys. Lookup
is by hash (indexed), then the stored hash is compared with `hmac.compare_digest`.
"""

import hashlib
import hmac
import re
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, select
from sqlalchemy.orm import sessionmaker

from app.jobs.tables import ApiKeyRow

PREFIX = "osk_"
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$")
CACHE_SECONDS = 0.5
"""How long a successful lookup is reused: a revoked key stops working within this time."""


class KeyStoreError(Exception):
    """A key operation that cannot be done (bad name, name taken, no such key)."""


@dataclass(frozen=True)
class ApiKey:
    """What the service knows about a key (never the key itself)."""

    name: str
    admin: bool = False
    requests_per_minute: int | None = None
    max_jobs: int | None = None
    max_time_limit: float | None = None
    created_at: datetime | None = None
    revoked_at: datetime | None = None


def new_token() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class KeyStore:
    """Create, list, revoke and look up keys; lookups are cached for at most CACHE_SECONDS."""

    def __init__(self, engine: Engine) -> None:
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._cache: dict[str, tuple[float, ApiKey]] = {}
        self._lock = threading.Lock()

    def create(self, key: ApiKey) -> str:
        """Stores a new key and returns its token (the only time it exists in clear)."""
        if not NAME.match(key.name):
            raise KeyStoreError(f"invalid key name {key.name!r}: letters, digits and . _ @ - (at most 100)")
        token = new_token()
        with self._sessions.begin() as session:
            row = session.get(ApiKeyRow, key.name)
            if row is not None and row.revoked_at is None:
                raise KeyStoreError(f"a key named {key.name!r} exists; revoke it first to replace it")
            if row is None:
                row = ApiKeyRow(name=key.name)
                session.add(row)
            row.key_hash, row.admin, row.created_at, row.revoked_at = hash_token(token), key.admin, _now(), None
            row.requests_per_minute, row.max_jobs = key.requests_per_minute, key.max_jobs
            row.max_time_limit = key.max_time_limit
        return token

    def list(self) -> list[ApiKey]:
        with self._sessions.begin() as session:
            return [_key(row) for row in session.scalars(select(ApiKeyRow).order_by(ApiKeyRow.name))]

    def revoke(self, name: str) -> None:
        with self._sessions.begin() as session:
            row = session.get(ApiKeyRow, name)
            if row is None or row.revoked_at is not None:
                raise KeyStoreError(f"no active key named {name!r}")
            row.revoked_at = _now()

    def lookup(self, token: str) -> ApiKey | None:
        """The active key with this token, or None."""
        digest = hash_token(token)
        with self._lock:
            cached = self._cache.get(digest)
        if cached is not None and time.monotonic() - cached[0] < CACHE_SECONDS:
            return cached[1]
        with self._sessions.begin() as session:
            row = session.scalars(select(ApiKeyRow).where(ApiKeyRow.key_hash == digest)).first()
            found = _key(row) if row is not None and row.revoked_at is None else None
            if row is None or not hmac.compare_digest(row.key_hash, digest):
                found = None
        with self._lock:
            if found is None:
                self._cache.pop(digest, None)
            else:
                self._cache[digest] = (time.monotonic(), found)
        return found


def _key(row: ApiKeyRow) -> ApiKey:
    return ApiKey(name=row.name, admin=row.admin, requests_per_minute=row.requests_per_minute,
                  max_jobs=row.max_jobs, max_time_limit=row.max_time_limit, created_at=_utc(row.created_at),
                  revoked_at=_utc(row.revoked_at))


def _now() -> datetime:
    return datetime.now(UTC)


def _utc(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value
