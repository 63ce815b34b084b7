"""Quiz forms → answers. One field vocabulary serves a one-question page and a whole-quiz page.

Every question on the form has a hidden ``pos``; its fields are prefixed ``q<pos>-``: ``choice``
(option indices), ``answer`` (typed text), ``points`` (key points ticked) and ``ms`` (the time the
browser measured). Radio buttons need a name per question, hence the prefix rather than one name.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from app.quiz.present import Response

MAX_MS = 86_400_000
MAX_POSITION = 49
MAX_TEXT = 5000


class Form(Protocol):
    """What Starlette's FormData offers (and a test can fake)."""

    def getlist(self, key: str) -> Sequence[object]: ...


def _texts(form: Form, key: str) -> list[str]:
    return [v for v in form.getlist(key) if isinstance(v, str)]


def _ints(values: Sequence[str], top: int) -> list[int]:
    return [int(v) for v in values if v.isdigit() and int(v) <= top]


def positions(form: Form) -> list[int]:
    """The questions the form carries, in order, without repeats."""
    return list(dict.fromkeys(_ints(_texts(form, "pos"), MAX_POSITION)))


def answers(form: Form, positions: Sequence[int]) -> dict[int, Response]:
    """A response for each question (an untouched question gets an empty one)."""
    result = {}
    for p in positions:
        text = _texts(form, f"q{p}-answer")
        result[p] = Response(
            choice=_ints(_texts(form, f"q{p}-choice"), 20) or None,
            text=text[0][:MAX_TEXT] if text else None,
            points=_ints(_texts(form, f"q{p}-points"), 20) or None,
        )
    return result


def durations(form: Form, positions: Sequence[int]) -> dict[int, int | None]:
    """Time per question as the browser measured it (None where missing or unreadable)."""
    result: dict[int, int | None] = {}
    for p in positions:
        values = _ints(_texts(form, f"q{p}-ms"), MAX_MS)
        result[p] = values[0] if values else None
    return result


def elapsed_ms(measured: int | None, shown_at: int | None, now_ms: int) -> int | None:
    """The browser's measurement when it sent one, else the time since the page was rendered."""
    value = measured if measured is not None else (now_ms - shown_at if shown_at else None)
    return None if value is None else min(max(value, 0), MAX_MS)
