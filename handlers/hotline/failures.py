"""A ticket's message that could not reach the official, reported in the ticket's thread."""

from __future__ import annotations

from handlers.context import HandlerContext
from handlers.hotline import relay
from handlers.hotline.settings import HotlineSettings
from handlers.model import Address, Reply
from handlers.ports import ticket_of_ref

TOO_BIG = ("too big", "too large", "file_too_big")


async def delivery_failed(
    ctx: HandlerContext,
    settings: HotlineSettings,
    ref: str,
    address: Address,
    key: str,
    reason: str,
    unreachable: bool,
) -> None:
    """Tell the team a message of ticket `ref` to the official failed for good, and why.

    A failure in the team chat itself is only logged by the sender: reporting it there
    would fail the same way.
    """
    number = ticket_of_ref(ref)
    ticket = await ctx.storage.tickets.get(number) if number is not None else None
    if ticket is None or address.chat != ticket.official.chat:
        return
    texts = ctx.texts
    if unreachable:
        why = texts("failure_blocked")
    elif any(word in reason.lower() for word in TOO_BIG):
        why = texts("failure_too_big")
    else:
        why = texts("failure_other", reason=reason)
    await ctx.storage.tickets.add_event(ticket.id, "failure", "", why, ctx.clock())
    await relay.to_team(ctx, settings, ticket, f"{ticket.ref}:failed:{key}",
                        Reply.text(texts("ticket_delivery_failed", number=ticket.id, reason=why)))
