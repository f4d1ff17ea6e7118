"""Search results for the questions asked most recently, kept in memory.

Officials ask the same things in the same words: a question forwarded to several people,
a suggestion pressed, the matter of the week. Searching is the largest share of the CPU
an answer costs, and the index does not change while the bot runs (new knowledge files
take a restart), so a remembered result is exactly the one a new search would give.
"""

from __future__ import annotations

from functools import lru_cache

from knowledge.search import SearchIndex, SearchResult

RECENT_QUESTIONS = 4096


class RecentSearches:
    """`SearchIndex.search`, remembering the last `size` distinct questions."""

    def __init__(self, index: SearchIndex, size: int = RECENT_QUESTIONS) -> None:
        self._search = lru_cache(maxsize=size)(index.search)

    def search(self, query: str, limit: int = 5) -> SearchResult:
        return self._search(query, limit)
