"""The hotline's command-line tools: the tickets export and the knowledge drafts."""

from __future__ import annotations

import csv
import re
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from bot.app import clock_for, hotline_settings
from bot.config import Config
from bot.storage import Storage
from handlers.hotline.reports import EXPORT_COLUMNS, export_row
from handlers.ports import KbDraft
from knowledge.normalize import fold

EARLIEST = date(2000, 1, 1)


async def export_csv(config: Config, start: date | None, end: date | None, out: TextIO) -> int:
    """`tickets export --csv`: tickets opened from `start` to `end` (Vietnam days)."""
    zone = ZoneInfo(config.bot.timezone)
    today = clock_for(config)().date()
    lower = datetime.combine(start or EARLIEST, time(), zone)
    upper = datetime.combine((end or today) + timedelta(days=1), time(), zone)
    settings = hotline_settings(config)
    storage = await Storage.open(config.database_path)
    try:
        tickets = await storage.tickets.opened_between(lower, upper)
    finally:
        await storage.close()
    writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for ticket in tickets:
        writer.writerow(export_row(ticket, settings))
    print(f"{len(tickets)} tickets", file=sys.stderr)
    return 0


async def drafts(config: Config, write: int | None, out: Path) -> int:
    """`kb drafts`: list them; `--write ID`: the draft as an entry file to finish."""
    storage = await Storage.open(config.database_path)
    try:
        saved = await storage.tickets.drafts()
    finally:
        await storage.close()
    if write is None:
        for draft in saved:
            print(f"{draft.id}\tticket {draft.ticket_id}\t{draft.created_at:%Y-%m-%d}\t"
                  f"{draft.author}\t{draft.question[:70]}")
        print(f"{len(saved)} drafts", file=sys.stderr)
        return 0
    draft = next((d for d in saved if d.id == write), None)
    if draft is None:
        print(f"error: no draft {write} (commune-bot kb drafts lists them)", file=sys.stderr)
        return 1
    path = out / f"draft-{draft.id}.md"
    out.mkdir(parents=True, exist_ok=True)
    path.write_text(draft_entry(draft, clock_for(config)().date()), encoding="utf-8")
    print(path)
    return 0


def draft_entry(draft: KbDraft, today: date) -> str:
    """An entry file from a saved answer: the question as title and alias, the answer as
    its steps; what a curator must fill in is marked TODO, so `kb check` refuses it
    until they do."""
    slug = re.sub(r"[^a-z0-9]+", "-", fold(draft.question)).strip("-")[:60] or "cau-hoi"
    question = draft.question.replace('"', "'")
    return f"""+++
# Draft {draft.id} from hotline ticket {draft.ticket_id}, answered by {draft.author}.
# TODO for the curator: choose the folder and id, the field, check the answer against
# the legal texts, set verified to the day you did, then move the file into a
# knowledge folder and run `commune-bot kb check`.
id = "TODO/{slug}"
kind = "guidance"
title = "{question}"
field = "TODO"
levels = ["xa"]
verified = {today.isoformat()}
aliases = ["{question}"]
+++

## Trình tự thực hiện
{draft.answer}

## Căn cứ pháp lý
- TODO
"""
