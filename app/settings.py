"""Service settings: one pydantic-settings object, read from OPTSERVE_* environment variables."""

import ipaddress
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from solvers.dispatch import DispatchLimits
from solvers.registry import load_builtin
from solvers.settings import SolverSettings


class Settings(SolverSettings):
    """Everything configurable about a running service; invalid values fail at start-up.

    The fields solver code reads in its own processes are inherited from `SolverSettings`.
    """

    model_config = SettingsConfigDict(env_prefix="OPTSERVE_", extra="ignore")

    host: str = Field(default="127.0.0.1", description="Bind address for `optserve serve`.")
    port: int = Field(default=8000, ge=1, le=65535, description="Bind port.")
    data_dir: Path = Field(default=Path("data"), description="Where embedded state lives.")
    max_time_limit: float = Field(default=300.0, gt=0, description="Cap on options.time_limit (s).")
    kill_grace: float = Field(default=1.0, ge=0.1, le=30,
                              description="Seconds past the limit before a solve that has found nothing is killed.")
    answer_margin: float = Field(default=0.25, ge=0.0, le=30, description="Seconds past the limit after which a "
                                 "solve that has found a solution is answered with it.")
    max_concurrent_solves: int = Field(default=2, ge=1, description="Synchronous solves running at once.")
    solve_slot_wait: float = Field(default=5.0, ge=0, description="Seconds /solve waits for a slot before 429.")
    max_body_bytes: int = Field(default=32 * 1024**2, ge=1024, description="Largest accepted request body.")
    max_problem_size: int = Field(
        default=25_000_000, ge=1, description="Largest problem (roughly variables: n^2 for TSP, m*(n+1) for "
        "facility location, operations x machines for scheduling)."
    )
    max_solver_memory: int = Field(default=8 * 1024**3, ge=256 * 1024**2, description="Bytes per solve process.")

    database_url: str | None = Field(
        default=None, description="SQLAlchemy or plain postgresql:// URL; default SQLite under data_dir."
    )
    broker_url: str | None = Field(
        default=None, description="Redis URL of the Celery broker; when set, jobs run on `optserve worker`s."
    )
    queue: str = Field(default="optserve", min_length=1, description="Celery queue name (one per deployment "
                       "sharing a Redis).")
    replication_fanout: bool = Field(
        default=True, description="With a broker: simulation replications also run on the workers (queue "
        "'<queue>.replications'), not only on the machine running the solve."
    )
    job_concurrency: int = Field(default=2, ge=1, description="Embedded mode: jobs running at once.")
    max_queued_jobs: int = Field(default=1000, ge=1, description="Queued jobs before POST /jobs answers 429.")
    stale_after: float = Field(default=30.0, gt=0, description="Seconds without a heartbeat before a running "
                               "job counts as lost and is re-queued.")
    max_attempts: int = Field(default=3, ge=1, description="Runs of a job before a lost worker fails it.")
    prewarm_backends: list[str] = Field(
        default=["knapsack_exact", "highs", "cpsat", "tsp_ls", "facility"],
        description="Backends whose solve processes start with the service, so first solves are fast (by default "
        "those `auto` picks; each idle process holds 50-250 MB); /health/ready answers 503 until they have loaded.",
    )
    worker_concurrency: int = Field(default=2, ge=1, description="`optserve worker`: jobs at once per worker.")
    log_format: Literal["json", "text"] | None = Field(
        default=None, description="Log lines as JSON (for a log system) or text; unset: JSON unless stderr is a "
        "terminal.",
    )
    job_retention_days: float | None = Field(
        default=None, gt=0, description="Finished jobs (and their events) older than this many days are purged "
        "hourly; unset keeps them forever.",
    )
    broker_timeout: float = Field(default=1.0, gt=0, le=30, description="Seconds a broker call (readiness PING, "
                                  "job dispatch) may take before the broker counts as down.")
    auth: Literal["required", "off"] | None = Field(
        default=None, description="`required`: every endpoint but /health/* and the docs needs an API key "
        "(`optserve keys create`); `off`: no keys, one user. Unset means `off` on a loopback host; any other "
        "host refuses to start unless this is set.",
    )

    @property
    def auth_required(self) -> bool:
        return self.auth == "required"

    @property
    def loopback(self) -> bool:
        """True when `host` only accepts connections from this machine."""
        return is_loopback(self.host)

    def dispatch_limits(self) -> DispatchLimits:
        return DispatchLimits(max_time_limit=self.max_time_limit, grace=self.kill_grace,
                              max_memory=self.max_solver_memory, answer_margin=self.answer_margin)

    @field_validator("solve_slot_wait")
    @classmethod
    def _finite(cls, value: float) -> float:
        if value != value or value == float("inf"):
            raise ValueError("must be a finite number")
        return value

    @field_validator("prewarm_backends")
    @classmethod
    def _known_backends(cls, names: list[str]) -> list[str]:
        """A misspelt backend would silently never be warmed: refuse to start instead."""
        known = load_builtin().names()
        unknown = [name for name in names if name not in known]
        if unknown:
            raise ValueError(f"unknown backend(s) {', '.join(map(repr, unknown))}; registered: {', '.join(known)}")
        return names


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
