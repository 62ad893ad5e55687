"""The MLflow store: where it is, checking it can be used, one experiment per claim.

The store is MLFLOW_TRACKING_URI when set (MLflow's own convention), else `mlflow.db` (SQLite) in the
working directory, always passed explicitly since MLflow's defaults change between versions.
Artifacts of a SQLite store go to `mlartifacts/` beside the database file. Telemetry is off.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import logging
import os
import random
import sqlite3
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
os.environ.setdefault("DO_NOT_TRACK", "true")

import mlflow  # noqa: E402
from mlflow.exceptions import MlflowException  # noqa: E402
from mlflow.tracking import MlflowClient  # noqa: E402

for _chatty in ("mlflow.store.db.utils", "alembic"):  # "Creating initial MLflow database tables..." and so on
    logging.getLogger(_chatty).setLevel(logging.WARNING)

DEFAULT_DB = "mlflow.db"
SQLITE_MAGIC = b"SQLite format 3\x00"
LOCK_RETRY_SECONDS = 300  # how long a write waits out other processes holding a SQLite store
SERVER_TIMEOUT_SECONDS = 10  # how long to wait for a tracking server to answer the first call


class StoreError(RuntimeError):
    """The tracking store cannot be used; the message says why in one line."""


def default_uri(workdir: str | os.PathLike | None = None) -> str:
    """MLFLOW_TRACKING_URI if set, else a SQLite file in the working directory."""
    if os.environ.get("MLFLOW_TRACKING_URI"):
        return os.environ["MLFLOW_TRACKING_URI"]
    path = Path(workdir or os.getcwd()).resolve() / DEFAULT_DB
    return f"sqlite:///{path}"


def sqlite_path(uri: str) -> Path | None:
    """The database file of a sqlite:/// URI, else None."""
    if not uri.startswith("sqlite:"):
        return None
    if uri.startswith("sqlite:////"):  # sqlite:////abs/path.db
        return Path("/" + uri[len("sqlite:////"):].split("?")[0])
    return Path(uri[len("sqlite:///"):].split("?")[0])  # sqlite:///relative/path.db


def _check_sqlite(path: Path) -> None:
    if path.exists():
        if path.is_dir():
            raise StoreError(f"store {path} is a directory, not a SQLite database")
        with open(path, "rb") as handle:
            head = handle.read(len(SQLITE_MAGIC))
        if head and head != SQLITE_MAGIC:
            raise StoreError(f"store {path} exists but is not a SQLite database; move it away or choose another store")
        try:
            with open(path, "r+b"):
                pass
        except OSError as error:
            raise StoreError(f"store {path} is not writable ({error.strerror})") from None
        return
    parent = path.parent
    if not parent.is_dir():
        raise StoreError(f"cannot create store {path}: directory {parent} does not exist")
    try:  # root passes os.access() everywhere, so try for real
        with tempfile.TemporaryFile(dir=parent):
            pass
    except OSError as error:
        raise StoreError(f"cannot create store {path}: directory {parent} is not writable ({error.strerror})") from None


def _check_server(uri: str) -> None:
    """An http(s) tracking server must answer now; MLflow itself would retry for minutes."""
    try:
        urllib.request.urlopen(uri.rstrip("/") + "/health", timeout=SERVER_TIMEOUT_SECONDS).close()
    except urllib.error.HTTPError:
        return  # it answered (a proxy in front of it may not know /health)
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise StoreError(f"cannot reach tracking server {uri}: {reason}") from None


def is_locked_error(error: BaseException) -> bool:
    """SQLite's "database is locked" (another process is writing), however MLflow wraps it."""
    text = str(error).lower()
    return "database is locked" in text or "database table is locked" in text


class RetryingClient:
    """MlflowClient whose calls wait out "database is locked" from concurrent writers to a SQLite store.

    Each MLflow call is one transaction, rolled back whole when SQLite refuses it, so a retry neither
    loses nor duplicates a write. `retries` counts the retries, for the reliability tests' table.
    """

    def __init__(self, client: MlflowClient):
        self._client = client
        self.retries = 0

    def __getattr__(self, name):
        attribute = getattr(self._client, name)
        if not callable(attribute):
            return attribute

        @functools.wraps(attribute)
        def call(*args, **kwargs):
            deadline, delay = time.monotonic() + LOCK_RETRY_SECONDS, 0.05
            while True:
                try:
                    return attribute(*args, **kwargs)
                except Exception as error:
                    if not is_locked_error(error) or time.monotonic() > deadline:
                        raise
                    self.retries += 1
                    time.sleep(delay * (1 + random.random()))
                    delay = min(delay * 2, 2.0)

        return call


@contextlib.contextmanager
def _directory_lock(directory: Path):
    """An exclusive lock on a directory, held while a SQLite store is created or migrated, so two
    processes opening a new store at once do not both create its tables."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


class Store:
    """An MLflow tracking store, opened and checked."""

    def __init__(self, uri: str | None = None, *, check: bool = True, must_exist: bool = False):
        """`must_exist`: a store that is read, never started (the report, the UI, a confirmation): a SQLite file
        that is not there is refused, not created (a typo would otherwise give an empty store)."""
        self.uri = uri or default_uri()
        self.db_path = sqlite_path(self.uri)
        scheme = urlparse(self.uri).scheme
        if len(scheme) < 2:  # no scheme, or a Windows drive letter: a path, which MLflow would take for a file store
            raise StoreError(f"store {self.uri!r} is a path, not a tracking URI: write sqlite:///{self.uri} for a "
                             "SQLite file (sqlite:////abs/path.db for an absolute path)")
        if must_exist and self.db_path is not None and not self.db_path.exists():
            raise StoreError(f"store {self.db_path} does not exist (a typo?): `run` or `suite` writes a store, "
                             "`report`, `ui` and `confirm` read one")
        if check and self.db_path is not None:
            _check_sqlite(self.db_path)
        if check and scheme in ("http", "https"):
            _check_server(self.uri)
        # a new SQLite store is created (its tables migrated) on first use: one process at a time
        lock = _directory_lock(self.db_path.parent) if check and self.db_path is not None else contextlib.nullcontext()
        with lock:
            try:
                mlflow.set_tracking_uri(self.uri)
                self.client = RetryingClient(MlflowClient(tracking_uri=self.uri))
            except MlflowException as error:
                first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
                raise StoreError(f"cannot use tracking store {self.uri}: {first_line[:200]}") from None
            if check:
                self._first_call()
                if self.db_path is not None:
                    self._relocate_artifacts()

    def _first_call(self) -> None:
        """The first query: creates a new SQLite store's tables, and shows the store can be used."""
        try:
            self.client.search_experiments(max_results=1)
        except (MlflowException, sqlite3.Error, OSError) as error:
            first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            raise StoreError(f"cannot use tracking store {self.uri}: {first_line}") from None
        except Exception as error:  # e.g. connection errors of a remote server
            raise StoreError(f"cannot reach tracking store {self.uri}: {type(error).__name__}") from None

    def _relocate_artifacts(self) -> None:
        """A SQLite store copied or moved together with its mlartifacts/ keeps its plots: MLflow records artifact
        locations as absolute paths, so locations under another directory's mlartifacts/ are re-anchored to this
        store's own, when this store has one (a database copied alone keeps pointing at the original's)."""
        if not (self.db_path.parent / "mlartifacts").is_dir():
            return
        root = self.artifact_root
        marker = "/mlartifacts/"
        with contextlib.closing(sqlite3.connect(self.db_path, timeout=LOCK_RETRY_SECONDS)) as db:
            found = db.execute("SELECT DISTINCT artifact_location FROM experiments WHERE artifact_location LIKE ?",
                               ("file://%" + marker + "%",)).fetchall()
            old_roots = {location[:location.rindex(marker) + len(marker) - 1] for (location,) in found}
            old_roots.discard(root)
            if not old_roots:
                return
            with db:  # one transaction: every location moves, or none
                for old in old_roots:
                    for table, column in (("experiments", "artifact_location"), ("runs", "artifact_uri")):
                        db.execute(f"UPDATE {table} SET {column} = ? || substr({column}, ?) "
                                   f"WHERE substr({column}, 1, ?) = ?", (root, len(old) + 1, len(old) + 1, old + "/"))

    def holds_runs(self) -> bool:
        """Whether the store holds any reprobench run (one tagged with its claim)."""
        ids = [e.experiment_id for e in self.client.search_experiments(max_results=1000)]
        return bool(ids) and bool(self.client.search_runs(ids, filter_string="tags.claim LIKE '%'", max_results=1))

    @property
    def artifact_root(self) -> str | None:
        """For a SQLite store, mlartifacts/ beside the database; a server decides its own."""
        if self.db_path is None:
            return None
        return (self.db_path.parent / "mlartifacts").resolve().as_uri()

    def experiment_id(self, name: str, description: str = "", create: bool = True) -> str | None:
        """The experiment of a claim (named by its id), created on first use."""
        experiment = self.client.get_experiment_by_name(name)
        if experiment is not None:
            return experiment.experiment_id
        if not create:
            return None
        location = f"{self.artifact_root}/{name}" if self.artifact_root else None
        try:
            return self.client.create_experiment(name, artifact_location=location,
                                                 tags={"mlflow.note.content": description})
        except MlflowException:  # created meanwhile by a concurrent process
            return self.client.get_experiment_by_name(name).experiment_id

    def ui_command(self, host: str = "127.0.0.1", port: int = 5000) -> list[str]:
        """The `mlflow ui` command line that shows this store."""
        command = ["mlflow", "ui", "--backend-store-uri", self.uri, "--host", host, "--port", str(port),
                   "--workers", "1"]
        if self.artifact_root:
            command += ["--default-artifact-root", self.artifact_root]
        return command
