"""The commands the bot knows, each with its audience: one table for routing, for the
chat apps' command menu and for the help text, so the three never disagree."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Audience(StrEnum):
    OFFICIALS = "officials"
    STAFF = "staff"  # the support team's chats only


@dataclass(frozen=True)
class Command:
    name: str  # shown in menus and help
    description_key: str  # its short description in the texts
    audience: Audience = Audience.OFFICIALS
    aliases: tuple[str, ...] = ()
    needs_registration: bool = False  # listed only when registration is switched on

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


START = Command("start", "command_start", aliases=("batdau",))
PROFILE = Command("thongtin", "command_thongtin", aliases=("hoso",), needs_registration=True)
EDIT_PROFILE = Command("capnhat", "command_capnhat", needs_registration=True)
CANCEL = Command("huy", "command_huy", needs_registration=True)
HELP = Command("huongdan", "command_huongdan", aliases=("help", "trogiup"))
LINK = Command("lienket", "command_lienket")
PENDING = Command("choduyet", "command_choduyet", Audience.STAFF)

COMMANDS = (START, PROFILE, EDIT_PROFILE, CANCEL, HELP, LINK, PENDING)


def find(name: str) -> Command | None:
    return next((command for command in COMMANDS if name in command.names), None)


def listed(audience: Audience, registration_enabled: bool) -> list[Command]:
    """The commands to show one audience, in the table's order."""
    return [
        command for command in COMMANDS
        if command.audience is audience and (registration_enabled or not command.needs_registration)
    ]
