"""The channel-independent message model that handlers read and write.

Channels (terminal, Telegram, later Zalo) translate their updates into `Incoming` and
render `Reply` in their own way; handlers never see a chat app's objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class AttachmentKind(StrEnum):
    PHOTO = "photo"
    DOCUMENT = "document"
    STICKER = "sticker"
    VOICE = "voice"
    LOCATION = "location"
    OTHER = "other"


@dataclass(frozen=True)
class Sender:
    channel: str
    id: str
    name: str = ""


@dataclass(frozen=True)
class Incoming:
    """One thing a person did: typed text, pressed a button, or sent an attachment."""

    sender: Sender
    chat_id: str
    text: str | None = None
    button: str | None = None
    attachment: AttachmentKind | None = None


class Style(StrEnum):
    PLAIN = "plain"
    TITLE = "title"
    HEADING = "heading"
    NOTE = "note"


@dataclass(frozen=True)
class Block:
    """A paragraph of plain text; channels escape it and map the style to their markup."""

    text: str
    style: Style = Style.PLAIN


@dataclass(frozen=True)
class Button:
    label: str
    data: str


@dataclass(frozen=True)
class Reply:
    blocks: tuple[Block, ...]
    buttons: tuple[tuple[Button, ...], ...] = field(default=())

    @classmethod
    def text(cls, text: str) -> Reply:
        return cls((Block(text),))

    @property
    def plain_text(self) -> str:
        return "\n\n".join(block.text for block in self.blocks)
