"""A cache of the loaded knowledge base and its built search index, for a fast start.

Reading 2,600 portal records and indexing them takes seconds; the bot restarts far more
often than its entries change. The pair (knowledge base, index) is pickled into the
cache folder under a key that hashes everything the result depends on: the content and
path of every entry file, the synonyms, decision and examples files, the source of the knowledge
package and the Python and numpy versions. A stale cache therefore has another name
and is never read; a corrupt or unreadable one is rebuilt. The cache folder is the
bot's own data folder (pickle runs code from the file it reads, so it must not be a
folder others can write to). A knowledge base with broken files is never cached.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from knowledge.base import KnowledgeBase, load_knowledge_base
from knowledge.decision import DECISION_PATH
from knowledge.examples import EXAMPLES_PATH
from knowledge.loader import entry_files
from knowledge.search import SearchIndex
from knowledge.synonyms import SYNONYMS_PATH

log = logging.getLogger(__name__)

PREFIX = "search-index-"
SUFFIX = ".pickle"
_PACKAGE = Path(__file__).parent


def cache_key(folders: Sequence[Path]) -> str:
    """The hash of everything a loaded knowledge base and its index depend on."""
    digest = hashlib.sha256()

    def add(label: str, data: bytes) -> None:
        digest.update(f"{label}\0{len(data)}\0".encode())
        digest.update(data)

    add("python", sys.version.encode())
    add("numpy", np.__version__.encode())
    for source in sorted(_PACKAGE.rglob("*.py")):
        add(f"code:{source.relative_to(_PACKAGE)}", source.read_bytes())
    for data_file in (SYNONYMS_PATH, DECISION_PATH):
        add(f"data:{data_file.name}", data_file.read_bytes())
    # Optional, as knowledge.examples reads it: no file is no examples.
    add("data:examples", EXAMPLES_PATH.read_bytes() if EXAMPLES_PATH.exists() else b"")
    for folder in folders:
        add("folder", str(folder.resolve()).encode())
        if folder.is_dir():
            for path in entry_files(folder):
                add(str(path.relative_to(folder)), path.read_bytes())
    return digest.hexdigest()


def load_indexed(
    folders: Sequence[Path], cache_dir: Path | None
) -> tuple[KnowledgeBase, SearchIndex]:
    """The knowledge base in `folders` and its search index, from `cache_dir` when a
    cache of exactly these files is there; built (and cached) otherwise."""
    if cache_dir is None:
        base = load_knowledge_base(folders)
        return base, SearchIndex.build(base.entries)
    key = cache_key(folders)
    path = cache_dir / f"{PREFIX}{key[:32]}{SUFFIX}"
    cached = _read(path, key)
    if cached is not None:
        return cached
    base = load_knowledge_base(folders)
    index = SearchIndex.build(base.entries)
    if not base.problems:
        _write(cache_dir, path, (key, base, index))
    return base, index


def _read(path: Path, key: str) -> tuple[KnowledgeBase, SearchIndex] | None:
    try:
        with path.open("rb") as file:
            stored_key, base, index = pickle.load(file)
    except FileNotFoundError:
        return None
    except Exception as err:  # truncated, garbled or from another version: rebuild
        log.warning("search index cache %s is unreadable (%s); rebuilding it", path, err)
        return None
    if stored_key != key or not isinstance(base, KnowledgeBase) or not isinstance(
        index, SearchIndex
    ):
        log.warning("search index cache %s does not match its entries; rebuilding it", path)
        return None
    return base, index


def _write(cache_dir: Path, path: Path, content: object) -> None:
    """Write atomically (a reader never sees half a file) and drop older caches."""
    temporary: Path | None = None
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=cache_dir, prefix=".tmp-", delete=False) as file:
            temporary = Path(file.name)
            pickle.dump(content, file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
        for old in cache_dir.glob(f"{PREFIX}*{SUFFIX}"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError as err:  # a read-only or full disk only costs the next start time
        log.warning("cannot write the search index cache in %s: %s", cache_dir, err)
        if temporary is not None:
            temporary.unlink(missing_ok=True)
