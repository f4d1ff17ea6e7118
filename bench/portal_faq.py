"""Portal FAQ: R@1 of the search over the bundled entries plus the 2,642 portal records.

    python bench/portal_faq.py [--questions bench/questions/portal-faq.jsonl]

Each question was written from one portal record (two pairs differ only by "không");
a hit is that record ranked first, whatever the answer decision says. Needs the bench
extras (`pip install -e '.[bench]'`), as bench/search.py does.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from search import SHARED, portal_index  # noqa: E402

from knowledge.search import SearchIndex  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=Path,
                        default=ROOT / "bench" / "questions" / "portal-faq.jsonl")
    parser.add_argument("--portal", type=Path, default=SHARED / "data" / "dichvucong-2026.jsonl")
    args = parser.parse_args()
    index = SearchIndex.build(portal_index(args.portal))
    rows = [json.loads(line) for line in args.questions.read_text("utf-8").splitlines() if line]
    hits = 0
    for row in rows:
        result = index.search(row["q"])
        hits += bool(result.candidates) and result.candidates[0].entry.id in row["accept"]
    print(f"portal FAQ R@1: {hits}/{len(rows)} = {hits / len(rows):.3f}")


if __name__ == "__main__":
    main()
