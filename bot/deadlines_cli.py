"""`commune-bot deadlines import|list|report`: deadline files into the database, and
what the database knows about them. The running bot picks changes up at its next sweep."""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import sys
from pathlib import Path

from bot.app import clock_for, reminder_settings
from bot.config import Config
from bot.storage import Storage
from handlers.deadlines.progress import current_occurrence, progress
from handlers.deadlines.schedule import occurrence_key
from handlers.deadlines.settings import ReminderSettings
from handlers.deadlines.spec import DeadlineFileError, Known, parse_file


def add_commands(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    deadlines = commands.add_parser("deadlines", parents=[common],
                                    help="deadline files, reminders and reports")
    sub = deadlines.add_subparsers(title="deadlines commands", metavar="DEADLINES_COMMAND",
                                   required=True)
    importing = sub.add_parser("import", parents=[common],
                               help="add or update the deadlines of a file (by id)")
    importing.add_argument("file", type=Path, metavar="FILE")
    importing.add_argument("--prune", action="store_true",
                           help="delete deadlines this file imported before and no longer has")
    importing.set_defaults(handler=cmd_import)
    listing = sub.add_parser("list", parents=[common],
                             help="each deadline with its next due time and confirmations")
    listing.add_argument("--json", action="store_true", help="one JSON object per deadline")
    listing.set_defaults(handler=cmd_list)
    report = sub.add_parser("report", parents=[common], help="completion per unit")
    report.add_argument("id", metavar="ID")
    report.add_argument("--csv", action="store_true", help="CSV on stdout")
    report.set_defaults(handler=cmd_report)


def cmd_import(args: argparse.Namespace, config: Config) -> int:
    settings = reminder_settings(config)
    try:
        text = args.file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        print(f"{args.file}: cannot read the file ({err})", file=sys.stderr)
        return 1
    try:
        specs = parse_file(text, str(args.file), settings.remind,
                           Known(settings.units, settings.positions, tuple(settings.teams)))
    except DeadlineFileError as err:
        for problem in err.problems:
            print(problem, file=sys.stderr)
        print(f"error: {len(err.problems)} problems; nothing imported", file=sys.stderr)
        return 1
    now = clock_for(config)()

    async def save() -> None:
        storage = await Storage.open(config.database_path)
        try:
            result = await storage.deadlines.save(specs, args.file.name, now, args.prune)
        finally:
            await storage.close()
        for deadline_id in result.missing:
            verb = "removed" if args.prune else "kept; --prune removes it"
            print(f'{args.file}: deadline "{deadline_id}" is no longer in the file ({verb})',
                  file=sys.stderr)
        print(f"{args.file}: {len(result.added)} added, {len(result.updated)} updated, "
              f"{len(result.unchanged)} unchanged, {len(result.pruned)} removed",
              file=sys.stderr)

    asyncio.run(save())
    return 0


async def _rows(config: Config, settings: ReminderSettings) -> list[dict[str, object]]:
    now = clock_for(config)()
    storage = await Storage.open(config.database_path)
    try:
        deadlines = await storage.deadlines.all()
        officials = await storage.deadlines.officials()
        confirmations = await storage.deadlines.confirmations("")
    finally:
        await storage.close()
    rows = []
    for stored in deadlines:
        spec = stored.spec
        due = current_occurrence(spec, now, settings)
        units = [] if due is None else progress(spec, stored.num, due, officials,
                                                 confirmations, settings.units)
        rows.append({"id": spec.id, "title": spec.title,
                     "due": due.isoformat() if due else None,
                     "occurrence": occurrence_key(due) if due else "",
                     "recurrence": spec.recurrence, "units": len(units),
                     "confirmed": sum(u.complete for u in units), "origin": stored.origin,
                     "progress": units})
    return rows


def cmd_list(args: argparse.Namespace, config: Config) -> int:
    for row in asyncio.run(_rows(config, reminder_settings(config))):
        row.pop("progress")
        row.pop("occurrence")
        if args.json:
            print(json.dumps(row, ensure_ascii=False))
        else:
            print(f"{row['id']}\t{row['due'] or '-'}\t{row['confirmed']}/{row['units']} "
                  f"confirmed\t{row['title']}")
    return 0


def cmd_report(args: argparse.Namespace, config: Config) -> int:
    rows = [r for r in asyncio.run(_rows(config, reminder_settings(config)))
            if r["id"] == args.id]
    if not rows:
        print(f'error: no deadline "{args.id}" (commune-bot deadlines list shows them)',
              file=sys.stderr)
        return 1
    (row,) = rows
    writer = csv.writer(sys.stdout) if args.csv else csv.writer(sys.stdout, delimiter="\t")
    writer.writerow(["deadline", "occurrence", "unit", "people", "people_confirmed",
                     "confirmed", "confirmed_at"])
    for unit in row["progress"]:  # type: ignore[attr-defined]
        done = unit.done.done_at.astimezone(clock_for(config)().tzinfo).isoformat(
            timespec="minutes") if unit.done else ""
        writer.writerow([row["id"], row["occurrence"], unit.unit, unit.people,
                         unit.people_done, "yes" if unit.complete else "no", done])
    return 0

