"""The response-time watch: unclaimed tickets raised again, then sent to supervisors.

Only office minutes count (`OfficeHours.working_minutes`), so a ticket sent on Friday
evening is not "late" on Monday at 07:31. The sweep takes `now` as an argument: the
application runs it every minute, tests call it with the time they need.
"""

from __future__ import annotations

from datetime import datetime

from handlers.context import HandlerContext
from handlers.hotline import relay
from handlers.hotline.settings import HotlineSettings
from handlers.model import Outgoing, Priority, Reply
from handlers.ports import TicketState


async def sweep(ctx: HandlerContext, settings: HotlineSettings, now: datetime) -> int:
    """Nudge and escalate what is due at `now`; returns how many messages were queued.

    Call it inside one transaction: each message is written with the mark that it was
    sent, and the marks and the keys (one per waiting period) keep it to once.
    """
    texts, tickets = ctx.texts, ctx.storage.tickets
    queued = 0
    for ticket in await tickets.unfinished():
        if ticket.state is not TicketState.OPEN:
            continue
        minutes = settings.hours.working_minutes(ticket.waiting_since, now)
        period = int(ticket.waiting_since.timestamp())
        details = {"number": ticket.id, "topic": settings.topic_label(ticket.topic),
                   "unit": ticket.unit or ticket.official_name, "minutes": int(minutes)}
        if minutes >= settings.first_response_minutes and ticket.nudged_at is None:
            await tickets.nudged(ticket.id, now)
            await relay.to_team(ctx, settings, ticket, f"{ticket.ref}:nudge:{period}",
                                Reply.text(texts("ticket_nudge", **details)))
            queued += 1
        supervisors = settings.supervisor_chat
        if (supervisors is not None and minutes >= settings.escalate_minutes
                and ticket.escalated_at is None):
            await tickets.escalated(ticket.id, now)
            alert = Reply.text(texts("ticket_escalated", team=ticket.team,
                                     question=ticket.question, **details))
            await ctx.outbox.send(Outgoing(alert, supervisors, key=f"{ticket.ref}:escalate:"
                                           f"{period}", ref=ticket.ref,
                                           priority=Priority.RELAY))
            queued += 1
    return queued
