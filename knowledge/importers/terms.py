"""Per-channel time and fee of an imported entry, with every inferred value marked.

The portal's table is read as it stands; where it says nothing about the time, the
time limit the procedure text states is used, and said so. Several rows for one
channel are the procedure's successive stages, not alternatives. Nothing ambiguous
becomes a number: glued cells stay as written, and a "free" fee the provincial
council sets is not called free.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from knowledge.entry import Channel, ChannelTerms, TimeUnit
from knowledge.importers.flattened import NO_INFO, ChannelRow, TimeMention, time_limits

CHANNEL_LABELS = {
    Channel.IN_PERSON: "trực tiếp",
    Channel.ONLINE: "trực tuyến",
    Channel.POST: "qua bưu chính",
}
UNIT_LABELS = {
    TimeUnit.WORKING_DAYS: "ngày làm việc",
    TimeUnit.DAYS: "ngày",
    TimeUnit.HOURS: "giờ",
}

# Report reasons for what was inferred or left open.
TIME_FROM_TEXT = "time taken from the procedure text"
TIMES_IN_TEXT_ONLY = "time limits quoted from the procedure text"
STAGES = "channel rows read as successive stages"
UNIT_ASSUMED = "time without unit read as working days"

_FROM_TEXT = "theo trình tự thực hiện; bảng của Cổng không ghi thời hạn"


@dataclass(frozen=True)
class Terms:
    channels: tuple[ChannelTerms, ...]
    time: str  # the Thời hạn giải quyết section
    fee: str  # the Phí, lệ phí section
    notes: tuple[str, ...]  # lines for Ghi chú, one per kind of inferred value
    issues: tuple[tuple[str, str], ...]  # (reason, detail) for the import report


@dataclass(frozen=True)
class _Row:
    row: ChannelRow
    stage: str  # "1/2" when the channel has several rows, else ""
    from_text: TimeMention | None = None


def read_terms(rows: Sequence[ChannelRow], steps: str) -> Terms:
    """Channel terms and the time and fee sections from the table's rows, using the
    procedure text `steps` where the table gives no time."""
    issues = [doubt for row in rows for doubt in row.doubts]
    notes: list[str] = []
    read = _stages(rows)
    if any(r.stage for r in read):
        staged = sorted({CHANNEL_LABELS[r.row.channel] for r in read if r.stage})
        issues.append((STAGES, ", ".join(staged)))
        notes.append("Một cách nộp có nhiều dòng thời hạn: đó là các giai đoạn nối tiếp "
                     "của thủ tục, không phải các lựa chọn.")
    quote = ""
    untimed = [r for r in read if _untimed(r.row)]
    mentions = time_limits(steps) if untimed or not rows else []
    distinct = list({(m.time, m.unit): m for m in mentions}.values())
    if len(distinct) == 1 and untimed:
        read = [dataclasses.replace(r, from_text=distinct[0]) if r in untimed else r
                for r in read]
        issues.append((TIME_FROM_TEXT, distinct[0].clause))
        notes.append(f"Thời hạn lấy từ phần trình tự thực hiện («{distinct[0].clause}»); "
                     "bảng của Cổng ghi «Không có thông tin».")
    elif mentions:
        quote = "; ".join(f"«{m.clause}»" for m in mentions)
        issues.append((TIMES_IN_TEXT_ONLY, quote[:160]))
    if any(r.row.unit_assumed for r in read):
        issues.append((UNIT_ASSUMED, ""))
        notes.append("Cổng ghi thời hạn không kèm đơn vị; ở đây hiểu là ngày làm việc.")
    if glued := ", ".join(f"«{cell}»" for cell in dict.fromkeys(r.row.glued for r in read)
                          if cell):
        notes.append(f"Ô thời hạn và ô lệ phí trên Cổng bị dính liền ({glued}), nên không "
                     "tách được chắc chắn: giữ nguyên như Cổng ghi, cần đối chiếu văn bản gốc.")
    if any(r.row.council_fee for r in read):
        notes.append("Cổng ghi «Miễn phí» nhưng phần giải thích nói mức lệ phí do Hội đồng "
                     "nhân dân cấp tỉnh quyết định: ở đây không ghi là miễn phí.")
    return Terms(
        channels=tuple(_channel(r) for r in read),
        time=_with_quote(_by_channel([(r, _time(r)) for r in read]), quote),
        fee=_by_channel([(r, _fee(r.row)) for r in read]),
        notes=tuple(notes),
        issues=tuple(dict.fromkeys(issues)),
    )


def _stages(rows: Sequence[ChannelRow]) -> list[_Row]:
    """The rows, each numbered among the rows of its channel when there are several."""
    counts = {channel: sum(r.channel is channel for r in rows) for channel in Channel}
    seen: dict[Channel, int] = dict.fromkeys(Channel, 0)
    read = []
    for row in rows:
        seen[row.channel] += 1
        stage = f"{seen[row.channel]}/{counts[row.channel]}" if counts[row.channel] > 1 else ""
        read.append(_Row(row, stage))
    return read


def _with_quote(sentence: str, quote: str) -> str:
    """The table's time sentence, then the time limits the procedure text states."""
    if not quote:
        return sentence
    if not sentence:
        return f"Bảng của Cổng không ghi thời hạn; phần trình tự thực hiện nêu: {quote}."
    return f"{sentence} Phần trình tự thực hiện nêu: {quote}."


def _untimed(row: ChannelRow) -> bool:
    return row.time is None and not row.time_text and not row.glued


def _channel(read: _Row) -> ChannelTerms:
    row = read.row
    mention = read.from_text
    parts = [
        f"Giai đoạn {read.stage}" if read.stage else "",
        f"Thời hạn: {row.time_text}" if row.time_text else "",
        f"Thời hạn lấy từ trình tự thực hiện: «{mention.clause}»" if mention else "",
        f"Cổng ghi «{row.glued}» liền ô thời hạn với ô lệ phí; chưa rõ thời hạn và mức phí"
        if row.glued else "",
        "Không phải miễn phí cho mọi người: mức lệ phí do Hội đồng nhân dân cấp tỉnh "
        "quyết định" if row.council_fee else "",
        row.description,
    ]
    time, unit = (mention.time, mention.unit) if mention else (row.time, row.unit)
    return ChannelTerms(row.channel, time, unit, row.fee, "\n".join(p for p in parts if p))


def _time(read: _Row) -> str:
    if read.from_text:
        return f"{_number(read.from_text.time)} {UNIT_LABELS[read.from_text.unit]} ({_FROM_TEXT})"
    row = read.row
    if row.time is not None:
        return f"{_number(row.time)} {UNIT_LABELS[row.unit]}"
    return row.time_text


def _fee(row: ChannelRow) -> str:
    if row.glued:
        return f"chưa rõ, Cổng ghi «{row.fee}» (ô thời hạn và ô lệ phí dính liền)"
    if row.council_fee:
        return f"theo mức Hội đồng nhân dân cấp tỉnh quyết định (Cổng ghi «{row.fee}»)"
    return row.fee if row.fee != NO_INFO else ""


def _by_channel(values: list[tuple[_Row, str]]) -> str:
    """"60 ngày làm việc nếu nộp trực tiếp hoặc qua bưu chính; 30 ngày nếu nộp trực tuyến."

    A channel's stages are joined with "sau đó"; the channels are left out when one
    value holds for every row."""
    stages: dict[Channel, list[str]] = {}
    for read, value in values:
        stages.setdefault(read.row.channel, [])
        if value and value not in stages[read.row.channel]:
            stages[read.row.channel].append(value)
    channels: dict[str, list[str]] = {}
    for channel, parts in stages.items():
        if parts:
            channels.setdefault(", sau đó ".join(parts), []).append(CHANNEL_LABELS[channel])
    if not channels:
        return ""
    if len(channels) == 1 and all(stages.values()):
        sentence = next(iter(channels))
    else:
        sentence = "; ".join(
            f"{value} nếu nộp {_or(labels)}" for value, labels in channels.items()
        )
    return sentence[0].upper() + sentence[1:] + ("" if sentence.endswith(".") else ".")


def _or(labels: list[str]) -> str:
    return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} hoặc {labels[-1]}"


def _number(value: float) -> str:
    return f"{value:g}".replace(".", ",")
