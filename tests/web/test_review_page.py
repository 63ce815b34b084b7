"""The review page: an answer checked before revealing suggests a rating; practice mode (issue 7)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from app.srs.models import Card, ReviewLog
from tests.web.study import CARD, CSRF, KIND, SEED, found, rate


def check(client: TestClient, **answer: object) -> str:
    page = client.get("/review").text
    data = {"csrf_token": found(CSRF, page), "seed": found(SEED, page), **answer}
    response = client.post(f"/review/{found(CARD, page)}/check", data=data)
    assert response.status_code == 200, response.text
    return response.text


def suggested(html: str) -> str:
    return found(re.compile(r'class="rate-btn (\w+) suggested"'), html)


def test_a_right_and_fast_answer_suggests_easy(client: TestClient) -> None:
    assert found(KIND, client.get("/review").text) == "choice"
    html = check(client, choice="1", elapsed_ms="3000")  # "7", the prime
    assert 'class="verdict right"' in html and suggested(html) == "easy"
    assert '<details class="reveal" id="reveal" open>' in html
    assert "(pre-selected from your answer)" in html


def test_right_but_slow_suggests_good_and_wrong_suggests_again(client: TestClient) -> None:
    assert suggested(check(client, choice="1", elapsed_ms="60000")) == "good"
    assert suggested(check(client, choice="0", elapsed_ms="1000")) == "again"


def test_the_time_comes_from_the_page_when_the_browser_sends_none(client: TestClient) -> None:
    page = client.get("/review").text
    shown_at = int(found(re.compile(r'name="shown_at" value="(\d+)"'), page)) - 60_000  # a minute ago
    data = {"csrf_token": found(CSRF, page), "seed": found(SEED, page), "choice": "1", "shown_at": shown_at}
    html = client.post(f"/review/{found(CARD, page)}/check", data=data).text
    assert suggested(html) == "good"


def test_a_revealed_card_without_an_answer_suggests_nothing(client: TestClient) -> None:
    html = check(client)
    assert "verdict" not in html and suggested(html) == "good"  # the default focus, not a suggestion
    assert "(pre-selected from your answer)" not in html


def test_a_numeric_slip_is_named_and_an_unreadable_answer_explained(client: TestClient) -> None:
    for _ in range(3):  # choice, multi and open first, in bank order
        rate(client, 4)
    assert found(KIND, client.get("/review").text) == "numeric"
    assert suggested(check(client, answer="0.3", elapsed_ms="5000")) == "easy"
    html = check(client, answer="a third")
    assert 'class="verdict wrong" role="alert"' in html and "verdict right" not in html


def test_the_duration_measured_by_the_browser_is_stored(client: TestClient) -> None:
    rate(client, 3, duration_ms=4321)
    with client.app.state.db.session() as session:  # type: ignore[attr-defined]
        log = session.scalars(select(ReviewLog)).one()
    assert (log.rating, log.duration_ms, log.affects_schedule) == (3, 4321, True)


def test_practice_leaves_the_schedule_alone(client: TestClient) -> None:
    client.app.state.rng_seed = 5  # type: ignore[attr-defined]
    page = client.get("/review?practice=true").text
    assert "Practice mode: answers are logged, but the schedule does not change." in page
    assert 'name="practice" value="true"' in page and "practice</span>" in page
    location = rate(client, 1, practice="true")
    assert re.fullmatch(r"/review\?practice=1&skip=\d+", location)
    with client.app.state.db.session() as session:  # type: ignore[attr-defined]
        log = session.scalars(select(ReviewLog)).one()
        card = session.get(Card, log.card_id)
        assert card is not None
        assert (log.affects_schedule, card.state, card.reps) == (False, 0, 0)
    skipped = int(location.rsplit("=", 1)[1])
    following = client.get(location).text
    with client.app.state.db.session() as session:  # type: ignore[attr-defined]
        shown = session.get(Card, int(found(CARD, following)))
        assert shown is not None and shown.question_id != skipped


def test_filters_keep_to_a_topic_and_a_tag(client: TestClient) -> None:
    page = client.get("/review?topic=numbers").text
    assert found(KIND, page) == "numeric" and '<option value="numbers" selected>' in page
    assert found(KIND, client.get("/review?tag=beta").text) == "multi"
    location = rate(client, 3, topic="numbers", tag="gamma")
    assert location == "/review?topic=numbers&tag=gamma"


def test_undo_brings_the_card_back(client: TestClient) -> None:
    rate(client, 3)
    page = client.get("/review").text
    assert found(KIND, page) == "multi"
    client.post("/review/undo", data={"csrf_token": found(CSRF, page)})
    assert found(KIND, client.get("/review").text) == "choice"


def test_someone_elses_card_cannot_be_checked(client: TestClient) -> None:
    page = client.get("/review").text
    response = client.post("/review/999999/check", data={"csrf_token": found(CSRF, page), "seed": "1"})
    assert response.status_code == 404


def test_the_done_screen_shows_what_is_left(client: TestClient) -> None:
    count = re.compile(r'<span class="n n-(\w+)">(\d+)</span>')
    first = dict(count.findall(client.get("/review").text))
    assert int(first["new"]) > 0 and first["learning"] == first["review"] == "0"
    for _ in range(int(first["new"])):  # every new card answered "easy": nothing is due today
        rate(client, 4)
    page = client.get("/review").text
    assert "data-card=" not in page and "Done for today!" in page
    assert dict(count.findall(page)) == {"new": "0", "learning": "0", "review": "0"}
