"""Broadcasts: one outbox row per recipient (`Priority.BROADCAST`, key
`broadcast:<id>:<user>`), written in the transaction that records the broadcast.

Because the rows are in the outbox, an interrupted broadcast resumes by itself when the
sender starts again; a chat that refuses the bot is skipped and counted, and the sender
keeps to the global bulk rate (`[delivery] messages_per_second`).
"""

from __future__ import annotations

import json

from handlers.button_codec import pack
from handlers.context import HandlerContext
from handlers.deadlines.buttons import OnBroadcast
from handlers.deadlines.spec import Audience
from handlers.deadlines.targeting import reach, targets
from handlers.model import Block, Button, Outgoing, Priority, Reply, Style


class Broadcasts:
    def __init__(self, ctx: HandlerContext) -> None:
        self.ctx = ctx

    async def send(self, text: str, audience: Audience, created_by: str) -> Reply:
        store, now = self.ctx.storage.deadlines, self.ctx.clock()
        officials = targets(audience, await store.officials())
        active = [o for o in officials if not o.inactive]
        record = json.dumps({"everyone": audience.everyone, "units": audience.units,
                             "positions": audience.positions}, ensure_ascii=False)
        broadcast_id = await store.create_broadcast(text, record, created_by, len(active),
                                                    len(officials) - len(active), now)
        message = Reply((Block(self.ctx.texts("broadcast_title"), Style.TITLE), Block(text)))
        for official in active:
            address, fallback = reach(official)
            await self.ctx.outbox.send(Outgoing(
                message, address, key=f"broadcast:{broadcast_id}:{official.user_id}",
                ref=f"broadcast:{broadcast_id}", priority=Priority.BROADCAST, fallback=fallback,
            ))
        started = self.ctx.texts("thongbao_started", id=broadcast_id, count=len(active),
                                 skipped=len(officials) - len(active))
        return Reply((Block(started),), self._buttons(broadcast_id))

    async def progress(self, broadcast_id: int) -> Reply:
        texts = self.ctx.texts
        found = await self.ctx.storage.deadlines.broadcast(broadcast_id)
        if found is None:
            return Reply.text(texts("broadcast_unknown"))
        line = texts("thongbao_progress", id=found.id, sent=found.sent, pending=found.pending,
                     failed=found.failed, skipped=found.skipped,
                     total=found.recipients + found.skipped,
                     stopped=texts("thongbao_stopped_note") if found.stopped else "")
        return Reply((Block(line),), () if found.stopped else self._buttons(broadcast_id))

    async def stop(self, broadcast_id: int) -> Reply:
        store = self.ctx.storage.deadlines
        if await store.broadcast(broadcast_id) is None:
            return Reply.text(self.ctx.texts("broadcast_unknown"))
        count = await store.stop_broadcast(broadcast_id, self.ctx.clock())
        return Reply.text(self.ctx.texts("thongbao_stop_done", id=broadcast_id, count=count))

    def _buttons(self, broadcast_id: int) -> tuple[tuple[Button, ...], ...]:
        texts = self.ctx.texts
        return ((Button(texts("button_broadcast_progress"), pack(OnBroadcast(broadcast_id))),
                 Button(texts("button_broadcast_stop"),
                        pack(OnBroadcast(broadcast_id, stop=True)))),)
