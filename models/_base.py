"""Shared configuration for every wire model: unknown fields are errors, not silently dropped."""

from pydantic import BaseModel, ConfigDict

Id = str | int
"""Identifiers may be strings or integers, as people's data has both; they are compared as given."""


class ContractModel(BaseModel):
    """Base of the wire contract: rejects unknown fields so typos surface as 422s."""

    model_config = ConfigDict(extra="forbid", populate_by_name=False)
