"""The quiz and interview JSON API: the twin of the pages (issue 7)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.quiz.conftest import right_answer
from tests.users.helpers import signup

KINDS = ["choice", "computed", "multi", "numeric", "open"]


def start(client: TestClient, auth: dict[str, str], **body: object) -> dict:  # type: ignore[type-arg]
    response = client.post("/api/v1/quizzes", json=body, headers=auth)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def test_a_quiz_holds_every_matching_question_without_its_answers(
    client: TestClient, auth: dict[str, str]
) -> None:
    quiz = start(client, auth, count=10)
    assert (quiz["mode"], quiz["finished_at"], quiz["score"]) == ("quiz", None, None)
    attempts = quiz["attempts"]
    assert [a["position"] for a in attempts] == [0, 1, 2, 3, 4]
    assert sorted(a["kind"] for a in attempts) == KINDS
    choice = next(a for a in attempts if a["kind"] == "choice")
    assert sorted(o["index"] for o in choice["options"]) == [0, 1, 2]
    assert all(o["correct"] is None and o["why"] is None for o in choice["options"])
    assert choice["expected"] is None and choice["model_answer"] is None
    opened = next(a for a in attempts if a["kind"] == "open")
    assert opened["rubric"] == [{"zh": "欧拉公式", "en": "Euler's formula"}]  # needed to grade oneself


def test_right_answers_score_one_and_the_last_one_finishes_the_quiz(
    client: TestClient, auth: dict[str, str]
) -> None:
    quiz = start(client, auth, count=5, feedback="immediate")
    for position in range(5):
        answer = right_answer(client, quiz["id"], position)
        response = client.post(
            f"/api/v1/quizzes/{quiz['id']}/answers/{position}",
            json={**answer, "duration_ms": 900},
            headers=auth,
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["answered"], body["correct"], body["score"], body["duration_ms"]) == (
            True,
            True,
            1.0,
            900,
        )
        assert body["expected"] is not None or body["input"] in ("choice", "multi", "text")
    done = client.get(f"/api/v1/quizzes/{quiz['id']}", headers=auth).json()
    assert done["finished_at"] is not None and done["score"] == 1.0
    history = client.get("/api/v1/quizzes", headers=auth).json()
    assert [(h["questions"], h["answered"], h["correct"], h["total_ms"]) for h in history] == [
        (5, 5, 5, 4500)
    ]


def test_end_of_quiz_feedback_hides_the_solution_until_the_end(
    client: TestClient, auth: dict[str, str]
) -> None:
    quiz = start(client, auth, kinds=["choice", "multi"], feedback="end")
    wrong = [1] if quiz["attempts"][0]["kind"] == "multi" else [0]
    first = client.post(
        f"/api/v1/quizzes/{quiz['id']}/answers/0", json={"choice": wrong}, headers=auth
    ).json()
    assert (first["answered"], first["correct"], first["options"][0]["why"]) == (True, None, None)
    finished = client.post(f"/api/v1/quizzes/{quiz['id']}/finish", headers=auth).json()
    assert finished["score"] == 0.0  # one wrong answer, one question left unanswered
    assert [a["correct"] for a in finished["attempts"]] == [False, None]
    assert all(o["why"] is not None for o in finished["attempts"][0]["options"])


def test_bad_answers_are_refused_with_a_reason(client: TestClient, auth: dict[str, str]) -> None:
    quiz = start(client, auth, kinds=["numeric"])
    url = f"/api/v1/quizzes/{quiz['id']}/answers"
    assert client.post(f"{url}/0", json={"text": "a third"}, headers=auth).status_code == 400
    assert client.post(f"{url}/0", json={"text": "0.3"}, headers=auth).status_code == 200
    assert client.post(f"{url}/0", json={"text": "0.3"}, headers=auth).status_code == 409
    assert client.post(f"{url}/7", json={"text": "0.3"}, headers=auth).status_code == 409
    assert client.post(f"{url}/0", json={"choice": [1], "extra": 1}, headers=auth).status_code == 422


def test_nothing_to_ask_is_not_found(client: TestClient, auth: dict[str, str]) -> None:
    response = client.post("/api/v1/quizzes", json={"topics": ["no-such-topic"]}, headers=auth)
    assert (response.status_code, response.json()) == (404, {"detail": "No question matches these filters"})
    response = client.post("/api/v1/quizzes", json={"difficulty_min": 3, "difficulty_max": 2}, headers=auth)
    assert sorted(a["difficulty"] for a in response.json()["attempts"]) == [2, 2, 2, 3]  # read as 2 to 3


def test_another_learners_quiz_is_not_found(client: TestClient, auth: dict[str, str]) -> None:
    quiz = start(client, auth)
    other = signup(client, "bob@example.com")
    assert client.get(f"/api/v1/quizzes/{quiz['id']}", headers=other).status_code == 404
    assert client.post(f"/api/v1/quizzes/{quiz['id']}/finish", headers=other).status_code == 404
    assert client.get(f"/api/v1/quizzes/{quiz['id']}").status_code == 401


def test_answers_feed_the_schedule_when_asked(client: TestClient, auth: dict[str, str]) -> None:
    quiz = start(client, auth, kinds=["choice", "multi"], feeds_schedule=True)
    client.post(
        f"/api/v1/quizzes/{quiz['id']}/answers/0", json=right_answer(client, quiz["id"], 0), headers=auth
    )
    client.post(f"/api/v1/quizzes/{quiz['id']}/answers/1", json={"choice": []}, headers=auth)
    reviews = client.get("/api/v1/history", headers=auth).json()["reviews"]
    assert [(r["rating"], r["affects_schedule"]) for r in reviews] == [(3, True), (1, True)]
    assert [r["client_review_id"][:5] for r in reviews] == ["quiz-", "quiz-"]
    practice = start(client, auth, kinds=["choice"])  # the default: practice stays out of the schedule
    client.post(f"/api/v1/quizzes/{practice['id']}/answers/0", json={"choice": [1]}, headers=auth)
    assert len(client.get("/api/v1/history", headers=auth).json()["reviews"]) == 2


def test_a_mock_interview_is_answered_then_self_graded(client: TestClient, auth: dict[str, str]) -> None:
    interview = start(client, auth, mode="interview", count=3, seconds_per_question=60)
    config = interview["config"]
    assert (config["layout"], config["feedback"], config["seconds_per_question"]) == ("one", "end", 60)
    assert len(interview["attempts"]) == 3
    assert "open" in [a["kind"] for a in interview["attempts"]]
    difficulties = [a["difficulty"] for a in interview["attempts"]]
    assert difficulties == sorted(difficulties)
    url = f"/api/v1/quizzes/{interview['id']}"
    early = client.post(f"{url}/grades", json={"grades": []}, headers=auth)
    assert early.status_code == 409
    for position in range(3):
        answer = client.post(f"{url}/answers/{position}", json={"text": "An answer."}, headers=auth).json()
        assert (answer["answered"], answer["correct"], answer["score"]) == (True, None, None)
    grades = [{"position": 0, "points": [0]}, {"position": 1, "points": []}]
    graded = client.post(f"{url}/grades", json={"grades": grades}, headers=auth).json()
    assert [a["score"] for a in graded["attempts"]] == [1.0, 0.0, 0.0]
    assert graded["score"] == 1 / 3
    assert [h["id"] for h in client.get("/api/v1/quizzes?mode=interview", headers=auth).json()] == [
        interview["id"]
    ]
    assert client.get("/api/v1/quizzes", headers=auth).json() == []


def test_quiz_defaults_round_trip_and_apply(client: TestClient, auth: dict[str, str]) -> None:
    assert client.get("/api/v1/quiz-defaults", headers=auth).json() == {
        "count": 10,
        "layout": "one",
        "feedback": "immediate",
        "feeds_schedule": False,
        "interview_count": 8,
        "interview_seconds": 180,
    }
    new = {
        "count": 2,
        "layout": "all",
        "feedback": "end",
        "feeds_schedule": True,
        "interview_count": 1,
        "interview_seconds": 30,
    }
    assert client.put("/api/v1/quiz-defaults", json=new, headers=auth).json() == new
    quiz = start(client, auth)
    assert (len(quiz["attempts"]), quiz["config"]["layout"], quiz["config"]["feeds_schedule"]) == (
        2,
        "all",
        True,
    )
    interview = start(client, auth, mode="interview")
    assert (len(interview["attempts"]), interview["config"]["seconds_per_question"]) == (1, 30)
    assert client.put("/api/v1/quiz-defaults", json={**new, "count": 0}, headers=auth).status_code == 422
