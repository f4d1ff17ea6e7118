from __future__ import annotations

from pathlib import Path

import pytest

from handlers.texts import Texts, TextsError


def test_province_override_replaces_only_the_keys_it_sets(tmp_path: Path) -> None:
    override = tmp_path / "texts.toml"
    override.write_text('thanks_reply = "Dạ, không có chi ạ."\n', encoding="utf-8")
    texts = Texts.load(override)
    assert texts("thanks_reply") == "Dạ, không có chi ạ."
    assert texts("greeting", name="chị Lan").startswith("Xin chào chị Lan!")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('thank_reply = "x"\n', "unknown text key 'thank_reply'"),
        ("thanks_reply = 1\n", "'thanks_reply' must be a string"),
        ('greeting = "Chào {ten}"\n', "placeholders the bot does not fill: ['ten']"),
        ('greeting = "Chào\n', "cannot read texts file"),
        ('greeting = "Chào {name"\n', "'greeting' has a lone { or }"),
        ('greeting = "Chào {}"\n', "'greeting' placeholders must be written {name}"),
        ('greeting = "Chào {name!r}"\n', "'greeting' placeholders must be written {name}"),
        ('greeting = "Chào {name:>99}"\n', "'greeting' placeholders must be written {name}"),
        ('greeting = "{name.__class__}"\n', "placeholders the bot does not fill"),
    ],
)
def test_broken_override_is_reported_with_file_and_key(
    tmp_path: Path, content: str, message: str
) -> None:
    override = tmp_path / "texts.toml"
    override.write_text(content, encoding="utf-8")
    with pytest.raises(TextsError) as raised:
        Texts.load(override)
    assert str(raised.value).startswith(f"{override}: ")
    assert message in str(raised.value)


def test_an_override_that_is_not_utf8_is_reported(tmp_path: Path) -> None:
    override = tmp_path / "texts.toml"
    override.write_bytes('thanks_reply = "Không có chi"\n'.encode("cp1258", errors="replace"))
    with pytest.raises(TextsError, match="cannot read texts file"):
        Texts.load(override)


def test_doubled_braces_show_as_braces(tmp_path: Path) -> None:
    override = tmp_path / "texts.toml"
    override.write_text('thanks_reply = "Dạ {{không có chi}}"\n', encoding="utf-8")
    assert Texts.load(override)("thanks_reply") == "Dạ {không có chi}"
