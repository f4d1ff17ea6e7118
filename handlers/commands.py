"""The commands the bot knows, each with its audience: one table for routing, for the
chat apps' command menu and for the help text, so the three never disagree."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum


class Audience(StrEnum):
    OFFICIALS = "officials"
    STAFF = "staff"  # the support team's chats only


class Feature(StrEnum):
    """What a province may switch on; a command needing one is listed only then."""

    REGISTRATION = "registration"
    HOTLINE = "hotline"
    LINKING = "linking"  # more than one chat app served


@dataclass(frozen=True)
class Command:
    name: str  # shown in menus and help
    description_key: str  # its short description in the texts
    audience: Audience = Audience.OFFICIALS
    aliases: tuple[str, ...] = ()
    needs: tuple[Feature, ...] = ()  # listed only when one of these is switched on

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


REGISTRATION = (Feature.REGISTRATION,)
HOTLINE = (Feature.HOTLINE,)

START = Command("start", "command_start", aliases=("batdau",))
PROFILE = Command("thongtin", "command_thongtin", aliases=("hoso",), needs=REGISTRATION)
EDIT_PROFILE = Command("capnhat", "command_capnhat", needs=REGISTRATION)
ASK_SUPPORT = Command("hotro", "command_hotro", needs=HOTLINE)
MY_TICKETS = Command("yeucau", "command_yeucau", needs=HOTLINE)
CANCEL = Command("huy", "command_huy", needs=(Feature.REGISTRATION, Feature.HOTLINE))
HELP = Command("huongdan", "command_huongdan", aliases=("help", "trogiup"))
LINK = Command("lienket", "command_lienket", needs=(Feature.LINKING,))
PENDING = Command("choduyet", "command_choduyet", Audience.STAFF)
OPEN_TICKETS = Command("ds", "command_ds", Audience.STAFF, needs=HOTLINE)
TICKET_HISTORY = Command("xem", "command_xem", Audience.STAFF, needs=HOTLINE)
TICKET_STATS = Command("thongke", "command_thongke", Audience.STAFF, needs=HOTLINE)
SAVE_ANSWER = Command("luu", "command_luu", Audience.STAFF, needs=HOTLINE)
VIEC = Command("viec", "command_viec", needs=REGISTRATION)
HANTRA = Command("hantra", "command_hantra")
TIENDO = Command("tiendo", "command_tiendo", Audience.STAFF)
TAOHAN = Command("taohan", "command_taohan", Audience.STAFF)
THONGBAO = Command("thongbao", "command_thongbao", Audience.STAFF)

COMMANDS = (START, PROFILE, EDIT_PROFILE, ASK_SUPPORT, MY_TICKETS, CANCEL, VIEC, HANTRA, HELP,
            LINK, PENDING, OPEN_TICKETS, TICKET_HISTORY, TICKET_STATS, SAVE_ANSWER, TIENDO,
            TAOHAN, THONGBAO)


def find(name: str) -> Command | None:
    return next((command for command in COMMANDS if name in command.names), None)


def listed(audience: Audience, enabled: Collection[Feature]) -> list[Command]:
    """The commands to show one audience, in the table's order."""
    return [
        command for command in COMMANDS
        if command.audience is audience
        and (not command.needs or any(feature in enabled for feature in command.needs))
    ]
