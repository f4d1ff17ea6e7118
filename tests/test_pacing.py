"""The limits the sender keeps, with a controlled clock."""

from __future__ import annotations

from bot.delivery.pacing import SlidingWindow


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_bulk_sends_never_exceed_the_limit_in_any_second_and_reach_it() -> None:
    clock = Clock()
    window = SlidingWindow(25, clock)
    sent = []
    while clock.now < 110.0:  # ten seconds of a sender that sends whenever allowed
        if window.wait() == 0:
            window.take()
            sent.append(clock.now)
        else:
            clock.now += 0.001
    assert all(sum(1 for t in sent if start <= t < start + 1.0) <= 25 for start in sent)
    assert len(sent) / 10 >= 0.9 * 25


def test_under_one_a_second_is_one_per_interval() -> None:
    clock = Clock()
    window = SlidingWindow(0.5, clock)
    window.take()
    assert window.wait() > 1.9
    clock.now += 2.1
    assert window.wait() == 0
