"""Swagger UI served from the installed package, not a CDN: the docs work on a closed network."""

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

ASSETS = "/static/swagger"


def install_docs(app: FastAPI) -> None:
    """Mounts the Swagger UI assets and serves /docs with "Try it out" pre-filled from the examples."""
    app.mount(ASSETS, StaticFiles(directory=str(swagger_ui_path)), name="swagger-assets")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json", title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js", swagger_css_url=f"{ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS}/favicon-32x32.png",
            swagger_ui_parameters={"tryItOutEnabled": True, "displayRequestDuration": True},
        )
