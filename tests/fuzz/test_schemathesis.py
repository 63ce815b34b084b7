"""Schemathesis against the whole OpenAPI document of a live server: no 5xx, nothing off-schema.

Generic on purpose: every operation the app documents is fuzzed (new routes join automatically),
with every check (``--checks all``: server errors, status codes, content types, response schemas,
negative data rejected, positive data accepted, undeclared methods, Allow headers, ...), a fixed
seed and a bounded number of examples. Three runs on one server:

1. a user's bearer token, on everything except the two operations that can take that token away
   (revoking tokens, changing roles);
2. an admin's token, on the same operations (admin routes then run past their 403);
3. a second admin's token, on those two operations only, last.

Defects found and fixed, each with a regression test in tests/fuzz/test_regressions.py: an
undeclared 400 for a body that is not UTF-8, 405 ``Allow`` headers naming one route's methods, and
``POST /api/v1/review/next`` answering 422 instead of 405.

Later runs found schema/validation mismatches (ids above PostgreSQL's integer range, a date read
from a number, an e-mail pattern that regex engines read differently, undocumented 429s, loose
``ask`` values); each was fixed in the schema itself, and nothing is baselined away. The only
tolerance is in ``schemathesis.toml``: a 422 for schema-valid requests on the operations whose
rules JSON Schema cannot express, with the reason for each.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx2 as httpx
import pytest

from app.core.db import Database
from app.users import service as user_service
from tests.faults.procs import deepprep_env, serve

pytestmark = pytest.mark.slow
PASSWORD = "correct horse battery"
EXAMPLES = 15
CONFIG = Path(__file__).with_name("schemathesis.toml")
# These can revoke the fuzzer's own token or demote its admin: they run last, with a spare admin.
TAKES_AWAY = r"^(DELETE /api/v1/tokens/\{token_id\}|PUT /api/v1/users/\{user_id\}/role)$"


@dataclass
class Target:
    """A live server and the bearer tokens to fuzz it with."""

    base: str
    user: str
    admin: str
    spare_admin: str


def account(base: str, database_url: str, email: str, *, admin: bool) -> str:
    """Sign up through the API (an admin role through the users service); a fresh bearer token."""
    assert httpx.post(f"{base}/api/v1/users", json={"email": email, "password": PASSWORD}).status_code == 201
    if admin:
        db = Database(database_url)
        with db.session() as session:
            user = user_service.get_by_email(session, email=email)
            assert user is not None
            user_service.set_role(session, user=user, role="admin")
        db.dispose()
    body = {"email": email, "password": PASSWORD, "name": "fuzz"}
    token: str = httpx.post(f"{base}/api/v1/tokens", json=body).json()["token"]
    return token


@pytest.fixture
def target(tmp_path: Path, bank_dir: Path, database_url: str) -> Iterator[Target]:
    env = deepprep_env(tmp_path / "data", bank_dir, database_url)
    with serve(env) as served:
        yield Target(
            served.base,
            account(served.base, database_url, "user@example.com", admin=False),
            account(served.base, database_url, "admin@example.com", admin=True),
            account(served.base, database_url, "spare@example.com", admin=True),
        )


def schemathesis(base: str, token: str, report: Path, *selection: str) -> subprocess.CompletedProcess[str]:
    """One ``st run`` over the live schema; exit status 0 means no failure was found."""
    command = [
        str(Path(sys.executable).with_name("st")),
        "--config-file",
        str(CONFIG),
        "run",
        f"{base}/openapi.json",
        "--checks",
        "all",
        "--max-examples",
        str(EXAMPLES),
        # One worker: CPython 3.11's ast.parse is not thread-safe, and hypothesis parses lambdas while
        # describing strategies ("SystemError: AST constructor recursion depth mismatch" with two).
        "--workers",
        "1",
        "--seed",
        "1",
        "--generation-database",
        "none",
        "--header",
        f"Authorization: Bearer {token}",
        "--no-color",
        "--report",
        "junit",
        "--report-junit-path",
        str(report),
        *selection,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)


def failures(run: subprocess.CompletedProcess[str]) -> str:
    """The part of schemathesis's output worth reading when it found something."""
    out = run.stdout
    start = out.find("=== FAILURES")
    return (out[start:] if start >= 0 else out[-6000:]) + run.stderr[-2000:]


def test_fuzz_every_operation_with_user_and_admin_tokens(target: Target, tmp_path: Path) -> None:
    runs = {
        "user": schemathesis(
            target.base, target.user, tmp_path / "user.xml", "--exclude-name-regex", TAKES_AWAY
        ),
        "admin": schemathesis(
            target.base, target.admin, tmp_path / "admin.xml", "--exclude-name-regex", TAKES_AWAY
        ),
        "last": schemathesis(
            target.base, target.spare_admin, tmp_path / "last.xml", "--include-name-regex", TAKES_AWAY
        ),
    }
    found = {name: failures(run) for name, run in runs.items() if run.returncode != 0}
    assert not found, "\n\n".join(f"--- {name} token ---\n{text}" for name, text in found.items())
