"""The messages of a ticket: to its team's chat (in its thread) and to the official.

Every one goes through the outbox with the ticket's ref, so that the ids of the
delivered messages are recorded under the ticket and a reply to any of them finds it.
Photos and files are copied within one chat app; between two (an official on Zalo, the
team on Telegram) each is fetched and uploaded again (`Upload`), and what cannot be
passed on (a sticker, a voice message) is named in the message that goes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from handlers.button_codec import pack
from handlers.context import HandlerContext
from handlers.hotline import buttons
from handlers.hotline.settings import HotlineSettings, Team
from handlers.linking import APP_NAMES
from handlers.model import (
    Address,
    Attachment,
    AttachmentKind,
    Block,
    Button,
    Copy,
    Incoming,
    Outgoing,
    Priority,
    Reply,
    Style,
    Upload,
)
from handlers.ports import Ticket
from handlers.workdays import format_day

Media = Copy | Upload
# What is fetched and uploaded again between two chat apps.
PASSED_ON = (AttachmentKind.PHOTO, AttachmentKind.DOCUMENT)


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
    media: Media | None = None,
    team: Team | None = None,
) -> None:
    """A message in the ticket's thread of its team chat (the thread opens with the first)."""
    chat = (team or team_of(settings, ticket)).chat
    topic = ctx.texts("ticket_topic_name", number=ticket.id,
                      unit=ticket.unit or ticket.official_name or ctx.texts("default_name"))
    await ctx.outbox.send(_outgoing(reply, media, chat, key, ticket, topic))


async def to_official(
    ctx: HandlerContext, ticket: Ticket, key: str, reply: Reply | None = None,
    media: Media | None = None,
) -> None:
    await ctx.outbox.send(_outgoing(reply, media, ticket.official, key, ticket))


def _outgoing(reply: Reply | None, media: Media | None, chat: Address, key: str,
              ticket: Ticket, topic: str | None = None) -> Outgoing:
    return Outgoing(reply, chat, copy=media if isinstance(media, Copy) else None,
                    upload=media if isinstance(media, Upload) else None, key=key,
                    ref=ticket.ref, priority=Priority.RELAY, topic=topic)


def carried(source: Address, message_id: str | None, attachments: Sequence[Attachment],
            to: Address) -> tuple[list[Media], list[Attachment]]:
    """How what someone sent with a message reaches the chat `to`: copied within one app
    (the caption travels with it); between apps each photo or file uploaded again. The
    second list is what cannot be passed on."""
    if not attachments or message_id is None:
        return [], []
    if source.channel == to.channel:
        return [Copy(source, message_id)], []
    passed = [file for file in attachments if file.kind in PASSED_ON and file.file_id]
    return ([Upload(source.channel, file) for file in passed],
            [file for file in attachments if file not in passed])


def not_passed(ctx: HandlerContext, lost: Sequence[Attachment], to: Address) -> list[Block]:
    """A note naming what could not be passed on to the app of `to`."""
    if not lost:
        return []
    what = ", ".join(dict.fromkeys(ctx.texts(f"attachment_name_{file.kind.value}")
                                   for file in lost))
    return [Block(ctx.texts("ticket_attachment_not_passed", what=what,
                            app=APP_NAMES.get(to.channel, to.channel)), Style.NOTE)]


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
    to = team_of(settings, ticket).chat if to_staff else ticket.official
    media, lost = carried(incoming.chat, incoming.message_id, incoming.attachments, to)
    copied = any(isinstance(item, Copy) for item in media)
    text = incoming.text if not copied else None  # a copy carries its caption
    reply = Reply((Block(attribution, Style.NOTE), *([Block(text)] if text else ()),
                   *not_passed(ctx, lost, to)))
    messages: list[tuple[Reply | None, Media | None]] = [(reply, None)]
    messages += [(None, item) for item in media]
    for n, (part, item) in enumerate(messages):
        if to_staff:
            await to_team(ctx, settings, ticket, f"{key}:{n}", part, item)
        else:
            await to_official(ctx, ticket, f"{key}:{n}", part, item)


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
        (Button(texts("button_ticket_claim"), pack(buttons.Claim(ticket_id))),
         Button(texts("button_ticket_close"), pack(buttons.Close(ticket_id)))),
        (Button(texts("button_ticket_reopen"), pack(buttons.Reopen(ticket_id))),
         Button(texts("button_ticket_hand_over"), pack(buttons.HandOver(ticket_id)))),
    )


def leave_button(ctx: HandlerContext) -> tuple[tuple[Button, ...], ...]:
    return ((Button(ctx.texts("button_hotline_leave"), pack(buttons.Leave())),),)
