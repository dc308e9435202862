"""Shared configuration for every wire model: unknown fields are errors, not silently dropped."""

from pydantic import BaseModel, ConfigDict, StrictInt, StrictStr

Id = StrictStr | StrictInt
"""Identifiers may be strings or integers, as people's data has both; they are compared as given (strict:
`true` is not the id 1, as the schema says)."""


class ContractModel(BaseModel):
    """Base of the wire contract: rejects unknown fields so typos surface as 422s."""

    model_config = ConfigDict(extra="forbid", populate_by_name=False)
