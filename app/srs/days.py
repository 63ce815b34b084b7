"""Study days: a user's "today" starts at ``day_start_hour`` in their time zone (Anki's rollover)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def study_date(moment: datetime, zone: ZoneInfo, start_hour: int) -> date:
    """The study day ``moment`` belongs to (before the rollover hour it is still yesterday)."""
    local = moment.astimezone(zone)
    return (local - timedelta(hours=start_hour)).date()


def day_start(day: date, zone: ZoneInfo, start_hour: int) -> datetime:
    """The UTC instant study day ``day`` begins (wall-clock time, so DST days are 23 or 25 h)."""
    return datetime.combine(day, time(start_hour), tzinfo=zone).astimezone(UTC)


def today_bounds(now: datetime, zone: ZoneInfo, start_hour: int) -> tuple[datetime, datetime]:
    """UTC start and end of the study day containing ``now``."""
    today = study_date(now, zone, start_hour)
    return day_start(today, zone, start_hour), day_start(today + timedelta(days=1), zone, start_hour)
