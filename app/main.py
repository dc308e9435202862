"""The FastAPI application factory."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app.auth.deps import REQUIRE_KEY, UNAUTHORIZED
from app.auth.exposure import check_exposure
from app.console import install_console
from app.docs import install_docs
from app.errors import install_error_handlers
from app.limits import BodySizeLimit
from app.observability.logs import configure_logging
from app.observability.requests import RequestObserver
from app.openapi_spec import TAGS, install_openapi
from app.routes import evaluate, health, jobs, metrics, plots, problems, solve, solvers
from app.services import Services
from app.settings import Settings
from optserve._version import __version__

DESCRIPTION = """
Send a problem (knapsack, TSP, facility location, scheduling) as JSON; get a verified solution
with its status, a proven bound, the gap between them and timings. Every answer is re-checked
by an independent evaluator (`verified`). Try `GET /problems/{kind}` for a ready-to-run example.
See the answers drawn (tours, Gantt charts, Pareto fronts, live convergence) in the
[results console](/ui).
"""


def create_app(settings: Settings | None = None, services: Services | None = None) -> FastAPI:
    """Builds the app; tests pass their own settings or services."""
    settings = settings or Settings()
    services = services or Services(settings=settings)
    configure_logging(settings.log_format)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        check_exposure(settings)
        services.start()
        try:
            yield
        finally:
            services.stop()

    app = FastAPI(title="optserve", version=__version__, description=DESCRIPTION, lifespan=lifespan,
                  docs_url=None, redoc_url=None, openapi_tags=TAGS)
    install_docs(app)
    install_openapi(app)
    app.state.services = services
    install_error_handlers(app)
    for router in (solve.router, jobs.router, evaluate.router, solvers.router, problems.router, plots.router):
        app.include_router(router, dependencies=[REQUIRE_KEY], responses=UNAUTHORIZED)  # API key when required
    app.include_router(health.router)
    app.include_router(metrics.router)  # its handler demands an admin key when keys are required
    install_console(app)  # /ui: pages for people; a missing key shows a key field, not a 401
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequestObserver)  # outermost: sees every answer, even a 413
    return app
