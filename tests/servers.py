"""Throwaway servers of the tests' own: a Redis they stop (a cache or broker outage) and a
PostgreSQL they restart.

The shared Redis and PostgreSQL serve everyone else's tests at the same time: a fault test never
stops, restarts or reconfigures them. It starts its own on a free port under its ``tmp_path``
and does what it likes with it.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

POSTGRES_USER = "postgres"  # the OS user initdb and the server run as (they refuse root)


def redis_caches(url: str, *, timeout: float = 0.3) -> dict:
    """``CACHES`` with the cache and the limits' counters both at the Redis of ``url``, with
    short timeouts (for a Redis the test stops, or a port where nothing listens)."""
    cache = {
        "BACKEND": "market.core.redis_cache.RedisCache",
        "LOCATION": url,
        "OPTIONS": {"socket_connect_timeout": timeout, "socket_timeout": timeout},
    }
    return {"default": cache, "limits": dict(cache)}


def caches_forget_outages() -> None:
    """Both shared caches forget their fallback memory and that Redis failed (each process
    leaves a failed Redis alone for a while, and the next test must ask it again)."""
    from market.core.cache import cache, limits

    cache.clear_local()
    limits.clear_local()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(answers, what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if answers():
            return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not start within {seconds} s")


def _port_open(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


class RedisServer:
    """``redis-server`` on a free port, without persistence, started at once (unless
    ``start=False``); ``stop()`` and ``start()`` again on the same port make an outage. Nothing
    is saved: a restart starts empty."""

    def __init__(self, folder: Path, *, start: bool = True) -> None:
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None
        if start:
            self.start()

    def start(self) -> None:
        with open(self.folder / "redis.log", "ab") as log:
            self.process = subprocess.Popen(
                [
                    shutil.which("redis-server") or "redis-server",
                    "--port",
                    str(self.port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    str(self.folder),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        _wait_for(lambda: _port_open(self.port), "redis-server")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)
        self.process = None

    def queue_length(self, queue: str = "celery") -> int:
        import redis

        return int(redis.Redis(port=self.port).llen(queue))


class HangingServer:
    """Accepts connections and never answers, as a Redis that hangs (or a network that drops
    packets) does; counts the connections it was offered."""

    def __init__(self) -> None:
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(1000)
        self.port = self._socket.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._accepted: list[socket.socket] = []
        self._socket.settimeout(0)

    @property
    def connections(self) -> int:
        while True:
            try:
                conn, _ = self._socket.accept()
            except BlockingIOError:
                return len(self._accepted)
            self._accepted.append(conn)

    def close(self) -> None:
        for conn in self._accepted:
            conn.close()
        self._socket.close()


def postgres_binaries() -> Path | None:
    """The newest installed PostgreSQL's bin folder (Debian's layout)."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
        key=lambda path: int(Path(path).parts[-3]) if Path(path).parts[-3].isdigit() else 0,
    )
    return Path(found[-1]).parent if found else None


class PostgresServer:
    """A private PostgreSQL cluster (initdb into a temporary folder of its own), on a free
    port, run by the ``postgres`` OS user when the tests run as root; ``restart()`` is ``pg_ctl
    restart -m fast``: every connection is ended, the server comes back on the same port.

    Not under pytest's ``tmp_path``: that is private to the user running the tests, and the
    server runs as another."""

    def __init__(self) -> None:
        binaries = postgres_binaries()
        if binaries is None:
            raise RuntimeError("no PostgreSQL server binaries under /usr/lib/postgresql")
        self.bin = binaries
        self.port = free_port()
        folder = Path(tempfile.mkdtemp(prefix="market-faults-pg-"))
        self.folder = folder
        self.data = folder / "data"
        self.socket_dir = folder / "socket"
        self.socket_dir.mkdir()
        self.logfile = folder / "postgres.log"
        if os.geteuid() == 0:
            shutil.chown(folder, POSTGRES_USER)
            shutil.chown(self.socket_dir, POSTGRES_USER)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/postgres"
        self.start()

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.bin / tool), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", POSTGRES_USER, "--", *command]
        subprocess.run(command, check=True, capture_output=True, cwd=self.folder)

    def _pg_ctl(self, action: str, *args: str) -> None:
        options = f"-p {self.port} -k {self.socket_dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            "pg_ctl", action, "-D", str(self.data), "-l", str(self.logfile), "-o", options,
            "-w", *args,
        )  # fmt: skip

    def start(self) -> None:
        self._pg_ctl("start")
        _wait_for(lambda: _port_open(self.port), "PostgreSQL")

    def restart(self) -> None:
        self._pg_ctl("restart", "-m", "fast")
        _wait_for(lambda: _port_open(self.port), "PostgreSQL")

    def stop(self) -> None:
        self._run("pg_ctl", "stop", "-D", str(self.data), "-m", "fast", "-w")

    def remove(self) -> None:
        """Stops the server if it runs and deletes its cluster."""
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass  # already stopped
        shutil.rmtree(self.folder, ignore_errors=True)

    def database_url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"
