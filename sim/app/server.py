"""Start the app as a real server on a free local port: for the browser test and the load
check, which must see what a user's browser sees."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

APP = Path(__file__).parents[2] / "app.py"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running_app(startup_seconds: float = 60) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`streamlit run app.py` on 127.0.0.1, yielding its URL once `/_stcore/health` answers,
    and the server process (to measure it); stopped on leaving."""
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(APP),
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=APP.parent,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + startup_seconds
        while not _healthy(url):
            if server.poll() is not None:
                raise RuntimeError(f"streamlit stopped with exit code {server.returncode}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not become healthy within {startup_seconds} s")
            time.sleep(0.5)
        yield url, server
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
            return bool(reply.status == 200)
    except OSError:
        return False
