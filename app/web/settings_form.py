"""The settings page's form: stored settings → field values, and posted fields → validated settings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, TypeVar
from zoneinfo import available_timezones

from pydantic import BaseModel, ValidationError

from app.quiz.schemas import QuizDefaults
from app.users.settings import UserSettings, UserSettingsUpdate

# Form fields that are whole numbers, and those shown to people in friendlier units.
_INTS = ("new_per_day", "reviews_per_day", "day_start_hour", "count", "interview_count")
M = TypeVar("M", bound=BaseModel)
_QUIZ_FIELDS = ("count", "layout", "feedback", "feeds_schedule", "interview_count", "interview_seconds")


@dataclass
class Parsed:
    """Valid settings to store, or the error message of each bad field."""

    update: UserSettingsUpdate | None = None
    quiz: QuizDefaults | None = None
    errors: dict[str, str] = field(default_factory=dict)


@cache
def time_zones() -> list[str]:
    """IANA time zone names, sorted (UTC first)."""
    return ["UTC", *sorted(z for z in available_timezones() if z != "UTC" and "/" in z)]


def values(settings: UserSettings, quiz: QuizDefaults) -> dict[str, Any]:
    """The current settings as form values."""
    return {
        "lang": settings.lang or "",
        "interview_date": settings.interview_date.isoformat() if settings.interview_date else "",
        "retention_percent": round(settings.desired_retention * 100),
        "new_per_day": settings.new_per_day,
        "reviews_per_day": settings.reviews_per_day,
        "day_start_hour": settings.day_start_hour,
        "timezone": settings.timezone,
        **quiz.model_dump(exclude={"interview_seconds"}),
        "interview_minutes": f"{quiz.interview_seconds / 60:g}",
    }


def parse(form: Mapping[str, str]) -> Parsed:
    """Validate the posted form; every bad field is reported, nothing is stored half."""
    errors: dict[str, str] = {}
    raw: dict[str, Any] = {
        "lang": form.get("lang") or None,
        "interview_date": form.get("interview_date") or None,
        "timezone": form.get("timezone", "UTC"),
        "layout": form.get("layout", "one"),
        "feedback": form.get("feedback", "immediate"),
        "feeds_schedule": form.get("feeds_schedule") == "true",
    }
    for name in _INTS:  # whole numbers only: the settings models take no text
        raw[name] = _whole(form.get(name, ""), name, errors)
    raw["desired_retention"] = _scaled(form.get("retention_percent", ""), 0.01, "retention_percent", errors)
    raw["interview_seconds"] = _scaled(form.get("interview_minutes", ""), 60, "interview_minutes", errors)
    quiz_raw = {k: raw.pop(k) for k in _QUIZ_FIELDS}
    update = _validate(UserSettingsUpdate, raw, errors, {"desired_retention": "retention_percent"})
    quiz = _validate(QuizDefaults, quiz_raw, errors, {"interview_seconds": "interview_minutes"})
    if errors:
        return Parsed(errors=errors)
    return Parsed(update=update, quiz=quiz)


def _whole(text: str, name: str, errors: dict[str, str]) -> int | None:
    try:
        return int(text)
    except ValueError:
        errors[name] = "not a whole number"
        return None


def _scaled(text: str, factor: float, name: str, errors: dict[str, str]) -> float | int | None:
    try:
        value = float(text) * factor
    except ValueError:
        errors[name] = "not a number"
        return None
    return round(value) if factor >= 1 else round(value, 4)


def _validate(
    model: type[M], raw: dict[str, Any], errors: dict[str, str], renamed: dict[str, str]
) -> M | None:
    data = {k: v for k, v in raw.items() if not (v is None and renamed.get(k, k) in errors)}
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            name = str(error["loc"][0]) if error["loc"] else "form"
            errors.setdefault(renamed.get(name, name), error["msg"])
        return None
