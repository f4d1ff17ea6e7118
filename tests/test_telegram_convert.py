"""Reading Telegram updates: the JSON shortcut for plain private text messages says exactly
what python-telegram-bot's objects say, and steps aside for everything else."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from telegram import Bot, Update
from telegram import User as TelegramUser

from bot.channels.telegram.convert import private_text_incoming, update_incoming
from tests.fake_bot_api import TOKEN

ME = TelegramUser(id=42, first_name="Trợ lý", is_bot=True, username="commune_bot")
BOT = Bot(TOKEN)

names = st.text(min_size=0, max_size=12)
# Fields a message may carry besides the plain ones: each must send it the long way.
OTHER_FIELDS: dict[str, Any] = {
    "reply_to_message": {"message_id": 5, "date": 0, "chat": {"id": 1, "type": "private"}},
    "photo": [{"file_id": "p", "file_unique_id": "u", "width": 1, "height": 1}],
    "caption": "ảnh",
    "forward_origin": {"type": "hidden_user", "date": 0, "sender_user_name": "Ai đó"},
    "message_thread_id": 3,
    "is_topic_message": True,
}


@st.composite
def updates(draw: st.DrawFn) -> dict[str, Any]:
    plain = draw(st.booleans())  # half of them a person's text in a private chat
    person: dict[str, Any] = {"id": draw(st.integers(1, 2**40)),
                              "is_bot": not plain and draw(st.booleans()),
                              "first_name": draw(names)}
    if draw(st.booleans()):
        person["last_name"] = draw(names)
    chat_id = draw(st.integers(-(2**40), 2**40))
    message: dict[str, Any] = {
        "message_id": draw(st.integers(1, 2**31)),
        "date": 1_700_000_000,
        "from": person,
        "chat": {"id": chat_id, "type": "private" if plain else draw(
            st.sampled_from(["private", "group", "supergroup"]))},
    }
    if plain or draw(st.booleans()):
        message["text"] = draw(st.text(min_size=1, max_size=40))
    if draw(st.booleans()):
        message["entities"] = [{"type": "bold", "offset": 0, "length": 1}]
    for field in draw(st.sets(st.sampled_from(sorted(OTHER_FIELDS)),
                              max_size=0 if plain else 2)):
        message[field] = OTHER_FIELDS[field]
    update: dict[str, Any] = {"update_id": draw(st.integers(1, 2**31)), "message": message}
    if not plain and draw(st.integers(0, 4)) == 0:
        update = {"update_id": update["update_id"], "edited_message": message}
    return update


@given(updates())
def test_the_shortcut_reads_what_the_objects_read_or_steps_aside(update: dict[str, Any]) -> None:
    quick = private_text_incoming(update)
    if quick is not None:
        assert quick == update_incoming(Update.de_json(update, BOT), ME)


def test_a_plain_private_question_takes_the_shortcut() -> None:
    update = {"update_id": 7, "message": {
        "message_id": 9, "date": 1_700_000_000, "text": "đăng ký khai sinh",
        "from": {"id": 100, "is_bot": False, "first_name": "Lan", "last_name": "Nguyễn"},
        "chat": {"id": 100, "type": "private", "first_name": "Lan"},
    }}
    quick = private_text_incoming(update)
    assert quick is not None
    assert quick == update_incoming(Update.de_json(update, BOT), ME)
    assert (quick.sender.name, quick.text, quick.update_id) == ("Lan Nguyễn",
                                                                      "đăng ký khai sinh", "7")


def test_a_group_message_or_a_reply_goes_the_long_way() -> None:
    base = {"message_id": 9, "date": 0, "text": "@commune_bot hỏi",
            "from": {"id": 100, "is_bot": False, "first_name": "Lan"}}
    group = {"update_id": 1, "message": {**base, "chat": {"id": -5, "type": "group"}}}
    reply = {"update_id": 2, "message": {**base, "chat": {"id": 100, "type": "private"},
                                         "reply_to_message": OTHER_FIELDS["reply_to_message"]}}
    assert private_text_incoming(group) is None
    assert private_text_incoming(reply) is None
