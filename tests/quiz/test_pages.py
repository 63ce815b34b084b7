"""Quiz and interview pages as plain forms: they work without JavaScript (issue 7)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.quiz.conftest import right_answer

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
POSITIONS = re.compile(r'name="pos" value="(\d+)"')


def csrf(html: str) -> str:
    found = CSRF.search(html)
    assert found is not None
    return found.group(1)


def start(client: TestClient, path: str = "/quiz", **fields: object) -> tuple[str, str]:
    """Start a quiz (or interview) through its form; returns its URL and the CSRF token."""
    token = csrf(client.get(path).text)
    response = client.post(path, data={"csrf_token": token, **fields}, follow_redirects=False)
    assert response.status_code == 303, response.text
    return response.headers["location"], token


def fields(answer: dict[str, object], position: int) -> dict[str, object]:
    """An API-style answer as the form's per-question fields."""
    prefix = f"q{position}-"
    return {"pos": position, **{prefix + ("answer" if k == "text" else k): v for k, v in answer.items()}}


def quiz_id(url: str) -> int:
    return int(url.rsplit("/", 1)[-1])


def test_one_question_at_a_time_with_feedback_after_each(client: TestClient) -> None:
    url, token = start(client, count="2", kinds=["choice", "numeric"], layout="one", feedback="immediate")
    page = client.get(url)
    assert "Question 1 of 2" in page.text and 'name="shown_at"' in page.text
    position = int(POSITIONS.findall(page.text)[0])
    answer = fields(right_answer(client, quiz_id(url), position), position)
    response = client.post(f"{url}/answer", data={"csrf_token": token, **answer}, follow_redirects=False)
    assert response.headers["location"] == f"{url}?feedback={position}"
    feedback = client.get(response.headers["location"]).text
    assert 'class="verdict right"' in feedback and "Next question" in feedback
    page = client.get(url)
    assert "Question 2 of 2" in page.text
    second = int(POSITIONS.findall(page.text)[0])
    response = client.post(f"{url}/answer", data={"csrf_token": token, "pos": second}, follow_redirects=False)
    assert response.headers["location"] == f"{url}?feedback={second}"
    assert client.get(url, follow_redirects=False).headers["location"] == f"{url}/results"
    results = client.get(f"{url}/results").text
    assert "1 / 2" in results and "50 %" in results and "Questions to revisit" in results


def test_an_unreadable_number_is_asked_again(client: TestClient) -> None:
    url, token = start(client, kinds=["numeric"], feedback="end")
    response = client.post(f"{url}/answer", data={"csrf_token": token, "pos": 0, "q0-answer": "about 0.3?"})
    assert response.status_code == 422
    assert 'role="alert"' in response.text and 'value="about 0.3?"' in response.text
    ok = client.post(
        f"{url}/answer", data={"csrf_token": token, "pos": 0, "q0-answer": "0.3"}, follow_redirects=False
    )
    assert ok.headers["location"] == f"{url}/results"


def test_all_on_one_page_handed_in_together(client: TestClient) -> None:
    url, token = start(client, count="5", layout="all", feedback="end")
    page = client.get(url).text
    positions = [int(p) for p in POSITIONS.findall(page)]
    assert positions == [0, 1, 2, 3, 4] and 'action="' + url + '/submit"' in page
    data: dict[str, object] = {"csrf_token": token, "pos": positions}
    for position in positions[:3]:
        data.update(
            {
                k: v
                for k, v in fields(right_answer(client, quiz_id(url), position), position).items()
                if k != "pos"
            }
        )
        data[f"q{position}-ms"] = "2000"
    response = client.post(f"{url}/submit", data=data, follow_redirects=False)
    assert response.headers["location"] == f"{url}/results"
    results = client.get(f"{url}/results").text
    assert "3 / 5" in results and "60 %" in results and "6 s" in results
    again = client.post(f"{url}/submit", data=data, follow_redirects=False)  # a resent form changes nothing
    assert again.headers["location"] == f"{url}/results"


def test_finishing_early_counts_the_rest_as_unanswered(client: TestClient) -> None:
    url, token = start(client, count="3")
    assert client.post(f"{url}/finish", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    results = client.get(f"{url}/results").text
    assert "0 / 3" in results and results.count("Not answered") == 3
    history = client.get("/quiz/history").text
    assert f'href="{url}/results"' in history


def test_forms_need_the_csrf_token_and_quizzes_their_owner(client: TestClient) -> None:
    url, _ = start(client)
    assert client.post(f"{url}/finish", data={}).status_code == 403
    client.cookies.clear()
    assert client.get(url).status_code == 404  # a new visitor is another learner
    assert client.get("/quiz/999999").status_code == 404


def test_a_quiz_on_nothing_explains_itself(client: TestClient) -> None:
    token = csrf(client.get("/quiz").text)
    response = client.post("/quiz", data={"csrf_token": token, "topics": "no-such-topic"})
    assert response.status_code == 422 and "No question matches these choices" in response.text
    response = client.post("/quiz", data={"csrf_token": token, "count": "0"})
    assert response.status_code == 422 and "Please check the quiz settings" in response.text


def test_the_quiz_form_starts_from_a_topic_and_the_defaults(client: TestClient) -> None:
    page = client.get("/quiz?topic=numbers").text
    assert 'value="numbers" checked' in page and 'value="basics">' in page
    assert 'name="count" type="number" min="1" max="50" value="10"' in page


def test_a_mock_interview_then_its_report_and_the_next_one_compared(client: TestClient) -> None:
    for covered in (0, 1):
        url, token = start(client, "/interview", count="2", minutes="0.5")
        page = client.get(url).text
        assert 'data-countdown="30"' in page and "0:30" in page and "Question 1 of 2" in page
        for position in (0, 1):
            client.post(
                f"{url}/answer", data={"csrf_token": token, "pos": position, f"q{position}-answer": "Hm."}
            )
        assert client.get(url, follow_redirects=False).headers["location"] == f"{url}/grade"
        grade = client.get(f"{url}/grade").text
        assert grade.count('class="your-words"') == 2
        points = {"q0-points": "0"} if covered else {}
        response = client.post(f"{url}/grade", data={"csrf_token": token, **points}, follow_redirects=False)
        assert response.headers["location"] == f"{url}/report"
    report = client.get(f"{url}/report").text
    assert "50 %" in report and "since last time" in report and "+50 %" in report
    history = client.get("/interview/history").text
    assert history.count("/report") == 2 and "+50 %" in history


def test_an_interview_stopped_early_goes_to_grading(client: TestClient) -> None:
    url, token = start(client, "/interview", count="2")
    client.post(f"{url}/finish", data={"csrf_token": token})
    grade = client.get(url, follow_redirects=True).text
    assert "Grade your answers" in grade and grade.count("Not answered") == 2
