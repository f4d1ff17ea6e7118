"""One serving process per database.

Two processes serving the same database would both poll the same bot (Telegram answers
the second getUpdates with 409 Conflict), both drain the outbox and both send
reminders. An exclusive lock on a file in the data folder stops the second one at
start; the operating system releases it when the process ends, even on a crash.
Admin commands (`kb`, `deadlines import`…) take no lock: they only write rows, which
the running bot picks up from the database.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class AlreadyRunning(Exception):
    """Another process serves this database."""


@contextmanager
def instance_lock(data_dir: Path, name: str = "serve") -> Iterator[Path]:
    """Hold `data_dir/<name>.lock` while serving; `AlreadyRunning` if another process does."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / f"{name}.lock"
    with path.open("a+", encoding="utf-8") as file:
        try:
            fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            file.seek(0)
            holder = file.read().strip() or "unknown"
            raise AlreadyRunning(
                f"another commune-bot (process {holder}) is already serving {data_dir}; "
                f"stop it first (lock file {path})"
            ) from None
        file.seek(0)
        file.truncate()
        file.write(str(os.getpid()))
        file.flush()
        try:
            yield path
        finally:
            fcntl.flock(file, fcntl.LOCK_UN)
