"""Server-rendered pages: home, topic, item with feedback, language switch (issue 2)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient


def test_home_lists_topics_with_counts(client: TestClient) -> None:
    html = client.get("/", headers={"accept-language": "en"}).text
    assert 'href="/topics/basics"' in html and "3 questions" in html


def test_home_speaks_chinese_to_a_chinese_browser(client: TestClient) -> None:
    html = client.get("/", headers={"accept-language": "zh-CN,zh;q=0.9,en;q=0.8"}).text
    assert '<html lang="zh-CN">' in html and "3 道题" in html and "基础" in html


def test_language_switch_sets_a_cookie_and_returns(client: TestClient) -> None:
    response = client.get("/lang/zh?next=/topics/basics", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/topics/basics"
    assert "lang=zh" in response.headers["set-cookie"]
    assert "哪个是质数" in client.get("/topics/basics").text


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "javascript:alert(1)"])
def test_language_switch_is_not_an_open_redirect(client: TestClient, target: str) -> None:
    response = client.get("/lang/en", params={"next": target}, follow_redirects=False)
    assert response.headers["location"] == "/"


def test_topic_page_lists_its_questions(client: TestClient) -> None:
    html = client.get("/topics/numbers").text
    assert 'href="/q/fx-numeric"' in html and 'href="/q/fx-computed"' in html


def test_choice_item_gives_per_option_feedback(client: TestClient) -> None:
    html = client.get("/q/fx-choice?choice=0").text
    assert "Not quite" in html
    assert "4 = 2×2." in html and "Its only divisors are 1 and 7." in html
    right = client.get("/q/fx-choice?choice=1").text
    assert 'class="verdict right"' in right


def test_multi_item_needs_every_correct_option(client: TestClient) -> None:
    assert 'class="verdict wrong"' in client.get("/q/fx-multi?choice=0").text
    assert 'class="verdict right"' in client.get("/q/fx-multi?choice=0&choice=2").text


def test_open_item_has_answer_behind_a_reveal_and_math_markup(client: TestClient) -> None:
    html = client.get("/q/fx-open").text
    assert '<details class="reveal">' in html
    assert '<span class="math inline">e^{i\\pi}+1=0</span>' in html


@pytest.mark.parametrize(("answer", "verdict"), [("0.3", "right"), ("0.30004", "right"), ("0.31", "wrong")])
def test_numeric_item_is_graded_with_its_tolerance(client: TestClient, answer: str, verdict: str) -> None:
    assert f'class="verdict {verdict}"' in client.get(f"/q/fx-numeric?answer={answer}").text


def test_numeric_item_explains_unreadable_input(client: TestClient) -> None:
    assert 'role="alert"' in client.get("/q/fx-numeric?answer=abc").text


def test_computed_item_shows_a_fresh_variant_with_its_working(client: TestClient) -> None:
    first = client.get("/q/fx-computed", follow_redirects=False)
    assert first.status_code == 303
    seed = re.search(r"seed=(\d+)", first.headers["location"])
    assert seed is not None
    html = client.get(first.headers["location"]).text
    assert 'name="seed"' in html and "numpy_conv2d" in html


def test_computed_item_grades_against_the_variant(client: TestClient) -> None:
    page = client.get("/api/v1/questions/fx-computed").json()
    assert page["calculator"] == "conv_output_size"
    from app.explain import service

    variant = service.item_variant({"calculator": "conv_output_size", "params": page["params"]}, 7)
    answer = "×".join(str(v) for v in variant.answer)
    assert 'class="verdict right"' in client.get(f"/q/fx-computed?seed=7&answer={answer}").text


def test_unknown_pages_get_a_friendly_404(client: TestClient) -> None:
    response = client.get("/q/nope", headers={"accept": "text/html"})
    assert response.status_code == 404
    assert "This page does not exist" in response.text or "Not found" in response.text


def test_markdown_in_content_is_sanitised(client: TestClient, bank_dir: object) -> None:
    from app.core.markdown import render

    html = str(render('<script>alert(1)</script> <img src=x onerror="alert(1)"> [x](javascript:alert(1))'))
    assert "<script" not in html and "<img" not in html and 'href="javascript' not in html


def test_computed_item_names_the_slip_behind_a_wrong_answer(client: TestClient) -> None:
    from app.explain import service

    body = client.get("/api/v1/questions/fx-computed").json()
    variant = service.item_variant({"calculator": body["calculator"], "params": body["params"]}, 7)
    slip = variant.distractors[0]
    answer = ",".join(str(v) for v in slip.answer)
    html = client.get(f"/q/fx-computed?seed=7&answer={answer}").text
    assert 'class="verdict wrong"' in html
    assert slip.label.en in html and slip.why.en in html


def test_item_page_shows_the_glossary_terms_it_mentions(client: TestClient) -> None:
    html = client.get("/q/fx-open").text
    assert "欧拉公式" in html and "Euler&#39;s formula" in html
    assert "质数" not in html
    choice = client.get("/q/fx-choice").text
    assert "Divisible only by 1 and itself." in choice
