"""GET /solvers: the registered backends, what they can do, and whether they run here."""

from fastapi import APIRouter

from app.deps import ServicesDep
from models.catalog import SolverCapabilities, SolverDescription
from solvers.contract import BackendSpec
from solvers.registry import availability

router = APIRouter(tags=["catalogue"])


@router.get("/solvers", response_model=list[SolverDescription], operation_id="list_solvers")
async def list_solvers(services: ServicesDep) -> list[SolverDescription]:
    """Every backend, including unavailable ones with the reason."""
    return [describe(spec) for spec in services.registry.specs()]


def describe(spec: BackendSpec) -> SolverDescription:
    caps = spec.capabilities
    state = availability(spec)
    return SolverDescription(
        name=spec.name,
        description=spec.description,
        capabilities=SolverCapabilities(
            families=sorted(f.value for f in caps.families), exact=caps.exact, reports_bound=caps.reports_bound,
            warm_start=caps.warm_start, deterministic=caps.deterministic, multi_objective=caps.multi_objective,
            simulation=sorted(f.value for f in caps.simulation),
        ),
        available=state.usable,
        version=state.version,
        reason=state.reason,
    )
