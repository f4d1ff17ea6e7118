"""The [zalo] section: secrets from the environment, checked keys, ZNS templates."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app import wants_telegram, wants_zalo
from bot.config import ConfigError, load_config

SECRETS = {"COMMUNE_BOT_ZALO_APP_SECRET": "app-s", "COMMUNE_BOT_ZALO_OA_SECRET": "oa-s"}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_secrets_come_from_the_environment_and_templates_from_the_subtable(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, '[zalo]\napp_id = "123"\n[zalo.zns]\n'
                           'templates = { deadline = "301234" }\n')
    config = load_config(path, environ=SECRETS)
    assert (config.zalo.app_secret, config.zalo.oa_secret) == ("app-s", "oa-s")
    assert config.zalo.zns.templates == {"deadline": "301234"}
    assert wants_zalo(config) and not wants_telegram(config)


@pytest.mark.parametrize(("text", "environ", "message"), [
    ('[zalo]\napp_id = "123"\n', {}, "[zalo] app_id is set but app_secret is not "
                                     "(COMMUNE_BOT_ZALO_APP_SECRET)"),
    ('[zalo]\napp_id = "12a"\n', SECRETS,
     '[zalo] app_id must be the digits of the app id, got "12a"'),
    ('[zalo]\napp_id = "1"\nwebhook_path = "zalo"\n', SECRETS,
     '[zalo] webhook_path must start with /, got "zalo"'),
    ('[zalo]\napp_id = "1"\napi_base = "ftp://x"\n', SECRETS,
     '[zalo] api_base must start with http:// or https://, got "ftp://x"'),
    ("[zalo.zns]\ntemplates = { deadline = 301234 }\n", {},
     "[zalo.zns] templates.deadline must be a string, got 301234"),
    ("[zalo.zns]\ntemplate = {}\n", {},
     "[zalo.zns] unknown key 'template' (known keys: templates)"),
    ('[zalo]\nzns = "x"\n', {}, "[zalo.zns] must be a table"),
])
def test_zalo_mistakes_name_the_key(
    tmp_path: Path, text: str, environ: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        load_config(write(tmp_path, text), environ=environ)
    assert str(raised.value) == f"{tmp_path / 'config.toml'}: {message}"


def test_the_console_setting_serves_no_chat_app(tmp_path: Path) -> None:
    path = write(tmp_path, '[bot]\nchannel = "console"\n[zalo]\napp_id = "123"\n')
    assert not wants_zalo(load_config(path, environ=SECRETS))
