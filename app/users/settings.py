"""Per-user preferences, validated before they are stored (``User.settings``)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

# One learning step: more than zero, at most a week (longer steps belong to FSRS itself).
StepMinutes = Annotated[float, Field(gt=0, le=7 * 24 * 60)]


def check_zone(value: str) -> str:
    """``value`` when it names an IANA time zone, else ValueError."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {value!r}") from exc
    return value


class UserSettings(BaseModel):
    """Scheduling limits (Anki's deck options, FSRS flavour) and interface preferences."""

    # Unknown keys are dropped rather than refused: settings written by a newer version still load.
    model_config = ConfigDict(extra="ignore")

    desired_retention: float = Field(0.90, ge=0.70, le=0.97)
    learning_steps_minutes: list[StepMinutes] = Field(default=[1.0, 10.0], max_length=10)
    relearning_steps_minutes: list[StepMinutes] = Field(default=[10.0], max_length=10)
    maximum_interval_days: int = Field(36500, ge=1, le=36500)
    new_per_day: int = Field(20, ge=0, le=9999)
    reviews_per_day: int = Field(200, ge=0, le=99999)
    day_start_hour: int = Field(
        4, ge=0, le=23, description="Hour a new study day starts (like Anki's 4 a.m.)"
    )
    timezone: str = Field("UTC", max_length=64, description="IANA time zone name, e.g. Asia/Shanghai")
    leech_threshold: int = Field(8, ge=1, le=100, description="Lapses after which a card is a leech")
    leech_action: Literal["suspend", "tag"] = "suspend"
    lang: Literal["zh", "en"] | None = None
    interview_date: date | None = None
    quiz: dict[str, Any] = Field(default_factory=dict)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return check_zone(value)

    def zone(self) -> ZoneInfo:
        """The time zone as an object."""
        return ZoneInfo(self.timezone)


class UserSettingsUpdate(BaseModel):
    """A partial update: only the fields given change."""

    model_config = ConfigDict(extra="forbid")

    desired_retention: float | None = Field(None, ge=0.70, le=0.97)
    learning_steps_minutes: list[StepMinutes] | None = Field(None, max_length=10)
    relearning_steps_minutes: list[StepMinutes] | None = Field(None, max_length=10)
    maximum_interval_days: int | None = Field(None, ge=1, le=36500)
    new_per_day: int | None = Field(None, ge=0, le=9999)
    reviews_per_day: int | None = Field(None, ge=0, le=99999)
    day_start_hour: int | None = Field(None, ge=0, le=23)
    timezone: str | None = Field(None, max_length=64)
    leech_threshold: int | None = Field(None, ge=1, le=100)
    leech_action: Literal["suspend", "tag"] | None = None
    lang: Literal["zh", "en"] | None = None
    interview_date: date | None = None

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        return None if value is None else check_zone(value)


def load_settings(raw: dict[str, Any] | None) -> UserSettings:
    """Settings from a stored JSON document (defaults for anything missing)."""
    return UserSettings.model_validate(raw or {})
