"""The official's side: opening a ticket, writing to it, rating it, listing their tickets.

The exchange is kept in the `conversations` table (flow "hotline"): choosing a topic,
describing the problem, then "open" — everything the official writes joins the ticket
until they press "Hỏi câu khác" — and, after the team closes it, a rating and a comment.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from handlers.button_codec import pack
from handlers.context import HandlerContext
from handlers.hotline import buttons, relay
from handlers.hotline.settings import HotlineSettings
from handlers.model import (
    Address,
    Attachment,
    AttachmentKind,
    Block,
    Button,
    Incoming,
    Reply,
    Result,
    Style,
)
from handlers.onboarding import Onboarding
from handlers.ports import Conversation, NewTicket, Registration, Ticket, TicketState, User
from handlers.workdays import format_day
from knowledge.search import Intent

FLOW = "hotline"
STEP_TOPIC = "topic"
STEP_DESCRIBE = "describe"
STEP_OPEN = "open"
STEP_RATING = "rating"
STEP_COMMENT = "comment"
# Choosing a topic or describing the problem, abandoned this long, is forgotten.
SETUP_TTL = timedelta(hours=1)
MINE_SHOWN = 5
QUOTE_LIMIT = 80


class OfficialSide:
    def __init__(
        self, ctx: HandlerContext, settings: HotlineSettings, onboarding: Onboarding
    ) -> None:
        self.ctx = ctx
        self.settings = settings
        self.onboarding = onboarding

    async def start(
        self, user: User, question: str | None = None, entry_id: str | None = None
    ) -> Reply:
        """/hotro, the card's button, or plain words: choose a topic (the question kept)."""
        texts = self.ctx.texts
        if self.onboarding.settings.enabled:
            profile = await self.ctx.storage.users.profile(user.id)
            registration = profile.registration if profile else Registration.NONE
            if registration is Registration.NONE:
                ask = await self.onboarding.edit(user)
                return Reply((Block(texts("hotline_register_first")), *ask.blocks), ask.buttons)
            if registration is Registration.PENDING:
                phone = self.ctx.support.phone
                contacts = f" ({texts('hotline_phone', phone=phone)})" if phone else ""
                return Reply.text(texts("hotline_wait_approval", contacts=contacts))
        await self._step(user, STEP_TOPIC, {"question": question, "entry_id": entry_id})
        blocks = [Block(texts("hotline_choose_topic"))]
        if question:
            blocks.append(Block(texts("hotline_question_kept", question=question), Style.NOTE))
        topics = [Button(t.label, pack(buttons.ChooseTopic(i)))
                  for i, t in enumerate(self.settings.topics)]
        return Reply(tuple(blocks), tuple((button,) for button in topics))

    async def choose_topic(self, user: User, incoming: Incoming, index: int) -> Result:
        conversation = await self.conversation(user)
        if (conversation is None or conversation.step != STEP_TOPIC
                or index >= len(self.settings.topics)):
            return [Reply.text(self.ctx.texts("button_expired"))]
        topic = self.settings.topics[index]
        data = conversation.data
        if data.get("question"):
            return await self._open(user, incoming, topic.id, data["question"],
                                    data.get("entry_id"), [])
        await self._step(user, STEP_DESCRIBE, {"topic": topic.id, "attachments": []})
        return [Reply((Block(self.ctx.texts("hotline_describe", topic=topic.label)),),
                      relay.leave_button(self.ctx))]

    async def reply_to_text(self, user: User, incoming: Incoming) -> Result | None:
        """The next step for what the official wrote, or None outside the hotline."""
        conversation = await self.conversation(user)
        if conversation is None:
            return None
        data = conversation.data
        if conversation.step == STEP_DESCRIBE:
            return await self._describe(user, incoming, data)
        if conversation.step == STEP_COMMENT and incoming.text:
            return await self._comment(user, int(data["ticket"]), incoming.text)
        if conversation.step == STEP_RATING and _courtesy(self.ctx, incoming.text):
            return [Reply.text(self.ctx.texts("thanks_reply"))]  # "cảm ơn" reopens nothing
        if conversation.step in (STEP_OPEN, STEP_RATING):
            ticket = await self.ctx.storage.tickets.get(int(data["ticket"]))
            if ticket is not None:
                return await self.write(user, incoming, ticket, acked=bool(data.get("acked")))
        if conversation.step == STEP_TOPIC:
            return None  # a question typed instead of a choice: the knowledge base answers
        await self.ctx.storage.conversations.clear(user.id)
        return None

    async def write(
        self, user: User, incoming: Incoming, ticket: Ticket, acked: bool = False
    ) -> Result:
        """What the official wrote joins `ticket`; a closed one reopens within reopen_days."""
        texts = self.ctx.texts
        if ticket.state is TicketState.CLOSED:
            if not await self._reopen(ticket, incoming):
                await self.ctx.storage.conversations.clear(user.id)
                return [Reply.text(texts("hotline_closed_write", number=ticket.id,
                                         days=self.settings.reopen_days))]
            acked = False
        await self._join(ticket, incoming)
        await self._step(user, STEP_OPEN, {"ticket": ticket.id, "acked": True})
        if acked:
            return []
        return [Reply((Block(texts("hotline_added", number=ticket.id)),),
                      relay.leave_button(self.ctx))]

    async def press(self, user: User, incoming: Incoming, action: buttons.Action) -> Result:
        texts = self.ctx.texts
        match action:
            case buttons.ChooseTopic(index=index):
                return await self.choose_topic(user, incoming, index)
            case buttons.Leave():
                await self._leave(user)
                return [Reply.text(texts("hotline_left"))]
            case buttons.Rate(ticket=number, stars=stars):
                ticket = await self._own(user, number)
                if ticket is not None and await self.ctx.storage.tickets.rate(
                        ticket.id, user.id, stars):
                    await self._step(user, STEP_COMMENT, {"ticket": ticket.id})
                    await relay.to_team(self.ctx, self.settings, ticket,
                                        f"{ticket.ref}:rating:{incoming.update_id}",
                                        Reply.text(texts("ticket_rating_by", number=ticket.id,
                                                         stars=stars)))
                    return [Reply((Block(texts("hotline_rated", stars=stars)),),
                                  relay.leave_button(self.ctx))]
            case buttons.AddTo(ticket=number) | buttons.Reopen(ticket=number):
                ticket = await self._own(user, number)
                if ticket is not None:
                    return await self._resume(user, incoming, ticket)
        return [Reply.text(texts("button_expired"))]

    async def mine(self, user: User) -> Reply:
        """/yeucau: the official's latest tickets, each with a button to write to it."""
        texts = self.ctx.texts
        mine = await self.ctx.storage.tickets.of_user(user.id, MINE_SHOWN)
        if not mine:
            return Reply.text(texts("hotline_mine_none"))
        blocks = [Block(texts("hotline_mine_header"))]
        rows = []
        for ticket in mine:
            blocks.append(Block(texts(
                "hotline_mine_item", number=ticket.id,
                topic=self.settings.topic_label(ticket.topic),
                state=texts(f"state_{ticket.state.value}"),
                opened=format_day(ticket.opened_at.astimezone(self.settings.hours.zone).date()),
                question=_quote(ticket.question),
            )))
            if ticket.state is not TicketState.CLOSED:
                label = texts("button_hotline_add", number=ticket.id)
                rows.append((Button(label, pack(buttons.AddTo(ticket.id))),))
            elif self._reopenable(ticket, self.ctx.clock()):
                label = texts("button_hotline_reopen_mine", number=ticket.id)
                rows.append((Button(label, pack(buttons.Reopen(ticket.id))),))
        return Reply(tuple(blocks), tuple(rows))

    async def cancel(self, user: User) -> Reply | None:
        """/huy while choosing or describing; None when no such step is under way."""
        conversation = await self.conversation(user)
        if conversation is None:
            return None
        await self._leave(user)
        if conversation.step in (STEP_TOPIC, STEP_DESCRIBE):
            return Reply.text(self.ctx.texts("hotline_cancelled"))
        return Reply.text(self.ctx.texts("hotline_left"))

    async def conversation(self, user: User) -> Conversation | None:
        conversation = await self.ctx.storage.conversations.get(user.id)
        if conversation is None or conversation.flow != FLOW:
            return None
        setup = conversation.step in (STEP_TOPIC, STEP_DESCRIBE)
        if setup and self.ctx.clock() - conversation.updated_at > SETUP_TTL:
            await self.ctx.storage.conversations.clear(user.id)
            return None
        return conversation

    async def after_close(self, ticket: Ticket) -> None:
        """The team closed the ticket: ask the official for a rating."""
        texts = self.ctx.texts
        stars = tuple(Button(str(n), pack(buttons.Rate(ticket.id, n)))
                      for n in range(1, 6))
        ask = Reply((Block(texts("hotline_closed_notice", number=ticket.id)),), (stars,))
        await relay.to_official(self.ctx, ticket, f"{ticket.ref}:close:{ticket.closed_at}", ask)
        await self._follow(ticket, STEP_RATING, {"ticket": ticket.id})

    async def after_reopen(self, ticket: Ticket, key: str) -> None:
        notice = Reply((Block(self.ctx.texts("hotline_reopened_notice", number=ticket.id)),),
                       relay.leave_button(self.ctx))
        await relay.to_official(self.ctx, ticket, key, notice)
        await self._follow(ticket, STEP_OPEN, {"ticket": ticket.id, "acked": True})

    async def _follow(self, ticket: Ticket, step: str, data: dict[str, Any]) -> None:
        """Move the official's exchange on with the ticket, unless they are busy with
        something else (another ticket, a registration): its buttons still work."""
        current = await self.ctx.storage.conversations.get(ticket.user_id)
        if current is None or (current.flow == FLOW and current.data.get("ticket") == ticket.id):
            await self.ctx.storage.conversations.set(ticket.user_id, FLOW, step, data,
                                                     self.ctx.clock())

    async def _describe(self, user: User, incoming: Incoming, data: dict[str, Any]) -> Result:
        attachments = list(data.get("attachments", []))
        if incoming.attachments and incoming.message_id is not None:
            attachments.append([incoming.message_id,
                                *([a.kind.value, a.file_id, a.file_name]
                                  for a in incoming.attachments)])
        if not incoming.text:
            await self._step(user, STEP_DESCRIBE, {**data, "attachments": attachments})
            return [Reply.text(self.ctx.texts("hotline_describe_more"))]
        return await self._open(user, incoming, data["topic"], incoming.text,
                                data.get("entry_id"), attachments)

    async def _open(
        self, user: User, incoming: Incoming, topic: str, question: str,
        entry_id: str | None, attachments: list[Any],
    ) -> Result:
        texts, now = self.ctx.texts, self.ctx.clock()
        profile = await self.ctx.storage.users.profile(user.id)
        team = self.settings.team_for(topic)
        ticket = await self.ctx.storage.tickets.create(NewTicket(
            user_id=user.id, official=incoming.chat.chat, topic=topic, team=team.name,
            question=question, official_name=user.display_name,
            unit=(profile.unit if profile else None) or "",
            position=(profile.position if profile else None) or "", entry_id=entry_id,
        ), now)
        await self.ctx.storage.tickets.add_event(ticket.id, "official", user.display_name,
                                                 question, now)
        await self._card_to_team(ticket, incoming.chat.chat, attachments)
        await self._step(user, STEP_OPEN, {"ticket": ticket.id, "acked": False})
        blocks = [Block(texts("hotline_sent", number=ticket.id, team=team.name)),
                  *self._expectation(now),
                  Block(texts("hotline_talking_to_team", number=ticket.id), Style.NOTE)]
        return [Reply(tuple(blocks), relay.leave_button(self.ctx))]

    async def _card_to_team(self, ticket: Ticket, source: Address, attachments: list[Any]
                            ) -> None:
        """The ticket's card, then what the official sent before describing the problem
        (`attachments`, each [message id, [kind, file id, file name]…])."""
        team_chat = relay.team_of(self.settings, ticket).chat
        sent: list[tuple[str, relay.Media]] = []
        lost: list[Attachment] = []
        for stored in attachments:
            # A bare message id was kept before files were carried between apps.
            message_id, *files = [stored, ["other", "", ""]] if isinstance(stored, str) \
                else stored
            media, missing = relay.carried(
                source, message_id,
                [Attachment(AttachmentKind(kind), file_id, name) for kind, file_id, name in files],
                team_chat)
            sent += [(f"{message_id}:{n}" if n else message_id, item)
                     for n, item in enumerate(media)]
            lost += missing
        header = relay.header(self.ctx, self.settings, ticket)
        if lost:
            header = Reply((*header.blocks, *relay.not_passed(self.ctx, lost, team_chat)),
                           header.buttons)
        await relay.to_team(self.ctx, self.settings, ticket, f"{ticket.ref}:header", header)
        for key, item in sent:
            await relay.to_team(self.ctx, self.settings, ticket,
                                f"{ticket.ref}:attachment:{key}", media=item)

    def _expectation(self, now: datetime) -> list[Block]:
        """When a first answer is likely: soon in office hours, else when the team is back."""
        texts, hours = self.ctx.texts, self.settings.hours
        if hours.is_open(now):
            return [Block(texts("hotline_expect_open",
                                minutes=self.settings.first_response_minutes))]
        local = now.astimezone(hours.zone)
        holiday = hours.calendar.holiday_name(local.date())
        opening = hours.next_opening(now)
        blocks = [Block(texts("hotline_expect_closed", holiday=f" ({holiday})" if holiday else "",
                              time=f"{opening:%H:%M}", day=format_day(opening.date())))]
        if self.ctx.support.phone:
            blocks.append(Block(texts("hotline_expect_urgent",
                                      phone=self.ctx.support.phone)))
        return blocks

    async def _join(self, ticket: Ticket, incoming: Incoming) -> None:
        name = ticket.official_name or self.ctx.texts("default_name")
        await self.ctx.storage.tickets.add_event(
            ticket.id, "official", name, incoming.text or f"[{incoming.attachment}]",
            self.ctx.clock())
        attribution = self.ctx.texts("ticket_from_official", number=ticket.id, name=name)
        await relay.relay(self.ctx, self.settings, ticket, incoming, attribution, to_staff=True)

    async def _resume(self, user: User, incoming: Incoming, ticket: Ticket) -> Result:
        texts = self.ctx.texts
        if ticket.state is TicketState.CLOSED and not await self._reopen(ticket, incoming):
            return [Reply.text(texts("hotline_closed_write", number=ticket.id,
                                     days=self.settings.reopen_days))]
        await self._step(user, STEP_OPEN, {"ticket": ticket.id, "acked": True})
        return [Reply((Block(texts("hotline_talking_to_team", number=ticket.id)),),
                      relay.leave_button(self.ctx))]

    async def _comment(self, user: User, ticket_id: int, text: str) -> Result:
        ticket = await self._own(user, ticket_id)
        await self.ctx.storage.conversations.clear(user.id)
        if ticket is None or not await self.ctx.storage.tickets.comment(ticket.id, user.id, text):
            return [Reply.text(self.ctx.texts("hotline_left"))]
        await relay.to_team(self.ctx, self.settings, ticket, f"{ticket.ref}:comment",
                            Reply.text(self.ctx.texts("ticket_comment_by", number=ticket.id,
                                                      comment=text)))
        return [Reply.text(self.ctx.texts("hotline_commented"))]

    async def _reopen(self, ticket: Ticket, incoming: Incoming) -> bool:
        """The official writes to a closed ticket: reopened within reopen_days, else False."""
        texts, now = self.ctx.texts, self.ctx.clock()
        if not self._reopenable(ticket, now) or not await self.ctx.storage.tickets.reopen(
                ticket.id, now):
            return False
        await self.ctx.storage.tickets.add_event(ticket.id, "reopen", ticket.official_name,
                                                 "", now)
        await relay.to_team(self.ctx, self.settings, ticket,
                            f"{ticket.ref}:reopen:{incoming.update_id}",
                            Reply.text(texts("ticket_reopened", number=ticket.id,
                                             by=texts("event_official"))))
        return True

    def _reopenable(self, ticket: Ticket, now: datetime) -> bool:
        closed = ticket.closed_at
        return closed is None or now - closed <= timedelta(days=self.settings.reopen_days)

    async def _own(self, user: User, ticket_id: int) -> Ticket | None:
        ticket = await self.ctx.storage.tickets.get(ticket_id)
        return ticket if ticket is not None and ticket.user_id == user.id else None

    async def _leave(self, user: User) -> None:
        await self.ctx.storage.conversations.clear(user.id)

    async def _step(self, user: User, step: str, data: dict[str, Any]) -> None:
        await self.ctx.storage.conversations.set(user.id, FLOW, step, data, self.ctx.clock())


def _courtesy(ctx: HandlerContext, text: str | None) -> bool:
    return bool(text) and ctx.index.search(text or "").intent in (Intent.THANKS, Intent.GREETING)


def _quote(text: str) -> str:
    return text if len(text) <= QUOTE_LIMIT else f"{text[:QUOTE_LIMIT].rsplit(' ', 1)[0]} …"
