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
    upload: bool = False,
) -> None:
    """Tell the team a message of ticket `ref` to the official failed for good, and why,
    or that a photo or file from the official (`upload`) could not be passed on to them.

    Any other failure in the team chat itself is only logged by the sender: reporting it
    there would fail the same way.
    """
    number = ticket_of_ref(ref)
    ticket = await ctx.storage.tickets.get(number) if number is not None else None
    if ticket is None:
        return
    texts = ctx.texts
    if address.chat != ticket.official.chat:
        if upload and not unreachable:
            why = _why(ctx, reason)
            await relay.to_team(ctx, settings, ticket, f"{ticket.ref}:failed:{key}",
                                Reply.text(texts("ticket_upload_failed", number=ticket.id,
                                                 reason=why)))
        return
    why = texts("failure_blocked") if unreachable else _why(ctx, reason)
    await ctx.storage.tickets.add_event(ticket.id, "failure", "", why, ctx.clock())
    await relay.to_team(ctx, settings, ticket, f"{ticket.ref}:failed:{key}",
                        Reply.text(texts("ticket_delivery_failed", number=ticket.id, reason=why)))


def _why(ctx: HandlerContext, reason: str) -> str:
    if any(word in reason.lower() for word in TOO_BIG):
        return ctx.texts("failure_too_big")
    return ctx.texts("failure_other", reason=reason)
