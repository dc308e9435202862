"""The readiness probe's answer (the same shape for 200 and 503)."""

from typing import Literal

from pydantic import Field

from models._base import ContractModel


class Readiness(ContractModel):
    """Whether this server can answer every family; `not_ready` comes with a 503."""

    status: Literal["ready", "not_ready"] = Field(description="`ready` (200) or `not_ready` (503).")
    families_without_backend: list[str] = Field(
        description="Problem families with no usable backend on this server (empty when ready)."
    )
