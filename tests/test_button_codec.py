"""The one button codec: every feature's buttons round-trip, forged data is refused."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers import callbacks, onboarding
from handlers.button_codec import MAX_BYTES, ButtonCodec, ButtonData, pack
from handlers.deadlines import buttons as deadline_buttons
from handlers.hotline import buttons as hotline_buttons
from handlers.workdays import VIETNAM

EVERY_KIND = (*callbacks.KINDS, *hotline_buttons.KINDS, *deadline_buttons.KINDS,
              *onboarding.KINDS)
CODEC = ButtonCodec(EVERY_KIND)
ids = st.integers(min_value=0, max_value=10**15)
minutes = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2099, 12, 31)).map(
    lambda moment: moment.replace(second=0, microsecond=0, tzinfo=VIETNAM))


def every_button() -> st.SearchStrategy[ButtonData]:
    return st.one_of(
        st.builds(callbacks.ShowSection, ids), st.builds(callbacks.PickSuggestion, ids, ids),
        st.builds(callbacks.Feedback, ids), st.builds(callbacks.FeedbackReason, ids),
        st.builds(callbacks.AskSupport, ids),
        st.builds(hotline_buttons.ChooseTopic, ids), st.builds(hotline_buttons.Claim, ids),
        st.builds(hotline_buttons.MoveTo, ids, ids),
        st.builds(hotline_buttons.Rate, ids, st.integers(1, 5)),
        st.builds(hotline_buttons.Leave),
        st.builds(deadline_buttons.OnDeadline, st.sampled_from(deadline_buttons.DeadlineAct),
                  ids, minutes),
        st.builds(deadline_buttons.OnBroadcast, ids, st.booleans()),
        st.builds(deadline_buttons.Decide, st.booleans()),
        st.builds(onboarding.Approve, ids, ids), st.builds(onboarding.EditProfile),
    )


@given(every_button())
def test_every_feature_button_round_trips_within_telegram_limit(button: ButtonData) -> None:
    data = pack(button)
    assert len(data.encode()) <= MAX_BYTES
    assert CODEC.unpack(data) == button


@given(st.text(max_size=70))
def test_any_text_is_read_as_a_button_or_refused_never_a_crash(data: str) -> None:
    button = CODEC.unpack(data)
    assert button is None or pack(button) == data


@pytest.mark.parametrize("data", [
    "t:s:5:6",        # six stars
    "t:s:5",          # a field missing
    "t:c:5:1",        # a field too many
    "s:1:secrets",    # no such section
    "f:1:2",          # a bool is 0 or 1
    "p:-1:0", "p:1:²", f"p:{2**63}:0",
    "dl:c:1:299913991700", "dl:c:1:2026120117",  # no such minute, too short
    "bc:p:5",         # the old broadcast format
    "zz:1", "", ":",
])
def test_malformed_forged_or_old_data_is_refused(data: str) -> None:
    assert CODEC.unpack(data) is None


def test_two_buttons_with_one_code_are_refused_at_start() -> None:
    @dataclass(frozen=True)
    class Other(ButtonData, code="s"):
        question_id: int

    with pytest.raises(ValueError, match="'s'"):
        ButtonCodec([*EVERY_KIND, Other])


def test_a_code_that_reads_as_another_codes_data_is_refused() -> None:
    @dataclass(frozen=True)
    class Shadowed(ButtonData, code="s:9"):
        pass

    with pytest.raises(ValueError, match="first part"):
        ButtonCodec([callbacks.ShowSection, Shadowed])


def test_data_too_long_for_telegram_is_refused_when_packed() -> None:
    @dataclass(frozen=True)
    class Wide(ButtonData, code="wide"):
        a: int
        b: int
        c: int
        d: int

    with pytest.raises(ValueError, match="64 bytes"):
        pack(Wide(10**18, 10**18, 10**18, 10**18))
