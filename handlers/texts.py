"""The user-facing Vietnamese texts, loaded from `texts.vi.toml` plus a province's overrides."""

from __future__ import annotations

import string
import tomllib
from importlib import resources
from pathlib import Path

BUNDLED = "texts.vi.toml"


class TextsError(ValueError):
    """A broken texts override file, worded for the person who edits it."""


class Texts:
    def __init__(self, strings: dict[str, str]) -> None:
        self._strings = strings

    @classmethod
    def load(cls, override: Path | None = None) -> Texts:
        bundled = tomllib.loads(resources.files("handlers").joinpath(BUNDLED).read_text("utf-8"))
        if override is None:
            return cls(bundled)
        try:
            custom = tomllib.loads(override.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as err:
            raise TextsError(f"{override}: cannot read texts file: {err}") from None
        for key, value in custom.items():
            if key not in bundled:
                raise TextsError(f"{override}: unknown text key '{key}'")
            if not isinstance(value, str):
                raise TextsError(f"{override}: '{key}' must be a string")
            if _fields(value) - _fields(bundled[key]):
                raise TextsError(
                    f"{override}: '{key}' uses placeholders the bot does not fill: "
                    f"{sorted(_fields(value) - _fields(bundled[key]))}"
                )
        return cls({**bundled, **custom})

    def __call__(self, key: str, **values: object) -> str:
        template = self._strings[key]
        return template.format(**values) if values else template


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}
