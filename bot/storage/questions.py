"""The question log: every question asked, what was answered, and the asker's rating."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from bot.storage.database import Database, to_db
from handlers.ports import QuestionRecord


class SqliteQuestions:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def log(
        self,
        *,
        user_id: int,
        query: str,
        normalized_query: str,
        intent: str,
        answer_id: str | None,
        facet: str | None,
        score: float,
        candidate_ids: Sequence[str],
        now: datetime,
    ) -> int:
        async with self._db.transaction() as db:
            cursor = await db.execute(
                """INSERT INTO question_log (user_id, query, normalized_query, intent, answer_id,
                                             facet, score, candidate_ids, asked_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (user_id, query, normalized_query, intent, answer_id, facet, score,
                 json.dumps(list(candidate_ids)), to_db(now)),
            )
            log_id = cursor.lastrowid
        assert log_id is not None
        return log_id

    async def get(self, question_id: int) -> QuestionRecord | None:
        row = await self._db.fetch_one(
            """SELECT id, user_id, query, normalized_query, intent, answer_id, facet,
                      candidate_ids, feedback
               FROM question_log WHERE id = ?""",
            (question_id,),
        )
        if row is None:
            return None
        return QuestionRecord(
            id=row["id"], user_id=row["user_id"], query=row["query"],
            normalized_query=row["normalized_query"], intent=row["intent"],
            answer_id=row["answer_id"], facet=row["facet"],
            candidate_ids=tuple(json.loads(row["candidate_ids"])), feedback=row["feedback"],
        )

    async def set_feedback(
        self, question_id: int, user_id: int, value: int, now: datetime
    ) -> bool:
        """Record 👍 (1) or 👎 (-1) on a question the user asked; False if it is not theirs."""
        async with self._db.transaction() as db:
            cursor = await db.execute(
                "UPDATE question_log SET feedback = ?, feedback_at = ? "
                "WHERE id = ? AND user_id = ?",
                (value, to_db(now), question_id, user_id),
            )
        return cursor.rowcount == 1
