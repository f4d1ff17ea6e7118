from __future__ import annotations

import asyncio
from pathlib import Path
from zoneinfo import ZoneInfo

import aiosqlite
import pytest

from bot.storage import Storage, StorageError, migrations
from bot.storage.database import to_db
from tests.factories import FIXED_NOW

LATEST = len(migrations())


async def test_fresh_database_is_migrated_to_latest_in_wal_mode(tmp_path: Path) -> None:
    store = await Storage.open(tmp_path / "new.sqlite3")
    try:
        assert await store.database.schema_version() == LATEST
    finally:
        await store.close()
    async with (
        aiosqlite.connect(tmp_path / "new.sqlite3") as db,
        db.execute("PRAGMA journal_mode") as cursor,
    ):
        assert (await cursor.fetchone())[0] == "wal"


@pytest.mark.parametrize("version", range(1, LATEST))
async def test_upgrade_from_every_earlier_version_keeps_data(tmp_path: Path, version: int) -> None:
    path = tmp_path / "old.sqlite3"
    old = await Storage.open(path, upto=version)
    assert await old.database.schema_version() == version
    # Rows as that version wrote them (today's stores use today's columns). Before 4
    # times were ISO text in local time; 4 made them UTC of one width.
    stamp = FIXED_NOW.isoformat() if version < 4 else to_db(FIXED_NOW)
    async with old.transaction() as db:
        rows = await db.execute_fetchall(
            "INSERT INTO users (channel, external_id, display_name, created_at, last_seen_at)"
            " VALUES ('console', 'local', 'Chị Lan', ?, ?) RETURNING id", (stamp, stamp))
        (user_id,) = next(iter(rows))
        await db.execute(
            "INSERT INTO question_log (user_id, query, normalized_query, intent, answer_id, facet,"
            " score, asked_at) VALUES (?, 'khai sinh', 'khai sinh', 'answer',"
            " 'ho-tich/dang-ky-khai-sinh', NULL, 0.9, ?)",
            (user_id, stamp),
        )
    await old.close()

    upgraded = await Storage.open(path)
    try:
        assert await upgraded.database.schema_version() == LATEST
        record = await upgraded.questions.get(1)
        assert record is not None
        assert record.answer_id == "ho-tich/dang-ky-khai-sinh"
        assert record.user_id == user_id
        row = await upgraded.database.fetch_one("SELECT asked_at FROM question_log")
        assert row is not None and row[0] == "2026-11-28T02:30:00.000000Z"  # 09:30 in Vietnam
    finally:
        await upgraded.close()


async def test_reopening_an_up_to_date_database_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    for _ in range(2):
        store = await Storage.open(path)
        assert await store.database.schema_version() == LATEST
        await store.close()


async def test_failed_write_rolls_back(storage: Storage) -> None:
    with pytest.raises(RuntimeError):
        async with storage.transaction() as db:
            await db.execute(
                "INSERT INTO users (channel, external_id, created_at, last_seen_at)"
                " VALUES ('console', 'x', '', '')"
            )
            raise RuntimeError("boom")
    async with storage.transaction() as db, db.execute("SELECT COUNT(*) FROM users") as cursor:
        assert (await cursor.fetchone())[0] == 0


async def test_user_upsert_is_idempotent_and_updates_name(storage: Storage) -> None:
    first = await storage.users.upsert("telegram", "42", "Anh Nam", FIXED_NOW)
    again = await storage.users.upsert("telegram", "42", "Nam Nguyễn", FIXED_NOW)
    other_channel = await storage.users.upsert("zalo", "42", "Nam", FIXED_NOW)
    assert again.id == first.id
    assert again.display_name == "Nam Nguyễn"
    assert other_channel.id != first.id


async def test_question_log_and_feedback_only_by_the_asker(storage: Storage) -> None:
    asker = await storage.users.upsert("console", "a", "", FIXED_NOW)
    other = await storage.users.upsert("console", "b", "", FIXED_NOW)
    log_id = await storage.questions.log(
        user_id=asker.id, query="Khai sinh?", normalized_query="khai sinh", intent="answer",
        answer_id="ho-tich/dang-ky-khai-sinh", facet="documents", score=0.93,
        candidate_ids=["ho-tich/dang-ky-khai-sinh", "ho-tich/dang-ky-lai-khai-sinh"], now=FIXED_NOW,
    )
    assert not await storage.questions.set_feedback(log_id, other.id, 1, FIXED_NOW)
    assert await storage.questions.set_feedback(log_id, asker.id, -1, FIXED_NOW)
    record = await storage.questions.get(log_id)
    assert record is not None
    assert record.feedback == -1
    assert record.facet == "documents"
    assert record.candidate_ids == ("ho-tich/dang-ky-khai-sinh", "ho-tich/dang-ky-lai-khai-sinh")
    assert await storage.questions.get(log_id + 1) is None


async def test_concurrent_writers_take_turns_on_the_one_connection(storage: Storage) -> None:
    users = await asyncio.gather(
        *(storage.users.upsert("telegram", str(n), f"user {n}", FIXED_NOW) for n in range(50))
    )
    assert len({user.id for user in users}) == 50


async def test_a_file_that_is_not_a_database_is_refused_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite3"
    path.write_text("these are meeting notes, not a database\n" * 200, encoding="utf-8")
    expected = f"cannot use the database {path}: file is not a database"
    with pytest.raises(StorageError, match=expected):
        await asyncio.wait_for(Storage.open(path), 5)


async def test_a_folder_that_cannot_be_created_is_reported(tmp_path: Path) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("a file where the data folder should be", encoding="utf-8")
    with pytest.raises(StorageError, match="cannot open the database"):
        await Storage.open(blocker / "commune-bot.sqlite3")


async def test_a_database_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    await (await Storage.open(path)).close()
    async with aiosqlite.connect(path) as db:
        await db.execute(f"PRAGMA user_version = {len(migrations()) + 1}")
    with pytest.raises(StorageError, match="newer than this program knows"):
        await Storage.open(path)


async def test_work_inside_a_transaction_joins_it_and_rolls_back_with_it(
    storage: Storage,
) -> None:
    with pytest.raises(RuntimeError):
        async with storage.transaction():
            user = await storage.users.upsert("telegram", "7", "Lan", FIXED_NOW)
            assert (await storage.users.get(user.id)) == user  # reads see the open work
            raise RuntimeError("the handler failed")
    assert await storage.users.get(user.id) is None


async def test_a_database_locked_by_another_process_is_waited_for(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    store = await Storage.open(path, busy_timeout_ms=100)
    try:
        other = await aiosqlite.connect(path, isolation_level=None)
        await other.execute("BEGIN IMMEDIATE")  # another process holds the write lock

        async def release_later() -> None:
            await asyncio.sleep(1.0)
            await other.commit()

        releasing = asyncio.create_task(release_later())
        user = await store.users.upsert("telegram", "9", "Nam", FIXED_NOW)
        await releasing
        await other.close()
        assert user.display_name == "Nam"
        assert await store.users.get(user.id) == user
    finally:
        await store.close()


def test_stored_times_are_utc_text_that_sorts_like_time() -> None:
    from datetime import timedelta

    from bot.storage.database import from_db, to_db

    earlier = FIXED_NOW  # 09:30 in Vietnam
    later = (FIXED_NOW + timedelta(hours=1)).astimezone(ZoneInfo("America/Los_Angeles"))
    assert to_db(earlier) == "2026-11-28T02:30:00.000000Z"
    assert to_db(earlier) < to_db(later)
    assert from_db(to_db(later)) == later
    with pytest.raises(ValueError, match="naive"):
        to_db(FIXED_NOW.replace(tzinfo=None))


async def test_the_inbox_keeps_each_update_once_in_the_order_received(storage: Storage) -> None:
    first = await storage.inbox.receive("telegram", [("7", {"n": 1})], FIXED_NOW)
    batch = await storage.inbox.receive(
        "telegram", [("9", {"n": 2}), ("7", {"n": 3}), ("8", {"n": 4}), ("9", {"n": 5})],
        FIXED_NOW,
    )
    assert [(r.update_id, r.payload) for r in first] == [("7", {"n": 1})]
    assert [(r.update_id, r.payload) for r in batch] == [("9", {"n": 2}), ("8", {"n": 4})]
    assert await storage.inbox.receive("zalo", [("7", {"n": 6})], FIXED_NOW)  # per channel
    unhandled = await storage.inbox.unhandled(["telegram"])
    assert [r.update_id for r in unhandled] == ["7", "9", "8"]
