"""A small asyncio HTTP/1.1 load generator: many keep-alive clients in one process, little CPU each.

Python clients on threads (httpx) spend more CPU per request than the server's fast endpoints, and
on two shared cores that caps every figure. Here each client is a coroutine on one event loop
(uvloop when installed) speaking just enough HTTP/1.1: Content-Length and chunked bodies.
Clients are closed-loop: each sends its next request as soon as its previous one is answered.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any


class HttpError(RuntimeError):
    """A response with an unexpected status (counted as an error by the benchmark)."""


@dataclass
class Reply:
    """One HTTP response."""

    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body)


class Connection:
    """One keep-alive connection; ``request`` returns the reply and records its latency."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.latencies: list[float] = []

    async def request(
        self, method: str, path: str, *, headers: dict[str, str] | None = None, body: Any = None
    ) -> Reply:
        """Send one request (``body`` is sent as JSON when given) and read the whole reply."""
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        payload = b"" if body is None else json.dumps(body).encode()
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}", f"Content-Length: {len(payload)}"]
        if body is not None:
            lines.append("Content-Type: application/json")
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        start = time.perf_counter()
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + payload)
        reply = await self._read(method)
        self.latencies.append(time.perf_counter() - start)
        if reply.headers.get("connection", "").lower() == "close":
            await self.close()
        return reply

    async def _read(self, method: str) -> Reply:
        assert self.reader is not None
        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        headers = {}
        for line in header_lines:
            if line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        if method == "HEAD" or status in (204, 304):
            return Reply(status, headers, b"")
        if headers.get("transfer-encoding", "").lower() == "chunked":
            return Reply(status, headers, await self._chunked())
        return Reply(status, headers, await self.reader.readexactly(int(headers.get("content-length", 0))))

    async def _chunked(self) -> bytes:
        assert self.reader is not None
        parts = []
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            parts.append(await self.reader.readexactly(size + 2))
            if size == 0:
                return b"".join(parts)[:-2]

    async def close(self) -> None:
        """Close the socket (a new one opens on the next request)."""
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None


Step = Callable[[Connection, int], Awaitable[None]]


@dataclass
class Outcome:
    """Latencies (seconds) of every request in one timed phase, and the errors seen."""

    name: str
    clients: int
    seconds: float
    latencies: list[float]
    errors: int
    messages: list[str] = field(default_factory=list)
    # Server CPU (user + system) per answered request, in ms: steadier than req/s on busy machines.
    cpu_ms: float = float("nan")

    @property
    def rps(self) -> float:
        """Requests answered per second."""
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def pct(self, q: float) -> float:
        """The ``q`` quantile of the latencies, in milliseconds."""
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else float("nan")


async def _phase(name: str, url: tuple[str, int], clients: int, seconds: float, step: Step) -> Outcome:
    connections = [Connection(*url) for _ in range(clients)]
    errors: list[str] = []
    deadline = time.perf_counter() + seconds

    async def client(index: int) -> None:
        connection = connections[index]
        while time.perf_counter() < deadline:
            try:
                await step(connection, index)
            except (OSError, asyncio.IncompleteReadError, HttpError, ValueError, KeyError) as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
                await connection.close()

    start = time.perf_counter()
    await asyncio.gather(*(client(i) for i in range(clients)))
    elapsed = time.perf_counter() - start
    for connection in connections:
        await connection.close()
    latencies = [x for c in connections for x in c.latencies]
    return Outcome(name, clients, elapsed, latencies, len(errors), errors[:5])


def run_phase(name: str, base: str, clients: int, seconds: float, step: Step) -> Outcome:
    """Run ``step`` in a loop on ``clients`` connections for ``seconds`` against ``base``."""
    host, _, port = base.removeprefix("http://").partition(":")
    try:
        import uvloop

        return uvloop.run(_phase(name, (host, int(port)), clients, seconds, step))
    except ImportError:  # pragma: no cover - uvloop ships with uvicorn[standard]
        return asyncio.run(_phase(name, (host, int(port)), clients, seconds, step))


def expect(reply: Reply, *statuses: int) -> Reply:
    """``reply`` when its status is one of ``statuses``; HttpError otherwise."""
    if reply.status not in statuses:
        raise HttpError(f"{reply.status}: {reply.body[:200]!r}")
    return reply
