"""A review load for fault tests: client threads that answer cards and keep a ledger of replies."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import httpx2 as httpx


@dataclass
class Ledger:
    """What the clients know: acknowledged answers and the ones sent without a reply."""

    acknowledged: dict[str, int] = field(default_factory=dict)
    in_doubt: dict[str, tuple[int, int]] = field(default_factory=dict)  # id -> (card, rating)
    lock: threading.Lock = field(default_factory=threading.Lock)


def reviewer(base: str, auth: dict[str, str], worker: int, ledger: Ledger, stop_at: threading.Event) -> None:
    """Answer "again" (the card stays in learning, so the queue never empties) until the server dies."""
    with httpx.Client(base_url=base, headers=auth, timeout=10) as client:
        n = 0
        while not stop_at.is_set():
            try:
                card = client.get("/api/v1/review/next").json()["card"]["id"]
            except (httpx.TransportError, ValueError):
                return
            key = f"c{worker}-{n}"
            n += 1
            with ledger.lock:
                ledger.in_doubt[key] = (card, 1)
            try:
                reply = client.post(f"/api/v1/review/{card}", json={"rating": 1, "client_review_id": key})
            except httpx.TransportError:
                return  # killed mid-request: the answer stays in doubt
            assert reply.status_code == 200, reply.text
            with ledger.lock:
                del ledger.in_doubt[key]
                ledger.acknowledged[key] = reply.json()["review_id"]
