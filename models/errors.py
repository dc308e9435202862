"""The one error body used by every endpoint."""

from pydantic import Field

from models._base import ContractModel


class ErrorDetail(ContractModel):
    """One problem with the request, located by its JSON path."""

    loc: list[str | int] = Field(
        description="JSON path to the offending value, e.g. ['body', 'problem', 'items', 3, 'weight']."
    )
    msg: str = Field(description="What is wrong there.")


class ErrorInfo(ContractModel):
    """Machine-readable code, human message, and every located problem."""

    code: str = Field(description="Stable error code, e.g. `validation_error`, `not_found`.")
    message: str = Field(description="Human-readable summary.")
    details: list[ErrorDetail] = Field(default_factory=list, description="Every located problem.")


class ErrorBody(ContractModel):
    """Body of every 4xx/5xx answer."""

    error: ErrorInfo
