"""What staff and the province read about tickets: /ds, /xem N, /thongke and the export."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from handlers.button_codec import number
from handlers.context import HandlerContext
from handlers.hotline import relay
from handlers.hotline.settings import HotlineSettings
from handlers.model import Block, Reply
from handlers.ports import Ticket

OPEN_SHOWN = 20
HISTORY_SHOWN = 30
EXPORT_COLUMNS = ("number", "team", "topic", "commune", "opened", "first_answer", "closed",
                  "rating")


def age(ctx: HandlerContext, since: datetime, now: datetime) -> str:
    minutes = int((now - since).total_seconds() // 60)
    if minutes < 60:
        return ctx.texts("age_minutes", n=minutes)
    if minutes < 48 * 60:
        return ctx.texts("age_hours", n=minutes // 60)
    return ctx.texts("age_days", n=minutes // (24 * 60))


async def open_tickets(ctx: HandlerContext) -> Reply:
    """/ds: open tickets, oldest first, with their team, state and who has them."""
    texts, now = ctx.texts, ctx.clock()
    waiting = await ctx.storage.tickets.unfinished()
    if not waiting:
        return Reply.text(texts("tickets_open_none"))
    blocks = [Block(texts("tickets_open_header", count=len(waiting)))]
    for ticket in waiting[:OPEN_SHOWN]:
        blocks.append(Block(texts(
            "tickets_open_item", number=ticket.id, team=ticket.team,
            state=texts(f"state_{ticket.state.value}"),
            staff=f" ({ticket.claimed_name})" if ticket.claimed_name else "",
            age=age(ctx, ticket.opened_at, now), unit=ticket.unit or ticket.official_name,
            question=ticket.question[:80],
        )))
    return Reply(tuple(blocks))


async def history(ctx: HandlerContext, settings: HotlineSettings, argument: str) -> Reply:
    """/xem N: what happened on ticket N, notes included."""
    texts = ctx.texts
    ticket_id = number(argument.strip())
    if ticket_id is None:
        return Reply.text(texts("tickets_xem_usage"))
    ticket = await ctx.storage.tickets.get(ticket_id)
    if ticket is None:
        return Reply.text(texts("ticket_unknown", number=ticket_id))
    blocks = [Block(texts("tickets_history_header", number=ticket.id,
                          state=texts(f"state_{ticket.state.value}")))]
    lines = [
        texts("tickets_history_item", at=relay.when(settings, event.at),
              kind=texts(f"event_{event.kind}"),
              author=f" ({event.author})" if event.author else "", text=event.text or "—")
        for event in (await ctx.storage.tickets.events(ticket.id))[-HISTORY_SHOWN:]
    ]
    blocks.append(Block("\n".join(lines)))
    return Reply(tuple(blocks))


def _median_minutes(values: Iterable[timedelta]) -> float | None:
    minutes = [value.total_seconds() / 60 for value in values]
    return statistics.median(minutes) if minutes else None


async def statistics_this_month(ctx: HandlerContext, settings: HotlineSettings) -> Reply:
    """/thongke: this month's tickets by team and by topic."""
    texts, now = ctx.texts, ctx.clock().astimezone(settings.hours.zone)
    start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    month = await ctx.storage.tickets.opened_between(start, now + timedelta(seconds=1))
    blocks = [Block(texts("stats_header", month=f"{now:%m/%Y}"))]
    groups: list[tuple[str, Callable[[Ticket], bool]]] = [
        (team.name, lambda t, name=team.name: t.team == name) for team in settings.teams
    ] + [(topic.label, lambda t, topic_id=topic.id: t.topic == topic_id)
         for topic in settings.topics]
    for name, belongs in groups:
        mine = [t for t in month if belongs(t)]
        if mine:
            blocks.append(Block(_stats_line(ctx, name, mine)))
    if len(blocks) == 1:
        blocks.append(Block(texts("tickets_open_none")))
    return Reply(tuple(blocks))


def _stats_line(ctx: HandlerContext, name: str, tickets: list[Ticket]) -> str:
    texts = ctx.texts
    none = texts("stats_none")

    def shown(minutes: float | None) -> str:
        return none if minutes is None else texts("age_minutes", n=round(minutes))

    first = _median_minutes(t.first_answer_at - t.opened_at for t in tickets if t.first_answer_at)
    close = _median_minutes(t.closed_at - t.opened_at for t in tickets if t.closed_at)
    ratings = [t.rating for t in tickets if t.rating is not None]
    rating = f"{statistics.mean(ratings):.1f}".replace(".", ",") if ratings else none
    return texts("stats_line", name=name, opened=len(tickets),
                 open=sum(t.closed_at is None for t in tickets), first=shown(first),
                 close=shown(close), rating=rating)


def export_row(ticket: Ticket, settings: HotlineSettings) -> dict[str, str]:
    """One ticket as the province's report wants it (local times, ISO 8601)."""
    zone = settings.hours.zone

    def moment(value: datetime | None) -> str:
        return value.astimezone(zone).isoformat(timespec="minutes") if value else ""

    return {
        "number": str(ticket.id), "team": ticket.team,
        "topic": settings.topic_label(ticket.topic), "commune": ticket.unit,
        "opened": moment(ticket.opened_at), "first_answer": moment(ticket.first_answer_at),
        "closed": moment(ticket.closed_at),
        "rating": "" if ticket.rating is None else str(ticket.rating),
    }
