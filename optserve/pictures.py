"""Drawing pictures from the CLI: locally with `app.plots` (needs the server extra), or on a server.

`app.plots` (matplotlib) is imported lazily, only when a picture is drawn without `--server`, so
`pip install optserve` (SDK only) can still draw through a service's POST /plots/{name}.svg.
"""

from collections.abc import Callable
from typing import Any

DEFAULT_PICTURE = {"tsp": "tour", "scheduling": "gantt", "facility_location": "facilities", "knapsack": "items",
                   "staffing": "simulation"}
"""The picture a report shows for each family (fronts show `pareto` instead)."""

Renderer = Callable[[dict[str, Any], dict[str, Any], str], str]
"""(problem, result, picture name) -> SVG text; raises PictureError when it cannot be drawn."""


class PictureError(Exception):
    """The picture cannot be drawn (unknown name, does not apply, bad data); the message says why."""


def default_picture(problem: dict[str, Any], result: dict[str, Any]) -> str | None:
    if result.get("pareto_front"):
        return "pareto"
    return DEFAULT_PICTURE.get(str(problem.get("kind")))


def local_renderer() -> Renderer:
    """Draws in this process with app.plots (raises ModuleNotFoundError without the server extra)."""
    from pydantic import TypeAdapter, ValidationError

    from app.plots import PlotError, render
    from models.problem import Problem
    from models.result import Result

    problems: TypeAdapter[Any] = TypeAdapter(Problem)

    def draw(problem: dict[str, Any], result: dict[str, Any], name: str) -> str:
        try:
            return render(name, problems.validate_python(problem), Result.model_validate(result))
        except (PlotError, ValidationError) as exc:
            raise PictureError(str(exc)) from None

    return draw


def remote_renderer(server: str, api_key: str | None = None) -> Renderer:
    """Draws with the service's POST /plots/{name}.svg."""
    from optserve.client import Client
    from optserve.exceptions import APIError

    def draw(problem: dict[str, Any], result: dict[str, Any], name: str) -> str:
        with Client(server, api_key=api_key) as client:
            try:
                return client.render(problem, result, name).decode()
            except APIError as exc:
                raise PictureError(str(exc)) from None

    return draw


def renderer_for(server: str | None, api_key: str | None = None) -> Renderer | None:
    """The server's renderer with a server, else the local one; None when neither is possible."""
    if server:
        return remote_renderer(server, api_key)
    try:
        return local_renderer()
    except ModuleNotFoundError:
        return None
