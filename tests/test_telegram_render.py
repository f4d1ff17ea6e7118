"""Replies rendered for Telegram: escaped HTML, split at the limit, buttons on the last part."""

from __future__ import annotations

import pytest

from bot.channels.telegram.render import as_notice, render
from handlers.model import Block, Button, Reply, Style


def test_styles_become_tags_and_everything_else_is_escaped() -> None:
    reply = Reply((
        Block("Đăng ký <khai sinh>", Style.TITLE),
        Block("Thành phần hồ sơ", Style.HEADING),
        Block("A & B > C"),
        Block("Cập nhật 01/11/2026", Style.NOTE),
    ))
    (part,) = render(reply)
    assert part.text == (
        "<b>Đăng ký &lt;khai sinh&gt;</b>\n\n<b>Thành phần hồ sơ</b>\n\n"
        "A &amp; B &gt; C\n\n<i>Cập nhật 01/11/2026</i>"
    )
    assert part.markup is None


def test_long_reply_splits_between_paragraphs_with_buttons_on_the_last_part() -> None:
    paragraphs = [f"Đoạn {n}: " + "x" * 990 for n in range(10)]
    reply = Reply(tuple(Block(p) for p in paragraphs), ((Button("👍", "f:1:1"),),))
    parts = render(reply)
    assert [len(p.text) for p in parts] == [3998, 3998, 1998]
    assert [p.text for p in parts] == [
        "\n\n".join(paragraphs[0:4]), "\n\n".join(paragraphs[4:8]), "\n\n".join(paragraphs[8:])
    ]
    assert [p.markup is None for p in parts] == [True, True, False]


def test_a_paragraph_longer_than_the_limit_splits_between_lines_then_words() -> None:
    lines = "\n".join(f"dòng {n} " + " ".join(["chữ"] * 20) for n in range(100))
    parts = render(Reply((Block(lines, Style.NOTE),)), limit=1000)
    assert all(len(p.text) <= 1000 for p in parts)
    assert all(p.text.startswith("<i>dòng ") and p.text.endswith("</i>") for p in parts)
    assert "\n".join(p.text[3:-4] for p in parts) == lines

    words = " ".join(["&"] * 1000)  # each one grows five-fold when escaped
    parts = render(Reply((Block(words),)), limit=500)
    assert all(len(p.text) <= 500 for p in parts)
    assert " ".join(p.text for p in parts) == words.replace("&", "&amp;")


def test_a_word_longer_than_the_limit_is_cut_without_breaking_an_entity() -> None:
    parts = render(Reply((Block("<" * 300, Style.TITLE),)), limit=100)
    assert all(len(p.text) <= 100 for p in parts)
    assert all(p.text.startswith("<b>") and p.text.endswith("&lt;</b>") for p in parts)
    assert "".join(p.text[3:-4] for p in parts) == "&lt;" * 300


def test_a_long_blank_line_is_dropped_not_a_crash() -> None:
    text = "trên\n" + " " * 3000 + "\n" + "\t" * 3000 + "\ndưới"
    parts = render(Reply((Block(text),)), limit=1000)
    assert all(len(p.text) <= 1000 for p in parts)
    assert parts[0].text.startswith("trên") and parts[-1].text.endswith("dưới")


def test_length_is_counted_as_telegram_does_in_utf16_units() -> None:
    emoji = "📄" * 3000  # 6,000 UTF-16 units
    parts = render(Reply((Block(emoji),)))
    assert [len(p.text) for p in parts] == [2048, 952]


def test_button_data_over_64_bytes_is_refused() -> None:
    with pytest.raises(ValueError, match="64 bytes"):
        render(Reply((Block("x"),), ((Button("x", "đ" * 33),),)))


def test_short_plain_answers_to_a_press_become_a_notification() -> None:
    assert as_notice(Reply.text("Cảm ơn anh/chị!")) == "Cảm ơn anh/chị!"
    assert as_notice(Reply.text("x" * 201)) is None
    assert as_notice(Reply((Block("Tiêu đề", Style.TITLE),))) is None
    assert as_notice(Reply((Block("a"), Block("b")))) is None
    assert as_notice(Reply((Block("a"),), ((Button("b", "c"),),))) is None
