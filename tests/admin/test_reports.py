"""Learners report problems; items learners fail far too often are flagged for checking (issue 8.7)."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.admin.flags import ItemStats, item_stats
from app.bank.models import Question
from app.srs.models import Card
from tests.admin.helpers import T0, bearer, make_user, page_token


def report(client: TestClient, slug: str, text: str) -> str:
    token = page_token(client)
    response = client.post(
        f"/q/{slug}/report", data={"text": text, "csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    return str(response.headers["location"])


def test_a_guest_reports_and_the_admin_resolves(admin: TestClient) -> None:
    learner = TestClient(admin.app)
    learner.get("/review")  # a guest now
    assert report(learner, "fx-open", "first try") == "/q/fx-open?reported=1"
    report(learner, "fx-open", "The answer skips <script>alert(1)</script> a step.")
    assert "Thank you! An admin will look at this item." in learner.get("/q/fx-open?reported=1").text
    page = admin.get("/admin/reports").text
    assert "The answer skips &lt;script&gt;alert(1)&lt;/script&gt; a step." in page
    assert "first try" not in page  # a second report replaces the learner's open one
    flagged = admin.get("/admin?flagged=true").text
    assert "fx-open" in flagged and "fx-choice" not in flagged
    assert "1 open learner report(s)" in admin.get("/admin").text
    report_id = page.split('action="/admin/reports/')[1].split("/")[0]
    admin.post(f"/admin/reports/{report_id}/resolve", data={"csrf_token": page_token(admin)})
    assert "No open reports." in admin.get("/admin/reports").text
    assert "0 item(s)" in admin.get("/admin?flagged=true").text
    assert (
        admin.post(f"/admin/reports/{report_id}/resolve", data={"csrf_token": page_token(admin)}).status_code
        == 404
    )
    learner.close()


def test_a_report_on_a_computed_item_comes_back_to_the_same_numbers(client: TestClient) -> None:
    form = client.get("/q/fx-computed?seed=7").text.split('action="/q/fx-computed/report"')[1]
    assert '<input type="hidden" name="seed" value="7">' in form
    data = {"text": "Odd numbers.", "seed": "7", "csrf_token": page_token(client)}
    thanked = client.post("/q/fx-computed/report", data=data, follow_redirects=False)
    assert thanked.headers["location"] == "/q/fx-computed?seed=7&reported=1"


def test_the_api_twin_and_its_limits(client: TestClient) -> None:
    make_user(client.app, "ann@example.com")  # type: ignore[arg-type]
    auth = bearer(client, "ann@example.com")
    created = client.post(
        "/api/v1/questions/fx-choice/reports", json={"text": "Option B is wrong."}, headers=auth
    )
    assert (created.status_code, created.json()["question"]) == (201, "fx-choice")
    assert client.post("/api/v1/questions/nope/reports", json={"text": "x"}, headers=auth).status_code == 404
    assert (
        client.post("/api/v1/questions/fx-choice/reports", json={"text": ""}, headers=auth).status_code == 422
    )
    assert client.post("/api/v1/questions/fx-choice/reports", json={"text": "x"}).status_code == 401


def cards(app: FastAPI, slug: str, *, learners: int, difficulty: float, lapses: int) -> None:
    with app.state.db.session() as session:
        question_id = session.scalars(select(Question.id).where(Question.slug == slug)).one()
        for n in range(learners):
            user_id = make_user(app, f"learner{slug}{n}@example.com")
            session.add(
                Card(
                    user_id=user_id,
                    question_id=question_id,
                    state=2,
                    due=T0,
                    reps=4,
                    lapses=lapses,
                    difficulty=difficulty,
                    stability=1.0,
                    last_review=T0,
                )
            )
        session.commit()


def test_items_many_learners_find_too_hard_are_flagged(admin: TestClient) -> None:
    app: FastAPI = admin.app  # type: ignore[assignment]
    cards(app, "fx-multi", learners=3, difficulty=8.5, lapses=0)
    cards(app, "fx-open", learners=3, difficulty=5.0, lapses=2)
    cards(app, "fx-numeric", learners=2, difficulty=9.5, lapses=5)  # too few learners to judge
    cards(app, "fx-choice", learners=4, difficulty=6.0, lapses=1)
    with app.state.db.session() as session:
        stats = {session.get(Question, qid).slug: s for qid, s in item_stats(session).items()}  # type: ignore[union-attr]
    assert stats["fx-multi"] == ItemStats(learners=3, mean_difficulty=8.5, lapses=0, open_reports=0)
    assert {slug for slug, s in stats.items() if s.hard} == {"fx-multi", "fx-open"}
    page = admin.get("/admin/reports").text
    assert (
        "<td>fx-multi" not in page
        and '<a href="/admin/items/fx-multi">fx-multi</a></td><td>3</td><td>8.5</td>' in page
    )
    flagged = admin.get("/admin?flagged=true").text
    assert "2 item(s)" in flagged and "fx-numeric" not in flagged
