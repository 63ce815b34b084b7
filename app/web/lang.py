"""The signed-in learner's saved language wins over the cookie and the browser (see ``request_lang``)."""

from __future__ import annotations

from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send


class PreferredLanguage:
    """Copies the user's saved language (``UserView.lang``) to ``request.state.preferred_lang``.

    Must run inside the identity middleware, which puts the user on ``request.state``.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            state: dict[str, Any] = scope.setdefault("state", {})
            user = state.get("user")
            lang = user.lang if user is not None else None
            if lang is not None:
                state["preferred_lang"] = lang
        await self.app(scope, receive, send)
