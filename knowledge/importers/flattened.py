"""Recovers the tables that the portal crawler flattened into plain text.

The crawler joined table cells without any separator, so the row
"Trực tuyến | 1 | Miễn phí" became "Trực tuyến1Miễn phí". Each function here undoes
one such table by leaning on the fixed vocabulary the portal fills cells with:
channel names, time units, currency words, "N bản chính" counts, document numbers.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from knowledge.entry import LEGAL_REF, MAX_TIME, Channel, TimeUnit

NO_INFO = "Không có thông tin"
_VOWELS = "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵ"
_LOWERCASE_LETTER = f"[a-zđ{_VOWELS}]"

# Characters str.splitlines() breaks on besides "\n": entry files are read with it.
_LINE_BREAKS = re.compile(r"\r\n?|[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_INVISIBLE = re.compile(r"[\u200b-\u200f\ufeff]")
_SPACES = re.compile(r"[ \t\xa0]+")


def clean_text(text: str) -> str:
    """NFC text with "\\n" as the only line break, single spaces and no blank-line runs.

    Lines starting with "#" lose the marks: a "## " line would end the entry section.
    """
    text = _LINE_BREAKS.sub("\n", unicodedata.normalize("NFC", text))
    text = _INVISIBLE.sub("", text)
    lines = [_SPACES.sub(" ", line).strip().lstrip("#").strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def one_line(text: str) -> str:
    return " ".join(text.split())


def informative(text: str) -> str:
    """The text, or "" when the portal says it has no information."""
    text = clean_text(text)
    return "" if text in ("", NO_INFO, "--") else text


# --- Channel table: "Hình thức nộpThời gianPhí, lệ phíMô tả" + rows -----------------

CHANNEL_HEADER = "Hình thức nộpThời gianPhí, lệ phíMô tả"
CHANNEL_NAMES = {
    "Trực tiếp": Channel.IN_PERSON,
    "Trực tuyến": Channel.ONLINE,
    "Dịch vụ bưu chính": Channel.POST,
}
_CHANNEL = re.compile("|".join(CHANNEL_NAMES))
_TIME_UNITS = {
    "ngày làm việc": TimeUnit.WORKING_DAYS,
    "ngày": TimeUnit.DAYS,
    "giờ làm việc": TimeUnit.HOURS,
    "giờ": TimeUnit.HOURS,
}
_NUMBER = r"\d+(?:[.,]\d+)?"
_TIMED = re.compile(rf"({_NUMBER}) ?(Ngày làm việc|Ngày|Giờ làm việc|Giờ|Tháng|Năm)", re.I)
_CURRENCY = r"(?:VNĐ|Việt Nam Đồng|Đồng|USD)"
_AMOUNT = re.compile(rf"(\d[\d.,]*) ?{_CURRENCY}")
_FEE = re.compile(rf"Miễn phí|{NO_INFO}|\d[\d.,]* ?{_CURRENCY}")
# A well-formed amount: no leading zero, thousands grouped by one kind of separator.
_WELL_FORMED = re.compile(r"0|[1-9]\d{0,2}(?:,\d{3})+|[1-9]\d{0,2}(?:\.\d{3})+|[1-9]\d*")
# "(1)", "(a)", "(ii)": an enumerator opening the description, not a fee remark.
_ENUMERATOR = re.compile(r"\((?:\d{1,2}|[a-zđ]|[ivx]{1,4})\)")


# Doubts a row can be read with; the importer reports records by them.
GLUED_CELLS = "time and fee cells glued"
ODD_TIME_UNIT = "time unit without equivalent"
IMPLAUSIBLE_TIME = "implausible time"
COUNCIL_FEE = "'free' fee set by the provincial council"
# "Miễn phí (Mức lệ phí cụ thể do Hội đồng nhân dân tỉnh … quyết định)": a fee the
# council sets, free for some people only; "Không thu lệ phí …" stays free.
_SET_BY_COUNCIL = re.compile(r"Mức (?:lệ )?phí|Hội đồng nhân dân|HĐND", re.I)


@dataclass(frozen=True)
class ChannelRow:
    """One recovered row.

    `time` is None when the portal gives no number; `time_text` then holds what it
    wrote instead ("Không quy định", "3 Tháng"). `unit_assumed` marks a number that
    came without a unit, read as working days. `glued` holds the raw cell when the
    time and the fee were glued into one number ("1500 VNĐ"): neither is guessed.
    `doubts` are (reason, detail) pairs the caller should report.
    """

    channel: Channel
    time: float | None
    unit: TimeUnit
    time_text: str
    fee: str
    description: str
    unit_assumed: bool = False
    glued: str = ""
    council_fee: bool = False
    doubts: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ChannelTable:
    rows: tuple[ChannelRow, ...]
    unreadable: tuple[str, ...]  # raw text of rows that could not be split into cells


def parse_channels(text: str) -> ChannelTable:
    """Rows of the submission-channel table.

    A row starts where a channel name is glued to the next cell (a digit or a capital
    letter); descriptions name channels too, but followed by a space or a colon.
    """
    text = clean_text(text).removeprefix(CHANNEL_HEADER)
    starts = [
        m for m in _CHANNEL.finditer(text)
        if m.end() < len(text) and (text[m.end()].isdigit() or text[m.end()].isupper())
    ]
    rows: list[ChannelRow] = []
    unreadable: list[str] = []
    if not starts and text.strip():
        unreadable.append(text.strip())
    for start, after in zip(starts, [*starts[1:], None], strict=False):
        cells = text[start.end(): after.start() if after else len(text)]
        row = _parse_row(CHANNEL_NAMES[start.group()], cells)
        if row is None:
            unreadable.append(start.group() + cells)
        else:
            rows.append(row)
    return ChannelTable(tuple(rows), tuple(unreadable))


def _parse_row(channel: Channel, cells: str) -> ChannelRow | None:
    time: float | None = None
    unit = TimeUnit.WORKING_DAYS
    time_text = glued_cell = ""
    unit_assumed = False
    doubts: list[tuple[str, str]] = []
    if cells.startswith(NO_INFO):
        rest = cells[len(NO_INFO):]
    elif timed := _TIMED.match(cells):
        rest = cells[timed.end():]
        if timed.group(2).lower() in _TIME_UNITS:
            time, unit = _number(timed.group(1)), _TIME_UNITS[timed.group(2).lower()]
        else:
            time_text = timed.group()
            doubts.append((ODD_TIME_UNIT, f"'{timed.group(2)}' kept as text"))
    elif glued := _AMOUNT.match(cells):
        glued_cell, rest = glued.group(), cells
        split = _split_glued(glued.group(1))
        reading = f" (perhaps a time of {split[0]} and a fee of {split[1]})" if split else ""
        doubts.append((GLUED_CELLS, f"'{glued_cell}' kept as written{reading}"))
    elif bare := re.match(_NUMBER, cells):
        time, rest = _number(bare.group()), cells[bare.end():]
        unit_assumed = True
    else:
        fee_at = _FEE.search(cells)
        if fee_at is None:
            return None
        time_text, rest = one_line(cells[: fee_at.start()]), cells[fee_at.start():]
    if time is not None and time > MAX_TIME:
        time_text, time = one_line(cells[: len(cells) - len(rest)]), None
        unit_assumed = False
        doubts.append((IMPLAUSIBLE_TIME, f"'{time_text}' kept as text"))
    fee = _FEE.match(rest)
    if fee is None:
        return None
    fee_text, description = fee.group(), rest[fee.end():]
    remark = _leading_parenthesis(description)
    if remark and fee_text != NO_INFO and not _ENUMERATOR.fullmatch(remark):
        fee_text, description = f"{fee_text} {remark}", description[len(remark):]
    council_fee = fee_text.startswith("Miễn phí") and bool(_SET_BY_COUNCIL.search(remark))
    if council_fee:
        doubts.append((COUNCIL_FEE, "not read as free"))
    return ChannelRow(
        channel, time, unit, time_text, one_line(fee_text), clean_text(description),
        unit_assumed, glued_cell, council_fee, tuple(doubts),
    )


def _number(text: str) -> float:
    value = float(text.replace(",", "."))
    return int(value) if value.is_integer() else value


def _split_glued(digits: str) -> tuple[str, str] | None:
    """One possible reading of "120,000": the time "1" and the amount "20,000" (the
    shortest time that leaves a well-formed amount), for the report only."""
    for cut in range(1, len(digits)):
        time, amount = digits[:cut], digits[cut:]
        if time.isdigit() and _WELL_FORMED.fullmatch(amount):
            return time, amount
    return None


def _leading_parenthesis(text: str) -> str:
    """The balanced "(...)" group `text` starts with, or ""."""
    if not text.startswith("("):
        return ""
    depth = 0
    for i, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0:
            return text[: i + 1]
    return ""


# --- Documents: "Tên giấy tờMẫu đơn, tờ khaiSố lượng" + "<name><template><count>" ---

DOCUMENTS_HEADER = "Tên giấy tờMẫu đơn, tờ khaiSố lượng"
# The quantity cell as the portal writes it: "1 bản chính" or "0 bản chính,1 bản sao".
# Counts inside document names are zero-padded ("01 bản sao") or spaced differently.
_COUNT = re.compile(r"(?<!\d)(0|[1-9]\d*) bản chính(?:,(0|[1-9]\d*) bản sao)?")
_FILE_NAME_END = re.compile(r"\.(?:docx?|xlsx?|pdf|rtf|odt)$", re.I)
_LONGEST_FILE_NAME = 100
_BULLET = re.compile(r"^(?:[-+•*]\s*)+")
# "+" sub-items written inline after a colon or semicolon: "…sau: + Bản kê…; + Giấy phép…".
_INLINE_SUB_ITEM = re.compile(r"(?<=[:;])\s*\+\s+")
# "(iv)", "(2)", "b)" opening an item.
_ENUMERATED = re.compile(r"^\(?([ivx]{1,4}|\d{1,2}|[a-h])\)\s")
_ROMAN = {"i": 1, "v": 5, "x": 10}


def parse_documents(text: str) -> tuple[str, int]:
    """The dossier table as Markdown: group captions, then one "- " item per document,
    its "+" sub-items nested; and how many tables had their enumerated items ("(iv)",
    "(v)", "(i)"…) put back in the order their enumerators give."""
    text = clean_text(text)
    if DOCUMENTS_HEADER not in text:
        return informative(text), 0
    blocks = text.split(DOCUMENTS_HEADER)
    lines: list[str] = []
    reordered = 0
    caption = _caption(blocks[0])
    for i, block in enumerate(blocks[1:], start=1):
        items, tail = _document_items(block)
        ordered = _in_enumerated_order(items)
        reordered += ordered != items
        items = [line for item in ordered for line in item]
        next_caption = _caption(tail) if i < len(blocks) - 1 else ""
        if i == len(blocks) - 1 and one_line(tail):
            items.append(_bulleted(tail))
        if caption:
            lines.append(f"{caption}:" if not caption.endswith(":") else caption)
        lines.extend(items)
        lines.append("")
        caption = next_caption
    return "\n".join(lines).strip(), reordered


def _caption(text: str) -> str:
    return one_line(text).strip("-* ").strip()


def _document_items(block: str) -> tuple[list[list[str]], str]:
    """Items of one table, each as its lines, and the text after the last count (the
    next caption)."""
    items: list[list[str]] = []
    position = 0
    for count in _COUNT.finditer(block):
        name = one_line(block[position: count.start()])
        position = count.end()
        if not name:
            continue
        start = _template_start(name)
        template = name[start:].strip() if start is not None else ""
        name = name[:start].strip() if start is not None else name
        originals, copies = int(count.group(1)), int(count.group(2) or 0)
        details = [f"{originals} bản chính"] if originals else []
        details += [f"{copies} bản sao"] if copies else []
        details += [f"mẫu: {template}"] if template else []
        first, *subs = _INLINE_SUB_ITEM.split(name)
        nested = "  " if first.startswith("+") else ""
        first_line = nested + _bulleted(first) + (f" ({'; '.join(details)})" if details else "")
        items.append([first_line, *(f"{nested}  {_bulleted(sub)}" for sub in subs)])
    return items, block[position:]


def _template_start(name: str) -> int | None:
    """Where a template file name glued to the document name starts, if one ends it.

    The file name follows the name's closing punctuation ("…2021;Mus08.docx",
    "…(mẫu NA17)101-Mau A17.doc") or is glued to its last word ("…01/TAINMẫu số 01
    TAIN.docx"); the earliest such place is taken, since file names hold dots too.
    """
    end = _FILE_NAME_END.search(name)
    if end is None:
        return None
    for i in range(max(1, end.start() - _LONGEST_FILE_NAME), end.start()):
        before, char, after = name[i - 1], name[i], name[i + 1: i + 2]
        after_punctuation = before in ".;:)" and char.isalnum() and not (
            before == "." and name[i - 2: i - 1].isdigit() and char.isdigit()
        )
        glued_word = before.isalnum() and char.isupper() and after.islower()
        if after_punctuation or glued_word:
            return i
    return None


def _in_enumerated_order(items: list[list[str]]) -> list[list[str]]:
    """The items with the enumerated ones in their enumerators' order, when those
    number 1…n without a gap; other items keep their places."""
    ranks = {i: _rank(item[0]) for i, item in enumerate(items)}
    numbered = [i for i, rank in ranks.items() if rank is not None]
    wanted = sorted(numbered, key=lambda i: ranks[i] or 0)
    if len(numbered) < 2 or sorted(ranks[i] or 0 for i in numbered) != list(
        range(1, len(numbered) + 1)
    ):
        return items
    reordered = list(items)
    for place, source in zip(numbered, wanted, strict=True):
        reordered[place] = items[source]
    return reordered


def _rank(line: str) -> int | None:
    found = _ENUMERATED.match(_BULLET.sub("", line.strip()))
    if found is None:
        return None
    mark = found.group(1)
    if mark.isdigit():
        return int(mark)
    if set(mark) <= set(_ROMAN):
        values = [_ROMAN[c] for c in mark]
        return sum(-v if v < w else v for v, w in zip(values, [*values[1:], 0], strict=True))
    return ord(mark) - ord("a") + 1


def _bulleted(text: str) -> str:
    return "- " + _BULLET.sub("", one_line(text))


# --- Steps ---------------------------------------------------------------------------

# "Bước N" opening a line (after an optional bullet) or followed by ":"/"."; a mention
# inside a sentence ("quay lại Bước 2") is neither.
_STEP = re.compile(r"(?:(?<=\n)|^)[-+*•]?\s*Bước\s*(\d+)\s*[:.\-–]?\s*|Bước\s*(\d+)\s*[:.]\s*")
_CONTINUATION = re.compile(rf"\n(?={_LOWERCASE_LETTER})")
# Bullets or an enumerator ("b)", "2.") left dangling at the end of a step's text by
# the marker of the next step.
_DANGLING = re.compile(r"(?:^|\n)[\s\-+*•]*(?:[a-zđ]\)|\(?\d{1,2}[.)])?[\s\-+*•]*$")


def parse_steps(text: str) -> str:
    """Steps as a numbered list when the portal marks "Bước 1", "Bước 2"… in order;
    otherwise every line becomes an item. Lines broken mid-sentence (the next line
    starts in lowercase, as in text copied from PDF) are joined first."""
    text = _CONTINUATION.sub(" ", informative(text))
    marks: list[re.Match[str]] = []
    for mark in _STEP.finditer(text):
        if int(mark.group(1) or mark.group(2)) == len(marks) + 1:
            marks.append(mark)
    if len(marks) < 2:
        lines = [line for line in text.split("\n") if line.strip()]
        return text if len(lines) < 2 else "\n".join(_item(line, "") for line in lines)
    intro = _DANGLING.sub("", text[: marks[0].start()])
    out = [_item(line, "") for line in intro.split("\n") if line.strip()]
    for number, (mark, after) in enumerate(zip(marks, [*marks[1:], None], strict=False), 1):
        body = _DANGLING.sub("", text[mark.end(): after.start() if after else len(text)])
        first, *more = body.strip().split("\n")
        out.append(f"{number}. {_BULLET.sub('', first.strip())}".rstrip())
        out.extend(_item(line, "   ") for line in more if line.strip())
    return "\n".join(out)


def _item(line: str, indent: str) -> str:
    line = line.strip()
    nested = "  " if line.startswith("+") else ""
    return f"{indent}{nested}- {_BULLET.sub('', line)}"


# --- Legal basis: "Tên văn bản pháp lýMã văn bản" + "<name><number>" pairs ---------

LEGAL_HEADER = "Tên văn bản pháp lýMã văn bản"
# LEGAL_REF without its word boundaries, because the number cell is glued to the
# name cells on both sides ("…Luật Hộ tịch123/2015/NĐ-CPThông tư…"), though never
# starting inside another number; plus the Prime Minister's "TTg", whose lowercase g
# LEGAL_REF leaves out.
_NUMBER_CELL = re.compile(
    r"(?<![\d/])" + LEGAL_REF.pattern.removeprefix(r"\b").removesuffix(r"\b") + "(?:(?<=-TT)g)?"
)
# A capital consonant that can open a Vietnamese word with the letter after it
# ("Thông", "Nghị", "Luật"; not "Psửa", "Cquy").
_WORD_START = re.compile(rf"[B-DĐGHK-NP-TVX](?:[{_VOWELS}]|[hrg])")
_YEAR = re.compile(r"(?:19|20)\d\d")
# The number cell's own document type, glued to the name before it: "…tại Việt Nam" +
# "Luật 47/2014/QH13" reads "…tại Việt NamLuật 47/2014/QH13".
_GLUED_TYPE = re.compile(
    r"(?<=\S)(?:Bộ luật|Luật|Pháp lệnh|Nghị quyết|Nghị định|Quyết định|Thông tư liên tịch"
    r"|Thông tư|Chỉ thị)(?: số)?\s*$"
)


def parse_legal(text: str) -> list[str]:
    """Legal documents as "Name (number)"; text whose number was not found stays bare."""
    text = one_line(clean_text(text))
    if LEGAL_HEADER not in text:
        body = informative(text)
        return [body] if body else []
    text = text.split(LEGAL_HEADER, 1)[1]
    documents: list[str] = []
    position = search_from = 0
    # Matches may overlap: in "…NĐ-CP155/2020/NĐ-CP" the first try swallows "CP155".
    while cell := _NUMBER_CELL.search(text, search_from):
        end = _cell_end(text, cell)
        if end is None:
            search_from = cell.start() + 1
            continue
        start = _cell_start(text, position, cell.start(), end)
        name = _GLUED_TYPE.sub("", text[position:start]).strip(" ;,.")
        number = text[start:end]
        documents.append(f"{name} ({number})" if name else number)
        position = search_from = end
    rest = text[position:].strip(" ;,.")
    if rest:
        documents.append(rest)
    return list(dict.fromkeys(documents))


def _cell_end(text: str, cell: re.Match[str]) -> int | None:
    """Where a number cell ends, or None for a number cited inside a document name.

    A cell ends the text or is followed by the next name: glued ("…NĐ-CPThông tư",
    where the match took the T, or "…NĐ-CPsửa đổi") or after a space, capitalised.
    A number inside a name is followed by punctuation or a lowercase word.
    """
    end = cell.end()
    following = text[end:]
    if not following:
        return end
    if following[0].isalpha() and following[0].islower():
        return end - 1 if _WORD_START.match(text, end - 1) else end
    if following[0].isupper():
        return end
    if following[0] == " " and following[1:2].isupper():
        # "Thông tư số 66/2023/TT-BCA Sửa đổi…" still cites inside the name.
        return None if text[: cell.start()].endswith("số ") else end
    return None


def _cell_start(text: str, position: int, start: int, end: int) -> int:
    """Where a number cell starts when its digits are glued to digits ending the name.

    "Luật 60/2014/QH13" + "60/2014/QH13" reads "…QH1360/2014/QH13": take the
    shortest reading the name cites, if the whole one is not cited. "Luật Cư trú
    2020" + "68/2020/QH14" reads "…trú 202068/2020/QH14": split off the year.
    """

    def cited(at: int) -> bool:
        return re.search(rf"(?<!\d){re.escape(text[at:end])}", text[position:at]) is not None

    digits = len(text[start:end]) - len(text[start:end].lstrip("0123456789"))
    if cited(start):
        return start
    shorter = next((cut for cut in range(start + 1, start + digits) if cited(cut)), None)
    if shorter is None and digits > 4 and _YEAR.match(text, start):
        return start + 4
    return shorter or start


# --- Results: "<name>Mã: KQ…" repeated, then portal UI text -----------------------

_RESULT_CODE = re.compile(r"Mã: [0-9A-Z.\-]*KQ[0-9A-Z.\-]*\d")
_UI_JUNK = re.compile(r"Từ khóa|Chọn cơ quan thực hiện")
_DESCRIPTION = re.compile(r"Mô tả(.*?)(?:Chọn cơ quan thực hiện|$)", re.S)


def parse_results(text: str) -> str:
    """Result documents, one "- " item each when there are several, without the
    portal's search-form text; a real "Mô tả" (description) is kept below them."""
    text = clean_text(text)
    junk = _UI_JUNK.search(text)
    head = text[: junk.start()] if junk else text
    names = [one_line(n) for n in _RESULT_CODE.split(head) if one_line(n)]
    described = _DESCRIPTION.search(text[junk.start():]) if junk else None
    description = informative(described.group(1)) if described else ""
    listed = names[0] if len(names) == 1 else "\n".join(f"- {n}" for n in names)
    return "\n\n".join(part for part in (listed, description) if part)


# --- Time limits stated in the procedure text ------------------------------------

# "Trong thời hạn 03 ngày làm việc", "trong thời hạn không quá 05 (năm) ngày".
_TIME_IN_TEXT = re.compile(
    r"\b[Tt]rong (?:thời hạn|vòng)(?: là)?(?: không quá| tối đa)? (\d{1,3})"
    r"(?: ?\([^()]{1,30}\))? (ngày làm việc|ngày|giờ làm việc|giờ)\b"
)
_CLAUSE_END = re.compile(r"[.;\n]")


@dataclass(frozen=True)
class TimeMention:
    time: float
    unit: TimeUnit
    clause: str  # from the time limit to the end of its clause, as written


def time_limits(text: str) -> list[TimeMention]:
    """Time limits the text states, in order."""
    text = clean_text(text)
    mentions = []
    for found in _TIME_IN_TEXT.finditer(text):
        end = _CLAUSE_END.search(text, found.end())
        clause = one_line(text[found.start(): end.start() if end else len(text)])
        unit = _TIME_UNITS[found.group(2)]
        mentions.append(TimeMention(_number(found.group(1)), unit, clause))
    return mentions
