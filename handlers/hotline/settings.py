"""The hotline's settings as handlers use them: teams with their chats, topics, hours."""

from __future__ import annotations

from dataclasses import dataclass, field

from handlers.model import Address, Incoming
from handlers.workdays import OfficeHours, WorkCalendar


@dataclass(frozen=True)
class Team:
    name: str
    chat: Address
    topics: tuple[str, ...] = ()  # empty: the default team


@dataclass(frozen=True)
class Topic:
    id: str
    label: str


@dataclass(frozen=True)
class HotlineSettings:
    teams: tuple[Team, ...] = ()
    topics: tuple[Topic, ...] = ()
    hours: OfficeHours = field(
        default_factory=lambda: OfficeHours("07:30-11:30,13:30-17:00", WorkCalendar())
    )
    first_response_minutes: int = 60
    escalate_minutes: int = 240
    supervisor_chat: Address | None = None
    reopen_days: int = 7
    show_staff_names: bool = False
    staff_ids: frozenset[str] = frozenset()

    @property
    def enabled(self) -> bool:
        """Tickets are taken only when a province configured its teams."""
        return bool(self.teams)

    def team_for(self, topic: str) -> Team:
        """The team taking `topic`: the one listing it, else the default team."""
        listed = next((team for team in self.teams if topic in team.topics), None)
        return listed or next(team for team in self.teams if not team.topics)

    def team_named(self, name: str) -> Team | None:
        return next((team for team in self.teams if team.name == name), None)

    def topic_label(self, topic_id: str) -> str:
        return next((t.label for t in self.topics if t.id == topic_id), topic_id)

    def staff_chats(self) -> list[Address]:
        chats = [team.chat for team in self.teams]
        return chats + ([self.supervisor_chat] if self.supervisor_chat else [])

    def is_staff(self, incoming: Incoming) -> bool:
        """Listed in config, or acting in a team or supervisors' chat.

        Telegram delivers a group's messages and button presses only from people who
        are in it, and team groups are private: a member is a colleague. Nothing here
        asks the network, so the check runs inside the handling transaction.
        """
        return incoming.sender.id in self.staff_ids or incoming.chat.chat in self.staff_chats()
