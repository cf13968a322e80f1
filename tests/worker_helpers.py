"""Real worker processes (``manage.py worker``) for the tests that need one: they
share the test's database and are stopped, by their pid, when the test ends."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def database_url():
    """The test database, as the worker process must reach it."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    host = db["HOST"] or "127.0.0.1"
    return f"postgres://{db['USER']}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


class Workers:
    """``start(**env)`` runs one more worker with ``env`` over this environment
    and the test database; ``stop()`` ends them all and prints the output of any
    that did not end cleanly (the clue when a test times out waiting on it)."""

    def __init__(self, **env):
        self.env = env
        self.processes = []

    def start(self, **env):
        process = subprocess.Popen(
            [sys.executable, "manage.py", "worker", "--interval", "0.1"],
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": database_url(), **self.env, **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.processes.append(process)
        return process

    def stop(self):
        for process in self.processes:
            process.terminate()
            output, _ = process.communicate(timeout=30)
            if process.returncode not in (0, -15):
                print(output)


def wait_for(condition, what, *, within=30):
    """Poll ``condition`` until true; fail with ``what`` if it never gets there
    (a bound on a hung worker, not a measure of speed)."""
    end = time.monotonic() + within
    while time.monotonic() < end:
        if condition():
            return
        time.sleep(0.1)
    pytest.fail(f"the worker never {what}")
