"""The readiness probe's answer (the same shape for 200 and 503)."""

from typing import Literal

from pydantic import Field

from models._base import ContractModel


class Readiness(ContractModel):
    """Whether this server can answer every family at once; `not_ready` comes with a 503."""

    status: Literal["ready", "not_ready"] = Field(description="`ready` (200) or `not_ready` (503).")
    families_without_backend: list[str] = Field(
        description="Problem families with no usable backend on this server (empty when ready)."
    )
    loading_backends: list[str] = Field(
        default_factory=list,
        description="Backends whose solve processes, started with the server, are still loading their solver "
        "library or compiled kernels (a request for them could not be sent before that); empty when ready, and "
        "for good once they have loaded (or 300 s after start-up).",
    )
