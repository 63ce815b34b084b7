"""Real ``deepprep`` processes for tests: environment, start, wait for health, stop, CPU per process."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx2 as httpx

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def deepprep_env(data_dir: Path, bank_dir: Path, database_url: str, **extra: str) -> dict[str, str]:
    """DEEPPREP_* variables for a subprocess (test mode: cheap password hashing)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEEPPREP_")}
    env.update(
        DEEPPREP_MODE="test",
        DEEPPREP_DATA_DIR=str(data_dir),
        DEEPPREP_QUESTIONS_DIR=str(bank_dir),
        DEEPPREP_DATABASE_URL=database_url,
        **extra,
    )
    return env


def deepprep(*args: str) -> list[str]:
    """The command line of ``deepprep ARGS`` in this virtualenv."""
    script = Path(sys.executable).with_name("deepprep")
    return [str(script), *args] if script.exists() else [sys.executable, "-m", "app.cli", *args]


@dataclass
class Served:
    """A running ``deepprep serve``."""

    process: subprocess.Popen[str]
    base: str

    def children(self) -> list[int]:
        """Process ids whose parent is the server (uvicorn's workers)."""
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rpartition(")")[2].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                found.append(int(stat.parent.name))
        return found


def cpu_ticks(pid: int) -> int:
    """User + system clock ticks a process has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return int(fields[11]) + int(fields[12])


def wait_healthy(
    base: str, process: subprocess.Popen[str], log: Path | None = None, seconds: float = 60
) -> None:
    """Block until ``/healthz`` answers 200; AssertionError with the output if the process dies."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            out, err = process.communicate()
            logged = log.read_text() if log is not None and log.exists() else ""
            raise AssertionError(f"server exited {process.returncode}:\n{out}\n{err}\n{logged}")
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{base} did not become healthy in {seconds} s")


@contextmanager
def serve(env: dict[str, str], *, workers: int = 1, port: int | None = None) -> Iterator[Served]:
    """``deepprep serve --workers N`` on a free port until the block ends (then SIGTERM).

    The server's output goes to ``server.log`` in the data directory: a pipe nobody reads fills
    up and blocks the server in its first log call after 64 KiB.
    """
    port = port or free_port()
    command = deepprep("serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers))
    log_dir = Path(env["DEEPPREP_DATA_DIR"])
    log_dir.mkdir(parents=True, exist_ok=True)
    with open(log_dir / "server.log", "a") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, text=True
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, process, log_dir / "server.log")
        yield Served(process, base)
    finally:
        stop(process)


def stop(process: subprocess.Popen[str], sig: int = signal.SIGTERM) -> None:
    """Send ``sig`` and reap the process (SIGKILL if it lingers)."""
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    process.communicate()
