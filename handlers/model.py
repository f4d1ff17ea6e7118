"""The channel-independent message model that handlers read and write.

Channels (terminal, Telegram, later Zalo) translate their updates into `Incoming` and
deliver `Outgoing` in their own way; handlers never see a chat app's objects.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum


class AttachmentKind(StrEnum):
    PHOTO = "photo"
    DOCUMENT = "document"
    STICKER = "sticker"
    VOICE = "voice"
    LOCATION = "location"
    OTHER = "other"


class ChatKind(StrEnum):
    PRIVATE = "private"
    GROUP = "group"


@dataclass(frozen=True)
class Address:
    """Where a message goes: a chat of a channel, optionally one thread (forum topic) of it."""

    channel: str
    chat_id: str
    thread_id: str | None = None

    @property
    def chat(self) -> Address:
        """The whole chat, whatever thread this address names."""
        return Address(self.channel, self.chat_id)


@dataclass(frozen=True)
class Sender:
    channel: str
    id: str
    name: str = ""


@dataclass(frozen=True)
class Attachment:
    """A photo, file… as the channel knows it: its own file id, to copy or fetch later."""

    kind: AttachmentKind
    file_id: str = ""
    file_name: str = ""


@dataclass(frozen=True)
class Incoming:
    """One thing a person did: typed text, pressed a button, or sent an attachment."""

    sender: Sender
    chat: Address
    chat_kind: ChatKind = ChatKind.PRIVATE
    update_id: str = ""
    message_id: str | None = None
    reply_to: str | None = None  # the message id this one replies to
    text: str | None = None  # the text, or an attachment's caption
    button: str | None = None  # the data of the button pressed
    press_id: str | None = None  # the channel's id of the press, to acknowledge it
    attachments: tuple[Attachment, ...] = ()
    # False for a group message not meant for the bot that a channel still passes on
    # (any message in a forum topic): only a feature that owns the thread acts on it.
    addressed: bool = True

    @property
    def chat_id(self) -> str:
        return self.chat.chat_id

    @property
    def attachment(self) -> AttachmentKind | None:
        return self.attachments[0].kind if self.attachments else None


class Style(StrEnum):
    PLAIN = "plain"
    TITLE = "title"
    HEADING = "heading"
    NOTE = "note"
    MARKDOWN = "markdown"  # a paragraph of an entry file: **bold** spans and list lines


BOLD = re.compile(r"\*\*(.+?)\*\*", re.DOTALL)


@dataclass(frozen=True)
class Block:
    """A paragraph of plain text; channels escape it and map the style to their markup.

    A MARKDOWN block comes from an entry file and may hold `**bold**` spans: each
    channel renders them its own way, and `plain` drops the markers.
    """

    text: str
    style: Style = Style.PLAIN

    @property
    def plain(self) -> str:
        """The text as a person reads it, without markup."""
        return BOLD.sub(r"\1", self.text) if self.style is Style.MARKDOWN else self.text


@dataclass(frozen=True)
class Button:
    """A button that sends `data` back when pressed, or, with `url`, opens a web page."""

    label: str
    data: str = ""
    url: str | None = None


@dataclass(frozen=True)
class Reply:
    blocks: tuple[Block, ...]
    buttons: tuple[tuple[Button, ...], ...] = field(default=())

    @classmethod
    def text(cls, text: str) -> Reply:
        return cls((Block(text),))

    @property
    def plain_text(self) -> str:
        return "\n\n".join(block.plain for block in self.blocks)


class Priority(IntEnum):
    """Who waits least: a person who just asked, then ticket relays, reminders, broadcasts."""

    ANSWER = 0
    RELAY = 1
    REMINDER = 2
    BROADCAST = 3

    @property
    def bulk(self) -> bool:
        """Bulk sends keep to the global rate; answers to people who just wrote do not."""
        return self >= Priority.REMINDER


@dataclass(frozen=True)
class Copy:
    """Copy a message the channel already holds (a photo an official sent) instead of
    uploading it again (Telegram `copyMessage`)."""

    from_chat: Address
    message_id: str


@dataclass(frozen=True)
class Upload:
    """A photo or file that another chat app holds (`channel`, with its own reference in
    `file.file_id`: a Telegram file id, a Zalo file address), passed on by fetching it and
    uploading it again: chat apps cannot copy each other's messages. The sender fetches
    it when the message goes, within a size limit and a time-out."""

    channel: str
    file: Attachment


@dataclass(frozen=True)
class Outgoing:
    """One message to deliver: a reply, a copy or an upload, to `address` (None: the chat
    that wrote).

    `key` makes the send happen once: a second message with the same key is ignored.
    `ref` names what the message belongs to ("ticket:12"); the delivered message ids are
    recorded under it in the same transaction that marks the message delivered, so a
    later reply to that message can be traced back.
    `topic` (with `ref`): in a chat that has threads (a Telegram forum), the messages of
    one ref go to one thread, opened with this name by the first of them to be sent.
    `fallback` (a reminder or a broadcast to a person with accounts in two apps): where
    the message goes instead when the chat app of `address` cannot reach the person for
    free when it is sent (Zalo outside its free window). One message, one key: it is
    delivered in one app only.
    """

    reply: Reply | None = None
    address: Address | None = None
    copy: Copy | None = None
    key: str | None = None
    ref: str | None = None
    priority: Priority = Priority.ANSWER
    reply_to: str | None = None  # a message id in the same chat to answer visibly
    topic: str | None = None
    fallback: Address | None = None
    upload: Upload | None = None

    def __post_init__(self) -> None:
        if [self.reply, self.copy, self.upload].count(None) != 2:
            raise ValueError("an outgoing message is one of a reply, a copy or an upload")


Result = list[Reply | Outgoing]
"""What handling an update produces: replies go to the chat that wrote; an `Outgoing`
names its own address."""
