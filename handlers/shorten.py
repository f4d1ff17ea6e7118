"""Text shortened to fit a phone screen: lines kept whole while they fit, then list items
cut to their first sentence, then the rest cut at a word, never in a way that leaves
Markdown markers or an open parenthesis behind."""

from __future__ import annotations

import re

SHORT_LABEL = 32  # characters of a button label (phones show about 40)
MIN_CUT = 60  # characters worth showing of a line cut short
ELLIPSIS = "…"
SENTENCE_END = re.compile(r"[.;](?=\s)")
LIST_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s")
LIST_MARKER = re.compile(r"\s*(?:\*\*)?(?:[-*•]|\d+[.)]|[A-ZĐ][.)])?\s*")
WARNING = re.compile(r"\s*(?:\*\*)?(?:Lưu ý|Chú ý|Không được|Cảnh báo)\b")


def fit(lines: list[str], room: int | None) -> tuple[list[str], bool]:
    """`lines` as they fit in `room` characters (all when None), and whether that is
    all they say. When they do not fit, each line is shortened to its first sentence
    (a list of documents still names each document), and the list is cut after the
    last that fits; a first line too long is cut at a word, with "…"."""
    if room is None or length(lines) <= room:
        return lines, True
    fitted = [compact(line) for line in lines]
    for i, line in enumerate(lines):  # the first lines whole, as far as room allows
        if length([*fitted[:i], line, *fitted[i + 1 :]]) <= room:
            fitted[i] = line
    return head(fitted, room), False


def fit_with_warnings(lines: list[str], room: int | None) -> tuple[list[str], bool]:
    """Like `fit`, but a warning ("Lưu ý: …", "Không được: …") cut off at the end of a
    long section is still shown, shortened, after what fits."""
    kept, whole = fit(lines, room)
    if whole or room is None:
        return kept, whole
    missing = [compact(line) for line in lines if WARNING.match(line) and line not in kept]
    if not missing:
        return kept, whole
    warnings = head(missing, room // 2)
    rest, _ = fit([line for line in lines if not WARNING.match(line)],
                   room - length(warnings) - 1)
    return [*rest, *warnings], False


def compact(line: str) -> str:
    """The first sentence of a list item (after its marker); other lines as they are."""
    if not LIST_ITEM.match(line):
        return line
    marker = LIST_MARKER.match(line)
    return first_sentence(line, marker.end() if marker else 0)


def first_sentence(text: str, start: int = 0) -> str:
    """`text` up to the end of its first sentence at or after `start` ("…" when that is a
    semicolon: the rest of the sentence is left out)."""
    match = SENTENCE_END.search(text, start)
    if match is None:
        return text
    end = match.start() + 1
    return text[:end] if text[end - 1] == "." else _closed(text[: end - 1]) + ELLIPSIS


def length(lines: list[str]) -> int:
    return sum(len(line) + 1 for line in lines) - 1


def head(lines: list[str], room: int) -> list[str]:
    """The first lines that fit in `room`; the line that does not is cut at a word when
    enough room is left for a useful beginning, else replaced by "…"."""
    kept: list[str] = []
    for n, line in enumerate(lines, 1):
        left = room - length([*kept, ""]) if kept else room
        # Room for a closing "\n…" stays free while lines remain after this one.
        if len(line) + (0 if n == len(lines) else 2) <= left:
            kept.append(line)
            continue
        if left > MIN_CUT:
            kept.append(_closed(line[: left - 1].rsplit(" ", 1)[0]) + ELLIPSIS)
        elif kept and left >= 1:
            while kept and not kept[-1]:  # no blank line before the "…"
                kept.pop()
            kept.append(ELLIPSIS)
        break
    return kept


def _closed(cut: str) -> str:
    """`cut` without a parenthesis it opens and does not close, a bold span it does not
    end, or trailing punctuation."""
    if cut.count("(") > cut.count(")"):
        cut = cut[: cut.rindex("(")]
    if cut.count("**") % 2:
        cut = cut.replace("**", "")
    return cut.rstrip(" ,;:–-")


def short_label(title: str, limit: int = SHORT_LABEL) -> str:
    """`title` cut at a word to fit a button on a phone (about 40 characters show)."""
    if len(title) <= limit:
        return title
    return title[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:–-") + ELLIPSIS
