"""Telegram updates → `Incoming`, or None when the bot should stay quiet.

In private chats everything is for the bot. In groups only what is addressed to it:
commands (not those meant for another bot), messages mentioning it, and replies to its
own messages; the mention is taken out of the text.
"""

from __future__ import annotations

from telegram import CallbackQuery, Message, MessageEntity
from telegram import User as TelegramUser
from telegram.constants import ChatType

from bot.channels.telegram import CHANNEL
from handlers.model import AttachmentKind, Incoming, Sender


def message_incoming(message: Message, me: TelegramUser) -> Incoming | None:
    """What a person did with a message; None for service messages and other people's talk."""
    person = message.from_user
    if person is None or person.is_bot:
        return None
    text = message.text if message.text is not None else message.caption
    attachment = _attachment(message)
    if text is None and attachment is None:
        return None  # someone joined, a message was pinned…
    if message.chat.type != ChatType.PRIVATE:
        text = _addressed_text(message, me)
        if text is None:
            return None
    return Incoming(_sender(person), str(message.chat.id), text=text, attachment=attachment)


def button_incoming(query: CallbackQuery) -> Incoming | None:
    if query.data is None:
        return None
    chat_id = query.message.chat.id if query.message else query.from_user.id
    return Incoming(_sender(query.from_user), str(chat_id), button=query.data)


def _sender(person: TelegramUser) -> Sender:
    return Sender(CHANNEL, str(person.id), person.full_name)


def _attachment(message: Message) -> AttachmentKind | None:
    if message.photo:
        return AttachmentKind.PHOTO
    if message.document:
        return AttachmentKind.DOCUMENT
    if message.sticker:
        return AttachmentKind.STICKER
    if message.voice or message.audio or message.video_note:
        return AttachmentKind.VOICE
    if message.location or message.venue:
        return AttachmentKind.LOCATION
    return AttachmentKind.OTHER if message.effective_attachment else None


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
