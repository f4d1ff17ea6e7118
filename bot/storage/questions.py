"""The question log: every question asked, what was answered, and the asker's rating.

The latest answered question of a person is also the conversation context: a follow-up
("thế lệ phí bao nhiêu?") is answered from its entry while it is recent enough.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

import aiosqlite

from bot.storage.database import Database, to_db
from handlers.ports import QuestionCount, QuestionRecord

COLUMNS = """id, user_id, query, normalized_query, intent, answer_id, facet, candidate_ids,
             feedback, feedback_reason"""


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
            f"SELECT {COLUMNS} FROM question_log WHERE id = ?", (question_id,)
        )
        return _record(row) if row is not None else None

    async def last_answered(
        self, user_id: int, since: datetime, before_id: int | None = None
    ) -> QuestionRecord | None:
        """The person's latest question answered with an entry at or after `since`
        (and logged before `before_id`, when given)."""
        row = await self._db.fetch_one(
            f"""SELECT {COLUMNS} FROM question_log
                WHERE user_id = ? AND answer_id IS NOT NULL AND id < ? AND asked_at >= ?
                ORDER BY id DESC LIMIT 1""",
            (user_id, before_id if before_id is not None else 2**63 - 1, to_db(since)),
        )
        return _record(row) if row is not None else None

    async def set_feedback(
        self, question_id: int, user_id: int, value: int, now: datetime
    ) -> bool:
        """Record 👍 (1) or 👎 (-1) on a question the user asked; False if it is not theirs.
        A new rating clears the reason given for an earlier 👎."""
        async with self._db.transaction() as db:
            cursor = await db.execute(
                "UPDATE question_log SET feedback = ?, feedback_at = ?, feedback_reason = NULL "
                "WHERE id = ? AND user_id = ?",
                (value, to_db(now), question_id, user_id),
            )
        return cursor.rowcount == 1

    async def set_feedback_reason(
        self, question_id: int, user_id: int, reason: str, now: datetime
    ) -> bool:
        """Record what was wrong with an answer; it counts as a 👎."""
        async with self._db.transaction() as db:
            cursor = await db.execute(
                "UPDATE question_log SET feedback = -1, feedback_at = ?, feedback_reason = ? "
                "WHERE id = ? AND user_id = ?",
                (to_db(now), reason, question_id, user_id),
            )
        return cursor.rowcount == 1

    async def most_disliked(self, limit: int) -> list[QuestionCount]:
        """Answers rated 👎 most often, by entry, with the reasons given."""
        rows = await self._db.fetch_all(
            """SELECT answer_id AS subject, COUNT(*) AS times, MAX(query) AS example,
                      GROUP_CONCAT(feedback_reason) AS reasons
               FROM question_log WHERE feedback = -1 AND answer_id IS NOT NULL
               GROUP BY answer_id ORDER BY times DESC, subject LIMIT ?""",
            (limit,),
        )
        return [_count(row) for row in rows]

    async def most_unanswered(self, limit: int) -> list[QuestionCount]:
        """Questions asked most often that got no answer (a suggestion list or "I do not
        know"), grouped by their folded form."""
        rows = await self._db.fetch_all(
            """SELECT normalized_query AS subject, COUNT(*) AS times, MAX(query) AS example,
                      NULL AS reasons
               FROM question_log WHERE intent IN ('unknown', 'suggest')
               GROUP BY normalized_query ORDER BY times DESC, subject LIMIT ?""",
            (limit,),
        )
        return [_count(row) for row in rows]


def _record(row: aiosqlite.Row) -> QuestionRecord:
    return QuestionRecord(
        id=row["id"], user_id=row["user_id"], query=row["query"],
        normalized_query=row["normalized_query"], intent=row["intent"],
        answer_id=row["answer_id"], facet=row["facet"],
        candidate_ids=tuple(json.loads(row["candidate_ids"])), feedback=row["feedback"],
        feedback_reason=row["feedback_reason"],
    )


def _count(row: aiosqlite.Row) -> QuestionCount:
    reasons = row["reasons"].split(",") if row["reasons"] else []
    return QuestionCount(row["subject"], row["times"], row["example"], tuple(reasons))
