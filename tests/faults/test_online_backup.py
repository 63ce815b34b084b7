"""``deepprep backup`` while reviews are being written, then ``deepprep restore`` into a new place:
the copy is intact, consistent (every card agrees with its log) and holds every review that was
acknowledged before the backup began; a server started on the restored copy works."""

from __future__ import annotations

import sqlite3
import subprocess
import threading
from pathlib import Path

import httpx2 as httpx
import pytest

from tests.faults.load import Ledger, reviewer
from tests.faults.procs import deepprep, deepprep_env, serve

pytestmark = pytest.mark.slow
PASSWORD = "correct horse battery"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_backup_under_write_load_restores_a_consistent_copy(
    tmp_path: Path, bank_dir: Path, database_url: str
) -> None:
    env = deepprep_env(tmp_path / "data", bank_dir, database_url)
    copy = tmp_path / "backups" / "deepprep.db"
    ledger, halt = Ledger(), threading.Event()
    with serve(env) as served:
        httpx.post(f"{served.base}/api/v1/users", json={"email": "max@example.com", "password": PASSWORD})
        body = {"email": "max@example.com", "password": PASSWORD, "name": "t"}
        auth = {
            "Authorization": f"Bearer {httpx.post(f'{served.base}/api/v1/tokens', json=body).json()['token']}"
        }
        threads = [
            threading.Thread(target=reviewer, args=(served.base, auth, i, ledger, halt)) for i in range(4)
        ]
        for thread in threads:
            thread.start()
        while len(ledger.acknowledged) < 40:
            threading.Event().wait(0.01)
        with ledger.lock:
            acknowledged_before = dict(ledger.acknowledged)
        made = subprocess.run(
            deepprep("backup", str(copy)), env=env, capture_output=True, text=True, check=False
        )
        halt.set()
        for thread in threads:
            thread.join(timeout=30)
    assert made.returncode == 0, made.stderr
    with sqlite3.connect(copy) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        logs = dict(connection.execute("SELECT client_review_id, id FROM review_log").fetchall())
        cards = connection.execute(
            "SELECT card.reps, count(review_log.id) FROM card "
            "LEFT JOIN review_log ON review_log.card_id = card.id GROUP BY card.id"
        ).fetchall()
    assert acknowledged_before.items() <= logs.items()
    assert all(reps == count for reps, count in cards)
    restored = deepprep_env(tmp_path / "restored", bank_dir, f"sqlite:///{tmp_path}/restored/deepprep.db")
    done = subprocess.run(
        deepprep("restore", str(copy)), env=restored, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    with serve(restored) as again:
        card = httpx.get(f"{again.base}/api/v1/review/next", headers=auth)
        assert card.status_code == 200
