"""Answer benchmark: how first messages fit a phone, and how follow-ups are understood.

Run from the project root:

    .venv/bin/python bench/answers.py [--kb FOLDER…]

Card sizes: every entry of the knowledge base (plus the folders given, such as imported
portal records, which the follow-ups are then measured with too), as the card opens for
a general question and on each section.
Follow-ups: after each curated procedure's card, each everyday follow-up phrasing must
open that entry on the part asked; after the birth-registration card, questions about
other matters must not be taken for follow-ups. Set A is the phrasing the follow-up
rules were written against; set B was written after them (its misses have been looked
at since, so it is no longer blind).
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from collections import Counter
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.app import App, open_app
from bot.config import load_config
from handlers.cards import CARD_LIMIT, CardOptions, Cards
from handlers.model import Address, Incoming, Reply, Sender, Style
from handlers.texts import Texts
from knowledge.base import bundled_entries_path, load_knowledge_base
from knowledge.entry import Kind, Origin, Section

SET_A = {
    Section.FEE: ("thế lệ phí bao nhiêu?", "mất bao nhiêu tiền", "có mất phí không",
                  "le phi bao nhieu", "tốn bao nhiêu tiền vậy em"),
    Section.TIME: ("mất mấy ngày", "bao lâu thì có", "mat may ngay",
                   "thời hạn giải quyết bao lâu", "bao giờ có kết quả"),
    Section.WHERE: ("nộp ở đâu", "nop o dau", "làm ở đâu vậy", "nộp hồ sơ chỗ nào"),
    Section.DOCUMENTS: ("cần mang gì", "cần giấy tờ gì", "can giay to gi", "hồ sơ gồm những gì",
                        "cần chuẩn bị gì"),
    Section.LEGAL: ("căn cứ pháp lý là gì", "theo nghị định nào"),
    Section.STEPS: ("các bước thế nào", "làm như thế nào"),
}
SET_B = {
    Section.FEE: ("phí thế nào", "lệ phí hết bao nhiêu", "có thu tiền không ạ", "miễn phí không",
                  "phải đóng bao nhiêu tiền", "phi bao nhieu vay"),
    Section.TIME: ("bao lâu xong", "mấy hôm thì có", "trong bao lâu", "mất bao lâu vậy",
                   "khi nào có", "bao lau"),
    Section.WHERE: ("đi đâu làm", "nộp tại đâu", "ở đâu giải quyết", "lam o dau"),
    Section.DOCUMENTS: ("mang theo những gì", "giấy tờ cần những gì", "hồ sơ cần gì",
                        "chuẩn bị giấy tờ gì", "cần những giấy gì ạ"),
    Section.LEGAL: ("căn cứ nào", "luật nào quy định"),
    Section.STEPS: ("trình tự ra sao", "quy trình thế nào"),
}
OTHER_MATTERS = (
    "xe máy đăng ký ở đâu", "nấu phở thế nào", "thời tiết thế nào", "giá vàng hôm nay bao nhiêu",
    "lương tháng này bao nhiêu tiền", "học phí bao nhiêu", "vé xe buýt bao nhiêu tiền",
    "bệnh viện ở đâu", "đi chợ ở đâu", "mua bảo hiểm xe máy ở đâu", "sửa điện thoại mất mấy ngày",
    "tiền điện bao nhiêu", "đổi bằng lái xe ở đâu", "phí gửi xe bao nhiêu",
    "đăng kiểm ô tô mất bao lâu", "cưới vợ cần chuẩn bị gì",
)
NOW = datetime(2026, 12, 1, 9, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
HEADINGS = {section: Texts.load(None)(f"section_{section}") for section in Section}


def card_sizes(folders: list[Path]) -> None:
    base = load_knowledge_base([bundled_entries_path(), *folders])
    cards = Cards(Texts.load(None), base.get)
    sizes = [
        len(cards.answer(entry, section, 1, CardOptions(ask_support=True)).plain_text)
        for entry in base.entries for section in (None, *Section)
    ]
    over = sum(size > CARD_LIMIT for size in sizes)
    print(f"cards: {len(base.entries)} entries, {len(sizes)} first messages, "
          f"longest {max(sizes)} characters, {over} over {CARD_LIMIT}")


async def follow_ups(folders: list[Path]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "config.toml"
        listed = ", ".join(f'"{f.resolve()}"' for f in folders)
        path.write_text(f'[storage]\npath = "bench.sqlite3"\n[knowledge]\nfolders = [{listed}]\n',
                        encoding="utf-8")
        async with open_app(load_config(path, environ={}), clock=lambda: NOW) as app:
            for name, phrasing in (("A", SET_A), ("B", SET_B)):
                await _score(app, name, phrasing)
            taken = 0
            for n, question in enumerate(OTHER_MATTERS):
                sender = Sender("bench", f"other-{n}")
                await _say(app, sender, "đăng ký khai sinh")
                taken += (await _say(app, sender, question)).blocks[0].text == "Đăng ký khai sinh"
            print(f"other matters taken for follow-ups: {taken}/{len(OTHER_MATTERS)}")


async def _score(app: App, name: str, phrasing: dict[Section, tuple[str, ...]]) -> None:
    right: Counter[Section] = Counter()
    asked: Counter[Section] = Counter()
    procedures = [e for e in app.ctx.knowledge.entries
                  if e.kind is Kind.PROCEDURE and e.origin is Origin.CURATED]
    for n, entry in enumerate(procedures):
        sender = Sender("bench", f"{name}-{n}")
        for section, questions in phrasing.items():
            for question in questions:
                await _say(app, sender, entry.title)  # the card the follow-up is about
                reply = await _say(app, sender, question)
                heading = next((b.text for b in reply.blocks if b.style is Style.HEADING), "")
                asked[section] += 1
                right[section] += (reply.blocks[0].text, heading) == (entry.title,
                                                                      HEADINGS[section])
    parts = ", ".join(f"{s} {right[s]}/{asked[s]}" for s in phrasing)
    total = sum(right.values()) / sum(asked.values())
    print(f"follow-ups, set {name} ({len(procedures)} procedures): {total:.1%} ({parts})")


async def _say(app: App, sender: Sender, text: str) -> Reply:
    said = Incoming(sender, Address(sender.channel, sender.id), text=text)
    (reply,) = await app.dispatcher.handle(said)
    assert isinstance(reply, Reply)
    return reply


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kb", type=Path, action="append", default=[], metavar="FOLDER",
                        help="also load this entry folder (e.g. imported portal records)")
    args = parser.parse_args()
    card_sizes(args.kb)
    asyncio.run(follow_ups(args.kb))


if __name__ == "__main__":
    main()
