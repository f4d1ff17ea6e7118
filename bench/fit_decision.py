"""Fit the search's answer / suggest / abstain decision on the tuning questions.

Run from the project root after changing the ranking, the features or the questions:

    .venv/bin/python bench/make_questions.py && .venv/bin/python bench/fit_decision.py

It asks every tuning question (`bench/questions/tune.jsonl`, never the held-out file)
of the bundled entries and, with `--portal`, of the bundled entries plus the portal
records, each of an index whose wording model did not learn that question's fold
(`fold_indexes`); records the features the search computes for its best entry; and fits two
L2-regularised logistic models with numpy (Newton's method): P(the best entry is
right) and P(the right entry is among the first three). On the same questions, scored
out of fold (`out_of_fold`), the answer cut-off is the lowest that answers at most
MAX_WRONG_SHARE of them wrongly, and the suggest cut-off the lowest at which at least
MIN_LIST_PRECISION of the lists offered hold the right entry. Coefficients and
cut-offs are written to `knowledge/decision.toml`, which the search loads at start.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path

import numpy as np
import tomli_w
from make_questions import examples

from knowledge.base import bundled_entries_path, load_knowledge_base, merged
from knowledge.decision import DECISION_PATH, FEATURES, Decision, Logistic
from knowledge.entry import Entry
from knowledge.importers.dichvucong import import_file
from knowledge.search import TIED, SearchIndex

ROOT = Path(__file__).resolve().parents[1]
TUNE = ROOT / "bench" / "questions" / "tune.jsonl"
PORTAL = ROOT.parent / "shared" / "data" / "dichvucong-2026.jsonl"
L2 = 1.0  # ridge penalty on the standardised weights (not on the bias)
# A wrong answer sends a citizen home with the wrong papers; a suggestion costs one tap.
# The cut-off was first the one minimising the cost with a wrong answer costing 2, 3, then
# 5 suggestions, but that cost's curve has two near-equal minima ("plateaus"): adding one
# redirect entry moved the cut-off from 0.91 to 0.77 and the held-out wrong answers from
# 1.8% to 3.3%. A bound on the wrong share does not jump so. Out of fold it was half the
# held-out share while one index, which had learned nothing from the questions, read them
# all (0.7% → 1.3%, 0.9% → 1.8%, 1.9% → 3.4%), hence 1% for a 2% target then. Read from
# indexes that did not learn their fold's examples (fold_indexes), the shares agree: 1%
# out of fold gave 0.9% on the held-out lines and 1.0% on batch 7 asked whole; 1.5% gave
# 1.4% and 1.7%. The costs a wrong answer would need for each cut-off are still printed
# (COSTS_SHOWN).
MAX_WRONG_SHARE = 0.015
COSTS_SHOWN = (3.0, 4.0, 5.0, 6.0, 8.0)  # printed, to show how far the cut-off moves
# A list is offered when the right entry is likely among three. Its cut-off minimised a
# cost (a list without the right entry costing half a missed one) until batch 6 joined the
# tune split: the minimum then fell to another plateau (0.37 → 0.22) and a question about
# tomorrow's weather was offered funeral support. A floor on the share of lists that hold
# the right entry, out of fold, does not jump so; on batches 1–5 the cost's cut-off had
# held it at 93%.
MIN_LIST_PRECISION = 0.9
NEWTON_STEPS = 50
# The lead each model reads: with the wording (margin) or without (fit_margin).
ANSWER_IGNORES = ("fit_margin",)
SUGGEST_IGNORES = ("margin",)
FOLDS = 5  # for the out-of-fold probabilities the cut-offs are set on
# Fitting needs the features only; this decision never answers.
PLACEHOLDER = Logistic(-50.0, (0.0,) * len(FEATURES), (0.0,) * len(FEATURES),
                       (1.0,) * len(FEATURES))


REDIRECTS = "chuyen-co-quan/"  # entries saying which agency handles a matter


def hits(found: str, accept: Sequence[str]) -> bool:
    """As the shared score.py counts it: the id or one below it; for an out-of-scope
    question, a redirect to the agency that handles it."""
    if not accept:
        return found.startswith(REDIRECTS)
    return any(found == a or found.startswith(a + "/") for a in accept)


def question_groups(questions: Sequence[dict]) -> list[int]:
    """Which bank question each line is a variant of (make_questions writes the variants
    of one question together, the one as typed first)."""
    groups, group = [], -1
    for question in questions:
        group += question.get("variant") == "as_typed"
        groups.append(max(group, 0))
    return groups


def fold_indexes(entries: Sequence[Entry], questions: Sequence[dict]) -> Iterator[
        tuple[SearchIndex, list[int]]]:
    """Per fold, an index whose wording model learned the other folds' questions
    (knowledge.examples) and the positions of the fold's questions: a question the model
    learned from would look surer of its entry than a new one, and the decision would
    learn to trust that."""
    groups = question_groups(questions)
    placeholder = Decision(PLACEHOLDER, PLACEHOLDER, 1.0, 1.0)
    for k in range(FOLDS):
        learned = examples(q for q, g in zip(questions, groups, strict=True) if g % FOLDS != k)
        yield (SearchIndex.build(entries, decision=placeholder, examples=learned),
               [i for i, g in enumerate(groups) if g % FOLDS == k])


def observe(
    entries: Sequence[Entry], questions: Sequence[dict]
) -> tuple[list, list, list, list, list]:
    """Per question the search ranks something for: its features, whether the best entry
    is right, whether the right entry is in the first three, whether it is tied, and
    which bank question it is a variant of; each asked of the index of its fold."""
    groups = question_groups(questions)
    found: dict[int, tuple] = {}
    for index, positions in fold_indexes(entries, questions):
        for i in positions:
            question = questions[i]
            result = index.search(question["q"])
            if result.features is None:  # nothing ranked: the search abstains by itself
                continue
            ids = [c.entry.id for c in result.candidates]
            found[i] = ([result.features[name] for name in FEATURES],
                        hits(ids[0], question["accept"]),
                        any(hits(other, question["accept"]) for other in ids[:3]),
                        bool(result.features[TIED]), groups[i])
    if not found:
        sys.exit("no question was ranked: nothing to fit")
    rows, first, top3, tied, kept = (list(column) for column in zip(
        *(found[i] for i in sorted(found)), strict=True))
    return rows, first, top3, tied, kept


def out_of_fold(
    x: np.ndarray, y: np.ndarray, groups: np.ndarray, use: np.ndarray, ignored: Sequence[str]
) -> np.ndarray:
    """P(y) for every row from a model fitted on the other folds' `use` rows, a question's
    variants in one fold. A model scores its own fitting questions too well, so cut-offs
    set on those answered more wrongly on questions it had not seen."""
    p = np.zeros(len(x))
    fold = groups % FOLDS
    for k in range(FOLDS):
        model = fit(x[use & (fold != k)], y[use & (fold != k)].astype(float), ignored)
        p[fold == k] = [model.probability(r) for r in x[fold == k]]
    return p


def fit(x: np.ndarray, y: np.ndarray, ignored: Sequence[str] = ()) -> Logistic:
    """`ignored` features keep a weight of 0 (knowledge.decision.FEATURES says why)."""
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-6] = 1.0
    z = np.hstack([np.ones((len(x), 1)), (x - mean) / scale])
    z[:, [1 + FEATURES.index(name) for name in ignored]] = 0.0
    w = np.zeros(z.shape[1])
    penalty = np.full(z.shape[1], L2)
    penalty[0] = 0.0
    for _ in range(NEWTON_STEPS):
        p = 1 / (1 + np.exp(-z @ w))
        gradient = z.T @ (p - y) + penalty * w
        hessian = (z * (p * (1 - p))[:, None]).T @ z + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return Logistic(float(w[0]), tuple(map(float, w[1:])), tuple(map(float, mean)),
                    tuple(map(float, scale)))


def bounded_cut_off(p: np.ndarray, positive: np.ndarray, allowed: float) -> float:
    """The lowest probability at or above which at most `allowed` negatives are acted on."""
    for t in np.unique(p):  # ascending: the first that keeps within the bound
        if float(((p >= t) & ~positive).sum()) <= allowed:
            return float(t)
    return 1.0


def precise_cut_off(p: np.ndarray, positive: np.ndarray, precision: float) -> float:
    """The lowest probability at or above which at least `precision` of the rows acted
    on are positives."""
    for t in np.unique(p):  # ascending: the first that reaches the precision
        if positive[p >= t].mean() >= precision:
            return float(t)
    return 1.0


def cut_off(p: np.ndarray, positive: np.ndarray, false_cost: float) -> float:
    """The probability at or above which acting costs least: acting on a negative costs
    `false_cost`, not acting on a positive costs 1."""
    best, best_cost = 1.0, float(positive.sum())
    for t in np.unique(p):
        act = p >= t
        cost = false_cost * float((act & ~positive).sum()) + float((~act & positive).sum())
        if cost < best_cost:
            best, best_cost = float(t), cost
    return best


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=TUNE)
    parser.add_argument("--portal", type=Path, help="also fit on bundled + these records")
    parser.add_argument("--out", type=Path, default=DECISION_PATH)
    args = parser.parse_args(argv)

    questions = [json.loads(line) for line in
                 args.questions.read_text(encoding="utf-8").splitlines() if line.strip()]
    bundled = list(load_knowledge_base([bundled_entries_path()]).entries)
    sets = [bundled]
    if args.portal:
        sets.append(merged(bundled + import_file(args.portal, verified=date(2026, 1, 1)).entries))
    rows, first, top3, ties, groups = [], [], [], [], []
    for entries in sets:
        found = observe(entries, questions)
        rows += found[0]
        first += found[1]
        top3 += found[2]
        ties += found[3]
        groups += found[4]
    x, first_right, in_top3 = np.array(rows), np.array(first), np.array(top3)
    group_of = np.array(groups)
    # A tie is never answered (knowledge.search), so the answer model learns from the rest.
    free = ~np.array(ties)
    everyone = np.ones(len(x), dtype=bool)
    answer = fit(x[free], first_right[free].astype(float), ANSWER_IGNORES)
    suggest = fit(x, in_top3.astype(float), SUGGEST_IGNORES)
    # The cut-offs are set on out-of-fold probabilities, the models fitted on every row.
    p_answer = out_of_fold(x, first_right, group_of, free, ANSWER_IGNORES)
    # The share is of every observation, ties included, as the printed figures are.
    answer_at = bounded_cut_off(p_answer[free], first_right[free], MAX_WRONG_SHARE * len(x))
    unanswered = (p_answer < answer_at) | ~free
    p_suggest = out_of_fold(x, in_top3, group_of, everyone, SUGGEST_IGNORES)
    suggest_at = precise_cut_off(p_suggest[unanswered], in_top3[unanswered],
                                 MIN_LIST_PRECISION)

    table = {
        "features": list(FEATURES),
        "answer_at": round(answer_at, 6),
        "suggest_at": round(suggest_at, 6),
        "answer": answer.as_table(),
        "suggest": suggest.as_table(),
    }
    header = (
        "# Fitted by bench/fit_decision.py: do not edit by hand, refit instead.\n"
        f"# {len(x)} observations from {args.questions.name} over "
        f"{' and '.join(f'{len(s):,}' for s in sets)} entries.\n"
    )
    args.out.write_text(header + tomli_w.dumps(table), encoding="utf-8")
    answered = (p_answer >= answer_at) & free
    print(f"{len(x)} observations; out of fold: answered {answered.mean():.1%}, right when "
          f"answered {first_right[answered].mean():.1%}; wrote {args.out}")
    print(f"answer cut-off {answer_at:.3f}: right {(answered & first_right).mean():.1%}, wrong "
          f"{(answered & ~first_right).mean():.1%} of the observations (bound "
          f"{MAX_WRONG_SHARE:.1%})")
    listed = unanswered & (p_suggest >= suggest_at)
    print(f"suggest cut-off {suggest_at:.3f}: lists for {listed.mean():.1%} of the observations, "
          f"{in_top3[listed].mean():.1%} of them holding the right entry (floor "
          f"{MIN_LIST_PRECISION:.0%})")
    for name, w_a, w_s in zip(FEATURES, answer.weights, suggest.weights, strict=True):
        print(f"  {name:14s} answer {w_a:+.2f}  suggest {w_s:+.2f}")
    print("out of fold, the cut-off a wrong answer's cost would set:")
    for cost in COSTS_SHOWN:
        at = cut_off(p_answer[free], first_right[free], cost)
        acted = (p_answer >= at) & free
        print(f"  cost {cost:g}: cut-off {at:.3f}, right {(acted & first_right).mean():.1%}, "
              f"wrong {(acted & ~first_right).mean():.1%} of the observations")
    return 0


if __name__ == "__main__":
    sys.exit(main())
