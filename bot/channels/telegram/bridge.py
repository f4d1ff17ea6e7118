"""The PTB handlers: messages and button presses go to the dispatcher, replies come back.

Registered explicitly in `register`: one handler for new messages, one for button
presses, and the one error handler for anything that escapes them.
"""

from __future__ import annotations

import logging
from contextlib import suppress

from telegram import CallbackQuery, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from bot.channels.telegram.convert import button_incoming, message_incoming
from bot.channels.telegram.limits import FloodLimiter, Verdict
from bot.channels.telegram.render import as_notice
from bot.channels.telegram.send import send_reply
from handlers.dispatcher import Dispatcher
from handlers.model import Reply
from handlers.texts import Texts

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE


class TelegramBridge:
    def __init__(self, dispatcher: Dispatcher, texts: Texts, flood: FloodLimiter) -> None:
        self._dispatcher = dispatcher
        self._texts = texts
        self._flood = flood

    def register(self, application: Application) -> None:
        # New messages only: edits and channel posts are not questions to answer again.
        application.add_handler(MessageHandler(filters.UpdateType.MESSAGE, self.on_message))
        application.add_handler(CallbackQueryHandler(self.on_button))
        application.add_error_handler(self.on_error)

    async def on_message(self, update: Update, context: Context) -> None:
        """A message for the bot: answered unless its sender is flooding."""
        message = update.message
        assert message is not None, "registered for new messages only"
        incoming = message_incoming(message, context.bot.bot)
        if incoming is None:
            return
        verdict = self._flood.check(incoming.sender.id)
        if verdict is Verdict.WARN:
            await send_reply(context.bot, message.chat_id, self._flood_notice())
        if verdict is not Verdict.ALLOW:
            return
        for reply in await self._dispatcher.handle(incoming):
            await send_reply(context.bot, message.chat_id, reply)

    async def on_button(self, update: Update, context: Context) -> None:
        """A button press: always acknowledged, acted on only after the handlers re-check it."""
        query = update.callback_query
        assert query is not None, "registered for button presses only"
        incoming = button_incoming(query)
        if incoming is None:
            await _acknowledge(query)
            return
        verdict = self._flood.check(incoming.sender.id)
        if verdict is not Verdict.ALLOW:
            notice = self._flood_notice().plain_text if verdict is Verdict.WARN else None
            await _acknowledge(query, notice)
            return
        replies = await self._dispatcher.handle(incoming)
        notice = as_notice(replies)
        shown = await _acknowledge(query, notice)
        if notice is None or not shown:
            for reply in replies:
                await send_reply(context.bot, incoming.chat_id, reply)

    async def on_error(self, update: object, context: Context) -> None:
        """Log the update id and the trace; tell the person something went wrong."""
        update_id = update.update_id if isinstance(update, Update) else None
        log.error("update %s failed", update_id, exc_info=context.error)
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is not None:
            with suppress(TelegramError):
                await send_reply(context.bot, chat.id, Reply.text(self._texts("error")))

    def _flood_notice(self) -> Reply:
        return Reply.text(self._texts("flood_limited"))


async def _acknowledge(query: CallbackQuery, notice: str | None = None) -> bool:
    """Answer a press; False when Telegram refuses because the press is too old.

    Presses made while the bot was down arrive late, and Telegram no longer accepts an
    answer to them: the press is still acted on, its notice then sent as a message.
    """
    try:
        await query.answer(notice)
    except BadRequest as err:
        log.info("button press %s not acknowledged: %s", query.id, err)
        return False
    return True
