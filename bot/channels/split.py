"""Splitting a long text into chunks a chat app accepts, at the gentlest place that works:
between lines, then between words, and only for a word too long by itself, inside it."""

from __future__ import annotations

from collections.abc import Callable

PARAGRAPH = "\n\n"
SEPARATORS = ("\n", " ")


def split_to_fit(
    text: str, fits: Callable[[str], bool], separators: tuple[str, ...] = SEPARATORS
) -> list[str]:
    """`text` in as few chunks as `fits` accepts, cut at the first separator that works."""
    if fits(text):
        return [text]
    if not separators:
        return _cut(text, fits)
    separator, finer = separators[0], separators[1:]
    chunks: list[str] = []
    current = ""
    for part in text.split(separator):
        joined = f"{current}{separator}{part}" if current else part
        if fits(joined):
            current = joined
            continue
        if current:
            chunks.append(current)
        *done, current = split_to_fit(part, fits, finer) or [""]  # blank: nothing to keep
        chunks.extend(done)
    chunks.append(current)
    return [chunk for chunk in chunks if chunk.strip()]


def _cut(text: str, fits: Callable[[str], bool]) -> list[str]:
    """Cut a text with no separator left (a very long word) as late as it fits."""
    chunks = []
    while text:
        low, high = 1, len(text)
        while low < high:  # the longest prefix that fits
            middle = (low + high + 1) // 2
            low, high = (middle, high) if fits(text[:middle]) else (low, middle - 1)
        chunks.append(text[:low])
        text = text[low:]
    return chunks
