"""Writes that meet SQLite's "database is locked" (another process writing) are retried, nothing else is."""

import sqlite3

import pytest

from mlflow_tracking import store as store_module
from mlflow_tracking.store import RetryingClient, is_locked_error

pytestmark = pytest.mark.unit


class FlakyClient:
    def __init__(self, failures, error):
        self.failures, self.error, self.calls = failures, error, 0

    def log_batch(self, run_id):
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error
        return f"logged {run_id}"


def test_locked_writes_are_retried_until_they_pass(monkeypatch):
    monkeypatch.setattr(store_module.time, "sleep", lambda _: None)
    flaky = FlakyClient(3, sqlite3.OperationalError("database is locked"))
    client = RetryingClient(flaky)
    assert client.log_batch("r1") == "logged r1"
    assert flaky.calls == 4 and client.retries == 3


def test_other_errors_are_not_retried(monkeypatch):
    monkeypatch.setattr(store_module.time, "sleep", lambda _: None)
    flaky = FlakyClient(1, sqlite3.OperationalError("no such table: runs"))
    client = RetryingClient(flaky)
    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        client.log_batch("r1")
    assert flaky.calls == 1 and client.retries == 0


def test_retries_give_up_after_the_deadline(monkeypatch):
    monkeypatch.setattr(store_module.time, "sleep", lambda _: None)
    monkeypatch.setattr(store_module, "LOCK_RETRY_SECONDS", -1)
    flaky = FlakyClient(10, RuntimeError("(sqlite3.OperationalError) database is locked"))
    with pytest.raises(RuntimeError, match="locked"):
        RetryingClient(flaky).log_batch("r1")


def test_locked_errors_are_recognised_however_wrapped():
    assert is_locked_error(Exception("(sqlite3.OperationalError) database is locked [SQL: INSERT ...]"))
    assert is_locked_error(Exception("Database table is locked"))
    assert not is_locked_error(Exception("database disk image is malformed"))
