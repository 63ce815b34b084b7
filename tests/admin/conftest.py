"""Admin fixtures: the shared app (fixture bank, SQLite and PostgreSQL) with an admin signed in."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.admin.helpers import make_user, sign_in

ADMIN = "admin@example.com"


@pytest.fixture
def admin(client: TestClient) -> TestClient:
    """``client`` signed in as an admin."""
    make_user(client.app, ADMIN, role="admin")  # type: ignore[arg-type]
    sign_in(client, ADMIN)
    return client
