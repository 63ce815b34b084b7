"""Browser pages for accounts: sign up (a guest keeps its progress), log in, log out, API tokens."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from app.core.db import ID_MAX
from app.core.deps import NowDep, SessionDep, TemplatesDep
from app.users import ratelimit, security, tokens
from app.users import service as user_service
from app.users.dependencies import CheapHashDep, CsrfProtected, OptionalUser
from app.users.models import User
from app.users.schemas import UserCreate

router = APIRouter(include_in_schema=False, dependencies=[CsrfProtected])
FormText = Annotated[str, Form(max_length=300)]
Next = Annotated[str, Form(max_length=300)]


def _local(url: str, default: str = "/review") -> str:
    """Only same-site paths: never an open redirect."""
    parts = urlsplit(url)
    ok = url.startswith("/") and not url.startswith("//") and not parts.scheme and not parts.netloc
    return url if ok else default


def _sign_in(request: Request, user: User, target: str) -> Response:
    # A new nonce on every sign-in: a session id planted before login is worthless after it.
    request.session["sid"] = security.new_session_id()
    request.session["uid"] = user.id
    return RedirectResponse(_local(target), status_code=303)


def _form(
    request: Request, templates: TemplatesDep, name: str, status: int = 200, **context: Any
) -> Response:
    return templates.TemplateResponse(request, f"auth/{name}.html", context, status_code=status)


@router.get("/signup", response_class=HTMLResponse)
def signup_page(
    request: Request, templates: TemplatesDep, user: OptionalUser, next: str = "/review"
) -> Response:
    """The sign-up form."""
    return _form(request, templates, "signup", next=_local(next), guest=user is not None and user.is_guest)


@router.post("/signup")
def signup(
    request: Request,
    session: SessionDep,
    templates: TemplatesDep,
    now: NowDep,
    user: OptionalUser,
    cheap: CheapHashDep,
    email: FormText,
    password: FormText,
    next: Next = "/review",
) -> Response:
    """Create an account; a guest's cards and reviews move with it."""
    try:
        data = UserCreate(email=email, password=password)
    except ValidationError as exc:
        fields = sorted({str(e["loc"][0]) for e in exc.errors()})
        return _form(request, templates, "signup", 422, next=next, email=email, invalid=fields)
    guest = user if user is not None and user.is_guest else None
    try:
        account = user_service.register(
            session, email=data.email, password=data.password, now=now, guest=guest, cheap_hash=cheap
        )
    except user_service.EmailTaken:
        return _form(request, templates, "signup", 409, next=next, email=email, taken=True)
    return _sign_in(request, account, next)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, templates: TemplatesDep, next: str = "/review") -> Response:
    """The log-in form."""
    return _form(request, templates, "login", next=_local(next))


@router.post("/login")
def login(
    request: Request,
    session: SessionDep,
    templates: TemplatesDep,
    now: NowDep,
    cheap: CheapHashDep,
    email: FormText,
    password: FormText,
    next: Next = "/review",
) -> Response:
    """Check the credentials and sign in (failed attempts are throttled per account and address)."""
    address = ratelimit.client_address(request)
    # Past the limit this raises ratelimit.TooManyAttempts: a 429 page with Retry-After.
    user = user_service.authenticate(
        session, email=email, password=password, cheap_hash=cheap, address=address, now=now
    )
    if user is None:
        return _form(request, templates, "login", 401, next=next, email=email, failed=True)
    return _sign_in(request, user, next)


@router.post("/logout")
def logout(request: Request) -> Response:
    """Forget the session (a guest's progress stays on the server, unreachable)."""
    request.session.clear()
    return RedirectResponse("/", status_code=303)


@router.get("/tokens", response_class=HTMLResponse)
def tokens_page(
    request: Request, session: SessionDep, templates: TemplatesDep, user: OptionalUser
) -> Response:
    """The user's API tokens and a form for a new one."""
    if user is None or user.is_guest:
        return RedirectResponse(f"/login?next={quote('/tokens')}", status_code=303)
    return _tokens(request, session, templates, user)


@router.post("/tokens", response_class=HTMLResponse)
def create_token(
    request: Request,
    session: SessionDep,
    templates: TemplatesDep,
    now: NowDep,
    user: OptionalUser,
    name: FormText,
) -> Response:
    """Create a token and show it this once."""
    if user is None or user.is_guest:
        return RedirectResponse("/login?next=/tokens", status_code=303)
    clean = name.strip()[:100] or "api"
    _, plain = tokens.create_token(session, user=user, name=clean, now=now)
    return _tokens(request, session, templates, user, new_token=plain)


@router.post("/tokens/{token_id}/revoke")
def revoke_token(
    session: SessionDep,
    now: NowDep,
    user: OptionalUser,
    token_id: Annotated[int, Path(ge=1, le=ID_MAX)],
) -> Response:
    """Revoke a token and go back to the list."""
    if user is not None and not user.is_guest:
        tokens.revoke_token(session, user=user, token_id=token_id, now=now)
    return RedirectResponse("/tokens", status_code=303)


def _tokens(
    request: Request, session: SessionDep, templates: TemplatesDep, user: User, new_token: str | None = None
) -> Response:
    rows = tokens.list_tokens(session, user=user)
    context = {"tokens": rows, "new_token": new_token}
    return templates.TemplateResponse(request, "tokens.html", context, headers={"Cache-Control": "no-store"})
