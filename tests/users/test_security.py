"""Pure security helpers."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from app.users import security


def test_password_hashes_are_argon2id_and_verify() -> None:
    digest = security.hash_password("s3cret-pass", cheap=True)
    assert digest.startswith("$argon2id$")
    assert security.verify_password(digest, "s3cret-pass", cheap=True)
    assert not security.verify_password(digest, "wrong", cheap=True)
    assert not security.verify_password("not-a-hash", "s3cret-pass", cheap=True)
    assert not security.verify_password(None, "s3cret-pass", cheap=True)


def test_production_hasher_uses_the_library_defaults() -> None:
    assert security.password_hasher().time_cost >= 2
    assert security.password_hasher(cheap=True).time_cost == 1


def test_api_tokens_are_random_prefixed_and_stored_as_sha256() -> None:
    token = security.new_api_token()
    assert re.fullmatch(r"dp_[A-Za-z0-9_-]{43}", token)
    assert token != security.new_api_token()
    assert security.token_digest(token) == hashlib.sha256(token.encode()).hexdigest()
    assert security.display_prefix(token) == token[:10]


def test_csrf_tokens_bind_secret_and_session() -> None:
    token = security.csrf_token("secret", "sid-1")
    assert token == security.csrf_token("secret", "sid-1")
    assert token != security.csrf_token("secret", "sid-2")
    assert token != security.csrf_token("other", "sid-1")
    assert security.same_token(token, token)
    assert not security.same_token(token, None)
    assert not security.same_token(token, token[:-1] + "0")


def test_workers_starting_together_share_one_generated_secret(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from app.core.config import Settings

    settings = Settings(data_dir=tmp_path / "data", mode="test")
    with ThreadPoolExecutor(8) as pool:
        keys = set(pool.map(lambda _: settings.resolved_secret_key(), range(32)))
    assert len(keys) == 1
    assert len(keys.pop()) >= 32
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == ["secret_key"]
