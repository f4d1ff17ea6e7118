"""The wording model's weight in the re-ranking: the best-ranked entry's share right on
the tuning questions, per weight tried.

    python bench/wording_weight.py [--weights 0 0.08 0.15 0.2 0.3]

Only the tuning split (`bench/questions/tune.jsonl`) is read: the held-out one is for
totals. The wording model learns the tuning questions (knowledge/examples.tsv), so each
is asked of an index that did not learn its fold (`fit_decision.fold_indexes`), as the
decision's fit asks them. The best-ranked entry is scored whatever the answer decision
says, so the weight can be set before the decision is refitted (bench/fit_decision.py).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from fit_decision import TUNE, fold_indexes, hits  # noqa: E402

import knowledge.search  # noqa: E402
from knowledge.base import bundled_entries_path, load_knowledge_base  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--weights", type=float, nargs="+", default=[0.0, 0.08, 0.15, 0.2, 0.3])
    args = parser.parse_args()
    entries = load_knowledge_base([bundled_entries_path()]).entries
    questions = [json.loads(line) for line in TUNE.read_text("utf-8").splitlines() if line]
    folds = [(index, [questions[i] for i in positions if questions[i]["accept"]])
             for index, positions in fold_indexes(entries, questions)]
    in_scope = sum(len(asked) for _, asked in folds)
    for weight in args.weights:
        knowledge.search.WORDING_WEIGHT = weight  # read by every re-ranking key
        right = sum(
            bool(candidates) and hits(candidates[0].entry.id, q["accept"])
            for index, asked in folds for q in asked
            for candidates in [index.search(q["q"]).candidates]
        )
        print(f"weight {weight:.2f}: best-ranked right {right}/{in_scope} "
              f"= {right / in_scope:.1%}")


if __name__ == "__main__":
    main()
