"""One log line per job transition, and the solve metrics of finished jobs.

Called by the job store right after it writes the new status, in whichever process did it (the
service, an embedded job thread, or an `optserve worker`).
"""

import logging

from models import Result
from models.job import JobStatus

log = logging.getLogger("optserve.jobs")


def job_transition(job_id: str, status: JobStatus, backend: str | None, result: Result | None = None,
                   reason: str | None = None) -> None:
    """Logs the transition; a finished job with a result also counts as a solve in the metrics."""
    if result is not None:
        backend = result.solver.name or backend
        from app.observability.metrics import metrics

        metrics().record_solve(result)
    fields = {"job_id": job_id, "status": status.value, "backend": backend,
              "objective": result.objective if result is not None else None,
              "gap": result.gap if result is not None else None}
    if reason:
        fields["reason"] = reason
    log.info("job %s %s", job_id, status.value, extra=fields)
