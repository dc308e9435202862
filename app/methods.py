"""The `Allow` header: OPTIONS answers 204 with it, and every 405 lists all of a path's methods.

Starlette's own 405 names only the methods of the first route whose path matched (`/jobs` would
say `POST` though `GET` works too) and OPTIONS was a 405. Each route is asked, through the public
`matches()`, which methods it takes for this path.
"""

from starlette.requests import Request
from starlette.routing import Match

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route of the app accepts on this request's path, plus OPTIONS."""
    allowed = {"OPTIONS"}
    for method in METHODS:
        scope = {**request.scope, "method": method}
        if any(route.matches(scope)[0] is Match.FULL for route in request.app.routes):
            allowed.add(method)
    return sorted(allowed)


def allow_header(request: Request) -> dict[str, str]:
    return {"Allow": ", ".join(allowed_methods(request))}
