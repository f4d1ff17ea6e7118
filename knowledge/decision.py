"""Whether to answer, suggest or abstain: two logistic models calibrated on questions.

Hand-set thresholds on coverage and margin were tuned on the questions that happened to
be at hand and failed on others (long questions that wrap a procedure in a story were
suggested, not answered). The decision is instead two small logistic models over what
the ranking knows about its best entry (how much of the question its names and body
cover, how much of one of its names the question says, its lead over the runner-up,
the question's length): one estimates the chance that the best entry is the right
answer, the other that the right entry is among the suggestions. They are fitted
offline on a tuning question bank by `bench/fit_decision.py`, which writes their
coefficients and the two cut-offs to `decision.toml`; this module only evaluates them.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

DECISION_PATH = Path(__file__).with_name("decision.toml")

# The features, in the order of every coefficient list in the file. The search computes
# them (knowledge.search); a file fitted on other features is refused at load.
FEATURES = (
    "coverage",  # share of the question's content the best entry matches, names counting most
    "name_fit",  # share of the best-fitting title or alias of the entry the question says
    "named_share",  # share of the question's content words found in the entry's names
    "whole_name",  # 1 when the question says every word of one of the entry's names
    "name_pair",  # 1 when the question says two adjacent content words of a name
    # lead in the re-ranking key (coverage, name fit, wording) over the best runner-up
    # that contests it
    "margin",
    # the same lead, the wording left out: the suggest model reads this one, as the
    # wording's chances are shared among the shortlist alone and a question no entry
    # covers still finds one whose cases say its words ("thời tiết ngày mai", "mai táng")
    "fit_margin",
    "score_ratio",  # the runner-up's ranking score over the best entry's, 0 without one
    # the best entry's coverage minus the most any contesting runner-up covers (negative
    # when a neighbour matches more of the question but ranks below on a short name)
    "coverage_lead",
    "length",  # log(1 + the question's content words)
    "unknown_share",  # share of the question's content words no entry or lexicon knows
    "missing",  # share of the question's content words the best entry has nowhere
    # 1 when the question names a procedure and asks whether it is the one ("… hay phải
    # làm giấy khác"): the one named is often a neighbour of the one needed
    "doubts",
)


class DecisionError(ValueError):
    """The decision file is missing, malformed or fitted on other features."""


class Verdict(StrEnum):
    ANSWER = "answer"
    SUGGEST = "suggest"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Logistic:
    """P(y=1 | x) = sigmoid(bias + Σ weight·(x − mean)/scale)."""

    bias: float
    weights: tuple[float, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]

    def probability(self, values: Sequence[float]) -> float:
        z = self.bias + sum(
            w * (x - m) / s
            for w, x, m, s in zip(self.weights, values, self.mean, self.scale, strict=True)
        )
        return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))

    def as_table(self) -> dict[str, object]:
        return {"bias": self.bias, "weights": list(self.weights), "mean": list(self.mean),
                "scale": list(self.scale)}


@dataclass(frozen=True)
class Decision:
    answer: Logistic  # P(the best entry is right)
    suggest: Logistic  # P(the right entry is among the suggestions)
    answer_at: float
    suggest_at: float

    def decide(self, features: Mapping[str, float]) -> Verdict:
        values = [features[name] for name in FEATURES]
        if self.answer.probability(values) >= self.answer_at:
            return Verdict.ANSWER
        if self.suggest.probability(values) >= self.suggest_at:
            return Verdict.SUGGEST
        return Verdict.UNKNOWN


def _logistic(path: Path, name: str, table: object) -> Logistic:
    if not isinstance(table, dict):
        raise DecisionError(f"{path}: [{name}] is missing")
    try:
        bias = float(table["bias"])
        lists = [tuple(float(v) for v in table[key]) for key in ("weights", "mean", "scale")]
    except (KeyError, TypeError, ValueError) as err:
        raise DecisionError(f"{path}: [{name}] needs a number bias and number lists "
                            f"weights, mean, scale ({err})") from None
    if any(len(values) != len(FEATURES) for values in lists):
        raise DecisionError(f"{path}: [{name}] needs {len(FEATURES)} values per list")
    if any(s <= 0 for s in lists[2]):
        raise DecisionError(f"{path}: [{name}] scale values must be positive")
    return Logistic(bias, *lists)


def load_decision(path: Path = DECISION_PATH) -> Decision:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise DecisionError(f"{path}: cannot read the decision file: {err}") from None
    if tuple(data.get("features", ())) != FEATURES:
        raise DecisionError(f"{path}: fitted on features {data.get('features')}, the search "
                            f"computes {list(FEATURES)}: refit with bench/fit_decision.py")
    try:
        answer_at, suggest_at = float(data["answer_at"]), float(data["suggest_at"])
    except (KeyError, TypeError, ValueError):
        raise DecisionError(f"{path}: answer_at and suggest_at must be numbers") from None
    return Decision(_logistic(path, "answer", data.get("answer")),
                    _logistic(path, "suggest", data.get("suggest")), answer_at, suggest_at)
