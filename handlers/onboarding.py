"""Registration of officials: their commune or ward and position, optionally approved by staff.

Asking questions needs no registration; the hotline, reminders and staff tools will need an
approved profile (`Profile.approved` from storage). The exchange is a small state machine
kept in the `conversations` table, so a restart in the middle of it loses nothing, and an
abandoned one expires instead of swallowing the person's next questions.

Button data is typed like `handlers.callbacks`, with its own prefix, and every press is
re-checked against the stored state: an old or forged button does nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from rapidfuzz import fuzz, process

from handlers.button_codec import ButtonData, pack
from handlers.context import HandlerContext
from handlers.model import Address, Block, Button, Incoming, Outgoing, Reply
from handlers.ports import Conversation, Profile, Registration, User
from knowledge.normalize import fold

FLOW = "onboarding"
STEP_UNIT = "unit"
STEP_POSITION = "position"
STATE_TTL = timedelta(hours=1)
MAX_CHOICES = 3
# A typed name this close to a unit's name (0-100, ignoring "xã"/"phường") is offered as a
# button to confirm; only an exact match (after folding) is taken without asking.
FUZZY_CUTOFF = 75
# Folded words that start a unit's name and say what kind of unit it is.
UNIT_KINDS = ("thi tran", "dac khu", "phuong", "xa")
LEADING_NOISE = ("uy ban nhan dan", "ubnd")
# How much of an unrecognised unit name is repeated back.
ECHO_LIMIT = 60
# Pending profiles listed at once in the staff chat (one button each).
PENDING_SHOWN = 10

@dataclass(frozen=True)
class OnboardingSettings:
    units: tuple[str, ...] = ()
    positions: tuple[str, ...] = ()
    require_approval: bool = False
    # Where approvals happen: the support team's chat.
    staff_chat: Address | None = None

    @property
    def enabled(self) -> bool:
        """Registration is offered only when the province listed its units."""
        return bool(self.units) and bool(self.positions)


@dataclass(frozen=True)
class ChooseUnit(ButtonData, code="o:u"):
    """Pick the n-th unit offered in the current registration step."""

    index: int


@dataclass(frozen=True)
class ChoosePosition(ButtonData, code="o:p"):
    index: int


@dataclass(frozen=True)
class EditProfile(ButtonData, code="o:e"):
    pass


@dataclass(frozen=True)
class Approve(ButtonData, code="o:a"):
    """Staff approve a profile as it was at `revision` (a later edit makes the button stale)."""

    user_id: int
    revision: int


Action = ChooseUnit | ChoosePosition | EditProfile | Approve
KINDS: tuple[type[ButtonData], ...] = (ChooseUnit, ChoosePosition, EditProfile, Approve)


@dataclass(frozen=True)
class UnitMatch:
    units: tuple[str, ...]
    exact: bool


def match_units(text: str, units: tuple[str, ...]) -> UnitMatch:
    """Units named by `text`, typed however: "xa tan hung" finds "Xã Tân Hưng".

    The kind ("xã", "phường") is optional in the text but must agree when given.
    """
    kind, name = _split_kind(fold(text))
    if not name:
        return UnitMatch((), exact=False)
    names = {}
    for index, unit in enumerate(units):
        unit_kind, unit_name = _split_kind(fold(unit))
        if kind is None or unit_kind in (None, kind):
            names[index] = unit_name
    exact = tuple(units[i] for i, unit_name in names.items() if unit_name == name)
    if exact:
        return UnitMatch(exact[:MAX_CHOICES], exact=True)
    close = process.extract(
        name, names, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=MAX_CHOICES
    )
    return UnitMatch(tuple(units[i] for _, _, i in close), exact=False)


def _split_kind(folded: str) -> tuple[str | None, str]:
    for noise in LEADING_NOISE:
        if folded.startswith(f"{noise} "):
            folded = folded[len(noise) + 1 :]
    for kind in UNIT_KINDS:
        if folded.startswith(f"{kind} "):
            return kind, folded[len(kind) + 1 :]
    return None, folded


class Onboarding:
    def __init__(self, ctx: HandlerContext, settings: OnboardingSettings) -> None:
        self.ctx = ctx
        self.settings = settings

    async def start(self, user: User) -> Reply:
        """/start: greet; offer registration to someone not yet registered."""
        texts = self.ctx.texts
        greeting = Block(texts("greeting", name=user.display_name or texts("default_name")))
        if not self.settings.enabled:
            return Reply((greeting,))
        profile = await self._profile(user)
        if profile.registration is Registration.NONE:
            return _prepend(greeting, await self._ask_unit(user))
        return _prepend(greeting, self._summary(profile))

    async def show(self, user: User) -> Reply:
        """/hoso: the profile with a button to change it; registration when there is none."""
        if not self.settings.enabled:
            return Reply.text(self.ctx.texts("onboarding_unavailable"))
        profile = await self._profile(user)
        if profile.registration is Registration.NONE:
            return await self._ask_unit(user)
        return self._summary(profile)

    async def edit(self, user: User) -> Reply:
        """/capnhat: go straight to choosing the unit again."""
        if not self.settings.enabled:
            return Reply.text(self.ctx.texts("onboarding_unavailable"))
        return await self._ask_unit(user)

    async def cancel(self, user: User) -> Reply:
        if await self._conversation(user) is None:
            return Reply.text(self.ctx.texts("onboarding_nothing_to_cancel"))
        await self.ctx.storage.conversations.clear(user.id)
        return Reply.text(self.ctx.texts("onboarding_cancelled"))

    async def reply_to_text(self, user: User, text: str) -> Reply | None:
        """The next step for a typed answer, or None when no registration is under way."""
        conversation = await self._conversation(user)
        if conversation is None:
            return None
        unit = conversation.data.get("unit", "")
        if conversation.step == STEP_UNIT or unit not in self.settings.units:
            return await self._unit_typed(user, text)
        position = next((p for p in self.settings.positions if fold(p) == fold(text)), None)
        if position is None:
            hint = self.ctx.texts("onboarding_position_hint")
            return Reply((Block(hint),), self._position_buttons())
        return await self._finish(user, unit, position)

    async def press(self, user: User, incoming: Incoming, action: Action) -> Reply:
        conversation = await self._conversation(user)
        step = conversation.step if conversation else None
        data = conversation.data if conversation else {}
        match action:
            case ChooseUnit(index=index) if step == STEP_UNIT:
                offered = data.get("offered", [])
                if index < len(offered) and offered[index] in self.settings.units:
                    return await self._ask_position(user, offered[index])
            case ChoosePosition(index=index) if step == STEP_POSITION:
                unit = data.get("unit", "")
                if index < len(self.settings.positions) and unit in self.settings.units:
                    return await self._finish(user, unit, self.settings.positions[index])
            case EditProfile() if self.settings.enabled:
                return await self._ask_unit(user)
            case Approve() if self._in_staff_chat(incoming):
                return await self._approve(incoming, action)
        return Reply.text(self.ctx.texts("button_expired"))

    async def _unit_typed(self, user: User, text: str) -> Reply:
        texts = self.ctx.texts
        found = match_units(text, self.settings.units)
        if found.exact and len(found.units) == 1:
            return await self._ask_position(user, found.units[0])
        if not found.units:
            shown = text if len(text) <= ECHO_LIMIT else f"{text[:ECHO_LIMIT].rsplit(' ', 1)[0]} …"
            return Reply.text(
                texts("onboarding_unit_not_found", text=shown, example=self.settings.units[0])
            )
        await self._set_step(user, STEP_UNIT, {"offered": list(found.units)})
        buttons = tuple(
            (Button(unit, pack(ChooseUnit(i))),) for i, unit in enumerate(found.units)
        )
        return Reply((Block(texts("onboarding_unit_choices")),), buttons)

    async def _ask_unit(self, user: User) -> Reply:
        await self._set_step(user, STEP_UNIT, {})
        return Reply.text(self.ctx.texts("onboarding_ask_unit", example=self.settings.units[0]))

    async def _ask_position(self, user: User, unit: str) -> Reply:
        await self._set_step(user, STEP_POSITION, {"unit": unit})
        question = self.ctx.texts("onboarding_ask_position", unit=unit)
        return Reply((Block(question),), self._position_buttons())

    def _position_buttons(self) -> tuple[tuple[Button, ...], ...]:
        return tuple(
            (Button(position, pack(ChoosePosition(i))),)
            for i, position in enumerate(self.settings.positions)
        )

    async def _finish(self, user: User, unit: str, position: str) -> Reply:
        texts, storage = self.ctx.texts, self.ctx.storage
        profile = await self._profile(user)
        unchanged = profile.registration is not Registration.NONE and (
            (profile.unit, profile.position) == (unit, position)
        )
        if unchanged:
            await storage.conversations.clear(user.id)
        else:
            status = (
                Registration.PENDING if self.settings.require_approval else Registration.APPROVED
            )
            profile = await storage.users.save_profile(
                user.id, unit, position, status, self.ctx.clock()
            )
            if status is Registration.PENDING:
                await self._ask_staff(profile)
        saved = Block(texts("onboarding_saved", unit=unit, position=position))
        follow_up = "onboarding_ready" if profile.approved else "onboarding_pending"
        return Reply((saved, Block(texts(follow_up))))

    async def _ask_staff(self, profile: Profile) -> None:
        staff_chat = self.settings.staff_chat
        if staff_chat is None:
            return
        approve = Button(
            self.ctx.texts("button_staff_approve"), pack(Approve(profile.user_id, profile.revision))
        )
        notice = Reply(
            (Block(self.ctx.texts("staff_new_registration")), self._staff_details(profile)),
            ((approve,),),
        )
        key = f"approval-request:{profile.user_id}:{profile.revision}"
        await self.ctx.outbox.send(Outgoing(notice, staff_chat, key=key))

    async def list_pending(self, incoming: Incoming) -> Reply:
        """For the staff chat: the profiles still waiting, each with its approve button.

        The way back when a registration notice never reached the staff chat.
        """
        texts = self.ctx.texts
        if not self._in_staff_chat(incoming):
            return Reply.text(texts("staff_only"))
        pending = await self.ctx.storage.users.pending_profiles(PENDING_SHOWN + 1)
        if not pending:
            return Reply.text(texts("staff_pending_none"))
        shown = pending[:PENDING_SHOWN]
        blocks = [Block(texts("staff_pending_header", count=len(shown)))]
        buttons = []
        for ordinal, profile in enumerate(shown, 1):
            details = self._staff_details(profile).text
            blocks.append(Block(texts("staff_pending_item", number=ordinal, details=details)))
            label = texts("button_staff_approve_number", number=ordinal)
            buttons.append((Button(label, pack(Approve(profile.user_id, profile.revision))),))
        if len(pending) > PENDING_SHOWN:
            blocks.append(Block(texts("staff_pending_more")))
        return Reply(tuple(blocks), tuple(buttons))

    async def _approve(self, incoming: Incoming, action: Approve) -> Reply:
        texts, storage = self.ctx.texts, self.ctx.storage
        staff = incoming.sender.name or incoming.sender.id
        approved = await storage.users.approve(
            action.user_id, action.revision,
            f"{incoming.sender.channel}:{incoming.sender.id} {incoming.sender.name}".strip(),
            self.ctx.clock(),
        )
        profile = await storage.users.profile(action.user_id)
        official = await storage.users.get(action.user_id)
        if not approved or profile is None or official is None:
            return Reply.text(texts("staff_approve_stale"))
        notice = Reply.text(
            texts("onboarding_approved_notice", unit=profile.unit, position=profile.position)
        )
        # An official's private chat has the id of their account on that channel.
        address = Address(official.channel, official.external_id)
        key = f"approved:{action.user_id}:{action.revision}"
        await self.ctx.outbox.send(Outgoing(notice, address, key=key))
        return Reply((Block(texts("staff_approved", staff=staff)), self._staff_details(profile)))

    def _staff_details(self, profile: Profile) -> Block:
        texts = self.ctx.texts
        return Block(
            texts(
                "staff_profile", name=profile.display_name or texts("default_name"),
                unit=profile.unit, position=profile.position,
            )
        )

    def _summary(self, profile: Profile) -> Reply:
        texts = self.ctx.texts
        status = texts(
            "profile_status_approved" if profile.approved else "profile_status_pending"
        )
        summary = texts(
            "profile_summary", unit=profile.unit, position=profile.position, status=status
        )
        edit = Button(texts("button_profile_edit"), pack(EditProfile()))
        return Reply((Block(summary),), ((edit,),))

    def _in_staff_chat(self, incoming: Incoming) -> bool:
        staff_chat = self.settings.staff_chat
        return staff_chat is not None and incoming.chat.chat == staff_chat.chat

    async def _profile(self, user: User) -> Profile:
        profile = await self.ctx.storage.users.profile(user.id)
        assert profile is not None, "the dispatcher stores every user before routing"
        return profile

    async def _conversation(self, user: User) -> Conversation | None:
        """The registration under way, if any; an expired one is forgotten."""
        conversation = await self.ctx.storage.conversations.get(user.id)
        if conversation is None or conversation.flow != FLOW:
            return None
        # Expired, or registration was switched off (units removed) since it began.
        if self.ctx.clock() - conversation.updated_at > STATE_TTL or not self.settings.enabled:
            await self.ctx.storage.conversations.clear(user.id)
            return None
        return conversation

    async def _set_step(self, user: User, step: str, data: dict[str, object]) -> None:
        await self.ctx.storage.conversations.set(user.id, FLOW, step, data, self.ctx.clock())


def _prepend(block: Block, reply: Reply) -> Reply:
    return Reply((block, *reply.blocks), reply.buttons)
