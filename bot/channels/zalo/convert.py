"""Zalo webhook events → `Incoming`, or None for what the bot ignores.

A button is an `oa.query.hide` button whose payload Zalo sends back as a message from
the person: payloads start with BUTTON_PREFIX, so they are told apart from typed text
and routed like a Telegram button press. Following the OA greets the person like
/start; the OA's own echoes, delivery and seen receipts are ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.channels.zalo import CHANNEL
from handlers.model import Address, Attachment, AttachmentKind, Incoming, Sender

BUTTON_PREFIX = "#b:"
ATTACHMENT_EVENTS = {
    "user_send_image": AttachmentKind.PHOTO,
    "user_send_gif": AttachmentKind.PHOTO,
    "user_send_file": AttachmentKind.DOCUMENT,
    "user_send_sticker": AttachmentKind.STICKER,
    "user_send_audio": AttachmentKind.VOICE,
    "user_send_location": AttachmentKind.LOCATION,
    "user_send_video": AttachmentKind.OTHER,
    "user_send_business_card": AttachmentKind.OTHER,
}
TEXT_EVENTS = {"user_send_text", "user_send_link", "user_click_button"}
# The person filled in the OA's "request user info" form: a phone number given this way
# is consent to receive ZNS messages on it.
SUBMIT_INFO = "user_submit_info"


def person_of(event: Mapping[str, Any]) -> str | None:
    """The Zalo user an event comes from; None for the OA's own events."""
    name = str(event.get("event_name", ""))
    if name == "follow" or name == "unfollow":
        return _text(event.get("follower", {}).get("id"))
    if name in TEXT_EVENTS or name in ATTACHMENT_EVENTS or name == SUBMIT_INFO:
        return _text(event.get("sender", {}).get("id"))
    return None


def submitted_phone(event: Mapping[str, Any]) -> str | None:
    """The phone number of a submitted info form, as ZNS wants it (84…); else None."""
    if event.get("event_name") != SUBMIT_INFO:
        return None
    info = event.get("info")
    digits = "".join(ch for ch in str(info.get("phone", "")) if ch.isdigit()) \
        if isinstance(info, Mapping) else ""
    if digits.startswith("0"):
        digits = "84" + digits[1:]
    return digits if digits.startswith("84") and 10 <= len(digits) <= 12 else None


def update_id(event: Mapping[str, Any]) -> str:
    """What makes an event unique: its message's `msg_id`, else its name, person and time."""
    message = event.get("message")
    if isinstance(message, Mapping) and message.get("msg_id"):
        return str(message["msg_id"])
    return f"{event.get('event_name')}:{person_of(event)}:{event.get('timestamp')}"


def event_incoming(event: Mapping[str, Any], update: str = "") -> Incoming | None:
    name = str(event.get("event_name", ""))
    person = person_of(event)
    if person is None:
        return None
    sender = Sender(CHANNEL, person)
    chat = Address(CHANNEL, person)
    if name == "follow":
        return Incoming(sender, chat, update_id=update, text="/start")
    if name == "unfollow" or name == SUBMIT_INFO:
        return None
    message = event.get("message") or {}
    message_id = _text(message.get("msg_id"))
    reply_to = _text(message.get("quote_msg_id"))
    text = message.get("text") if isinstance(message.get("text"), str) else None
    if name in TEXT_EVENTS:
        if text is None:
            return None
        if text.startswith(BUTTON_PREFIX):
            return Incoming(sender, chat, update_id=update, message_id=message_id,
                            button=text.removeprefix(BUTTON_PREFIX))
        return Incoming(sender, chat, update_id=update, message_id=message_id,
                        reply_to=reply_to, text=text)
    kind = ATTACHMENT_EVENTS[name]
    attachments = tuple(
        Attachment(kind, _text(payload.get("url")) or "", _text(payload.get("name")) or "")
        for payload in (item.get("payload") or {} for item in message.get("attachments") or [])
    ) or (Attachment(kind),)
    return Incoming(sender, chat, update_id=update, message_id=message_id, reply_to=reply_to,
                    text=text or None, attachments=attachments)


def _text(value: Any) -> str | None:
    """Zalo's ids are big integers: kept as the digits, never as floats."""
    return None if value is None or value == "" else str(value)
