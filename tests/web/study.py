"""Helpers for the study-page tests: the CSRF token, the card on the page, a review through the form."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
CARD = re.compile(r'data-card="(\d+)"')
KIND = re.compile(r'data-kind="(\w+)"')
SEED = re.compile(r'name="seed" value="(\d+)"')
REVIEW_KEY = re.compile(r'name="client_review_id" value="([^"]+)"')


def found(pattern: re.Pattern[str], html: str) -> str:
    match = pattern.search(html)
    assert match is not None, html[-2000:]
    return match.group(1)


def rate(client: TestClient, rating: int, **extra: object) -> str:
    """Rate the card /review shows now; returns where the form redirects."""
    page = client.get("/review").text
    data = {
        "rating": rating,
        "csrf_token": found(CSRF, page),
        "client_review_id": found(REVIEW_KEY, page),
        **extra,
    }
    response = client.post(f"/review/{found(CARD, page)}", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text
    return response.headers["location"]
