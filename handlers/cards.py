"""Answer cards: an entry shown for a phone, as a channel-independent Reply.

The first message of an answer fits one phone screen (CARD_LIMIT characters): the
title, the part asked (or, for a general question, a summary: where, how long, how
much, how many documents), and the entry's conditions. Every other section is one
button away; a section shown whole gets no button.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from handlers import callbacks
from handlers.button_codec import pack
from handlers.model import Block, Button, Reply, Style
from handlers.shorten import LIST_ITEM, first_sentence, fit, fit_with_warnings, head, short_label
from handlers.texts import Texts
from knowledge.entry import ChannelTerms, Entry, Kind, Origin, Section

CARD_LIMIT = 700
REMEMBERED_CARDS = 4096
SECTION_BUTTONS = (
    Section.DOCUMENTS,
    Section.STEPS,
    Section.TIME,
    Section.FEE,
    Section.WHERE,
    Section.RESULT,
    Section.CONDITIONS,
    Section.LEGAL,
    Section.NOTES,
)
BUTTONS_PER_ROW = 3
SHORT_LEGAL_REFS = 3
SUMMARY_WHERE_CHARS = 160
TITLE_LIMIT = 200
CONDITIONS_SHARE = 0.4  # of what is left for the body, at most, in a card that shows them
BULLET = re.compile(r"^(\s*)[-*] ", re.MULTILINE)
# An entry id as entry files cite their neighbours: "(ho-tich/lien-thong-khai-sinh)".
ENTRY_ID = re.compile(r"(?<![\w./])\(?([a-z0-9]+(?:-[a-z0-9]+)*/[a-z0-9]+(?:-[a-z0-9]+)*)\)?")

EntryLookup = Callable[[str], Entry | None]


@dataclass(frozen=True)
class CardOptions:
    """How one card is shown, beyond the entry and the part asked."""

    ask_support: bool = False  # a button to take the question to the support team
    disclaimer: bool = True  # the note on when the facts were checked (once per conversation)
    focus: tuple[str, ...] = ()  # the lines of the part asked that answer the question
    full: bool = False  # a section asked for by button: whole, not cut to one screen
    # A close neighbour offered as "Hay ý anh/chị là …": its index among the logged
    # question's candidates, and its title.
    alternative: tuple[int, str] | None = None
    # The part asked, when the entry has no section for it, as lines of another section
    # say it (a redirect's fee, in its notes).
    elsewhere: tuple[Section, tuple[str, ...]] | None = None


def default_section(entry: Entry) -> Section:
    """What to show when the question names no part: who handles a matter the commune does
    not decide, else what to bring, or how to do it."""
    if entry.kind is Kind.REDIRECT:
        return Section.WHERE
    if entry.kind is Kind.GUIDANCE or not entry.section(Section.DOCUMENTS):
        return Section.STEPS
    return Section.DOCUMENTS


class Cards:
    """Answer cards for one knowledge base and one set of texts.

    What a card says depends on the entry, the part asked and the options, never on the
    question, and the knowledge base does not change while the bot runs: the text of a
    card is built once and remembered. Only the buttons, which carry the question's id,
    are made for each answer.
    """

    def __init__(self, texts: Texts, lookup: EntryLookup, size: int = REMEMBERED_CARDS) -> None:
        self._texts = texts
        self._lookup = lookup
        self._remembered = lru_cache(maxsize=size)(self._content_of)

    def answer(
        self,
        entry: Entry,
        section: Section | None,
        question_id: int,
        options: CardOptions = CardOptions(),
    ) -> Reply:
        """The card for `entry`, opening on `section` when it has one, else on a summary."""
        if self._lookup(entry.id) is entry:
            blocks, shown = self._remembered(entry.id, section, options)
        else:  # not one of the knowledge base's entries: nothing to remember it by
            blocks, shown = _card_content(entry, section, self._texts, self._lookup, options)
        return Reply(blocks, _buttons(entry, shown, question_id, self._texts, options))

    def _content_of(
        self, entry_id: str, section: Section | None, options: CardOptions
    ) -> tuple[tuple[Block, ...], frozenset[Section]]:
        entry = self._lookup(entry_id)
        assert entry is not None
        return _card_content(entry, section, self._texts, self._lookup, options)


def _card_content(
    entry: Entry,
    section: Section | None,
    texts: Texts,
    lookup: EntryLookup,
    options: CardOptions,
) -> tuple[tuple[Block, ...], frozenset[Section]]:
    """A card's blocks, and the sections they show whole (which get no button)."""
    asked = section if section and has_section(entry, section) else None
    # Some portal titles run to hundreds of characters: the card shows their beginning.
    top = [Block(head([entry.title], TITLE_LIMIT)[0], Style.TITLE)]
    if entry.code:
        top.append(Block(texts("card_code", code=entry.code), Style.NOTE))
    tail = _notes(entry, asked, texts, options)
    budget = None if options.full else CARD_LIMIT - _size(top + tail)
    body, shown = _body(entry, asked, texts, lookup, options, budget)
    return tuple(top + body + tail), frozenset(shown)


def has_section(entry: Entry, section: Section) -> bool:
    structured = section in (Section.TIME, Section.FEE) and bool(entry.channels)
    return structured or bool(entry.section(section))


def section_lines(entry: Entry, section: Section, texts: Texts, lookup: EntryLookup) -> list[str]:
    """The lines of one section as a person reads them: lists with bullets, the
    structured time or fee table first, neighbours cited by title rather than by id."""
    lines = []
    if section is Section.TIME and entry.channels:
        lines.extend(time_lines(entry.channels, texts, notes=not entry.section(section)))
    if section is Section.FEE and entry.channels:
        lines.extend(fee_lines(entry.channels, texts))
    body = _cite_titles(BULLET.sub(r"\1• ", entry.section(section)), lookup)
    lines.extend(line.rstrip() for line in body.strip().splitlines())
    return lines or [texts("card_section_missing")]


def time_lines(channels: Sequence[ChannelTerms], texts: Texts, *, notes: bool) -> list[str]:
    """One line per distinct time limit with the ways of filing it applies to (the same
    limit is never listed twice), then each channel's note once when `notes`."""
    groups: dict[str, list[str]] = {}
    for terms in channels:
        groups.setdefault(_time_value(terms, texts), []).append(_channel(terms, texts))
    if len(groups) == 1 and len(channels) > 1:
        (value,) = groups
        lines = [texts("time_line_all", time=value)]
    else:
        lines = [texts("time_line", channel=", ".join(c), time=v) for v, c in groups.items()]
    if notes:
        lines.extend(f"• {note}" for note in dict.fromkeys(t.note for t in channels if t.note))
    return lines


def fee_lines(channels: Sequence[ChannelTerms], texts: Texts) -> list[str]:
    groups: dict[str, list[str]] = {}
    for terms in channels:
        groups.setdefault(terms.fee, []).append(_channel(terms, texts))
    if len(groups) == 1 and len(channels) > 1:
        return [texts("fee_line_all", fee=next(iter(groups)))]
    return [texts("fee_line", channel=", ".join(c), fee=fee) for fee, c in groups.items()]


def _body(
    entry: Entry,
    asked: Section | None,
    texts: Texts,
    lookup: EntryLookup,
    options: CardOptions,
    budget: int | None,
) -> tuple[list[Block], set[Section]]:
    """The blocks between the title and the notes, and the sections they show whole.

    The part asked (or the summary) comes first; what another section says of it and the
    conditions follow in what room is left, at least CONDITIONS_SHARE of it when the part
    asked is long.
    """
    main: Section | None = None
    if asked is None and entry.kind is Kind.PROCEDURE:
        heading = Block(texts("card_summary_heading"), Style.HEADING)
        lines = _summary(entry, texts, lookup)
    else:
        main = asked or default_section(entry)
        redirect = entry.kind is Kind.REDIRECT and main is Section.WHERE
        heading = Block(texts("card_redirect_heading" if redirect else f"section_{main}"),
                        Style.HEADING)
        lines = section_lines(entry, main, texts, lookup)
    focused = [line for line in lines if line in options.focus] or lines
    after: list[tuple[Section, list[str]]] = []  # shown after the main part, as room allows
    if options.elsewhere is not None:
        after.append((options.elsewhere[0], list(options.elsewhere[1])))
    if main is not Section.CONDITIONS and has_section(entry, Section.CONDITIONS):
        after.append((Section.CONDITIONS, section_lines(entry, Section.CONDITIONS, texts, lookup)))
    room = None
    if budget is not None:
        wanted = sum(_size([Block(texts(f"section_{s}")), Block("\n".join(ls))]) for s, ls in after)
        room = budget - _size([heading]) - min(wanted, int(budget * CONDITIONS_SHARE)) - 2
    kept, whole = fit_with_warnings(focused, room)
    blocks = [heading, Block("\n".join(kept), Style.MARKDOWN)]
    shown = {main} if main and whole and focused is lines else set()
    for section, part in after:
        part_heading = Block(texts(f"section_{section}"), Style.HEADING)
        room = None if budget is None else budget - _size([*blocks, part_heading]) - 2
        kept, whole = fit(part, room)
        if kept:
            blocks += [part_heading, Block("\n".join(kept), Style.MARKDOWN)]
            if whole and section is Section.CONDITIONS:
                shown.add(section)
    return blocks, shown


def _summary(entry: Entry, texts: Texts, lookup: EntryLookup) -> list[str]:
    """Where to file, how long, how much, how many documents: one line each."""
    lines = []
    where = first_sentence(entry.section(Section.WHERE).strip().split("\n")[0])
    where = where or entry.agency
    if where:
        (where, *_) = head([_cite_titles(where, lookup)], SUMMARY_WHERE_CHARS)
        lines.append(texts("summary_where", where=where))
    if entry.channels:
        times = [line.removeprefix("• ") for line in time_lines(entry.channels, texts,
                                                              notes=False)]
        lines.append(texts("summary_time", time="; ".join(times)))
        fees = [line.removeprefix("• ") for line in fee_lines(entry.channels, texts)]
        lines.append(texts("summary_fee", fee="; ".join(fees)))
    documents = sum(  # top-level items: the sub-items of a document are part of it
        1 for line in entry.section(Section.DOCUMENTS).splitlines()
        if LIST_ITEM.match(line) and not line[:1].isspace()
    )
    if documents:
        lines.append(texts("summary_documents", count=documents))
    return lines


def _notes(
    entry: Entry, asked: Section | None, texts: Texts, options: CardOptions
) -> list[Block]:
    notes = []
    if asked is not Section.LEGAL and entry.legal_refs and not options.full:
        refs = ", ".join(entry.legal_refs[:SHORT_LEGAL_REFS])
        notes.append(Block(texts("card_legal_short", refs=refs), Style.NOTE))
    if options.disclaimer:
        verified = entry.verified.strftime("%d/%m/%Y")
        notes.append(Block(texts("card_verified", date=verified), Style.NOTE))
    if entry.origin is Origin.IMPORTED:
        notes.append(Block(texts("card_imported"), Style.NOTE))
    if options.alternative is not None:
        notes.append(Block(texts("also_meant", title=options.alternative[1])))
    return notes


def _buttons(
    entry: Entry, shown: frozenset[Section], question_id: int, texts: Texts,
    options: CardOptions,
) -> tuple[tuple[Button, ...], ...]:
    sections = [
        Button(texts(f"button_{s.value}"), pack(callbacks.ShowSection(question_id, s)))
        for s in SECTION_BUTTONS
        if s not in shown and has_section(entry, s)
    ]
    rows = [tuple(sections[i : i + BUTTONS_PER_ROW])
            for i in range(0, len(sections), BUTTONS_PER_ROW)]
    if options.alternative is not None:
        index, title = options.alternative
        pick = pack(callbacks.PickSuggestion(question_id, index))
        rows.insert(0, (Button(texts("button_also_meant", label=short_label(title)), pick),))
    # A procedure's (or a redirect's) source is its own portal record; guidance cites
    # records only as examples, which would mislead as "the" record.
    if entry.source_urls and entry.kind is not Kind.GUIDANCE:
        rows.append((Button(texts("button_portal"), url=entry.source_urls[0]),))
    rows.append(
        (
            Button(texts("button_feedback_up"),
                   pack(callbacks.Feedback(question_id, useful=True))),
            Button(texts("button_feedback_down"),
                   pack(callbacks.Feedback(question_id, useful=False))),
        )
    )
    if options.ask_support:
        support = pack(callbacks.AskSupport(question_id))
        rows.append((Button(texts("button_ask_support"), support),))
    return tuple(rows)


def _cite_titles(text: str, lookup: EntryLookup) -> str:
    """Entry ids cited in `text` replaced by the titles people know them by."""

    def title(match: re.Match[str]) -> str:
        cited = lookup(match.group(1))
        return f"“{cited.title}”" if cited else match.group(0)

    return ENTRY_ID.sub(title, text)


def _time_value(terms: ChannelTerms, texts: Texts) -> str:
    if terms.time is None:
        return texts("time_unknown")
    number = f"{terms.time:g}".replace(".", ",")
    return texts("time_value", value=number, unit=texts(f"unit_{terms.unit.value}"))


def _channel(terms: ChannelTerms, texts: Texts) -> str:
    return texts(f"channel_{terms.channel.value}")


def _size(blocks: Sequence[Block]) -> int:
    """Characters `blocks` take in a message, paragraph breaks included."""
    return sum(len(block.plain) + 2 for block in blocks)

