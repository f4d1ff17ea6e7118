"""An outbox row as the sender hands it to a channel, and its JSON form in the database."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.delivery.files import Fetched
from handlers.model import (
    Address,
    Attachment,
    AttachmentKind,
    Block,
    Button,
    Copy,
    Outgoing,
    Priority,
    Reply,
    Style,
    Upload,
)


@dataclass(frozen=True)
class Envelope:
    """One message to deliver. `parts_done` counts the parts of a long reply already
    delivered before a crash or a failure, so that only the rest is sent again."""

    id: int
    address: Address
    priority: Priority
    reply: Reply | None = None
    copy: Copy | None = None
    reply_to: str | None = None
    press_id: str | None = None  # a button press to acknowledge with this message
    parts_done: int = 0
    ref: str | None = None
    key: str = ""
    topic: str | None = None  # the thread to open for `ref` in a chat that has threads
    fallback: Address | None = None  # where it goes if this app cannot reach the person
    upload: Upload | None = None
    fetched: Fetched | None = None  # the upload's content, fetched by the sender to send it


def payload_json(outgoing: Outgoing, press_id: str | None = None) -> str:
    """What the outbox stores of a message: everything a channel needs to render it."""
    payload: dict[str, Any] = {}
    if outgoing.reply is not None:
        payload["reply"] = {
            "blocks": [[block.text, block.style.value] for block in outgoing.reply.blocks],
            "buttons": [[_button_json(b) for b in row] for row in outgoing.reply.buttons],
        }
    if outgoing.copy is not None:
        source = outgoing.copy.from_chat
        payload["copy"] = {
            "channel": source.channel, "chat_id": source.chat_id,
            "thread_id": source.thread_id, "message_id": outgoing.copy.message_id,
        }
    if outgoing.upload is not None:
        file = outgoing.upload.file
        payload["upload"] = [outgoing.upload.channel, file.kind.value, file.file_id,
                             file.file_name]
    if outgoing.reply_to is not None:
        payload["reply_to"] = outgoing.reply_to
    if press_id is not None:
        payload["press_id"] = press_id
    if outgoing.topic is not None:
        payload["topic"] = outgoing.topic
    if outgoing.fallback is not None:
        payload["fallback"] = [outgoing.fallback.channel, outgoing.fallback.chat_id]
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def envelope(
    row_id: int,
    address: Address,
    priority: int,
    payload: str,
    parts_done: int = 0,
    ref: str | None = None,
    key: str = "",
) -> Envelope:
    data = json.loads(payload)
    reply = None
    if "reply" in data:
        reply = Reply(
            tuple(Block(text, Style(style)) for text, style in data["reply"]["blocks"]),
            tuple(tuple(Button(*button) for button in row) for row in data["reply"]["buttons"]),
        )
    copy = None
    if "copy" in data:
        source = data["copy"]
        copy = Copy(Address(source["channel"], source["chat_id"], source["thread_id"]),
                    source["message_id"])
    fallback = Address(*data["fallback"]) if "fallback" in data else None
    upload = None
    if "upload" in data:
        channel, kind, file_id, file_name = data["upload"]
        upload = Upload(channel, Attachment(AttachmentKind(kind), file_id, file_name))
    return Envelope(
        id=row_id, address=address, priority=Priority(priority), reply=reply, copy=copy,
        reply_to=data.get("reply_to"), press_id=data.get("press_id"),
        parts_done=parts_done, ref=ref, key=key, topic=data.get("topic"), fallback=fallback,
        upload=upload,
    )


def _button_json(button: Button) -> list[str]:
    """[label, data], with the url third for a link button (rows stored before links
    existed have two items, and read back the same)."""
    return [button.label, button.data, button.url] if button.url else [button.label, button.data]


def ack_payload(press_id: str) -> str:
    """A message that only acknowledges a button press (nothing shown in the chat)."""
    return json.dumps({"press_id": press_id})
