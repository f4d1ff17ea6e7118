"""The messages of a ticket: to its team's chat (in its thread) and to the official.

Every one goes through the outbox with the ticket's ref, so that the ids of the
delivered messages are recorded under the ticket and a reply to any of them finds it.
"""

from __future__ import annotations

from datetime import datetime

from handlers.context import HandlerContext
from handlers.hotline import buttons
from handlers.hotline.settings import HotlineSettings, Team
from handlers.model import Block, Button, Copy, Incoming, Outgoing, Priority, Reply, Style
from handlers.ports import Ticket
from handlers.workdays import format_day


def team_of(settings: HotlineSettings, ticket: Ticket) -> Team:
    """The team holding the ticket now (a team renamed in config: the topic's team)."""
    return settings.team_named(ticket.team) or settings.team_for(ticket.topic)


def when(settings: HotlineSettings, moment: datetime) -> str:
    """A stored (UTC) time as the office reads it: "09:30 thứ Ba 01/12/2026"."""
    local = moment.astimezone(settings.hours.zone)
    return f"{local:%H:%M} {format_day(local.date())}"


async def to_team(
    ctx: HandlerContext,
    settings: HotlineSettings,
    ticket: Ticket,
    key: str,
    reply: Reply | None = None,
    copy: Copy | None = None,
    team: Team | None = None,
) -> None:
    """A message in the ticket's thread of its team chat (the thread opens with the first)."""
    chat = (team or team_of(settings, ticket)).chat
    topic = ctx.texts("ticket_topic_name", number=ticket.id,
                      unit=ticket.unit or ticket.official_name or ctx.texts("default_name"))
    await ctx.outbox.send(Outgoing(reply, chat, copy=copy, key=key, ref=ticket.ref,
                                   priority=Priority.RELAY, topic=topic))


async def to_official(
    ctx: HandlerContext, ticket: Ticket, key: str, reply: Reply | None = None,
    copy: Copy | None = None,
) -> None:
    await ctx.outbox.send(Outgoing(reply, ticket.official, copy=copy, key=key, ref=ticket.ref,
                                   priority=Priority.RELAY))


async def relay(
    ctx: HandlerContext,
    settings: HotlineSettings,
    ticket: Ticket,
    incoming: Incoming,
    attribution: str,
    to_staff: bool,
) -> None:
    """What someone wrote (text, photos, files), attributed, to the other side."""
    key = f"{ticket.ref}:in:{incoming.chat.channel}:{incoming.update_id}"
    text = incoming.text if not incoming.attachments else None
    reply = Reply((Block(attribution, Style.NOTE), *([Block(text)] if text else ())))
    copy = None
    if incoming.attachments and incoming.message_id is not None:
        copy = Copy(incoming.chat, incoming.message_id)  # the caption travels with it
    messages: list[tuple[Reply | None, Copy | None]] = [(reply, None)]
    if copy is not None:
        messages.append((None, copy))
    for n, (part, copied) in enumerate(messages):
        if to_staff:
            await to_team(ctx, settings, ticket, f"{key}:{n}", part, copied)
        else:
            await to_official(ctx, ticket, f"{key}:{n}", part, copied)


def header(ctx: HandlerContext, settings: HotlineSettings, ticket: Ticket) -> Reply:
    """The ticket's card in the team chat, with the staff's buttons."""
    texts = ctx.texts
    blocks = [
        Block(texts("ticket_header", number=ticket.id), Style.TITLE),
        Block(texts("ticket_details", name=ticket.official_name or texts("default_name"),
                    unit=ticket.unit or "—", position=ticket.position or "—",
                    topic=settings.topic_label(ticket.topic),
                    opened=when(settings, ticket.opened_at))),
        Block(ticket.question),
    ]
    entry = ctx.knowledge.get(ticket.entry_id) if ticket.entry_id else None
    if entry is not None:
        blocks.append(Block(texts("ticket_from_card", title=entry.title), Style.NOTE))
    blocks.append(Block(texts("ticket_how_to_answer"), Style.NOTE))
    return Reply(tuple(blocks), staff_buttons(ctx, ticket.id))


def staff_buttons(ctx: HandlerContext, ticket_id: int) -> tuple[tuple[Button, ...], ...]:
    texts = ctx.texts
    return (
        (Button(texts("button_ticket_claim"), buttons.pack(buttons.Claim(ticket_id))),
         Button(texts("button_ticket_close"), buttons.pack(buttons.Close(ticket_id)))),
        (Button(texts("button_ticket_reopen"), buttons.pack(buttons.Reopen(ticket_id))),
         Button(texts("button_ticket_hand_over"), buttons.pack(buttons.HandOver(ticket_id)))),
    )


def leave_button(ctx: HandlerContext) -> tuple[tuple[Button, ...], ...]:
    return ((Button(ctx.texts("button_hotline_leave"), buttons.pack(buttons.Leave())),),)
