"""Choosing quiz and interview questions: random, spread over topics and levels (issue 7)."""

from __future__ import annotations

import random
from collections import Counter

from app.quiz.picking import Candidate, interview_order, pick

POOL = [
    Candidate(id=t * 10 + i, topic=f"t{t}", kind="open" if i % 2 else "choice", difficulty=1 + i % 5)
    for t in range(3)
    for i in range(6)
]


def test_a_pick_is_spread_over_topics_and_difficulties() -> None:
    chosen = pick(POOL, count=6, rng=random.Random(1))
    assert Counter(c.topic for c in chosen) == {"t0": 2, "t1": 2, "t2": 2}
    assert len({c.difficulty for c in chosen}) >= 4
    assert len({c.id for c in chosen}) == 6


def test_the_same_seed_picks_the_same_questions() -> None:
    assert pick(POOL, count=5, rng=random.Random(3)) == pick(POOL, count=5, rng=random.Random(3))
    assert pick(POOL, count=5, rng=random.Random(3)) != pick(POOL, count=5, rng=random.Random(4))


def test_asking_for_more_than_there_is_gives_everything() -> None:
    assert len(pick(POOL[:4], count=10, rng=random.Random(1))) == 4


def test_an_interview_is_mostly_open_questions_easier_first() -> None:
    chosen = interview_order(pick(POOL, count=8, rng=random.Random(2), open_share=0.75))
    assert Counter(c.kind for c in chosen) == {"open": 6, "choice": 2}
    assert [c.difficulty for c in chosen] == sorted(c.difficulty for c in chosen)


def test_too_few_other_kinds_are_made_up_with_open_questions() -> None:
    opens = [c for c in POOL if c.kind == "open"]
    assert len(pick(opens, count=5, rng=random.Random(1), open_share=0.75)) == 5
