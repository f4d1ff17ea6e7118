"""The deadline features' entry points for the dispatcher: commands, typed steps, buttons."""

from __future__ import annotations

from handlers import commands
from handlers.commands import Command
from handlers.context import HandlerContext
from handlers.deadlines import buttons
from handlers.deadlines.officials import OfficialDeadlines
from handlers.deadlines.settings import ReminderSettings
from handlers.deadlines.staff import BROADCAST_FLOW, DEADLINE_FLOW, StaffDeadlines
from handlers.model import Incoming, Reply
from handlers.ports import User

COMMANDS = (commands.VIEC, commands.HANTRA, commands.TIENDO, commands.TAOHAN,
            commands.THONGBAO)


class DeadlineHandlers:
    def __init__(self, ctx: HandlerContext, settings: ReminderSettings) -> None:
        self.ctx = ctx
        self.officials = OfficialDeadlines(ctx, settings)
        self.staff = StaffDeadlines(ctx, settings)

    async def command(self, user: User, command: Command, incoming: Incoming,
                      argument: str) -> Reply:
        if command is commands.VIEC:
            return await self.officials.viec(user.id)
        if command is commands.HANTRA:
            return self.officials.hantra(argument)
        if not self.staff.in_staff_chat(incoming):
            return Reply.text(self.ctx.texts("staff_only"))
        if command is commands.TIENDO:
            return await self.staff.tiendo(argument)
        flow = BROADCAST_FLOW if command is commands.THONGBAO else DEADLINE_FLOW
        return await self.staff.start(user, flow, argument)

    async def reply_to_text(self, user: User, incoming: Incoming, text: str) -> Reply | None:
        if not self.staff.in_staff_chat(incoming):
            return None
        return await self.staff.reply_to_text(user, text)

    async def cancel(self, user: User) -> Reply | None:
        return await self.staff.cancel(user)

    async def press(self, user: User, incoming: Incoming, action: buttons.Action) -> Reply:
        if isinstance(action, buttons.OnDeadline):
            return await self.officials.press(user.id, action, incoming.chat)
        if not self.staff.in_staff_chat(incoming):
            return Reply.text(self.ctx.texts("button_expired"))
        if isinstance(action, buttons.OnBroadcast):
            broadcasts = self.staff.broadcasts
            return await (broadcasts.stop if action.stop else broadcasts.progress)(
                action.broadcast)
        return await self.staff.press(user, action)
