"""Shared by the benchmarks: a prepared database, a real uvicorn server, timing, the report header."""

from __future__ import annotations

import os
import platform
import secrets
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import httpx2 as httpx

from app.bootstrap import import_bank
from app.core.config import PROJECT_ROOT, Settings
from app.core.db import Database
from bench import seed

RESULTS = PROJECT_ROOT / "bench" / "RESULTS.md"
# Bench users study without daily limits, so every request has work to do.
STUDY_SETTINGS = {"new_per_day": 9999, "reviews_per_day": 99999}


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def environment(data: Path, bank: Path, database_url: str | None = None) -> dict[str, str]:
    """DEEPPREP_* variables of a production-mode server on ``data``."""
    return {
        **os.environ,
        "DEEPPREP_MODE": "production",
        "DEEPPREP_SECRET_KEY": secrets.token_urlsafe(40),
        "DEEPPREP_DATA_DIR": str(data),
        "DEEPPREP_QUESTIONS_DIR": str(bank),
        "DEEPPREP_DATABASE_URL": database_url or f"sqlite:///{data / 'bench.db'}",
    }


def prepare(data: Path, questions: int, database_url: str | None = None) -> tuple[dict[str, str], Database]:
    """A migrated database with a generated bank of ``questions`` open items synced in."""
    bank = data / "bank"
    seed.write_bank(bank, questions)
    env = environment(data, bank, database_url)
    settings = Settings(
        mode="production",
        secret_key=env["DEEPPREP_SECRET_KEY"],
        data_dir=data,
        questions_dir=bank,
        database_url=env["DEEPPREP_DATABASE_URL"],
    )
    import_bank(settings)
    return env, Database(settings.database_url)


@dataclass
class Server:
    """A running server: its base URL and process (for memory readings)."""

    base: str
    process: subprocess.Popen[bytes]

    def pids(self) -> list[int]:
        """The server process and its worker processes."""
        found = [self.process.pid]
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rpartition(")")[2].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                found.append(int(stat.parent.name))
        return found

    def rss_mb(self) -> float:
        """Resident memory of the server and its workers, in MB."""
        total = 0
        for pid in self.pids():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        return total / 1024

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the server and its workers have used so far."""
        ticks = 0
        for pid in self.pids():
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
        return ticks / os.sysconf("SC_CLK_TCK")


@contextmanager
def server(env: dict[str, str], *, app: str = "bench.server:make_app", workers: int = 1) -> Iterator[Server]:
    """uvicorn (uvloop + httptools) in a subprocess on a free port, stopped afterwards."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", app, "--factory", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--log-level", "warning", "--no-access-log", "--workers", str(workers)]
    process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base, process)
        yield Server(base, process)
    finally:
        process.terminate()
        process.wait(timeout=30)


def wait_ready(base: str, process: subprocess.Popen[bytes], seconds: float = 30) -> None:
    """Block until ``base``/healthz answers 200; RuntimeError if the process dies or time runs out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with status {process.returncode}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError("the server did not start")


def best_of(repeat: int, work: Callable[[], object]) -> float:
    """The fastest of ``repeat`` runs of ``work``, in seconds (the least disturbed by neighbours)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def header(title: str, note: str) -> list[str]:
    """A RESULTS.md section heading: date, machine and versions."""
    packages = (
        "fastapi",
        "starlette",
        "uvicorn",
        "sqlalchemy",
        "pydantic",
        "jinja2",
        "numpy",
        "scipy",
        "fsrs",
    )
    versions = ", ".join(f"{name} {version(name)}" for name in packages)
    return [
        f"## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC — {title}",
        "",
        f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}; {versions}.",
        "",
        note,
        "",
    ]


def table(columns: list[str], rows: list[list[str]]) -> list[str]:
    """A Markdown table; columns after the first are right-aligned."""
    lines = ["| " + " | ".join(columns) + " |", "|---" + "|---:" * (len(columns) - 1) + "|"]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]
