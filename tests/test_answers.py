"""Answers a person can use: follow-ups, phone-sized cards, close calls, redirects, feedback."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import re
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.app import App, open_app
from bot.channels.console import render as console_render
from bot.channels.telegram.render import render as telegram_render
from bot.cli import main
from bot.config import ConfigError, load_config
from bot.delivery.envelope import envelope, payload_json
from handlers import callbacks
from handlers.button_codec import ButtonCodec, pack
from handlers.cards import CARD_LIMIT, CardOptions, Cards, default_section, has_section
from handlers.context_follow import said_elsewhere
from handlers.model import Address, Block, Button, Outgoing, Reply, Sender, Style
from handlers.texts import Texts
from knowledge.base import bundled_entries_path, load_knowledge_base
from knowledge.entry import Entry, Kind, Section
from tests.factories import FIXED_NOW, incoming

LAN = Sender("console", "lan", "Chị Lan")
KHAI_SINH = "Đăng ký khai sinh"
DISCLAIMER = "Thông tin cập nhật ngày"
HOTLINE = '[support]\nhotline_phone = "0210 3 888 999"\n'


class Clock:
    """Time that tests move by hand."""

    def __init__(self) -> None:
        self.now = FIXED_NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def app(tmp_path: Path, clock: Clock) -> AsyncIterator[App]:
    path = tmp_path / "config.toml"
    path.write_text(f'[storage]\npath = "bot.sqlite3"\n{HOTLINE}', encoding="utf-8")
    async with open_app(load_config(path, environ={}), clock=clock) as app:
        yield app


async def ask(app: App, text: str) -> Reply:
    (reply,) = await app.dispatcher.handle(incoming(LAN, text=text))
    assert isinstance(reply, Reply)
    return reply


async def press(app: App, data: str) -> Reply:
    (reply,) = await app.dispatcher.handle(incoming(LAN, button=data))
    assert isinstance(reply, Reply)
    return reply


def heading(reply: Reply) -> str:
    """The first heading under the title: the part the card opens on."""
    return next(block.text for block in reply.blocks if block.style is Style.HEADING)


def labelled(reply: Reply, label_part: str) -> Button:
    return next(b for row in reply.buttons for b in row if label_part in b.label)


def labels(reply: Reply) -> list[str]:
    return [button.label for row in reply.buttons for button in row]


@pytest.mark.parametrize(
    ("follow_up", "part"),
    [
        ("thế lệ phí bao nhiêu?", "Phí, lệ phí"),
        ("mất mấy ngày", "Thời hạn giải quyết"),
        ("nộp ở đâu", "Nơi nộp hồ sơ"),
        ("cần mang gì", "Thành phần hồ sơ"),
    ],
)
async def test_a_follow_up_naming_no_procedure_is_answered_from_the_last_entry(
    app: App, follow_up: str, part: str
) -> None:
    await ask(app, "thủ tục đăng ký khai sinh")
    reply = await ask(app, follow_up)
    assert reply.blocks[0].text == KHAI_SINH
    assert heading(reply) == part


@pytest.mark.parametrize(
    ("follow_up", "part"),
    [(q, "Phí, lệ phí") for q in ("có mất phí không", "tốn bao nhiêu tiền vậy em",
                                  "le phi bao nhieu", "lệ phí hết bao nhiêu")]
    + [(q, "Thời hạn giải quyết") for q in ("bao giờ có kết quả", "bao lâu xong",
                                            "mấy hôm thì có", "mat may ngay")]
    + [(q, "Nơi nộp hồ sơ") for q in ("đăng ký ở đâu vậy em", "lam o dau")]
    + [(q, "Thành phần hồ sơ") for q in ("chuẩn bị giấy tờ gì", "cần những giấy gì ạ")]
    + [(q, "Trình tự thực hiện") for q in ("trình tự ra sao", "quy trình thế nào")],
)
async def test_follow_ups_in_everyday_words(app: App, follow_up: str, part: str) -> None:
    await ask(app, "đăng ký kết hôn")
    reply = await ask(app, follow_up)
    assert (reply.blocks[0].text, heading(reply)) == ("Đăng ký kết hôn", part)


@pytest.mark.parametrize(
    "question",
    ["xe máy đăng ký ở đâu", "học phí bao nhiêu", "giá vàng hôm nay bao nhiêu",
     "sửa điện thoại mất mấy ngày", "đổi bằng lái xe ở đâu", "bệnh viện ở đâu"],
)
async def test_other_matters_are_not_taken_for_follow_ups(app: App, question: str) -> None:
    await ask(app, "đăng ký kết hôn")
    assert (await ask(app, question)).blocks[0].text != "Đăng ký kết hôn"


async def test_naming_another_procedure_switches_the_topic(app: App) -> None:
    await ask(app, "đăng ký khai sinh cần giấy tờ gì")
    assert (await ask(app, "đăng ký kết hôn mất mấy ngày")).blocks[0].text == "Đăng ký kết hôn"
    fee = await ask(app, "thế lệ phí bao nhiêu?")
    assert fee.blocks[0].text == "Đăng ký kết hôn"
    assert heading(fee) == "Phí, lệ phí"


@pytest.mark.parametrize("question", ["xe máy đăng ký ở đâu", "nấu phở thế nào"])
async def test_a_matter_the_search_cannot_place_is_not_taken_for_a_follow_up(
    app: App, question: str
) -> None:
    await ask(app, "đăng ký khai sinh")
    reply = await ask(app, question)
    # Not answered from the birth entry: the bot says it does not know, or offers a list
    # of other procedures to choose from.
    assert KHAI_SINH not in reply.plain_text
    assert ("chưa có thông tin chắc chắn" in reply.plain_text
            or "Có phải một trong các thủ tục sau không?" in reply.plain_text)


async def test_a_sub_case_is_answered_from_the_entry_not_from_the_procedure_it_mentions(
    app: App,
) -> None:
    await ask(app, "đăng ký khai sinh cần giấy tờ gì")
    reply = await ask(app, "còn nếu bố mẹ chưa đăng ký kết hôn thì sao?")
    assert reply.blocks[0].text == KHAI_SINH  # not the marriage card
    assert "Giấy chứng nhận kết hôn" in reply.plain_text
    assert "Hay ý anh/chị là: Đăng ký khai sinh kết hợp nhận cha, mẹ, con?" in reply.plain_text
    neighbour = await press(app, labelled(reply, "🔁").data)
    assert neighbour.blocks[0].text == "Đăng ký khai sinh kết hợp nhận cha, mẹ, con"


async def test_a_sub_case_naming_a_neighbour_opens_the_neighbour(app: App) -> None:
    await ask(app, "đăng ký khai sinh")
    reply = await ask(app, "còn trường hợp có yếu tố nước ngoài thì sao?")
    assert "nước ngoài" in reply.blocks[0].text
    assert "khai sinh" in reply.blocks[0].text.lower()


async def test_the_context_ends_after_the_window_and_the_date_note_comes_back(
    app: App, clock: Clock
) -> None:
    first = await ask(app, "đăng ký khai sinh")
    assert DISCLAIMER in first.plain_text
    clock.now += timedelta(minutes=29)
    second = await ask(app, "đăng ký kết hôn")
    assert DISCLAIMER not in second.plain_text  # once per conversation
    clock.now += timedelta(minutes=29)
    assert (await ask(app, "mất mấy ngày")).blocks[0].text == "Đăng ký kết hôn"
    clock.now += timedelta(minutes=31)
    alone = await ask(app, "mất mấy ngày")
    assert "chưa có thông tin chắc chắn" in alone.plain_text
    assert DISCLAIMER in (await ask(app, "đăng ký khai sinh")).plain_text


async def test_the_context_window_is_configured(tmp_path: Path, clock: Clock) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[storage]\npath = "b.sqlite3"\n[answers]\ncontext_minutes = 5\n',
                    encoding="utf-8")
    async with open_app(load_config(path, environ={}), clock=clock) as app:
        await ask(app, "đăng ký khai sinh")
        clock.now += timedelta(minutes=6)
        assert "chưa có thông tin chắc chắn" in (await ask(app, "lệ phí bao nhiêu")).plain_text
    path.write_text("[answers]\ncontext_minutes = 0\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[answers\] context_minutes"):
        load_config(path, environ={})


async def test_tied_neighbours_show_the_best_one_and_offer_the_other(app: App) -> None:
    reply = await ask(app, "mất giấy khai sinh làm sao")
    assert reply.blocks[0].text == "Đăng ký lại khai sinh"
    assert "Cả Sổ hộ tịch và bản chính Giấy khai sinh đều bị mất" in reply.plain_text
    assert "Hay ý anh/chị là: Cấp bản sao Trích lục hộ tịch" in reply.plain_text
    other = await press(app, labelled(reply, "🔁").data)
    assert other.blocks[0].text.startswith("Cấp bản sao Trích lục hộ tịch")


async def test_a_question_saying_the_whole_title_gets_no_alternative(app: App) -> None:
    reply = await ask(app, "đăng ký khai sinh cần giấy tờ gì")
    assert "Hay ý anh/chị là" not in reply.plain_text
    assert not any(label.startswith("🔁") for label in labels(reply))


async def test_suggestions_list_full_titles_with_short_buttons_and_none_of_these(
    app: App,
) -> None:
    reply = await ask(app, "chứng thực")
    listed = re.findall(r"^(\d)\. (.+)$", reply.plain_text, re.MULTILINE)
    *picks, none = [b for row in reply.buttons for b in row]
    assert 1 < len(picks) == len(listed) <= 3
    for (number, title), button in zip(listed, picks, strict=True):
        assert button.label.startswith(f"{number}. ")
        assert len(button.label) <= 40
        assert button.label.removeprefix(f"{number}. ").rstrip("…") in title
    assert none.label == "🙅 Không phải các thủ tục trên"
    support = await press(app, none.data)
    assert "“chứng thực”" in support.plain_text and "0210 3 888 999" in support.plain_text
    card = await press(app, picks[0].data)
    assert card.blocks[0].text == listed[0][1]
    assert DISCLAIMER in card.plain_text  # the conversation's first answer
    again = await press(app, picks[1].data)
    assert DISCLAIMER not in again.plain_text


@pytest.mark.parametrize("question", ["con tôi đăng ký khai sinh ở đâu",
                                      "khai sinh cho con mất mấy ngày"])
async def test_con_the_child_is_not_taken_for_con_the_sub_case(app: App, question: str) -> None:
    await ask(app, "đăng ký kết hôn")
    assert (await ask(app, question)).blocks[0].text == KHAI_SINH


@pytest.mark.parametrize(
    ("question", "agency"),
    [("làm căn cước", "Công an"), ("đăng ký thường trú", "Công an cấp xã"),
     ("làm hộ chiếu", "xuất nhập cảnh"), ("đóng bảo hiểm xã hội", "bảo hiểm xã hội"),
     ("quyết toán thuế thu nhập cá nhân", "thuế")],
)
async def test_matters_the_commune_does_not_decide_say_who_does(
    app: App, question: str, agency: str
) -> None:
    reply = await ask(app, question)
    assert heading(reply) == "Cơ quan giải quyết"
    assert agency in reply.plain_text
    assert "**" not in reply.plain_text
    assert "⏱ Thời hạn" not in labels(reply) and "💰 Lệ phí" not in labels(reply)


async def test_i_do_not_know_offers_the_hotline_with_the_question(app: App) -> None:
    reply = await ask(app, "thời tiết ngày mai thế nào")
    assert "chưa có thông tin chắc chắn" in reply.plain_text
    support = await press(app, labelled(reply, "Hỏi tổ hỗ trợ").data)
    assert "“thời tiết ngày mai thế nào”" in support.plain_text


async def test_i_do_not_know_without_contacts_still_carries_the_question(
    tmp_path: Path, clock: Clock
) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[storage]\npath = "b.sqlite3"\n', encoding="utf-8")
    async with open_app(load_config(path, environ={}), clock=clock) as app:
        reply = await ask(app, "thời tiết ngày mai thế nào")
        support = await press(app, labelled(reply, "Hỏi tổ hỗ trợ").data)
        assert "“thời tiết ngày mai thế nào”" in support.plain_text
        assert "tổ hỗ trợ của tỉnh" in support.plain_text


async def test_a_thumbs_down_asks_what_was_wrong_and_is_listed_for_curators(
    app: App, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    card = await ask(app, "mất giấy khai sinh làm sao")
    asked = await press(app, labelled(card, "Chưa đúng").data)
    assert "chưa đúng ở điểm nào" in asked.plain_text
    assert labels(asked) == ["❌ Sai thủ tục", "📅 Thông tin cũ", "➕ Thiếu thông tin",
                             "🙋 Hỏi tổ hỗ trợ"]
    wrong = await press(app, labelled(asked, "Sai thủ tục").data)
    assert "Cấp bản sao Trích lục hộ tịch" in wrong.plain_text  # the other candidates
    assert "Đăng ký lại khai sinh" not in wrong.plain_text
    record = await app.storage.questions.get(1)
    assert record is not None and (record.feedback, record.feedback_reason) == (-1, "wrong")
    await ask(app, "nấu phở thế nào")
    await ask(app, "nấu phở thế nào")

    config = str(tmp_path / "config.toml")
    # The command runs its own event loop, as from a shell.
    assert await asyncio.to_thread(main, ["kb", "feedback", "--json", "--config", config]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["disliked"] == [{
        "id": "ho-tich/dang-ky-lai-khai-sinh", "title": "Đăng ký lại khai sinh", "times": 1,
        "reasons": {"wrong": 1}, "example": "mất giấy khai sinh làm sao",
    }]
    assert report["unanswered"][0] == {"question": "nấu phở thế nào",
                                       "folded": report["unanswered"][0]["folded"], "times": 2}
    assert await asyncio.to_thread(main, ["kb", "feedback", "--config", config]) == 0
    assert "Đăng ký lại khai sinh  (wrong 1)" in capsys.readouterr().out


async def test_the_reason_buttons_are_the_askers_only(app: App) -> None:
    await ask(app, "đăng ký khai sinh")
    data = pack(callbacks.FeedbackReason(1, callbacks.Flaw.OUTDATED))
    nam = Sender("console", "nam", "Anh Nam")
    (reply,) = await app.dispatcher.handle(incoming(nam, button=data))
    assert isinstance(reply, Reply) and "Nút này đã cũ" in reply.plain_text
    assert "ghi lại" in (await press(app, data)).plain_text


async def test_a_how_to_opens_on_the_lines_the_question_is_about(app: App) -> None:
    reply = await ask(app, "ký số bị lỗi")
    assert "Lỗi ký số" in reply.plain_text
    assert "Xác định ai cần chứng thư" not in reply.plain_text
    full = await press(app, labelled(reply, "Các bước").data)
    assert "Xác định ai cần chứng thư" in full.plain_text


async def test_a_section_button_shows_the_whole_section(app: App) -> None:
    card = await ask(app, "đăng ký khai sinh cần giấy tờ gì")
    documents = await press(app, labelled(card, "Hồ sơ").data)
    assert "Gửi hồ sơ qua bưu chính thì kèm bản sao có chứng thực" in documents.plain_text
    assert "📄 Hồ sơ" not in labels(documents)  # shown whole: no button for it


async def test_the_same_time_limit_is_listed_once(app: App) -> None:
    reply = await ask(app, "đăng ký khai sinh mất mấy ngày")
    assert reply.plain_text.count("1 ngày làm việc") == 1


ANSWER_BUTTONS = ButtonCodec(callbacks.KINDS)
KNOWLEDGE = load_knowledge_base([bundled_entries_path()])
TEXTS = Texts.load(None)
ENTRY_IDS = {entry.id for entry in KNOWLEDGE.entries}


def test_a_remembered_card_carries_the_id_of_the_question_it_answers() -> None:
    cards = Cards(TEXTS, KNOWLEDGE.get)
    entry = KNOWLEDGE.get("ho-tich/dang-ky-khai-sinh")
    assert entry is not None
    first, again = (cards.answer(entry, Section.DOCUMENTS, n) for n in (7, 8))
    assert again.blocks == first.blocks
    assert again.blocks == Cards(TEXTS, KNOWLEDGE.get, size=0).answer(entry, Section.DOCUMENTS,
                                                                       8).blocks
    pressed = {ANSWER_BUTTONS.unpack(b.data).question_id
               for cards_ in (first, again) for row in cards_.buttons for b in row if b.data}
    assert pressed == {7, 8}
    other = dataclasses.replace(entry, title="Một bản khác của thủ tục")  # not in the base
    assert cards.answer(other, Section.DOCUMENTS, 9).blocks[0].text == other.title


@pytest.mark.parametrize("entry", KNOWLEDGE.entries, ids=lambda e: e.id)
def test_every_first_message_fits_a_phone_screen(entry: Entry) -> None:
    for section in (None, *Section):
        elsewhere = said_elsewhere(entry, section, TEXTS, KNOWLEDGE.get) if section else None
        options = CardOptions(ask_support=True, alternative=(1, "Một thủ tục " * 10),
                              elsewhere=elsewhere)
        card = Cards(TEXTS, KNOWLEDGE.get).answer(entry, section, 1, options)
        text = card.plain_text
        assert len(text) <= CARD_LIMIT, (section, len(text))
        assert "**" not in text
        assert not ENTRY_IDS & set(re.findall(r"[a-z0-9-]+/[a-z0-9-]+", text))
        assert all(block.text.strip() for block in card.blocks)
        actions = [ANSWER_BUTTONS.unpack(b.data) for row in card.buttons for b in row if b.data]
        with_button = {a.section for a in actions if isinstance(a, callbacks.ShowSection)}
        missing = {s for s in Section if has_section(entry, s)} - with_button
        assert missing <= {section, default_section(entry), Section.CONDITIONS}, section
        portal = [b.url for row in card.buttons for b in row if b.url]
        expected = [entry.source_urls[0]] if entry.source_urls else []
        assert portal == ([] if entry.kind is Kind.GUIDANCE else expected)


def test_entry_markdown_is_rendered_per_channel_never_raw() -> None:
    reply = Reply((Block("Người dân làm tại **Công an cấp xã** <nơi cư trú>:\n- trực tiếp",
                         Style.MARKDOWN),),
                  ((Button("🌐 Cổng", url="https://dichvucong.gov.vn/x"),
                    Button("📄 Hồ sơ", "s:1:documents")),))
    (telegram,) = telegram_render(reply)
    assert telegram.text == (
        "Người dân làm tại <b>Công an cấp xã</b> &lt;nơi cư trú&gt;:\n- trực tiếp"
    )
    assert telegram.markup is not None
    keyboard = telegram.markup["inline_keyboard"]
    assert keyboard == [[{"text": "🌐 Cổng", "url": "https://dichvucong.gov.vn/x"},
                         {"text": "📄 Hồ sơ", "callback_data": "s:1:documents"}]]
    text, pressable = console_render(reply, first=7)
    assert "**" not in text and "Người dân làm tại Công an cấp xã <nơi cư trú>:" in text
    assert "[7] 📄 Hồ sơ" in text and "🌐 Cổng: https://dichvucong.gov.vn/x" in text
    assert pressable == [Button("📄 Hồ sơ", "s:1:documents")]
    assert reply.plain_text.startswith("Người dân làm tại Công an cấp xã <")


def test_a_bold_span_cut_by_a_split_shows_no_markers() -> None:
    words = " ".join(["chữ"] * 30)
    reply = Reply((Block(f"**{words} {words}**", Style.MARKDOWN),))
    parts = telegram_render(reply, limit=120)
    assert len(parts) > 1
    assert all("**" not in part.text for part in parts)


def test_link_buttons_survive_the_outbox_and_older_rows_still_read() -> None:
    reply = Reply((Block("**Công an cấp xã**", Style.MARKDOWN),),
                  ((Button("📄 Hồ sơ", "s:1:documents"),
                    Button("🌐 Cổng", url="https://dichvucong.gov.vn/x")),))
    address = Address("telegram", "501")
    assert envelope(1, address, 0, payload_json(Outgoing(reply))).reply == reply
    before_links = '{"reply":{"blocks":[["Đăng ký","title"]],"buttons":[[["👍","f:1:1"]]]}}'
    stored = envelope(2, address, 0, before_links).reply
    assert stored is not None and stored.buttons == ((Button("👍", "f:1:1"),),)


async def test_a_warning_at_the_end_of_a_long_section_is_still_on_the_first_screen(
    app: App,
) -> None:
    reply = await ask(app, "hướng dẫn ký số")
    assert len(reply.plain_text) <= CARD_LIMIT
    assert "Không được: giao thiết bị hoặc mã PIN cho người khác ký thay" in reply.plain_text
    assert "🪜 Các bước" in labels(reply)  # the rest of the steps is one press away


def test_kb_feedback_without_a_database_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[storage]\npath = "none.sqlite3"\n', encoding="utf-8")
    assert main(["kb", "feedback", "--config", str(path)]) == 1
    assert "no database at" in capsys.readouterr().err
    assert not (tmp_path / "none.sqlite3").exists()


async def test_a_part_a_redirect_has_no_section_for_is_quoted_from_its_notes(app: App) -> None:
    passport = await ask(app, "làm hộ chiếu mất bao nhiêu tiền")
    assert heading(passport) == "Cơ quan giải quyết"  # who handles it comes first
    assert "lệ phí 160.000 đồng" in passport.plain_text
    await ask(app, "làm căn cước")
    fee = await ask(app, "lệ phí bao nhiêu")
    assert fee.blocks[0].text == "Cấp, đổi, cấp lại thẻ căn cước"
    assert "lệ phí cấp đổi 50.000 đồng" in fee.plain_text
    assert len(fee.plain_text) <= CARD_LIMIT
