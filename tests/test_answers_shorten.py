"""Shortening an entry's text for a phone screen."""

from __future__ import annotations

from handlers.shorten import fit, fit_with_warnings, head, short_label


def test_lines_that_fit_are_kept_whole() -> None:
    lines = ["Giấy tờ nộp:", "- Tờ khai.", "- Giấy chứng sinh."]
    assert fit(lines, 200) == (lines, True)
    assert fit(lines, None) == (lines, True)


def test_a_long_list_keeps_every_item_by_its_first_sentence() -> None:
    lines = ["Giấy tờ nộp:", "- Tờ khai theo mẫu; nộp trực tuyến thì điền biểu mẫu điện tử.",
             "- Giấy chứng sinh do cơ sở y tế cấp. Không có thì nộp văn bản người làm chứng.",
             "- Văn bản ủy quyền có chứng thực (trừ ông, bà; cha, mẹ) nếu nhờ người khác."]
    kept, whole = fit(lines, 110)
    assert not whole
    assert kept == ["Giấy tờ nộp:", "- Tờ khai theo mẫu…", "- Giấy chứng sinh do cơ sở y tế cấp.",
                    "- Văn bản ủy quyền có chứng thực…"]  # never an open parenthesis
    roomier, _ = fit(lines, 150)  # the first items whole, as far as room allows
    assert roomier[1] == lines[1] and roomier[2:] == kept[2:]


def test_a_cut_never_leaves_half_a_bold_span() -> None:
    (cut,) = head(["**Công an cấp xã** " + "nơi cư trú của người dân " * 10], 80)
    assert cut.endswith("…") and len(cut) <= 80 and cut.startswith("**Công an cấp xã**")
    (cut,) = head(["**" + "Công an cấp xã nơi cư trú " * 10 + "**"], 80)
    assert "**" not in cut


def test_a_warning_at_the_end_survives_the_cut() -> None:
    steps = [f"{n}. Bước {n}: kiểm tra hồ sơ và ghi sổ theo dõi." for n in range(1, 20)]
    kept, whole = fit_with_warnings([*steps, "**Không được:** ký thay người khác."], 200)
    assert not whole and kept[-1] == "**Không được:** ký thay người khác."
    assert kept[0].startswith("1. Bước 1")


def test_short_labels_are_cut_at_a_word() -> None:
    assert short_label("Đăng ký khai sinh") == "Đăng ký khai sinh"
    label = short_label("Cấp bản sao Trích lục hộ tịch, bản sao Giấy khai sinh")
    assert label == "Cấp bản sao Trích lục hộ tịch…" and len(label) <= 32


def test_lines_left_out_are_always_marked() -> None:
    lines = [f"{n}. Bước {n}: kiểm tra hồ sơ." for n in range(1, 8)]
    for room in range(30, 200):
        kept = head(lines, room)
        assert sum(len(line) + 1 for line in kept) - 1 <= room, room
        if kept != lines:
            assert kept[-1].endswith("…"), room
