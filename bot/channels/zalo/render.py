"""`Reply` → Zalo messages: plain text (Zalo shows no markup), split at 2,000 characters.

Zalo counts characters as code points, so a Vietnamese letter with its tone mark is
one or two of them as typed; the split uses Python's own length, which is the same.
Buttons go on the last part as `oa.query.hide` buttons: a press comes back as a hidden
message from the person carrying the payload; a link button opens its page
(`oa.open.url`). An entry's `**bold**` is shown without its markers.
"""

from __future__ import annotations

from typing import Any

from bot.channels.split import PARAGRAPH, split_to_fit
from bot.channels.zalo.convert import BUTTON_PREFIX
from handlers.model import Reply

LIMIT = 2000
BUTTON_TITLE_LIMIT = 100
BUTTON_PAYLOAD_LIMIT = 1000


def render(reply: Reply, limit: int = LIMIT) -> list[dict[str, Any]]:
    """The `message` objects of `v3.0/oa/message/cs`, in order."""

    def fits(text: str) -> bool:
        return len(text) <= limit

    pieces = [chunk for block in reply.blocks
              for chunk in split_to_fit(block.plain.strip(), fits)]
    parts: list[str] = []
    for piece in pieces:
        if parts and fits(parts[-1] + PARAGRAPH + piece):
            parts[-1] += PARAGRAPH + piece
        else:
            parts.append(piece)
    messages: list[dict[str, Any]] = [{"text": part} for part in parts]
    if messages and reply.buttons:
        messages[-1]["attachment"] = {"type": "template",
                                      "payload": {"buttons": buttons(reply)}}
    return messages


def buttons(reply: Reply) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for row in reply.buttons:
        for button in row:
            title = button.label[:BUTTON_TITLE_LIMIT]
            if button.url is not None:  # a web page (the portal's record)
                found.append({"title": title, "type": "oa.open.url",
                              "payload": {"url": button.url}})
                continue
            payload = BUTTON_PREFIX + button.data
            if len(payload) > BUTTON_PAYLOAD_LIMIT:
                raise ValueError(f"button payload over {BUTTON_PAYLOAD_LIMIT}: {payload!r}")
            found.append({"title": title, "type": "oa.query.hide", "payload": payload})
    return found
