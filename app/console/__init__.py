"""The results console at /ui: server-rendered pages (Jinja2), one small CSS and one plain script.

No build step and no external request (no CDN, no web font): it works on a closed network.
"""

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from app.console.pages import router

STATIC = Path(__file__).parent / "static"


def install_console(app: FastAPI) -> None:
    """Serves the pages under /ui and their two static files under /ui/static."""
    app.mount("/ui/static", StaticFiles(directory=str(STATIC)), name="console-static")
    app.include_router(router)
