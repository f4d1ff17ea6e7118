"""Which part of a procedure a question asks about ("giấy tờ gì" → the documents section).

Cue phrases are matched on folded words. A question may carry several cues ("thủ tục
kết hôn mất mấy ngày"); the most specific section wins, in the order of `FACET_CUES`,
and the steps, the vaguest, come last. "thủ tục" alone is no cue: "thủ tục kết hôn" names
the procedure and gets its summary, "thủ tục kết hôn thế nào" asks for the steps.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from knowledge.entry import Section
from knowledge.normalize import words
from knowledge.phrases import PhraseSet, Span

FACET_CUES: tuple[tuple[Section, tuple[str, ...]], ...] = (
    (Section.LEGAL, (
        "căn cứ", "căn cứ pháp lý", "cơ sở pháp lý", "nghị định nào", "luật nào",
        "thông tư nào", "văn bản nào", "quy định nào", "theo quy định nào", "điều luật nào",
    )),
    (Section.FEE, (
        "lệ phí", "mất phí", "phí bao nhiêu", "bao nhiêu tiền", "mất tiền", "tốn phí",
        "tốn tiền", "miễn phí", "thu phí", "có phí", "mất bao nhiêu tiền", "hết bao nhiêu tiền",
        "tốn bao nhiêu", "phí là bao nhiêu", "nộp phí", "chi phí bao nhiêu", "mất lệ phí",
        "mất tiền không", "có mất tiền", "đóng tiền",
        # A fee asked about in the words of a how-to or yes/no question: "phí thế nào"
        # is the fee, not the steps ("thế nào" alone is a steps cue).
        "phí thế nào", "phí như thế nào", "phí ra sao", "lệ phí thế nào", "thu tiền",
        "tốn đồng nào", "mất đồng nào", "tốn tiền không", "có tốn tiền", "thu phí không",
        "phí hết bao nhiêu", "đóng bao nhiêu tiền",
    )),
    (Section.TIME, (
        "mất bao lâu", "bao lâu", "mấy ngày", "bao nhiêu ngày", "mất mấy ngày", "thời hạn",
        "thời gian", "khi nào có", "bao giờ có", "mấy hôm", "trong bao lâu", "thời hạn giải quyết",
        "bao lâu thì có", "mấy ngày làm việc",
    )),
    (Section.DOCUMENTS, (
        "giấy tờ gì", "giấy tờ nào", "cần giấy tờ", "những giấy tờ", "cần gì", "cần những gì",
        "cần mang", "mang theo", "hồ sơ gồm", "hồ sơ cần", "gồm những gì", "gồm gì",
        "thành phần hồ sơ", "chuẩn bị gì", "cần chuẩn bị", "giấy tờ cần", "giấy tờ",
        "hồ sơ gồm những gì", "cần những giấy tờ gì", "hồ sơ những gì", "cần giấy gì",
        "cần những giấy gì", "cần có gì",
    )),
    (Section.WHERE, (
        "ở đâu", "nộp ở đâu", "chỗ nào", "nơi nào", "nơi nộp", "đi đâu", "cơ quan nào",
        "nộp tại đâu", "làm ở đâu", "đâu", "nộp ở", "chỗ nộp",
    )),
    (Section.CONDITIONS, ("điều kiện", "đủ điều kiện", "ai được", "đối tượng nào")),
    (Section.RESULT, ("nhận được gì", "kết quả là gì", "được cấp gì")),
    (Section.STEPS, (
        "các bước", "trình tự", "quy trình", "làm thế nào", "thế nào", "như thế nào",
        "làm sao", "cách làm", "hướng dẫn", "làm như thế nào", "thủ tục như thế nào",
        "các bước thực hiện", "trình tự thực hiện",
    )),
)


@dataclass(frozen=True)
class FacetMatch:
    section: Section | None
    spans: tuple[Span, ...]  # every cue found, to keep cue words out of retrieval

    @property
    def positions(self) -> frozenset[int]:
        return frozenset(i for span in self.spans for i in range(span.start, span.end))


class FacetDetector:
    def __init__(self) -> None:
        self._cues = PhraseSet(cue for _, cues in FACET_CUES for cue in cues)
        self._section_of: dict[tuple[str, ...], Section] = {}
        for section, cues in reversed(FACET_CUES):  # earlier sections win a shared cue
            self._section_of.update((tuple(words(cue)), section) for cue in cues)

    def detect(self, sequence: Sequence[str]) -> FacetMatch:
        spans = tuple(self._cues.find(sequence))
        found = {self._section_of[span.phrase] for span in spans}
        section = next((s for s, _ in FACET_CUES if s in found), None)
        return FacetMatch(section, spans)

    def vocabulary(self) -> set[str]:
        return self._cues.vocabulary()
