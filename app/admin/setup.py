"""Mount the admin: its pages, its API, the learners' report routes and its error handling."""

from __future__ import annotations

from fastapi import FastAPI

from app.admin import dependencies
from app.admin.bank_pages import router as bank_pages
from app.admin.pages import router as editor_pages
from app.admin.reporting import api as report_api
from app.admin.reporting import pages as report_pages
from app.admin.router import router as admin_api


def install_admin(app: FastAPI) -> None:
    """Add every admin route to ``app``."""
    dependencies.install(app)
    app.include_router(admin_api)
    app.include_router(report_api)
    app.include_router(editor_pages)
    app.include_router(bank_pages)
    app.include_router(report_pages)
