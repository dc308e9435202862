"""Fixtures shared by the app tests."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.jobs.db import database_url, make_engine
from app.jobs.schema import upgrade
from app.jobs.store import JobStore
from tests.services import drop_postgres_database, fresh_postgres_database


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[JobStore]:
    """A migrated job store on SQLite and on a fresh PostgreSQL database (dropped afterwards)."""
    url, name = fresh_postgres_database() if request.param == "postgresql" else (None, None)
    engine = make_engine(database_url(url, tmp_path))
    upgrade(engine)
    yield JobStore(engine)
    engine.dispose()
    if name:
        drop_postgres_database(name)
