"""One running instance per bot token.

Two processes polling the same token steal each other's updates (Telegram answers the
second getUpdates with 409 Conflict) and would both send reminders. An exclusive lock on
a file in the data folder, keyed by the bot's id, stops the second one at start. The
operating system releases the lock when the process ends, even on a crash.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class AlreadyRunning(Exception):
    """Another process serves this bot."""


@contextmanager
def instance_lock(data_dir: Path, token: str) -> Iterator[Path]:
    bot_id = token.split(":", 1)[0]
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / f"telegram-bot-{bot_id}.lock"
    with path.open("a+", encoding="utf-8") as file:
        try:
            fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            file.seek(0)
            holder = file.read().strip() or "unknown"
            raise AlreadyRunning(
                f"another commune-bot (process {holder}) is already running bot {bot_id}; "
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
