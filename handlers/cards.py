"""Answer cards: an entry shown with the part asked first, as a channel-independent Reply."""

from __future__ import annotations

import re

from handlers import callbacks
from handlers.model import Block, Button, Reply, Style
from handlers.texts import Texts
from knowledge.entry import ChannelTerms, Entry, Kind, Origin, Section

FACET_BUTTONS = (
    Section.DOCUMENTS,
    Section.STEPS,
    Section.TIME,
    Section.FEE,
    Section.WHERE,
    Section.LEGAL,
)
SHORT_LEGAL_REFS = 4
BULLET = re.compile(r"^(\s*)[-*] ", re.MULTILINE)


def default_section(entry: Entry) -> Section:
    """What to show when the question names no part: who handles a matter the commune does
    not decide, else what to bring, or how to do it."""
    if entry.kind is Kind.REDIRECT:
        return Section.WHERE
    if entry.kind is Kind.GUIDANCE or not entry.section(Section.DOCUMENTS):
        return Section.STEPS
    return Section.DOCUMENTS


def answer_card(
    entry: Entry,
    section: Section | None,
    question_id: int,
    texts: Texts,
    *,
    ask_support: bool = False,
) -> Reply:
    """The card for `entry`; `ask_support` adds a button to take the question to the team."""
    shown = section if section and _has(entry, section) else default_section(entry)
    blocks = [Block(entry.title, Style.TITLE)]
    if entry.code:
        blocks.append(Block(texts("card_code", code=entry.code), Style.NOTE))
    blocks.append(Block(texts(f"section_{shown.value}"), Style.HEADING))
    blocks.extend(Block(text) for text in section_texts(entry, shown, texts))
    if shown is Section.DOCUMENTS and entry.channels:
        blocks.append(Block(texts("section_time"), Style.HEADING))
        blocks.append(Block(_time_lines(entry.channels, texts)))
    if shown is not Section.LEGAL and entry.legal_refs:
        refs = ", ".join(entry.legal_refs[:SHORT_LEGAL_REFS])
        blocks.append(Block(texts("card_legal_short", refs=refs), Style.NOTE))
    verified = entry.verified.strftime("%d/%m/%Y")
    blocks.append(Block(texts("card_verified", date=verified), Style.NOTE))
    if entry.origin is Origin.IMPORTED:
        blocks.append(Block(texts("card_imported"), Style.NOTE))
    buttons = _buttons(entry, shown, question_id, texts)
    if ask_support:
        support = callbacks.pack(callbacks.AskSupport(question_id))
        buttons = (*buttons, (Button(texts("button_ask_support"), support),))
    return Reply(tuple(blocks), buttons)


def section_texts(entry: Entry, section: Section, texts: Texts) -> list[str]:
    """The paragraphs of one section, with the structured time or fee table first."""
    parts = []
    if section is Section.TIME and entry.channels:
        parts.append(_time_lines(entry.channels, texts))
    if section is Section.FEE and entry.channels:
        parts.append(
            "\n".join(
                texts("fee_line", channel=texts(f"channel_{t.channel.value}"), fee=t.fee)
                for t in entry.channels
            )
        )
    body = entry.section(section)
    if body:
        parts.extend(p.strip() for p in BULLET.sub(r"\1• ", body).split("\n\n") if p.strip())
    return parts or [texts("card_section_missing")]


def _has(entry: Entry, section: Section) -> bool:
    structured = section in (Section.TIME, Section.FEE) and bool(entry.channels)
    return structured or bool(entry.section(section))


def _time_lines(channels: tuple[ChannelTerms, ...], texts: Texts) -> str:
    lines = []
    for terms in channels:
        if terms.time is None:
            value = texts("time_unknown")
        else:
            number = f"{terms.time:g}".replace(".", ",")
            value = texts("time_value", value=number, unit=texts(f"unit_{terms.unit.value}"))
        note = f" ({terms.note})" if terms.note else ""
        channel = texts(f"channel_{terms.channel.value}")
        lines.append(texts("time_line", channel=channel, time=value, note=note))
    return "\n".join(lines)


def _buttons(
    entry: Entry, shown: Section, question_id: int, texts: Texts
) -> tuple[tuple[Button, ...], ...]:
    others = [
        Button(texts(f"button_{s.value}"), callbacks.pack(callbacks.ShowSection(question_id, s)))
        for s in FACET_BUTTONS
        if s is not shown and _has(entry, s)
    ]
    rows = [tuple(others[i : i + 3]) for i in range(0, len(others), 3)]
    rows.append(
        (
            Button(texts("button_feedback_up"),
                   callbacks.pack(callbacks.Feedback(question_id, useful=True))),
            Button(texts("button_feedback_down"),
                   callbacks.pack(callbacks.Feedback(question_id, useful=False))),
        )
    )
    return tuple(rows)
