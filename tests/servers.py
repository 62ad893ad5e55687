"""Servers the tests start on loopback: a free port, waiting for a URL to answer, and a throw-away
PostgreSQL cluster with an MLflow tracking server on it.

PostgreSQL comes from Debian's `postgresql` package (scripts/test.sh installs it) and the driver from
the `test` extra (psycopg). The cluster lives in a temporary directory and is removed afterwards.
PostgreSQL refuses to run as root, so as root its commands run as the `postgres` user.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

REQUIRE_ENV = "REPROBENCH_REQUIRE_POSTGRES"  # set by scripts/test.sh: a missing PostgreSQL fails, not skips


class Lines:
    """A child process's output read line by line without ever blocking the test: a thread reads the pipe into a
    queue, and `next` waits at most `seconds` for a line (an assertion error, with what was seen, after that)."""

    def __init__(self, pipe):
        import queue
        import threading

        self._queue: queue.Queue = queue.Queue()
        self.seen: list[str] = []
        self._thread = threading.Thread(target=self._read, args=(pipe,), daemon=True)
        self._thread.start()

    def _read(self, pipe) -> None:
        for line in iter(pipe.readline, ""):
            self._queue.put(line)
        self._queue.put(None)  # the pipe closed: the process ended

    def next(self, seconds: float = 60) -> str:
        import queue

        try:
            line = self._queue.get(timeout=seconds)
        except queue.Empty:
            raise AssertionError(f"no line within {seconds:g} s; so far:\n{''.join(self.seen)}") from None
        if line is None:
            self._queue.put(None)
            raise AssertionError(f"the process ended; its output:\n{''.join(self.seen)}")
        self.seen.append(line)
        return line

    def until(self, needle: str, seconds: float = 180) -> list[str]:
        """Lines up to the first that holds `needle`, within `seconds` in all."""
        deadline = time.monotonic() + seconds
        start = len(self.seen)
        while True:
            line = self.next(max(0.1, deadline - time.monotonic()))
            if needle in line:
                return self.seen[start:]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def postgres_bin() -> str | None:
    """The directory of initdb/pg_ctl, or None when PostgreSQL is not installed."""
    found = shutil.which("initdb")
    if found:
        return os.path.dirname(os.path.realpath(found))  # e.g. /usr/lib/postgresql/15/bin
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return os.path.dirname(versions[-1]) if versions else None


def missing() -> str | None:
    """Why the PostgreSQL-backed server cannot be started here, or None."""
    if postgres_bin() is None:
        return "PostgreSQL is not installed (apt-get install postgresql)"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "the psycopg driver is not installed (pip install -e '.[test]')"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no `postgres` user to run PostgreSQL as"
    return None


def _as_owner(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    # runuser lives in /usr/sbin, which a clean environment's PATH may lack (env -i ... PATH=/usr/bin:/bin)
    runuser = shutil.which("runuser") or next((path for path in ("/usr/sbin/runuser", "/sbin/runuser")
                                                if os.path.exists(path)), "runuser")
    return [runuser, "-u", "postgres", "--", *command]


def wait_http(url: str, seconds: float, process: subprocess.Popen) -> None:
    """Until `url` answers 200, while `process` (the server) is still running."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the server exited with {process.returncode}"
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} did not answer within {seconds:.0f}s")


@contextlib.contextmanager
def mlflow_server_on_postgres():
    """Yields the tracking URI (http://127.0.0.1:PORT) of `mlflow server` backed by a fresh PostgreSQL."""
    bin_dir = postgres_bin()
    root = tempfile.mkdtemp(prefix="reprobench-pg-")
    if os.geteuid() == 0:
        entry = pwd.getpwnam("postgres")
        os.chown(root, entry.pw_uid, entry.pw_gid)
    data, pg_port, server_port = os.path.join(root, "data"), free_port(), free_port()
    server = None
    try:
        subprocess.run(_as_owner([f"{bin_dir}/initdb", "-D", data, "-A", "trust", "-U", "postgres", "--no-sync",
                                  "-E", "UTF8"]), check=True, capture_output=True)
        subprocess.run(_as_owner([f"{bin_dir}/pg_ctl", "-D", data, "-w", "-l", os.path.join(root, "postgres.log"),
                                  "-o", f"-p {pg_port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off",
                                  "start"]), check=True, capture_output=True)
        subprocess.run(_as_owner([f"{bin_dir}/createdb", "-h", "127.0.0.1", "-p", str(pg_port), "-U", "postgres",
                                  "mlflow"]), check=True, capture_output=True)
        artifacts = os.path.join(root, "artifacts")
        os.makedirs(artifacts)
        log = open(os.path.join(root, "server.log"), "w")  # noqa: SIM115 (closed with the server)
        server = subprocess.Popen(
            [sys.executable, "-m", "mlflow", "server",
             "--backend-store-uri", f"postgresql://postgres@127.0.0.1:{pg_port}/mlflow",
             "--artifacts-destination", artifacts, "--host", "127.0.0.1", "--port", str(server_port),
             "--workers", "1"],
            stdout=log, stderr=subprocess.STDOUT,
            env={**os.environ, "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false", "MLFLOW_DISABLE_TELEMETRY": "true"})
        uri = f"http://127.0.0.1:{server_port}"
        wait_http(uri + "/health", 120, server)
        yield uri
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
            log.close()
        if os.path.isdir(data):
            subprocess.run(_as_owner([f"{bin_dir}/pg_ctl", "-D", data, "-m", "fast", "stop"]), capture_output=True)
        shutil.rmtree(root, ignore_errors=True)
