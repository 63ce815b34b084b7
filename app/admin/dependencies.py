"""Who may use the admin pages, and the request data they share."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from app.core.deps import SettingsDep
from app.core.errors import wants_json
from app.users.dependencies import OptionalUser
from app.users.models import User


class LoginRequired(Exception):
    """A signed-out visitor or a guest asked for an admin page; ``next`` is where to come back."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


def admin_page_user(request: Request, user: OptionalUser) -> User:
    """The signed-in admin; others are sent to log in (guests, signed out) or refused (403)."""
    if user is None or user.is_guest:
        query = f"?{request.url.query}" if request.url.query else ""
        raise LoginRequired(request.url.path + query if request.method == "GET" else "/admin")
    if not user.is_admin:
        raise HTTPException(403, "Admins only")
    return user


async def form_data(request: Request) -> FormData:
    """The submitted form (already parsed by the CSRF check, so this costs nothing)."""
    return await request.form()


def bank_dir(settings: SettingsDep) -> Path:
    """The bank directory: its seed list and YAML are what admin edits are checked against."""
    return settings.questions_dir


async def _login_required(request: Request, exc: LoginRequired) -> Response:
    if wants_json(request):
        return JSONResponse({"detail": "Not authenticated"}, status_code=401)
    return RedirectResponse(f"/login?next={quote(exc.next_url, safe='/')}", status_code=303)


def install(app: FastAPI) -> None:
    """Send LoginRequired to the login page."""
    app.add_exception_handler(LoginRequired, _login_required)  # type: ignore[arg-type]


AdminPageUser = Annotated[User, Depends(admin_page_user)]
FormDep = Annotated[FormData, Depends(form_data)]
BankDirDep = Annotated[Path, Depends(bank_dir)]
