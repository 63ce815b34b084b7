"""Choose the questions of a quiz or an interview: random, yet spread over topics and difficulties."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Candidate:
    """A question that may be asked."""

    id: int
    topic: str
    kind: str
    difficulty: int


def pick(
    candidates: Sequence[Candidate], *, count: int, rng: random.Random, open_share: float | None = None
) -> list[Candidate]:
    """``count`` candidates (fewer if there are not enough); ``open_share`` of them open when given."""
    pool = list(candidates)
    rng.shuffle(pool)
    if open_share is None:
        return _spread(pool, count, Counter(), Counter())
    opens = [c for c in pool if c.kind == "open"]
    others = [c for c in pool if c.kind != "open"]
    topics: Counter[str] = Counter()
    levels: Counter[int] = Counter()
    chosen = _spread(opens, round(count * open_share), topics, levels)
    chosen += _spread(others, count - len(chosen), topics, levels)
    # Too few of the other kinds: fill up with more open questions.
    rest = [c for c in opens if c not in chosen]
    return chosen + _spread(rest, count - len(chosen), topics, levels)


def interview_order(chosen: Sequence[Candidate]) -> list[Candidate]:
    """Easier questions first, as a real interview warms up."""
    return sorted(chosen, key=lambda c: c.difficulty)


def _spread(pool: list[Candidate], count: int, topics: Counter[str], levels: Counter[int]) -> list[Candidate]:
    """Greedy: each slot takes the first (shuffled) candidate whose topic and difficulty are least used."""
    left = list(pool)
    chosen: list[Candidate] = []
    while left and len(chosen) < count:
        best = min(range(len(left)), key=lambda i: (topics[left[i].topic], levels[left[i].difficulty], i))
        candidate = left.pop(best)
        topics[candidate.topic] += 1
        levels[candidate.difficulty] += 1
        chosen.append(candidate)
    return chosen
