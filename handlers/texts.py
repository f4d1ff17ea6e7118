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
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
            raise TextsError(f"{override}: cannot read texts file: {err}") from None
        for key, value in custom.items():
            if key not in bundled:
                raise TextsError(f"{override}: unknown text key '{key}'")
            if not isinstance(value, str):
                raise TextsError(f"{override}: '{key}' must be a string")
            problem = _template_problem(value, _placeholders(bundled[key]))
            if problem:
                raise TextsError(f"{override}: '{key}' {problem}")
        return cls({**bundled, **custom})

    def __call__(self, key: str, **values: object) -> str:
        return self._strings[key].format(**values)


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _template_problem(template: str, allowed: set[str]) -> str | None:
    """Why `template` cannot be filled with `allowed` names, or None when it can.

    Placeholders are plain `{name}`: no positions, format specs or conversions, so that
    a text edited by a province fails here, at start, and never in front of an official.
    """
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError:
        return "has a lone { or }: write {{ or }} for a brace"
    unknown = set()
    for _, name, spec, conversion in parts:
        if name is None:
            continue
        if not name or spec or conversion:
            return "placeholders must be written {name}, with nothing else in the braces"
        if name not in allowed:
            unknown.add(name)
    if unknown:
        return f"uses placeholders the bot does not fill: {sorted(unknown)}"
    return None
