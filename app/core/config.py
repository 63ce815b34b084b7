"""Settings, read from the environment with the prefix ``DEEPPREP_``."""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# Values that must never reach production: examples from docs and test fixtures.
_UNSAFE_SECRETS = {"", "changeme", "change-me", "secret", "dev", "development", "test"}
_MIN_SECRET_LENGTH = 32


class Settings(BaseSettings):
    """Runtime configuration. Every field can be set as ``DEEPPREP_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="DEEPPREP_", extra="ignore")

    mode: Literal["development", "production", "test"] = "development"
    data_dir: Path = PROJECT_ROOT / "data"
    questions_dir: Path = PROJECT_ROOT / "questions"
    database_url: str = ""
    secret_key: str = Field(default="", repr=False)
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    # FSRS fuzz spreads due dates; tests turn it off to get exact schedules.
    fsrs_fuzz: bool = True
    # Session cookie only over HTTPS; None means "on in production mode".
    secure_cookies: bool | None = None

    @model_validator(mode="after")
    def _fill_defaults(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'deepprep.db'}"
        if self.mode == "production" and (
            self.secret_key.lower() in _UNSAFE_SECRETS or len(self.secret_key) < _MIN_SECRET_LENGTH
        ):
            raise ValueError(
                "DEEPPREP_SECRET_KEY must be set to a random string of at least "
                f"{_MIN_SECRET_LENGTH} characters in production mode"
            )
        return self

    @property
    def is_sqlite(self) -> bool:
        """True when the database is an SQLite file or memory database."""
        return self.database_url.startswith("sqlite")

    @property
    def cookies_https_only(self) -> bool:
        """Whether the session cookie carries the Secure flag."""
        return self.mode == "production" if self.secure_cookies is None else self.secure_cookies

    def resolved_secret_key(self) -> str:
        """The configured secret, or one generated once and kept in the data directory.

        Several workers may start at once: the key is written to a private temporary file and
        hard-linked into place, which fails if another process got there first; everyone then
        reads the one file that won.
        """
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret_key"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("w", dir=self.data_dir, delete=False) as handle:
                handle.write(secrets.token_urlsafe(48))
            try:
                os.chmod(handle.name, 0o600)
                os.link(handle.name, path)
            except FileExistsError:
                pass  # another process wrote it first: use theirs
            finally:
                os.unlink(handle.name)
        return path.read_text().strip()
