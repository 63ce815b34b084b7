"""Engine, sessions and column types. Everything database-specific lives here."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

import anyio.to_thread
from anyio import CapacityLimiter
from anyio.lowlevel import RunVar
from sqlalchemy import JSON, DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import StaticPool
from sqlalchemy.types import TypeDecorator

# Explicit constraint names: Alembic can then alter them, on SQLite (batch mode) as on PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
# The largest id every backend stores: primary keys are INTEGER, 32-bit on PostgreSQL. Bound id
# parameters with it so a larger one is a 422, not a database error.
ID_MAX = 2**31 - 1
SQLITE_BUSY_TIMEOUT_MS = 10_000
SQLITE_THREADS = 1
POSTGRES_THREADS = 16
LOCKED_RETRIES = 5
T = TypeVar("T")


class Base(DeclarativeBase):
    """Declarative base of every model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend.

    SQLite drops tzinfo, and the fsrs package refuses naive datetimes, so values are
    normalised to UTC on the way in and UTC is re-attached on the way out.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass a timezone-aware UTC datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class JSONType(TypeDecorator[Any]):
    """JSON documents: JSONB on PostgreSQL (compact, indexable), JSON text elsewhere."""

    impl = JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(JSONB())
        return dialect.type_descriptor(JSON())


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine tuned for its backend; creating it does not connect."""
    if url.startswith("sqlite"):
        return _sqlite_engine(url, echo=echo)
    return create_engine(url, echo=echo, pool_size=20, max_overflow=20, pool_pre_ping=True)


def _sqlite_engine(url: str, *, echo: bool) -> Engine:
    memory = url in ("sqlite://", "sqlite:///:memory:")
    kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False}}
    if memory:
        kwargs["poolclass"] = StaticPool
    else:
        # One connection per threadpool thread: the default 5+10 pool churns connections.
        kwargs.update(pool_size=40, max_overflow=0)
    engine = create_engine(url, echo=echo, **kwargs)
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


class Database:
    """An engine, its session factory, and the limit on threads running database work at once."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        # SQLite runs one writer at a time and Python one thread at a time: one database thread
        # serving requests in FIFO order (a dedicated writer) keeps the tail short, where 40
        # threads contending for the GIL and the write lock made p99 several times p50
        # (bench/RESULTS.md). PostgreSQL overlaps its network and lock waits: more threads.
        self.max_threads = SQLITE_THREADS if url.startswith("sqlite") else POSTGRES_THREADS
        # One limiter per event loop (tests run several loops in one process).
        self._limiter: RunVar[CapacityLimiter] = RunVar(f"deepprep-db-{id(self)}")
        # SQLite has one writer at a time; queuing writers on a lock here beats its busy handler,
        # whose back-off pushes the write p99 towards a second (see FIELD-NOTES).
        # Re-entrant: a retry may hold it from its first read and still call code that takes it.
        self.write_lock = threading.RLock() if url.startswith("sqlite") else None
        self.sessions = sessionmaker(
            self.engine, expire_on_commit=False, info={"write_lock": self.write_lock}
        )

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that rolls back on error and always closes."""
        session = self.sessions()
        try:
            yield session
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    async def run(self, work: Callable[[], T]) -> T:
        """Run blocking database ``work`` in a worker thread, at most ``max_threads`` at once."""
        try:
            limiter = self._limiter.get()
        except LookupError:
            limiter = CapacityLimiter(self.max_threads)
            self._limiter.set(limiter)
        return await anyio.to_thread.run_sync(work, limiter=limiter)


@contextmanager
def write_lock(session: Session) -> Iterator[None]:
    """Hold the process-wide SQLite write lock around one short write transaction (no-op elsewhere)."""
    lock: threading.RLock | None = session.info.get("write_lock")
    if lock is None:
        yield
        return
    with lock:
        yield


def is_locked_error(exc: OperationalError) -> bool:
    """True for SQLite's transient "database is locked" / "database table is locked"."""
    return "is locked" in str(exc.orig)


def retry_locked(
    session: Session,
    work: Callable[[], T],
    *,
    attempts: int = LOCKED_RETRIES,
    retry_on: tuple[type[Exception], ...] = (),
) -> T:
    """Run ``work`` (a whole read-compute-write unit), rolling back and running it again when
    SQLite reports a lock or ``work`` raises one of ``retry_on`` (e.g. an optimistic-lock miss)."""
    for attempt in range(attempts):
        try:
            return work()
        except OperationalError as exc:
            session.rollback()
            if not is_locked_error(exc) or attempt == attempts - 1:
                raise
            time.sleep(0.05 * (attempt + 1))  # another process holds the lock: back off briefly
        except retry_on:
            session.rollback()
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")
