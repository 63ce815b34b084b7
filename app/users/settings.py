"""Per-user preferences, validated before they are stored (``User.settings``)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

# The schema lists every zone this machine knows, so API clients (and fuzzers) see exactly what is valid.
ZONE_NAMES = sorted(available_timezones())

# One learning step: more than zero, at most a week (longer steps belong to FSRS itself).
StepMinutes = Annotated[float, Field(gt=0, le=7 * 24 * 60, strict=True)]


def check_zone(value: str) -> str:
    """``value`` when it names an IANA time zone, else ValueError."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {value!r}") from exc
    return value


ZoneName = Annotated[
    str,
    Field(max_length=64, json_schema_extra={"enum": ZONE_NAMES}),
    AfterValidator(check_zone),
]


def _whole_number(value: Any) -> Any:
    # JSON Schema's "integer" includes 16.0, so accept it; a boolean or text is never a number here.
    if isinstance(value, bool | str):
        raise ValueError("expected a whole number")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


WholeNumber = BeforeValidator(_whole_number)


def _iso_date_text(value: Any) -> Any:
    # JSON has no date type: only "YYYY-MM-DD" text is a date (pydantic would read 0 as 1970-01-01).
    if value is not None and not isinstance(value, str | date):
        raise ValueError("expected a date as text, YYYY-MM-DD")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date_text)]


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
    timezone: ZoneName = Field("UTC", description="IANA time zone name, e.g. Asia/Shanghai")
    leech_threshold: int = Field(8, ge=1, le=100, description="Lapses after which a card is a leech")
    leech_action: Literal["suspend", "tag"] = "suspend"
    lang: Literal["zh", "en"] | None = None
    interview_date: IsoDate | None = None
    quiz: dict[str, Any] = Field(default_factory=dict)

    def zone(self) -> ZoneInfo:
        """The time zone as an object."""
        return ZoneInfo(self.timezone)


class UserSettingsUpdate(BaseModel):
    """A partial update: only the fields given change."""

    model_config = ConfigDict(extra="forbid")

    desired_retention: float | None = Field(None, strict=True, ge=0.70, le=0.97)
    learning_steps_minutes: list[StepMinutes] | None = Field(None, max_length=10)
    relearning_steps_minutes: list[StepMinutes] | None = Field(None, max_length=10)
    maximum_interval_days: Annotated[int, Field(ge=1, le=36500), WholeNumber] | None = None
    new_per_day: Annotated[int, Field(ge=0, le=9999), WholeNumber] | None = None
    reviews_per_day: Annotated[int, Field(ge=0, le=99999), WholeNumber] | None = None
    day_start_hour: Annotated[int, Field(ge=0, le=23), WholeNumber] | None = None
    timezone: ZoneName | None = None
    leech_threshold: Annotated[int, Field(ge=1, le=100), WholeNumber] | None = None
    leech_action: Literal["suspend", "tag"] | None = None
    lang: Literal["zh", "en"] | None = None
    interview_date: IsoDate | None = None


def load_settings(raw: dict[str, Any] | None) -> UserSettings:
    """Settings from a stored JSON document (defaults for anything missing)."""
    return UserSettings.model_validate(raw or {})
