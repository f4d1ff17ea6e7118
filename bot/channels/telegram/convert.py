"""Telegram updates → `Incoming`, or None when the bot should stay quiet.

In private chats everything is for the bot. In groups what is addressed to it:
commands (not those meant for another bot), messages mentioning it, and replies to its
own messages (a support team answering a ticket), the mention taken out of the text;
and every message in a forum topic, marked not addressed, because a topic the bot
opened for a ticket belongs to that ticket (the handlers know which topics those are).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from telegram import CallbackQuery, Message, MessageEntity, Update
from telegram import User as TelegramUser
from telegram.constants import ChatType

from bot.channels.telegram import CHANNEL
from handlers.model import Address, Attachment, AttachmentKind, ChatKind, Incoming, Sender

# The fields of a plain text message (no reply, attachment, forward or topic), the kind
# most updates are: `private_text_incoming` reads those from the JSON.
PLAIN_TEXT_FIELDS = frozenset({"message_id", "from", "chat", "date", "text", "entities",
                               "link_preview_options"})


def private_text_incoming(update: Mapping[str, Any]) -> Incoming | None:
    """The `Incoming` of a person's plain text message in a private chat, read straight
    from the update's JSON; None for any other update (read through `update_incoming`).

    Most updates are such messages, and building python-telegram-bot's objects for them
    costs more than the rest of receiving them.
    """
    message = update.get("message")
    if (not isinstance(message, Mapping) or len(update) != 2
            or not message.keys() <= PLAIN_TEXT_FIELDS):
        return None
    person, chat, text = message.get("from"), message.get("chat"), message.get("text")
    if (not isinstance(person, Mapping) or person.get("is_bot") is not False
            or not isinstance(person.get("first_name"), str) or not person["first_name"]
            or not isinstance(chat, Mapping) or chat.get("type") != ChatType.PRIVATE
            or not isinstance(text, str)):
        return None
    name = person["first_name"]
    if person.get("last_name"):
        name = f"{name} {person['last_name']}"
    return Incoming(
        Sender(CHANNEL, str(person["id"]), name),
        Address(CHANNEL, str(chat["id"])),
        ChatKind.PRIVATE,
        update_id=str(update["update_id"]),
        message_id=str(message["message_id"]),
        text=text,
    )


def update_incoming(update: Update, me: TelegramUser) -> Incoming | None:
    """The `Incoming` of a stored update; None for what the bot ignores."""
    if update.message is not None:
        return message_incoming(update.message, me, str(update.update_id))
    if update.callback_query is not None:
        return button_incoming(update.callback_query, str(update.update_id))
    return None


def message_incoming(message: Message, me: TelegramUser, update_id: str = "") -> Incoming | None:
    """What a person did with a message; None for service messages and other people's talk."""
    person = message.from_user
    if person is None or person.is_bot:
        return None
    text = message.text if message.text is not None else message.caption
    attachment = _attachment(message)
    if text is None and attachment is None:
        return None  # someone joined, a message was pinned…
    private = message.chat.type == ChatType.PRIVATE
    addressed = True
    if not private:
        meant = _addressed_text(message, me)
        addressed = meant is not None
        if not addressed and not message.is_topic_message:
            return None
        if meant is not None and text is not None:
            text = meant
    replied = message.reply_to_message
    return Incoming(
        _sender(person),
        _address(message),
        ChatKind.PRIVATE if private else ChatKind.GROUP,
        update_id=update_id,
        message_id=str(message.message_id),
        reply_to=str(replied.message_id) if replied and not _is_topic_root(message) else None,
        text=text,
        attachments=(attachment,) if attachment else (),
        addressed=addressed,
    )


def button_incoming(query: CallbackQuery, update_id: str = "") -> Incoming | None:
    if query.data is None:
        return None
    message = query.message if isinstance(query.message, Message) else None
    chat = _address(message) if message else Address(CHANNEL, str(query.from_user.id))
    private = message is None or message.chat.type == ChatType.PRIVATE
    return Incoming(
        _sender(query.from_user), chat, ChatKind.PRIVATE if private else ChatKind.GROUP,
        update_id=update_id, message_id=str(message.message_id) if message else None,
        button=query.data, press_id=query.id,
    )


def _address(message: Message) -> Address:
    thread = str(message.message_thread_id) if message.is_topic_message else None
    return Address(CHANNEL, str(message.chat.id), thread)


def _is_topic_root(message: Message) -> bool:
    """In a forum topic every message "replies" to the topic's first message."""
    replied = message.reply_to_message
    return bool(message.is_topic_message and replied
                and replied.message_id == message.message_thread_id)


def _sender(person: TelegramUser) -> Sender:
    return Sender(CHANNEL, str(person.id), person.full_name)


def _attachment(message: Message) -> Attachment | None:
    if message.photo:
        return Attachment(AttachmentKind.PHOTO, message.photo[-1].file_id)
    if message.document:
        document = message.document
        return Attachment(AttachmentKind.DOCUMENT, document.file_id, document.file_name or "")
    if message.sticker:
        return Attachment(AttachmentKind.STICKER, message.sticker.file_id)
    if message.voice or message.audio or message.video_note:
        return Attachment(AttachmentKind.VOICE)
    if message.location or message.venue:
        return Attachment(AttachmentKind.LOCATION)
    return Attachment(AttachmentKind.OTHER) if message.effective_attachment else None


def _addressed_text(message: Message, me: TelegramUser) -> str | None:
    """The text of a group message meant for this bot, without the mention; else None."""
    text = message.text if message.text is not None else message.caption or ""
    entities = message.parse_entities() if message.text else message.parse_caption_entities()
    for entity, value in entities.items():
        if entity.type == MessageEntity.BOT_COMMAND and entity.offset == 0:
            _, _, addressee = value.partition("@")
            return text if addressee.lower() in ("", (me.username or "").lower()) else None
        if _names_me(entity, value, me):
            return text.replace(value, "", 1).strip()
    replied = message.reply_to_message
    if replied and replied.from_user and replied.from_user.id == me.id:
        return text
    return None


def _names_me(entity: MessageEntity, value: str, me: TelegramUser) -> bool:
    if entity.type == MessageEntity.MENTION:
        return value.lower() == f"@{me.username or ''}".lower()
    if entity.type == MessageEntity.TEXT_MENTION:
        return entity.user is not None and entity.user.id == me.id
    return False
