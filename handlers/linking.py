"""/lienket: one person, two apps.

`/lienket` in one app gives a short code; `/lienket CODE` typed in the other app links
the two accounts, so that the profile, questions, tickets and deadlines belong to the
person whichever app they write from. A code works once, for a few minutes, and only
in the other app; guessing one is slowed by the flood limit.
"""

from __future__ import annotations

from datetime import timedelta

from handlers.context import HandlerContext
from handlers.model import Address, Incoming, Outgoing, Reply
from handlers.ports import LinkOutcome, User

CODE_TTL = timedelta(minutes=10)
APP_NAMES = {"telegram": "Telegram", "zalo": "Zalo"}


async def link(ctx: HandlerContext, user: User, incoming: Incoming, argument: str) -> list[
    Reply | Outgoing
]:
    texts = ctx.texts
    now = ctx.clock()
    here = APP_NAMES.get(incoming.sender.channel, incoming.sender.channel)
    if not argument:
        code = await ctx.storage.links.issue(user.id, now + CODE_TTL, now)
        minutes = int(CODE_TTL.total_seconds() // 60)
        return [Reply.text(texts("link_code", code=code, minutes=minutes, here=here))]
    code = argument.strip()
    if not (code.isascii() and code.isdigit()):
        return [Reply.text(texts("link_bad_code"))]
    result = await ctx.storage.links.redeem(code, user, now)
    if result.outcome is LinkOutcome.UNKNOWN:
        return [Reply.text(texts("link_bad_code"))]
    if result.outcome is LinkOutcome.ALREADY:
        return [Reply.text(texts("link_already"))]
    if result.outcome is LinkOutcome.SAME_APP:
        return [Reply.text(texts("link_same_app"))]
    assert result.other is not None
    there = APP_NAMES.get(result.other.channel, result.other.channel)
    done = Reply.text(texts("link_done", other=there))
    told = Outgoing(Reply.text(texts("link_done", other=here)),
                    Address(result.other.channel, result.other.external_id),
                    key=f"link:{incoming.sender.channel}:{incoming.update_id}")
    return [done, told]
