"""Writes imported entry files without losing what a person edited since.

The output folder keeps a manifest of the content hash of every file an import
wrote. A file whose content no longer matches (or that an import never wrote) is
an edited file: it is not overwritten unless forced. A file an earlier import wrote
that this one no longer produces is stale: it is reported and left in place.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

MANIFEST = ".import-manifest.json"


@dataclass(frozen=True)
class Plan:
    edited: tuple[str, ...]  # files to write that hold other content than imported
    stale: tuple[str, ...]  # files an earlier import wrote and this one does not


def plan(out: Path, files: Mapping[str, str]) -> Plan:
    """What writing `files` (path relative to `out` → text) would overwrite or leave."""
    recorded = _manifest(out)
    edited = [
        name for name in files
        if (out / name).is_file() and recorded.get(name) != _hash((out / name).read_bytes())
    ]
    stale = [name for name in recorded if name not in files and (out / name).is_file()]
    return Plan(tuple(sorted(edited)), tuple(sorted(stale)))


def write(out: Path, files: Mapping[str, str]) -> None:
    """Write the files and record them, keeping stale files on record until removed."""
    recorded = {name: digest for name, digest in _manifest(out).items()
                if (out / name).is_file()}
    for name, text in files.items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode("utf-8")
        path.write_bytes(data)
        recorded[name] = _hash(data)
    manifest = json.dumps(dict(sorted(recorded.items())), indent=1, ensure_ascii=False)
    out.mkdir(parents=True, exist_ok=True)
    (out / MANIFEST).write_text(manifest + "\n", encoding="utf-8")


def _manifest(out: Path) -> dict[str, str]:
    try:
        recorded = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except ValueError as err:
        message = f"{out / MANIFEST}: unreadable manifest ({err}); remove it to start over"
        raise OSError(message) from err
    return {str(k): str(v) for k, v in recorded.items()} if isinstance(recorded, dict) else {}


def _hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
