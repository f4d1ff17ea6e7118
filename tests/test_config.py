from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.config import ConfigError, load_config
from handlers.model import Address


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_no_file_gives_embedded_defaults_with_per_user_database() -> None:
    config = load_config(None, environ={})
    assert config.bot.channel == "auto"
    assert config.bot.timezone == "Asia/Ho_Chi_Minh"
    assert config.knowledge.include_bundled
    assert config.database_path.name == "commune-bot.sqlite3"
    assert "commune-bot" in str(config.database_path.parent)


def test_valid_file_is_read_and_relative_paths_follow_the_file(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[storage]\npath = "data/bot.db"\n[support]\nstaff_chat_id = -100123\n'
        '[knowledge]\nfolders = ["province-kb"]\n',
    )
    config = load_config(path, environ={})
    assert config.support.staff_chat_id == -100123
    assert config.support.staff_address() == Address("telegram", "-100123")
    assert config.database_path == tmp_path / "data" / "bot.db"
    assert config.knowledge_folders == [tmp_path / "province-kb"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[support]\nstaff_chat_id = "abc"\n',
         '[support] staff_chat_id must be an integer, got "abc"'),
        ("[support]\nstaf_chat_id = 1\n", "[support] unknown key 'staf_chat_id'"),
        ('[support]\nstaff_chat = "-100123"\n',
         '[support] staff_chat "-100123" is not a chat address such as "telegram:'),
        ('[support]\nstaff_chat = "telegram:-1"\nstaff_chat_id = -1\n',
         "[support] set either staff_chat or staff_chat_id, not both"),
        ("[suport]\n", "unknown section [suport]"),
        ('[bot]\nchannel = "zalo"\n', "[bot] channel must be one of"),
        ("[knowledge]\ninclude_bundled = 1\n",
         "[knowledge] include_bundled must be true or false, got 1"),
        ('[knowledge]\nfolders = "kb"\n', '[knowledge] folders must be a list'),
        ('[bot]\ntimezone = "Mars/Olympus"\n', '[bot] timezone "Mars/Olympus"'),
        ('[bot]\nchannel = "telegram"\n', '[bot] channel is "telegram" but no token is set'),
        ("[storage\npath = 1\n", "not valid TOML"),
        ("[knowledge]\nstale_after_days = 0\n", "[knowledge] stale_after_days must be between"),
        ("[knowledge]\nstale_after_days = 99999999999\n",
         "[knowledge] stale_after_days must be between 1 and 36500"),
    ],
)
def test_invalid_values_name_file_key_and_problem(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_config(write(tmp_path, text), environ={})
    assert str(raised.value).startswith(f"{tmp_path / 'config.toml'}: {message}")


def test_token_may_come_from_the_environment(tmp_path: Path) -> None:
    config = load_config(
        write(tmp_path, '[bot]\nchannel = "telegram"\n'),
        environ={"COMMUNE_BOT_TELEGRAM_TOKEN": "123:abc"},
    )
    assert config.telegram.token == "123:abc"


def test_broken_config_exits_1_with_one_line_and_no_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, '[support]\nstaff_chat_id = "abc"\n')
    assert main(["kb", "list", "--config", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.strip().splitlines() == [
        f'error: {path}: [support] staff_chat_id must be an integer, got "abc"'
    ]
    assert "Traceback" not in err


def test_missing_config_file_is_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--config", str(tmp_path / "nope.toml"), "kb", "list"]) == 1
    assert "nope.toml: file not found" in capsys.readouterr().err


def test_example_config_documents_every_key_with_its_default() -> None:
    import dataclasses
    import tomllib

    example_path = Path(__file__).parent.parent / "config.example.toml"
    example = tomllib.loads(example_path.read_text(encoding="utf-8"))
    defaults = load_config(None, environ={})
    for section in dataclasses.fields(defaults):
        if section.name == "source":
            continue
        values = dataclasses.asdict(getattr(defaults, section.name))
        assert example[section.name] == values, f"[{section.name}] differs from the defaults"


def test_an_unusable_database_exits_1_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "db.sqlite3").write_text("not a database\n" * 100, encoding="utf-8")
    path = write(tmp_path, '[storage]\npath = "db.sqlite3"\n')
    assert main(["chat", "--config", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.strip().splitlines() == [
        f"error: cannot use the database {tmp_path / 'db.sqlite3'}: file is not a database"
    ]


@pytest.mark.parametrize(("text", "address"), [
    ("telegram:-1001234567890", Address("telegram", "-1001234567890")),
    ("telegram:-1001234567890/42", Address("telegram", "-1001234567890", "42")),
])
def test_the_staff_chat_is_an_address_with_an_optional_forum_topic(
    tmp_path: Path, text: str, address: Address
) -> None:
    config = load_config(write(tmp_path, f'[support]\nstaff_chat = "{text}"\n'), environ={})
    assert config.support.staff_address() == address
