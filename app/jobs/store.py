"""The job store: every state change of a job is a committed row before anyone is told about it."""

import hashlib
import json
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, Engine, delete, func, select, true, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from app.jobs.tables import ApiKeyRow, JobEventRow, JobRow
from models import Result
from models.errors import ErrorInfo
from models.job import EventType, Job, JobEvent, JobPage, JobRequest, JobStatus, Progress


class IdempotencyConflict(Exception):
    """The idempotency key was used before with a different request body."""


class JobActive(Exception):
    """The job is still queued or running: cancel it before deleting it."""


class TooManyJobs(Exception):
    """The owner already has `active` queued or running jobs, its quota."""

    def __init__(self, active: int) -> None:
        super().__init__(active)
        self.active = active


ACTIVE = (JobStatus.queued.value, JobStatus.running.value)


def owned(owner: str | None) -> ColumnElement[bool]:
    """Rows owned by `owner`; None means the caller sees every job (admin key, or auth off)."""
    return JobRow.owner == owner if owner is not None else true()


def now() -> datetime:
    return datetime.now(UTC)


def request_fingerprint(request: JobRequest) -> str:
    """Hash of the request body without its idempotency key: equal bodies, equal hashes."""
    body = request.model_dump(mode="json", exclude={"idempotency_key"})
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


class JobStore:
    """Jobs and their events in a SQL database (SQLite or PostgreSQL)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._sessions.begin() as session:
            yield session

    def create(self, job_id: str, request: JobRequest, owner: str | None = None,
               max_active: int | None = None) -> tuple[Job, bool]:
        """Stores a queued job; returns (job, created). Same owner, key and body: the existing job.

        With `max_active`, the owner's active jobs are counted in the inserting transaction (TooManyJobs
        when at the quota), so simultaneous submissions cannot both take the last place.
        """
        fingerprint = request_fingerprint(request)
        if request.idempotency_key is not None:
            existing = self._by_key(request.idempotency_key, fingerprint, owner)
            if existing is not None:
                return existing, False
        row = JobRow(id=job_id, status=JobStatus.queued.value, kind=request.problem.kind, solver=request.solver,
                     request=request.model_dump_json(), request_hash=fingerprint,
                     idempotency_key=request.idempotency_key, owner=owner, created_at=now(), attempts=0,
                     cancel_requested=False, event_seq=0)
        try:
            with self.session() as session:
                if owner is not None and max_active is not None:
                    self._check_quota(session, owner, max_active)
                session.add(row)
                session.flush()
                self._append_event(session, job_id, EventType.status, {"status": JobStatus.queued.value})
        except IntegrityError:
            existing = self._by_key(request.idempotency_key or "", fingerprint, owner)
            if existing is None:
                raise
            return existing, False
        return self.get(job_id) or to_job(row), True

    def _check_quota(self, session: Session, owner: str, max_active: int) -> None:
        """Counts the owner's active jobs holding a lock that the owner's other submissions wait for.

        PostgreSQL: the owner's API-key row, `SELECT ... FOR UPDATE`, held until this transaction
        commits the new job (other owners are not blocked). SQLite has no row locks and the driver
        begins a transaction only at the first write, so the count would run outside it: `BEGIN
        IMMEDIATE` takes the database's single write lock first (SQLite serialises writers anyway).
        """
        if session.get_bind().dialect.name == "sqlite":
            session.connection().exec_driver_sql("BEGIN IMMEDIATE")
        else:
            session.execute(select(ApiKeyRow.name).where(ApiKeyRow.name == owner).with_for_update())
        query = select(func.count()).select_from(JobRow).where(JobRow.owner == owner, JobRow.status.in_(ACTIVE))
        active = session.scalar(query) or 0
        if active >= max_active:
            raise TooManyJobs(active)

    def replay(self, request: JobRequest, owner: str | None) -> Job | None:
        """The owner's job with this request's idempotency key, if any (IdempotencyConflict if another body)."""
        if request.idempotency_key is None:
            return None
        return self._by_key(request.idempotency_key, request_fingerprint(request), owner)

    def _by_key(self, key: str, fingerprint: str, owner: str | None) -> Job | None:
        with self.session() as session:
            mine = JobRow.owner == owner if owner is not None else JobRow.owner.is_(None)
            row = session.scalars(select(JobRow).where(JobRow.idempotency_key == key, mine)).first()
            if row is None:
                return None
            if row.request_hash != fingerprint:
                raise IdempotencyConflict(key)
            return to_job(row)

    def get(self, job_id: str, owner: str | None = None) -> Job | None:
        """The job, or None when there is none or `owner` (when given) does not own it."""
        with self.session() as session:
            row = session.scalars(select(JobRow).where(JobRow.id == job_id, owned(owner))).first()
            return to_job(row) if row is not None else None

    def request(self, job_id: str) -> JobRequest | None:
        with self.session() as session:
            row = session.get(JobRow, job_id)
            return JobRequest.model_validate_json(row.request) if row is not None else None

    def page(self, status: JobStatus | None, limit: int, offset: int, owner: str | None = None) -> JobPage:
        with self.session() as session:
            query = select(JobRow).where(owned(owner))
            counter = select(func.count()).select_from(JobRow).where(owned(owner))
            if status is not None:
                query = query.where(JobRow.status == status.value)
                counter = counter.where(JobRow.status == status.value)
            rows = session.scalars(query.order_by(JobRow.created_at.desc(), JobRow.id).limit(limit).offset(offset))
            items = [to_job(row, with_solution=False) for row in rows]
            total = session.scalar(counter) or 0
        return JobPage(items=items, total=total, limit=limit, offset=offset)

    def count(self, status: JobStatus) -> int:
        with self.session() as session:
            return session.scalar(select(func.count()).select_from(JobRow).where(JobRow.status == status.value)) or 0

    def active(self, owner: str) -> int:
        """Queued and running jobs of one owner (the per-key concurrent-jobs quota)."""
        with self.session() as session:
            query = select(func.count()).select_from(JobRow).where(JobRow.owner == owner, JobRow.status.in_(ACTIVE))
            return session.scalar(query) or 0

    def request_cancel(self, job_id: str, owner: str | None = None) -> Job | None:
        """Queued jobs end at once; running ones are flagged and stop within the runner's poll.

        Both are conditional UPDATEs, not read-then-write: SQLite ignores FOR UPDATE, and a claim
        landing between the read and the write would leave a `cancelled` job running to its limit.
        """
        with self.session() as session:
            if session.scalar(select(JobRow.id).where(JobRow.id == job_id, owned(owner))) is None:
                return None
            mine = JobRow.id == job_id
            queued = update(JobRow).where(mine, JobRow.status == JobStatus.queued.value)
            ended = session.execute(queued.values(status=JobStatus.cancelled.value, finished_at=now()))
            if ended.rowcount:  # type: ignore[attr-defined]
                self._append_event(session, job_id, EventType.status, {"status": JobStatus.cancelled.value})
            else:
                session.execute(update(JobRow).where(mine, JobRow.status == JobStatus.running.value)
                                .values(cancel_requested=True))
        return self.get(job_id)

    def delete(self, job_id: str, owner: str | None = None) -> bool:
        """Removes a finished job and its events; False if unknown (or not `owner`'s); JobActive if unfinished."""
        with self.session() as session:
            row = session.get(JobRow, job_id, with_for_update=True)
            if row is None or (owner is not None and row.owner != owner):
                return False
            if row.status in ACTIVE:
                raise JobActive(job_id)
            session.execute(delete(JobEventRow).where(JobEventRow.job_id == job_id))
            session.delete(row)
        return True

    def cancel_requested(self, job_id: str, worker: str | None = None) -> bool:
        """Also the heartbeat: a running job's worker calls this often."""
        with self.session() as session:
            if worker is not None:
                session.execute(update(JobRow).where(JobRow.id == job_id, JobRow.worker == worker)
                                .values(heartbeat_at=now()))
            flag = session.scalar(select(JobRow.cancel_requested).where(JobRow.id == job_id))
            return bool(flag)

    def claim(self, job_id: str, worker: str) -> JobRequest | None:
        """Atomically moves a queued job to running for `worker`; None if someone else has it."""
        with self.session() as session:
            claimed = session.execute(  # type: ignore[attr-defined]
                update(JobRow).where(JobRow.id == job_id, JobRow.status == JobStatus.queued.value)
                .values(status=JobStatus.running.value, worker=worker, started_at=now(), heartbeat_at=now(),
                        attempts=JobRow.attempts + 1)
            ).rowcount
            if claimed != 1:
                return None
            self._append_event(session, job_id, EventType.status, {"status": JobStatus.running.value})
            row = session.get(JobRow, job_id)
            assert row is not None
            return JobRequest.model_validate_json(row.request)

    def next_queued(self, limit: int = 1) -> list[str]:
        with self.session() as session:
            query = (select(JobRow.id).where(JobRow.status == JobStatus.queued.value)
                     .order_by(JobRow.created_at).limit(limit))
            return list(session.scalars(query))

    def record_progress(self, job_id: str, progress: Progress, event: EventType) -> None:
        with self.session() as session:
            session.execute(update(JobRow).where(JobRow.id == job_id).values(progress=progress.model_dump()))
            self._append_event(session, job_id, event, progress.model_dump())

    def finish(self, job_id: str, status: JobStatus, result: Result | None, error: ErrorInfo | None) -> None:
        with self.session() as session:
            row = session.get(JobRow, job_id, with_for_update=True)
            if row is not None and not JobStatus(row.status).finished:
                self._finish_row(session, row, status, result, error)

    def _finish_row(self, session: Session, row: JobRow, status: JobStatus, result: Result | None,
                    error: ErrorInfo | None) -> None:
        row.status = status.value
        row.finished_at = now()
        row.result = result.model_dump_json() if result is not None else None
        row.error = error.model_dump() if error is not None else None
        session.flush()
        self._append_event(session, row.id, EventType.status, {"status": status.value})

    def events_after(self, job_id: str, seq: int) -> list[JobEvent]:
        with self.session() as session:
            rows = session.scalars(select(JobEventRow).where(JobEventRow.job_id == job_id, JobEventRow.seq > seq)
                                   .order_by(JobEventRow.seq))
            return [JobEvent(seq=r.seq, type=EventType(r.type), data=r.data) for r in rows]

    def _append_event(self, session: Session, job_id: str, kind: EventType, data: dict[str, object]) -> None:
        seq = session.execute(update(JobRow).where(JobRow.id == job_id).values(event_seq=JobRow.event_seq + 1)
                              .returning(JobRow.event_seq)).scalar_one()
        session.add(JobEventRow(job_id=job_id, seq=seq, type=kind.value, data=data, created_at=now()))

    def recover_stale(self, stale_after: float, max_attempts: int) -> tuple[list[str], list[str]]:
        """Running jobs whose worker stopped beating: re-queued, or failed after too many tries."""
        cutoff = now() - timedelta(seconds=stale_after)
        with self.session() as session:
            rows = session.scalars(select(JobRow).where(JobRow.status == JobStatus.running.value,
                                                        JobRow.heartbeat_at < cutoff).with_for_update())
            return self._requeue(session, list(rows), max_attempts)

    def recover_orphans(self, worker: str, busy: Collection[str], max_attempts: int) -> tuple[list[str], list[str]]:
        """Jobs running under `worker` that none of its threads is running (`busy`): re-queued at
        once. Why: a claim whose commit reached the database but whose answer was lost (the database
        going away mid-claim) leaves a job running that nobody runs until its heartbeat goes stale
        (`stale_after`, 30 s); a clean-clone CI run saw a job whose claims failed that way still not
        done 20 s after the database came back, most likely this (not reproduced)."""
        with self.session() as session:
            rows = session.scalars(select(JobRow).where(JobRow.status == JobStatus.running.value,
                                                        JobRow.worker == worker,
                                                        JobRow.id.not_in(list(busy))).with_for_update())
            return self._requeue(session, list(rows), max_attempts)

    def _requeue(self, session: Session, rows: list[JobRow], max_attempts: int) -> tuple[list[str], list[str]]:
        """Lost running jobs: re-queued, or failed after too many tries; cancelled if the caller asked
        (before, the re-queue cleared the request and the job ran again: a clean-clone CI run saw the
        console's cancel button lose that way)."""
        requeued, failed = [], []
        for row in rows:
            if row.cancel_requested:
                self._finish_row(session, row, JobStatus.cancelled, None, None)
            elif row.attempts >= max_attempts:
                reason = ErrorInfo(code="worker_lost", message=f"the worker running this job stopped "
                                   f"responding {row.attempts} time(s); giving up")
                self._finish_row(session, row, JobStatus.failed, None, reason)
                failed.append(row.id)
            else:
                row.status, row.worker, row.cancel_requested = JobStatus.queued.value, None, False
                session.flush()
                self._append_event(session, row.id, EventType.status, {"status": JobStatus.queued.value,
                                                                     "reason": "worker lost; re-queued"})
                requeued.append(row.id)
        return requeued, failed

    def ping(self) -> None:
        with self.session() as session:
            session.execute(select(1))


def to_job(row: JobRow, with_solution: bool = True) -> Job:
    result = Result.model_validate_json(row.result) if row.result else None
    if result is not None and not with_solution:
        result.solution = None
    return Job(id=row.id, status=JobStatus(row.status), created_at=_utc(row.created_at),
               started_at=_utc(row.started_at), finished_at=_utc(row.finished_at),
               progress=Progress.model_validate(row.progress or {}), result=result,
               error=ErrorInfo.model_validate(row.error) if row.error else None, attempts=row.attempts,
               idempotency_key=row.idempotency_key, kind=row.kind, solver=row.solver)


def _utc(value: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes; everything stored is UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value
