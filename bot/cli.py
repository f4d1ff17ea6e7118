"""Command line: `commune-bot COMMAND`. Every command takes --config FILE."""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from bot import deadlines_cli
from bot.app import clock_for, knowledge_folders
from bot.config import Config, ConfigError, find_config, load_config
from bot.storage import Storage, StorageError
from handlers.ports import QuestionCount
from knowledge.base import BrokenKnowledgeBase, KnowledgeBase, load_knowledge_base
from knowledge.cache import load_indexed
from knowledge.catalogue import load_catalogue
from knowledge.checker import check_loaded
from knowledge.entry import Level
from knowledge.examples import EXAMPLES_PATH
from knowledge.importers import output
from knowledge.importers.dichvucong import ImportReport, import_file
from knowledge.loader import load_folders
from knowledge.search import SearchResult
from knowledge.writer import render_entry


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "handler"):
        parser.print_help()
        return 2
    try:
        config = load_config(find_config(getattr(args, "config", None)))
        return int(args.handler(args, config) or 0)
    except (ConfigError, StorageError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except BrokenKnowledgeBase as err:
        print(err, file=sys.stderr)  # one located line per file: path:line: error: …
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`commune-bot kb list | head`): stop quietly, like other tools.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config", type=Path, default=argparse.SUPPRESS, metavar="FILE",
        help="configuration file (default: ./config.toml when present, else embedded defaults)",
    )
    parser = argparse.ArgumentParser(
        prog="commune-bot", parents=[common],
        description="Assistant for commune officials: answers on administrative procedures, "
        "a support hotline and deadline reminders.",
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    run = commands.add_parser(
        "run", parents=[common], help="start the configured channel (terminal chat without a token)"
    )
    run.set_defaults(handler=cmd_run)
    chat = commands.add_parser("chat", parents=[common], help="chat with the bot in this terminal")
    chat.add_argument("--staff", nargs="?", const="", default=None, metavar="TEAM",
                      help="be the hotline's support team (the first team, or the one "
                      "named) instead of an official, on the same database")
    chat.set_defaults(handler=cmd_chat)

    tickets = commands.add_parser("tickets", parents=[common], help="hotline tickets")
    ticket_commands = tickets.add_subparsers(title="tickets commands", metavar="TICKETS_COMMAND",
                                             required=True)
    export = ticket_commands.add_parser(
        "export", parents=[common], help="one row per ticket, for the periodic reports"
    )
    export.add_argument("--csv", action="store_true", required=True, help="CSV on stdout")
    export.add_argument("--from", dest="start", type=_date, metavar="DATE",
                        help="tickets opened on or after this day (YYYY-MM-DD)")
    export.add_argument("--to", dest="end", type=_date, metavar="DATE",
                        help="tickets opened on or before this day (YYYY-MM-DD)")
    export.set_defaults(handler=cmd_tickets_export)

    search = commands.add_parser(
        "search", parents=[common], help="answer questions read from stdin, one per line"
    )
    search.add_argument("--json", action="store_true", help="one JSON object per question")
    search.add_argument("--kb", type=Path, action="append", metavar="PATH",
                        help="search this knowledge-base folder instead of the configured ones")
    search.add_argument("--cache", type=Path, metavar="DIR",
                        help="keep the built index in DIR and start from it while the "
                        "entries are unchanged")
    search.set_defaults(handler=cmd_search)

    kb = commands.add_parser("kb", parents=[common], help="knowledge-base tools")
    kb_commands = kb.add_subparsers(title="kb commands", metavar="KB_COMMAND", required=True)
    check = kb_commands.add_parser("check", parents=[common], help="validate entry files")
    check.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                       help="folders to check (default: the configured knowledge base)")
    check.set_defaults(handler=cmd_kb_check)
    listing = kb_commands.add_parser("list", parents=[common], help="list entries")
    listing.add_argument("--json", action="store_true", help="one JSON object per entry")
    listing.set_defaults(handler=cmd_kb_list)
    importing = kb_commands.add_parser(
        "import", parents=[common], help="write entries from a published procedure database"
    )
    importing.add_argument("--from", dest="source", required=True, choices=["dichvucong"],
                           help="dichvucong: JSON Lines records of the national public "
                           "service portal")
    importing.add_argument("file", type=Path, metavar="FILE", help="records to import")
    importing.add_argument("--out", type=Path, required=True, metavar="DIR",
                           help="folder receiving one DIR/<id>.md file per entry")
    importing.add_argument("--level", choices=[level.value for level in Level],
                           help="only procedures handled at this level; xa: what a commune "
                           "handles, judged by the agency that acts")
    importing.add_argument("--portal-level", choices=[level.value for level in Level],
                           help="only records the portal tags with this level, as tagged")
    importing.add_argument("--force", action="store_true",
                           help="overwrite files edited since an earlier import")
    importing.add_argument("--verbose", action="store_true",
                           help="list every record problem and every record left out")
    importing.set_defaults(handler=cmd_kb_import)
    stats = kb_commands.add_parser(
        "stats", parents=[common], help="count entries by field, kind and origin"
    )
    stats.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                       help="folders to count (default: the configured knowledge base)")
    stats.add_argument("--json", action="store_true", help="one JSON object")
    stats.set_defaults(handler=cmd_kb_stats)
    feedback = kb_commands.add_parser(
        "feedback", parents=[common],
        help="the answers rated 👎 most often and the questions most often left unanswered",
    )
    feedback.add_argument("--limit", type=int, default=20, metavar="N",
                          help="rows in each list (default 20)")
    feedback.add_argument("--json", action="store_true", help="one JSON object")
    feedback.set_defaults(handler=cmd_kb_feedback)
    drafts = kb_commands.add_parser(
        "drafts", parents=[common],
        help="answers staff saved with /luu; --write ID writes one as an entry file to finish",
    )
    drafts.add_argument("--write", type=int, metavar="ID", help="the draft to write")
    drafts.add_argument("--out", type=Path, default=Path("drafts"), metavar="DIR",
                        help="folder for the file (default ./drafts; not a knowledge folder: "
                        "a curator finishes the entry and moves it)")
    drafts.set_defaults(handler=cmd_kb_drafts)
    zalo = commands.add_parser("zalo", parents=[common], help="Zalo Official Account tools")
    zalo_commands = zalo.add_subparsers(title="zalo commands", metavar="ZALO_COMMAND",
                                        required=True)
    auth = zalo_commands.add_parser(
        "auth", parents=[common], help="store the OA's first token pair (or a new one)"
    )
    grant = auth.add_mutually_exclusive_group(required=True)
    grant.add_argument("--code", metavar="CODE",
                       help="an authorisation code from the OA's permission page")
    grant.add_argument("--refresh-token", metavar="TOKEN",
                       help="a refresh token from the developer console")
    auth.add_argument("--code-verifier", default="", metavar="VERIFIER",
                      help="the PKCE verifier the code was requested with, if any")
    auth.set_defaults(handler=cmd_zalo_auth)
    deadlines_cli.add_commands(commands, common)
    return parser


def cmd_zalo_auth(args: argparse.Namespace, config: Config) -> int:
    from bot.channels.zalo.auth import authorise

    if not config.zalo.app_id:
        print("error: [zalo] app_id is not set", file=sys.stderr)
        return 1
    message, ok = asyncio.run(authorise(config, args.code, args.refresh_token,
                                        args.code_verifier))
    print(message, file=sys.stderr if not ok else sys.stdout)
    return 0 if ok else 1


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date like 2026-12-31: {text!r}") from None


def cmd_run(args: argparse.Namespace, config: Config) -> int:
    from bot.app import run

    return asyncio.run(run(config))


def cmd_chat(args: argparse.Namespace, config: Config) -> int:
    from bot.app import run_console

    return asyncio.run(run_console(config, staff=args.staff))


def cmd_tickets_export(args: argparse.Namespace, config: Config) -> int:
    from bot.hotline_cli import export_csv

    return asyncio.run(export_csv(config, args.start, args.end, sys.stdout))


def cmd_kb_drafts(args: argparse.Namespace, config: Config) -> int:
    from bot.hotline_cli import drafts

    return asyncio.run(drafts(config, args.write, args.out))


def cmd_search(args: argparse.Namespace, config: Config) -> int:
    base, index = load_indexed(knowledge_folders(config, args.kb), args.cache)
    base.require_complete()
    # Questions pasted from Windows files or in a legacy encoding must not stop the run.
    if isinstance(sys.stdin, io.TextIOWrapper):
        sys.stdin.reconfigure(encoding="utf-8", errors="replace")
    for line in sys.stdin:
        query = line.rstrip("\r\n")
        started = time.perf_counter()
        result = index.search(query)
        elapsed_ms = (time.perf_counter() - started) * 1000
        if args.json:
            print(json.dumps(search_record(result, elapsed_ms), ensure_ascii=False), flush=True)
        else:
            answer = result.answer
            print(f"{query}\t{answer.id if answer else '-'}\t{result.intent}", flush=True)
    return 0


def search_record(result: SearchResult, elapsed_ms: float) -> dict[str, object]:
    """The `search --json` contract: keep these keys stable, quality is measured on them."""
    answer = result.answer
    return {
        "query": result.query,
        "answer": answer.id if answer else None,
        "facet": result.facet.value if result.facet else None,
        "candidates": [
            {"id": c.entry.id, "code": c.entry.code, "title": c.entry.title,
             "score": round(c.score, 4)}
            for c in result.candidates[:5]
        ],
        "elapsed_ms": round(elapsed_ms, 3),
    }


def cmd_kb_check(args: argparse.Namespace, config: Config) -> int:
    checking_configured = not args.paths
    folders = knowledge_folders(config, args.paths)
    loaded = load_folders(folders)
    bundled = checking_configured and config.knowledge.include_bundled
    problems = check_loaded(
        loaded,
        folders,
        today=clock_for(config)().date(),
        catalogue=load_catalogue() if bundled else None,
        stale_after_days=config.knowledge.stale_after_days,
        examples=EXAMPLES_PATH if bundled else None,
    )
    for problem in problems:
        print(problem)
    errors = sum(not p.warning for p in problems)
    warnings = len(problems) - errors
    print(f"{len(loaded.entries)} entries checked: {errors} errors, {warnings} warnings",
          file=sys.stderr)
    return 1 if errors else 0


def cmd_kb_list(args: argparse.Namespace, config: Config) -> int:
    base = load_knowledge_base(knowledge_folders(config))
    for entry in sorted(base.entries, key=lambda e: e.id):
        if args.json:
            record = {"id": entry.id, "code": entry.code, "title": entry.title,
                      "kind": entry.kind.value}
            print(json.dumps(record, ensure_ascii=False))
        else:
            print(f"{entry.id}\t{entry.code or '-'}\t{entry.title}")
    return _report_unread(base)


def cmd_kb_import(args: argparse.Namespace, config: Config) -> int:
    level = Level(args.level) if args.level else None
    portal_level = Level(args.portal_level) if args.portal_level else None
    try:
        report = import_file(args.file, verified=clock_for(config)().date(), level=level,
                             portal_level=portal_level)
        files = {f"{entry.id}.md": render_entry(entry) for entry in report.entries}
        plan = output.plan(args.out, files)
        if files and (not plan.edited or args.force):
            output.write(args.out, files)
    except OSError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    if args.verbose:
        for problem in [*report.excluded, *report.problems]:
            print(problem, file=sys.stderr)
    for name in plan.stale:
        print(f"{args.out / name}: stale: an earlier import wrote it, this one did not",
              file=sys.stderr)
    _print_import_summary(args, report, written=0 if plan.edited and not args.force
                          else len(files))
    if plan.edited and not args.force:
        for name in plan.edited:
            print(f"{args.out / name}: edited since it was imported", file=sys.stderr)
        print(f"error: {len(plan.edited)} files in {args.out} were edited since they were "
              "imported; nothing written (--force overwrites them)", file=sys.stderr)
        return 1
    if not files:
        print("error: no entry written", file=sys.stderr)
        return 1
    return 0


def _print_import_summary(args: argparse.Namespace, report: ImportReport, written: int) -> None:
    """The counts, then how many records each kind of problem touched."""
    tag = args.level or args.portal_level
    lines = [f"{report.records} records read"]
    if tag:
        lines.append(f"{report.filtered} not tagged level {tag} by the portal")
    if report.excluded:
        reasons = Counter(p.reason for p in report.excluded)
        lines.append(f"{len(report.excluded)} not handled by a commune ("
                     + ", ".join(f"{r}: {n}" for r, n in reasons.most_common()) + ")")
    skipped = report.skipped()
    reasons = ", ".join(f"{reason}: {count}" for reason, count in skipped.most_common())
    lines.append(f"{written} entries written to {args.out}, {skipped.total()} records skipped"
                 f"{f' ({reasons})' if reasons else ''}, channel table recovered for "
                 f"{report.channel_tables}")
    for line in lines:
        print(line, file=sys.stderr)
    touched = report.touched()
    if touched:
        hint = "" if args.verbose else " (--verbose lists them)"
        print(f"records touched, by problem kind{hint}:", file=sys.stderr)
        for reason, count in sorted(touched.items(), key=lambda pair: (-pair[1], pair[0])):
            print(f"{count:6}  {reason}", file=sys.stderr)


def cmd_kb_stats(args: argparse.Namespace, config: Config) -> int:
    base = load_knowledge_base(knowledge_folders(config, args.paths))
    counts = {
        name: Counter(str(getattr(entry, name)) for entry in base.entries).most_common()
        for name in ("field", "kind", "origin")
    }
    if args.json:
        record = {"entries": len(base.entries)} | {name: dict(c) for name, c in counts.items()}
        print(json.dumps(record, ensure_ascii=False))
    else:
        print(f"{len(base.entries)} entries")
        for name, pairs in counts.items():
            print(f"\nby {name}:")
            for value, count in pairs:
                print(f"{count:6}  {value}")
    return _report_unread(base)


def cmd_kb_feedback(args: argparse.Namespace, config: Config) -> int:
    """What curators should look at first, from the question log of the configured database."""
    if not config.database_path.exists():
        print(f"error: no database at {config.database_path} (nothing logged yet)",
              file=sys.stderr)
        return 1
    disliked, unanswered = asyncio.run(_feedback(config.database_path, max(args.limit, 1)))
    base = load_knowledge_base(knowledge_folders(config))
    if args.json:
        record = {
            "disliked": [
                {"id": row.subject, "title": _title(base, row.subject), "times": row.times,
                 "reasons": dict(Counter(row.reasons)), "example": row.example}
                for row in disliked
            ],
            "unanswered": [
                {"question": row.example, "folded": row.subject, "times": row.times}
                for row in unanswered
            ],
        }
        print(json.dumps(record, ensure_ascii=False))
        return 0
    print("answers rated 👎 most often:")
    for row in disliked:
        reasons = ", ".join(f"{reason} {n}" for reason, n in Counter(row.reasons).most_common())
        print(f"{row.times:6}  {row.subject}  {_title(base, row.subject)}"
              + (f"  ({reasons})" if reasons else "") + f"  e.g. “{row.example}”")
    print("\nquestions most often left unanswered (suggestions or “I do not know”):")
    for row in unanswered:
        print(f"{row.times:6}  {row.example}")
    return 0


async def _feedback(path: Path, limit: int) -> tuple[list[QuestionCount], list[QuestionCount]]:
    storage = await Storage.open(path)
    try:
        return (await storage.questions.most_disliked(limit),
                await storage.questions.most_unanswered(limit))
    finally:
        await storage.close()


def _title(base: KnowledgeBase, entry_id: str) -> str:
    entry = base.get(entry_id)
    return entry.title if entry else "(no longer in the knowledge base)"


def _report_unread(base: KnowledgeBase) -> int:
    """Name the files a listing had to leave out; exit code 1 if there were any."""
    for problem in base.problems:
        print(problem, file=sys.stderr)
    return 1 if base.problems else 0
