"""Typed dependencies shared by every router."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from app.core.config import Settings
from app.core.db import Database, utcnow
from app.core.templating import request_lang


def get_db(request: Request) -> Database:
    """The app's database."""
    db: Database = request.app.state.db
    return db


def get_session(request: Request) -> Iterator[Session]:
    """A session per request, closed (and rolled back on error) afterwards."""
    with get_db(request).session() as session:
        yield session


def get_settings(request: Request) -> Settings:
    """The app's settings."""
    settings: Settings = request.app.state.settings
    return settings


def get_templates(request: Request) -> Jinja2Templates:
    """The app's templates."""
    templates: Jinja2Templates = request.app.state.templates
    return templates


def get_now(request: Request) -> datetime:
    """The current UTC time; tests set ``app.state.clock`` to travel in time."""
    clock = getattr(request.app.state, "clock", None) or utcnow
    now: datetime = clock()
    return now


# FastAPI runs a plain ``def`` dependency in the thread pool: for these lookups the trip cost
# more than the work, several times per page. The async twins run on the event loop instead.


async def _settings(request: Request) -> Settings:
    return get_settings(request)


async def _templates(request: Request) -> Jinja2Templates:
    return get_templates(request)


async def _now(request: Request) -> datetime:
    return get_now(request)


async def _lang(request: Request) -> str:
    return request_lang(request)


SessionDep = Annotated[Session, Depends(get_session)]
SettingsDep = Annotated[Settings, Depends(_settings)]
TemplatesDep = Annotated[Jinja2Templates, Depends(_templates)]
LangDep = Annotated[str, Depends(_lang)]
NowDep = Annotated[datetime, Depends(_now)]
