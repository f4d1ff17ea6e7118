"""Greetings and thanks: messages that are not questions and must not reach retrieval.

A message counts as small talk only when nothing but greeting or thanks words and polite
fillers is left; "chào bot, cho hỏi thủ tục khai sinh" is a question.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from knowledge.phrases import PhraseSet


class Smalltalk(StrEnum):
    GREETING = "greeting"
    THANKS = "thanks"


GREETINGS = (
    "xin chào", "chào", "chào bot", "hello", "hi", "helo", "hey", "alo", "a lô",
    "good morning", "chào buổi sáng", "chào buổi chiều", "chào buổi tối",
)
THANKS = (
    "cảm ơn", "cám ơn", "thank you", "thanks", "thank", "tks", "thanks you", "camon",
    "thank you very much", "cảm ơn nhiều", "cám ơn nhiều",
)
FILLERS = (
    "bot", "bạn", "ạ", "nhé", "nha", "nhiều", "rất", "anh", "chị", "em", "ad", "admin",
    "mọi người", "ok", "oke", "okay", "vâng", "dạ", "à", "ơi", "nhe", "very much", "so much",
    "a lot", "lot", "much", "you", "rồi", "nhé bot", "trợ lý", "cả nhà", "mn", "all",
)


class SmalltalkDetector:
    def __init__(self) -> None:
        self._greetings = PhraseSet(GREETINGS)
        self._thanks = PhraseSet(THANKS)
        self._all = PhraseSet([*GREETINGS, *THANKS, *FILLERS])

    def detect(self, sequence: Sequence[str]) -> Smalltalk | None:
        spans = self._all.find(sequence)
        if sum(span.end - span.start for span in spans) < len(sequence):
            return None
        phrases = [span.phrase for span in spans]
        if any(p in self._thanks for p in phrases):
            return Smalltalk.THANKS
        if any(p in self._greetings for p in phrases):
            return Smalltalk.GREETING
        return None
