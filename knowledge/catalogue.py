"""The catalogue: the topics the bundled knowledge base must cover (a copy of the shared list)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from knowledge.entry import Kind


@dataclass(frozen=True)
class Topic:
    id: str
    kind: Kind
    name: str


def bundled_catalogue_path() -> Path:
    return Path(str(resources.files("knowledge") / "catalogue.toml"))


def load_catalogue(path: Path | None = None) -> list[Topic]:
    data = tomllib.loads((path or bundled_catalogue_path()).read_text(encoding="utf-8"))
    return [Topic(t["id"], Kind(t["kind"]), t["name"]) for t in data.get("topic", [])]


def covers(entry_id: str, topic_id: str) -> bool:
    """True when an entry answers for a topic: the same id, or a finer entry below it."""
    return entry_id == topic_id or entry_id.startswith(topic_id + "/")
