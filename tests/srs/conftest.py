"""Fixtures for the SRS tests: the users tests' app with a tiny bank, client, clock and signed-up user."""

from tests.users.conftest import app, auth, client, clock  # noqa: F401 (pytest finds fixtures by name)
