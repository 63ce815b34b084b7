"""The review-history file format: rows, parsing (JSON or CSV) and per-row, per-field errors."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, field_validator

FORMAT = "deepprep.review-history"
MAX_ROWS = 200_000


@dataclass(frozen=True)
class RowError:
    """What is wrong, where: row 1 is the first review (CSV: the line after the header)."""

    row: int
    field: str
    message: str


class ImportInvalid(ValueError):
    """The file cannot be imported; nothing was written."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} problem(s) in the import")
        self.errors = errors


class ImportRow(BaseModel):
    """One review in an export file."""

    model_config = ConfigDict(extra="forbid")

    question_id: Annotated[str, Field(min_length=2, max_length=80)]
    reviewed_at: AwareDatetime
    rating: Annotated[int, Field(ge=1, le=4)]
    duration_ms: Annotated[int, Field(ge=0, le=86_400_000)] | None = None
    affects_schedule: bool = True
    client_review_id: (
        Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")] | None
    ) = None

    @field_validator("reviewed_at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return value.astimezone(UTC)

    def key(self) -> str:
        """The idempotency key: given, or derived so re-importing the same file skips every row."""
        if self.client_review_id:
            return self.client_review_id
        return f"import:{self.question_id}:{int(self.reviewed_at.timestamp() * 1000)}"[:64]


def parse_rows(content: str, fmt: str) -> list[ImportRow]:
    """Rows of a JSON or CSV export; ImportInvalid lists every bad row and field."""
    raw = _json_rows(content) if fmt == "json" else _csv_rows(content)
    if len(raw) > MAX_ROWS:
        raise ImportInvalid([RowError(row=0, field="reviews", message=f"more than {MAX_ROWS} rows")])
    rows, errors = [], []
    for index, item in enumerate(raw, start=1):
        try:
            rows.append(ImportRow.model_validate(item))
        except ValidationError as exc:
            errors += [
                RowError(row=index, field=".".join(str(p) for p in e["loc"]) or "row", message=e["msg"])
                for e in exc.errors()
            ]
    if errors:
        raise ImportInvalid(errors)
    return rows


def _json_rows(content: str) -> list[Any]:
    try:
        document = json.loads(content)
    except json.JSONDecodeError as exc:
        raise ImportInvalid([RowError(row=0, field="file", message=f"not JSON: {exc.msg}")]) from exc
    reviews = document.get("reviews") if isinstance(document, dict) else document
    if not isinstance(reviews, list):
        raise ImportInvalid([RowError(row=0, field="reviews", message="expected a list of reviews")])
    return reviews


def _csv_rows(content: str) -> list[Any]:
    reader = csv.DictReader(io.StringIO(content))
    missing = {"question_id", "reviewed_at", "rating"} - set(reader.fieldnames or [])
    if missing:
        raise ImportInvalid(
            [RowError(row=0, field="header", message=f"missing column(s): {', '.join(sorted(missing))}")]
        )
    # Empty cells mean "not given", so optional columns may be left blank.
    return [{k: v for k, v in row.items() if v not in ("", None)} for row in reader]
