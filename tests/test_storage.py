from __future__ import annotations

import asyncio
from pathlib import Path

import aiosqlite
import pytest

from bot.storage import Storage, migrations
from tests.factories import FIXED_NOW

LATEST = len(migrations())


async def test_fresh_database_is_migrated_to_latest_in_wal_mode(tmp_path: Path) -> None:
    store = await Storage.open(tmp_path / "new.sqlite3")
    try:
        assert await store.schema_version() == LATEST
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
    assert await old.schema_version() == version
    user = await old.upsert_user("console", "local", "Chị Lan", FIXED_NOW)
    async with old.transaction() as db:
        await db.execute(
            "INSERT INTO question_log (user_id, query, normalized_query, intent, answer_id, facet,"
            " score, asked_at) VALUES (?, 'khai sinh', 'khai sinh', 'answer',"
            " 'ho-tich/dang-ky-khai-sinh', NULL, 0.9, ?)",
            (user.id, FIXED_NOW.isoformat()),
        )
    await old.close()

    upgraded = await Storage.open(path)
    try:
        assert await upgraded.schema_version() == LATEST
        record = await upgraded.get_question(1)
        assert record is not None
        assert record.answer_id == "ho-tich/dang-ky-khai-sinh"
        assert record.user_id == user.id
    finally:
        await upgraded.close()


async def test_reopening_an_up_to_date_database_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    for _ in range(2):
        store = await Storage.open(path)
        assert await store.schema_version() == LATEST
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
    first = await storage.upsert_user("telegram", "42", "Anh Nam", FIXED_NOW)
    again = await storage.upsert_user("telegram", "42", "Nam Nguyễn", FIXED_NOW)
    other_channel = await storage.upsert_user("zalo", "42", "Nam", FIXED_NOW)
    assert again.id == first.id
    assert again.display_name == "Nam Nguyễn"
    assert other_channel.id != first.id


async def test_question_log_and_feedback_only_by_the_asker(storage: Storage) -> None:
    asker = await storage.upsert_user("console", "a", "", FIXED_NOW)
    other = await storage.upsert_user("console", "b", "", FIXED_NOW)
    log_id = await storage.log_question(
        user_id=asker.id, query="Khai sinh?", normalized_query="khai sinh", intent="answer",
        answer_id="ho-tich/dang-ky-khai-sinh", facet="documents", score=0.93,
        candidate_ids=["ho-tich/dang-ky-khai-sinh", "ho-tich/dang-ky-lai-khai-sinh"], now=FIXED_NOW,
    )
    assert not await storage.set_feedback(log_id, other.id, 1, FIXED_NOW)
    assert await storage.set_feedback(log_id, asker.id, -1, FIXED_NOW)
    record = await storage.get_question(log_id)
    assert record is not None
    assert record.feedback == -1
    assert record.facet == "documents"
    assert record.candidate_ids == ("ho-tich/dang-ky-khai-sinh", "ho-tich/dang-ky-lai-khai-sinh")
    assert await storage.get_question(log_id + 1) is None


async def test_concurrent_writers_take_turns_on_the_one_connection(storage: Storage) -> None:
    users = await asyncio.gather(
        *(storage.upsert_user("telegram", str(n), f"user {n}", FIXED_NOW) for n in range(50))
    )
    assert len({user.id for user in users}) == 50
