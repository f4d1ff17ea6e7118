"""The support team's side: answers and notes in a ticket's thread, and the buttons on it.

A staff message belongs to a ticket when it replies to a message the bot delivered for
the ticket, or is written in the forum topic opened for it: both found through what the
outbox recorded at delivery (`message_refs`, `message_threads`), never from the text.
"""

from __future__ import annotations

from dataclasses import replace

from handlers.button_codec import pack
from handlers.context import HandlerContext
from handlers.hotline import buttons, relay
from handlers.hotline.official import OfficialSide
from handlers.hotline.settings import HotlineSettings
from handlers.model import Block, Button, Incoming, Outgoing, Priority, Reply, Result
from handlers.ports import Ticket, TicketState, ticket_of_ref

NOTE_MARK = "!"
SAVE_COMMAND = "/luu"


class StaffSide:
    def __init__(
        self, ctx: HandlerContext, settings: HotlineSettings, official: OfficialSide
    ) -> None:
        self.ctx = ctx
        self.settings = settings
        self.official = official

    async def ticket_of(self, incoming: Incoming) -> Ticket | None:
        """The ticket a group message belongs to, by the delivery records."""
        refs = self.ctx.storage.outbox
        ref = None
        if incoming.reply_to is not None:
            ref = await refs.ref_of(incoming.chat.chat, incoming.reply_to)
        if ticket_of_ref(ref) is None and incoming.chat.thread_id is not None:
            ref = await refs.ref_of_thread(incoming.chat)
        number = ticket_of_ref(ref)
        return await self.ctx.storage.tickets.get(number) if number is not None else None

    async def message(self, incoming: Incoming, ticket: Ticket) -> Result:
        """A staff member wrote in the ticket's thread: a note, a saved answer, or a reply."""
        texts = self.ctx.texts
        text = (incoming.text or "").strip()
        if not self.settings.is_staff(incoming):
            return [Reply.text(texts("ticket_staff_only"))] if incoming.addressed else []
        if text.startswith(NOTE_MARK):
            await self._event(ticket, "note", incoming, text[1:].strip())
            return [_in_thread(incoming, ticket, texts("ticket_note_saved", number=ticket.id))]
        answer = text
        if _is_save(text):
            answer = text[len(SAVE_COMMAND):].strip()
            saved = await self._save_draft(ticket, incoming, answer)
            if not answer:
                return [saved]
            incoming = _with_text(incoming, answer)
            result: Result = [saved]
        else:
            result = []
        if ticket.state is TicketState.CLOSED:
            return [*result, _in_thread(incoming, ticket,
                                        texts("ticket_is_closed", number=ticket.id))]
        now = self.ctx.clock()
        await self.ctx.storage.tickets.answered(ticket.id, now)
        await self.ctx.storage.tickets.claim(ticket.id, self._staff_key(incoming),
                                             self._name(incoming))
        await self._event(ticket, "staff", incoming, answer or f"[{incoming.attachment}]")
        await relay.relay(self.ctx, self.settings, ticket, incoming, self._attribution(
            ticket, incoming), to_staff=False)
        return result

    async def press(self, incoming: Incoming, action: buttons.Action) -> Result:
        texts = self.ctx.texts
        if not self.settings.is_staff(incoming):
            return [Reply.text(texts("ticket_staff_only"))]
        number = getattr(action, "ticket", None)
        ticket = await self.ctx.storage.tickets.get(number) if number is not None else None
        if ticket is None:
            return [Reply.text(texts("button_expired"))]
        match action:
            case buttons.Claim():
                return await self._claim(incoming, ticket)
            case buttons.Close():
                return await self._close(incoming, ticket)
            case buttons.Reopen():
                return await self._reopen(incoming, ticket)
            case buttons.HandOver():
                return self._choose_team(ticket)
            case buttons.MoveTo(team=index):
                return await self._move(incoming, ticket, index)
        return [Reply.text(texts("button_expired"))]

    async def _claim(self, incoming: Incoming, ticket: Ticket) -> Result:
        texts, tickets = self.ctx.texts, self.ctx.storage.tickets
        name = self._name(incoming)
        if not await tickets.claim(ticket.id, self._staff_key(incoming), name):
            current = await tickets.get(ticket.id)
            if current is not None and current.claimed_name:
                return [Reply.text(texts("ticket_claimed_already", number=ticket.id,
                                         staff=current.claimed_name))]
            return [Reply.text(texts("ticket_not_claimable", number=ticket.id))]
        await self._event(ticket, "claim", incoming, "")
        await self._say(incoming, ticket, "claim",
                        Reply.text(texts("ticket_claimed", staff=name, number=ticket.id)))
        team = relay.team_of(self.settings, ticket).name
        await relay.to_official(self.ctx, ticket, f"{ticket.ref}:claimed:{incoming.update_id}",
                                Reply.text(texts("hotline_claimed_notice", number=ticket.id,
                                                 team=team)))
        return []

    async def _close(self, incoming: Incoming, ticket: Ticket) -> Result:
        texts, tickets = self.ctx.texts, self.ctx.storage.tickets
        if not await tickets.close(ticket.id, self.ctx.clock()):
            return [Reply.text(texts("ticket_closed_already", number=ticket.id))]
        await self._event(ticket, "close", incoming, "")
        await self._say(incoming, ticket, "close", Reply.text(
            texts("ticket_closed", staff=self._name(incoming), number=ticket.id)))
        closed = await tickets.get(ticket.id)
        assert closed is not None
        await self.official.after_close(closed)
        return []

    async def _reopen(self, incoming: Incoming, ticket: Ticket) -> Result:
        texts, tickets = self.ctx.texts, self.ctx.storage.tickets
        if not await tickets.reopen(ticket.id, self.ctx.clock()):
            return [Reply.text(texts("ticket_not_closed", number=ticket.id))]
        await self._event(ticket, "reopen", incoming, "")
        await self._say(incoming, ticket, "reopen", Reply.text(
            texts("ticket_reopened", number=ticket.id, by=self._name(incoming))))
        await self.official.after_reopen(ticket, f"{ticket.ref}:reopened:{incoming.update_id}")
        return []

    def _choose_team(self, ticket: Ticket) -> Result:
        texts = self.ctx.texts
        rows = tuple(
            (Button(team.name, pack(buttons.MoveTo(ticket.id, index))),)
            for index, team in enumerate(self.settings.teams) if team.name != ticket.team
        )
        return [Reply((Block(texts("ticket_choose_team", number=ticket.id)),), rows)]

    async def _move(self, incoming: Incoming, ticket: Ticket, index: int) -> Result:
        texts, tickets = self.ctx.texts, self.ctx.storage.tickets
        teams = self.settings.teams
        if index >= len(teams) or not await tickets.hand_over(
                ticket.id, teams[index].name, self.ctx.clock()):
            return [Reply.text(texts("ticket_not_movable", number=ticket.id))]
        team = teams[index]
        await self._event(ticket, "handoff", incoming, team.name)
        await self._say(incoming, ticket, "moved", Reply.text(texts(
            "ticket_moved", staff=self._name(incoming), number=ticket.id, team=team.name)))
        moved = await tickets.get(ticket.id)
        assert moved is not None
        card = relay.header(self.ctx, self.settings, moved)
        card = Reply((*card.blocks, Block(texts("ticket_moved_here", team=ticket.team))),
                     card.buttons)
        key = f"{ticket.ref}:header:{team.name}:{incoming.update_id}"
        await relay.to_team(self.ctx, self.settings, moved, key, card, team=team)
        await relay.to_official(self.ctx, ticket, f"{ticket.ref}:moved:{incoming.update_id}",
                                Reply.text(texts("hotline_moved_notice", number=ticket.id,
                                                 team=team.name)))
        return []

    async def _save_draft(self, ticket: Ticket, incoming: Incoming, answer: str) -> Outgoing:
        """/luu: the answer given (or the last one staff sent) saved as a knowledge draft."""
        texts = self.ctx.texts
        if not answer:
            staff = [e for e in await self.ctx.storage.tickets.events(ticket.id)
                     if e.kind == "staff"]
            if not staff:
                return _in_thread(incoming, ticket, texts("ticket_draft_nothing",
                                                          number=ticket.id))
            answer = staff[-1].text
        draft = await self.ctx.storage.tickets.save_draft(
            ticket.id, ticket.question, answer, self._name(incoming), self.ctx.clock())
        return _in_thread(incoming, ticket, texts("ticket_draft_saved", draft=draft,
                                                  number=ticket.id))

    async def _say(self, incoming: Incoming, ticket: Ticket, what: str, reply: Reply) -> None:
        """A line everyone in the chat sees (not the presser's notice), in the ticket's
        thread when pressed there."""
        await self.ctx.outbox.send(Outgoing(
            reply, incoming.chat, key=f"{ticket.ref}:said:{what}:{incoming.update_id}",
            ref=ticket.ref, priority=Priority.RELAY))

    async def _event(self, ticket: Ticket, kind: str, incoming: Incoming, text: str) -> None:
        await self.ctx.storage.tickets.add_event(ticket.id, kind, self._name(incoming), text,
                                                 self.ctx.clock())

    def _attribution(self, ticket: Ticket, incoming: Incoming) -> str:
        team = relay.team_of(self.settings, ticket).name
        if self.settings.show_staff_names:
            return self.ctx.texts("hotline_from_staff", staff=self._name(incoming), team=team)
        return self.ctx.texts("hotline_from_team", team=team)

    def _name(self, incoming: Incoming) -> str:
        return incoming.sender.name or incoming.sender.id

    def _staff_key(self, incoming: Incoming) -> str:
        return f"{incoming.sender.channel}:{incoming.sender.id}"


def _in_thread(incoming: Incoming, ticket: Ticket, text: str) -> Outgoing:
    """The bot's answer to staff in the ticket's thread, recorded under the ticket so that
    a reply to it is a reply to the ticket."""
    return Outgoing(Reply.text(text), incoming.chat, ref=ticket.ref)


def _is_save(text: str) -> bool:
    word = text.split(maxsplit=1)[0].split("@", 1)[0].lower() if text else ""
    return word == SAVE_COMMAND


def _with_text(incoming: Incoming, text: str) -> Incoming:
    return replace(incoming, text=text)
