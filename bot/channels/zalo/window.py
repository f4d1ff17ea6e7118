"""How a message may reach a person on Zalo now, from when they last wrote.

Zalo lets the OA send 8 free replies within 48 h of the person's last message, and
refuses everything after 7 days without one. Within the free window a message goes
as a customer-support message. Outside it, a reminder goes through ZNS (a template
message to a phone number, charged per message) when the province configured a
template for its kind and the person gave a phone number with consent; otherwise it
is not delivered on Zalo, with the reason, and never retried in a loop. Other messages
(a ticket's relay) are still tried as customer-support messages after 48 h: Zalo
charges or refuses them, and its refusal (-230, -232) is recorded with its reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.storage.zalo_contacts import ZaloContact
from handlers.model import Priority

FREE_WINDOW = timedelta(hours=48)
FREE_REPLIES = 8
OUTER_WINDOW = timedelta(days=7)


class Route(StrEnum):
    FREE = "free"  # a customer-support message within the free window
    PAID = "paid"  # a customer-support message Zalo may charge for, or refuse
    ZNS = "zns"
    NONE = "none"


@dataclass(frozen=True)
class Decision:
    route: Route
    reason: str = ""
    template_id: str = ""


def decide(
    contact: ZaloContact | None,
    priority: Priority,
    kind: str,
    templates: dict[str, str],
    now: datetime,
) -> Decision:
    if contact is None:
        return Decision(Route.NONE, "this person never wrote to the OA")
    quiet = now - contact.last_interaction_at
    if quiet < FREE_WINDOW and contact.replies_since < FREE_REPLIES:
        return Decision(Route.FREE)
    if priority is Priority.REMINDER:
        template = templates.get(kind, "")
        if template and contact.phone:
            return Decision(Route.ZNS, template_id=template)
        missing = "no ZNS template for this kind" if not template else "no consented phone"
        return Decision(Route.NONE, f"outside Zalo's free window (last message {_ago(quiet)} "
                                    f"ago) and {missing}: not delivered on Zalo")
    if quiet >= OUTER_WINDOW:
        return Decision(Route.NONE, f"no message from this person for {_ago(quiet)}; Zalo "
                                    "refuses messages after 7 days: not delivered on Zalo")
    return Decision(Route.PAID)


def _ago(quiet: timedelta) -> str:
    hours = int(quiet.total_seconds() // 3600)
    return f"{hours // 24} d {hours % 24} h" if hours >= 24 else f"{hours} h"
