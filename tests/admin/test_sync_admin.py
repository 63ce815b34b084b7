"""Start-up sync never clobbers admin edits; conflicts are shown and resolved in the admin (issue 8.4)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.bank.models import Question, Topic
from app.bootstrap import import_bank
from app.core.config import Settings
from tests.admin.helpers import bearer, make_user, page_token


@pytest.fixture
def auth(client: TestClient) -> dict[str, str]:
    make_user(client.app, "root@example.com", role="admin")  # type: ignore[arg-type]
    return bearer(client, "root@example.com")


def state(client: TestClient, slug: str) -> tuple[bool, int, str]:
    with client.app.state.db.session() as session:  # type: ignore[attr-defined]
        row = session.scalars(select(Question).where(Question.slug == slug)).one()
        return row.retired, row.version, row.body["prompt"]["en"]


def edit_prompt(client: TestClient, auth: dict[str, str], slug: str, text: str) -> None:
    current = client.get(f"/api/v1/admin/questions/{slug}", headers=auth).json()
    item = {**current["item"], "prompt": {**current["item"]["prompt"], "en": text}}
    body = {"topic": current["topic"], "item": item, "version": current["version"]}
    assert client.put(f"/api/v1/admin/questions/{slug}", json=body, headers=auth).status_code == 200


def edit_yaml(bank_dir: Path, old: str, new: str) -> None:
    path = bank_dir / "basics.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def test_an_admin_retirement_survives_start_up_sync(
    client: TestClient, auth: dict[str, str], settings: Settings
) -> None:
    assert client.delete("/api/v1/admin/questions/fx-open?version=1", headers=auth).status_code == 200
    report = import_bank(settings)
    assert (report.kept_edits, report.restored, report.conflicts) == (["fx-open"], [], [])
    assert state(client, "fx-open")[0] is True
    assert client.get("/q/fx-open").status_code == 404
    assert (
        client.post("/api/v1/admin/questions/fx-open/restore", json={"version": 2}, headers=auth).status_code
        == 200
    )
    report = import_bank(settings)  # restored to exactly the YAML: back in step, nothing kept
    assert (report.kept_edits, report.unchanged, state(client, "fx-open")[0]) == ([], 5, False)


def test_restoring_an_item_deleted_from_yaml_is_durable_and_keeps_its_topic(
    client: TestClient, auth: dict[str, str], settings: Settings, bank_dir: Path
) -> None:
    (bank_dir / "numbers.yaml").rename(bank_dir / "numbers.yaml.off")
    assert sorted(import_bank(settings).retired) == ["fx-computed", "fx-numeric"]
    restored = client.post("/api/v1/admin/questions/fx-numeric/restore", json={"version": 1}, headers=auth)
    assert restored.status_code == 200
    report = import_bank(settings)
    assert (report.retired, report.conflicts, state(client, "fx-numeric")[0]) == ([], [], False)
    with client.app.state.db.session() as session:  # type: ignore[attr-defined]
        topics = {t.slug: t.retired for t in session.scalars(select(Topic))}
    assert topics == {"basics": False, "numbers": False}  # it still holds an active item
    assert "What is" in client.get("/topics/numbers").text


def test_a_conflict_is_shown_and_taking_the_yaml_settles_it(
    admin_and_auth: tuple[TestClient, dict[str, str]], settings: Settings, bank_dir: Path
) -> None:
    admin, auth = admin_and_auth
    edit_prompt(admin, auth, "fx-open", "Edited by an admin")
    edit_yaml(bank_dir, r"Explain $e^{i\pi}+1=0$.", "Prove it.")
    assert import_bank(settings).conflicts == ["fx-open"]
    page = admin.get("/admin/conflicts").text
    head = "prompt: {zh: &#39;解释 $e^{i\\pi}+1=0$。&#39;, en: "
    assert f'<span class="del">-{head}Edited by an admin}}</span>' in page
    assert f'<span class="add">+{head}Prove it.}}</span>' in page
    response = admin.post("/admin/conflicts/fx-open", data={"take": "yaml", "csrf_token": page_token(admin)})
    assert "No conflicts." in response.text
    assert state(admin, "fx-open") == (False, 3, "Prove it.")
    report = import_bank(settings)
    assert (report.conflicts, report.kept_edits, report.updated) == ([], [], [])


def test_keeping_the_admin_version_makes_it_a_kept_edit(
    admin_and_auth: tuple[TestClient, dict[str, str]], settings: Settings, bank_dir: Path
) -> None:
    admin, auth = admin_and_auth
    edit_prompt(admin, auth, "fx-open", "Edited by an admin")
    edit_yaml(bank_dir, r"Explain $e^{i\pi}+1=0$.", "Prove it.")
    admin.post("/admin/conflicts/fx-open", data={"take": "admin", "csrf_token": page_token(admin)})
    report = import_bank(settings)
    assert (report.conflicts, report.kept_edits, state(admin, "fx-open")[2]) == (
        [],
        ["fx-open"],
        "Edited by an admin",
    )


def test_an_item_deleted_in_yaml_but_edited_here(
    admin_and_auth: tuple[TestClient, dict[str, str]], settings: Settings, bank_dir: Path
) -> None:
    admin, auth = admin_and_auth
    edit_prompt(admin, auth, "fx-numeric", "Edited by an admin")
    (bank_dir / "numbers.yaml").unlink()
    assert import_bank(settings).conflicts == ["fx-numeric"]
    page = admin.get("/admin/conflicts").text
    assert "Deleted from the YAML, but edited here." in page
    admin.post("/admin/conflicts/fx-numeric", data={"take": "yaml", "csrf_token": page_token(admin)})
    assert state(admin, "fx-numeric")[0] is True
    assert import_bank(settings).conflicts == []


def test_a_broken_bank_directory_is_reported_not_guessed(
    admin_and_auth: tuple[TestClient, dict[str, str]], bank_dir: Path
) -> None:
    admin, _ = admin_and_auth
    (bank_dir / "broken.yaml").write_text("topic: [\n", encoding="utf-8")
    page = admin.get("/admin/conflicts").text
    assert "The bank directory does not load" in page and "broken.yaml:2: invalid YAML" in page


@pytest.fixture
def admin_and_auth(admin: TestClient) -> tuple[TestClient, dict[str, str]]:
    return admin, bearer(admin, "admin@example.com")
