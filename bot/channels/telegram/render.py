"""`Reply` → Telegram messages: HTML with every text escaped, split at Telegram's limit.

A long reply is split between paragraphs (a paragraph too long by itself between lines,
then words); its buttons go on the last part. Lengths are counted in UTF-16 code units
of the HTML source, which is never less than what Telegram counts.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from telegram.constants import CallbackQueryLimit, InlineKeyboardButtonLimit, MessageLimit

from bot.channels.split import PARAGRAPH, split_to_fit
from handlers.model import BOLD, Block, Button, Reply, Style

LIMIT = MessageLimit.MAX_TEXT_LENGTH
NOTICE_LIMIT = CallbackQueryLimit.ANSWER_CALLBACK_QUERY_TEXT_LENGTH
TAGS = {Style.TITLE: "b", Style.HEADING: "b", Style.NOTE: "i"}


@dataclass(frozen=True)
class Rendered:
    text: str
    # The Bot API's InlineKeyboardMarkup as JSON: PTB's objects would only be turned back
    # into these dicts, at a cost that shows on every answer.
    markup: dict[str, Any] | None = None


def render(reply: Reply, limit: int = LIMIT) -> list[Rendered]:
    pieces = [piece for block in reply.blocks for piece in _block_html(block, limit) if piece]
    parts: list[str] = []
    for piece in pieces:
        if parts and _length(parts[-1] + PARAGRAPH + piece) <= limit:
            parts[-1] += PARAGRAPH + piece
        else:
            parts.append(piece)
    rendered = [Rendered(part) for part in parts]
    if rendered and reply.buttons:
        rendered[-1] = Rendered(rendered[-1].text, keyboard(reply))
    return rendered


def keyboard(reply: Reply) -> dict[str, Any]:
    return {"inline_keyboard": [[_button(b) for b in row] for row in reply.buttons]}


def _button(button: Button) -> dict[str, str]:
    if button.url:
        return {"text": button.label, "url": button.url}
    if len(button.data.encode()) > InlineKeyboardButtonLimit.MAX_CALLBACK_DATA:
        raise ValueError(f"button data over 64 bytes: {button.data!r}")
    return {"text": button.label, "callback_data": button.data}


def as_notice(reply: Reply) -> str | None:
    """The text to show as a button press's notification, or None to send a message.

    Telegram acknowledges a press with a short notification over the chat: a reply that
    is one short plain paragraph without buttons (a thank-you, "this button is old")
    is shown that way instead of adding a message to the chat.
    """
    if reply.buttons or len(reply.blocks) != 1 or reply.blocks[0].style is not Style.PLAIN:
        return None
    text = reply.blocks[0].text
    return text if _length(text) <= NOTICE_LIMIT else None


def _block_html(block: Block, limit: int) -> list[str]:
    tag = TAGS.get(block.style)

    def markup(text: str) -> str:
        escaped = html.escape(text, quote=False)
        if block.style is Style.MARKDOWN:
            # A bold span cut in two by a split loses its markers rather than show them.
            escaped = BOLD.sub(r"<b>\1</b>", escaped).replace("**", "")
        return f"<{tag}>{escaped}</{tag}>" if tag else escaped

    def fits(text: str) -> bool:
        return _length(markup(text)) <= limit

    return [markup(chunk) for chunk in split_to_fit(block.text.strip(), fits)]


def _length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2
