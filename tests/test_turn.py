"""The database's turn: first come, first served, urgent waiters first, and a waiter that
is cancelled never keeps the others waiting."""

from __future__ import annotations

import asyncio

from bot.storage.turn import Turn


async def take(turn: Turn, name: str, order: list[str], urgent: bool = False) -> None:
    await turn.acquire(urgent)
    order.append(name)
    await asyncio.sleep(0)
    turn.release()


async def test_waiters_are_served_in_order_urgent_ones_first() -> None:
    turn, order = Turn(), []
    await turn.acquire()
    tasks = [asyncio.create_task(take(turn, name, order, urgent=name.startswith("u")))
             for name in ("a", "b", "u1", "c", "u2")]
    await asyncio.sleep(0)
    turn.release()
    await asyncio.gather(*tasks)
    assert order == ["u1", "u2", "a", "b", "c"]
    assert not turn.locked()


async def test_a_cancelled_waiter_is_passed_over() -> None:
    turn, order = Turn(), []
    await turn.acquire()
    gone = asyncio.create_task(take(turn, "gone", order))
    stays = asyncio.create_task(take(turn, "stays", order))
    await asyncio.sleep(0)
    gone.cancel()
    await asyncio.sleep(0)
    turn.release()
    await stays
    assert order == ["stays"]
    assert gone.cancelled()
    assert not turn.locked()


async def test_a_waiter_cancelled_as_it_is_handed_the_turn_passes_it_on() -> None:
    turn, order = Turn(), []
    await turn.acquire()
    handed = asyncio.create_task(take(turn, "handed", order))
    after = asyncio.create_task(take(turn, "after", order))
    await asyncio.sleep(0)
    turn.release()  # the turn is handed to `handed`, which has not run yet
    handed.cancel()
    await asyncio.gather(handed, after, return_exceptions=True)
    assert order == ["after"]
    assert not turn.locked()
    await asyncio.wait_for(turn.acquire(), timeout=1)  # free again
