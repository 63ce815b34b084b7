"""Group commit: requests that wait for the database while it is busy share its next trip.

With SQLite, one thread serves every request in turn (``Database.max_threads``), and each trip to
it pays fixed costs (a thread hand-off, a session, a transaction, a commit) that are larger than a
small write itself. A ``Grouped`` handler receives every job that queued up during the previous
trip and answers them all in one trip, so under load the fixed costs are paid once per group;
with one client the group is that client's job alone, and nothing waits for company.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Generic, TypeVar

from anyio.lowlevel import RunVar

from app.core.db import Database

J = TypeVar("J")
R = TypeVar("R")
# A trip serves at most this many jobs, so one group cannot hold the database thread for long.
MAX_GROUP = 64
# One job's answer: its result, or the exception its request should raise.
Handler = Callable[[Database, Sequence[J]], Sequence[R | Exception]]


@dataclass
class _Queue(Generic[J, R]):
    """Jobs waiting for a trip, and how many trips are under way (at most the database's threads)."""

    waiting: list[tuple[J, asyncio.Future[R]]] = field(default_factory=list)
    trips: int = 0


class Grouped(Generic[J, R]):
    """``await grouped.submit(db, job)`` runs ``handler(db, jobs)`` on a database thread with every
    job that arrived while earlier trips were busy; each caller gets its own job's answer."""

    def __init__(self, name: str, handler: Handler[J, R]) -> None:
        self._handler = handler
        # Per event loop (tests run several), and per database within it.
        self._queues: RunVar[dict[int, _Queue[J, R]]] = RunVar(f"deepprep-grouped-{name}")
        self._tasks: set[asyncio.Task[None]] = set()  # strong references while trips run

    async def submit(self, db: Database, job: J) -> R:
        """The answer to ``job``, computed together with the jobs queued beside it."""
        queue = self._queue(db)
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        queue.waiting.append((job, future))
        if queue.trips < db.max_threads:
            queue.trips += 1
            task = asyncio.create_task(self._trips(db, queue))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return await future

    def _queue(self, db: Database) -> _Queue[J, R]:
        try:
            queues = self._queues.get()
        except LookupError:
            queues = {}
            self._queues.set(queues)
        return queues.setdefault(id(db), _Queue())

    async def _trips(self, db: Database, queue: _Queue[J, R]) -> None:
        group: list[tuple[J, asyncio.Future[R]]] = []
        try:
            while queue.waiting:
                group, queue.waiting = queue.waiting[:MAX_GROUP], queue.waiting[MAX_GROUP:]
                try:
                    answers = await db.run(partial(self._handler, db, [job for job, _ in group]))
                except Exception as exc:  # the trip itself failed: every job in it shares the error
                    answers = [exc] * len(group)
                for (_, future), answer in zip(group, answers, strict=True):
                    _settle(future, answer)
                group = []
        finally:
            queue.trips -= 1
            if queue.trips == 0:  # only when cancelled (the loop is closing): nobody else will serve them
                group, queue.waiting = group + queue.waiting, []
            for _, future in group:
                future.cancel()


def _settle(future: asyncio.Future[R], answer: R | Exception) -> None:
    if future.done():  # its request was cancelled (the client went away): nobody is listening
        return
    if isinstance(answer, Exception):
        future.set_exception(answer)
    else:
        future.set_result(answer)
