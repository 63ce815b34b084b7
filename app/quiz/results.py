"""What a finished quiz or interview says: score per topic, time, what to revisit, what to study next."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.bank.models import Topic
from app.quiz.models import Attempt, Quiz

# A topic scoring below this share is worth studying again.
WEAK = 0.8
# An interview answer sent when the countdown ends arrives a little after the limit: not "over time".
GRACE_MS = 2000
SUGGESTIONS = 3


@dataclass(frozen=True)
class TopicScore:
    """How one topic went."""

    topic: Topic
    questions: int
    correct: int
    score: float  # mean attempt score, unanswered questions counting 0
    ms: int


@dataclass(frozen=True)
class Summary:
    """The whole quiz: totals, topics best first, the questions to revisit."""

    questions: int
    answered: int
    correct: int
    score: float
    total_ms: int
    topics: list[TopicScore]
    revisit: list[Attempt] = field(default_factory=list)
    over_time: int = 0

    @property
    def strongest(self) -> TopicScore | None:
        """The best topic (None when the quiz had one topic only)."""
        return self.topics[0] if len(self.topics) > 1 else None

    @property
    def weakest(self) -> TopicScore | None:
        """The worst topic (None when the quiz had one topic only)."""
        return self.topics[-1] if len(self.topics) > 1 else None

    @property
    def study_next(self) -> list[TopicScore]:
        """Weak topics, weakest first."""
        return [t for t in reversed(self.topics) if t.score < WEAK][:SUGGESTIONS]


def summarise(quiz: Quiz) -> Summary:
    """The summary of ``quiz`` as it stands (unanswered questions count as wrong)."""
    groups: dict[int, list[Attempt]] = {}
    for attempt in quiz.attempts:
        groups.setdefault(attempt.question.topic_id, []).append(attempt)
    topics = [_topic(group) for group in groups.values()]
    topics.sort(key=lambda t: (-t.score, t.topic.position))
    limit_ms = int(quiz.config.get("seconds_per_question", 0)) * 1000
    attempts = quiz.attempts
    return Summary(
        questions=len(attempts),
        answered=sum(a.answer is not None for a in attempts),
        correct=sum(bool(a.correct) for a in attempts),
        score=sum(a.score or 0.0 for a in attempts) / len(attempts) if attempts else 0.0,
        total_ms=sum(a.duration_ms or 0 for a in attempts),
        topics=topics,
        revisit=[a for a in attempts if not a.correct],
        over_time=sum((a.duration_ms or 0) > limit_ms + GRACE_MS for a in attempts)
        if quiz.mode == "interview"
        else 0,
    )


def _topic(attempts: list[Attempt]) -> TopicScore:
    return TopicScore(
        topic=attempts[0].question.topic,
        questions=len(attempts),
        correct=sum(bool(a.correct) for a in attempts),
        score=sum(a.score or 0.0 for a in attempts) / len(attempts),
        ms=sum(a.duration_ms or 0 for a in attempts),
    )


def topic_changes(current: Summary, previous: Summary | None) -> dict[str, float]:
    """Score change per topic slug since the previous session (topics asked both times)."""
    if previous is None:
        return {}
    before = {t.topic.slug: t.score for t in previous.topics}
    return {t.topic.slug: t.score - before[t.topic.slug] for t in current.topics if t.topic.slug in before}
