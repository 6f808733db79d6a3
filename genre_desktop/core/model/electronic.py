""""electronic" out of the box: a rule on the tagger's electronic tags, since GTZAN has no
electronic genre and no labelled electronic audio is at hand to train one.

Evidence E of a window is the highest of its electronic-family tag probabilities (electronic,
electronica, electro, House; "dance" is left out: GTZAN's disco and pop carry it). Electronic
gets the probability ramp(E) = clip((E - start) / (full - start), 0, 1) * ceiling, and the
GTZAN genres share the rest in their own proportions. So it is named only where the tagger
hears electronic music and the GTZAN genres do not explain the window better.

``start`` is a high percentile of E over the training clips (GTZAN music seldom reaches it),
``full`` lies a fixed span above, and the ceiling keeps the rule from claiming certainty that
no labelled data backs. The card records the rule and how many GTZAN clips it calls electronic.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from genre_desktop.core.feature_schema import TAGGER_TAGS

GENRE = "electronic"
EVIDENCE_TAGS = ("electronic", "electronica", "electro", "House")
START_PERCENTILE = 99.0
SPAN = 0.25
CEILING = 0.9
_COLUMNS = [TAGGER_TAGS.index(tag) for tag in EVIDENCE_TAGS]


def evidence(tags: np.ndarray) -> np.ndarray:
    """(n, 50) tag probabilities -> (n,) electronic evidence E."""
    return np.asarray(tags, dtype=np.float64)[:, _COLUMNS].max(axis=1)


@dataclass(frozen=True)
class ElectronicRule:
    start: float
    full: float
    ceiling: float = CEILING

    def probability(self, tags: np.ndarray) -> np.ndarray:
        ramp = (evidence(tags) - self.start) / (self.full - self.start)
        return np.clip(ramp, 0.0, 1.0) * self.ceiling

    def apply(self, proba: np.ndarray, tags: np.ndarray) -> np.ndarray:
        """(n, k) GTZAN-genre probabilities -> (n, k + 1) with electronic last."""
        p = self.probability(tags)[:, None]
        return np.hstack([np.asarray(proba, dtype=np.float64) * (1.0 - p), p])

    def to_card(self) -> dict[str, Any]:
        return {"genre": GENRE, "evidence_tags": list(EVIDENCE_TAGS), **asdict(self)}

    @classmethod
    def from_card(cls, entry: dict[str, Any]) -> "ElectronicRule":
        if list(entry.get("evidence_tags", ())) != list(EVIDENCE_TAGS):
            raise ValueError("the electronic rule in the card names other tags")
        rule = cls(float(entry["start"]), float(entry["full"]), float(entry["ceiling"]))
        if not 0.0 <= rule.start < rule.full <= 1.0 or not 0.0 < rule.ceiling <= 1.0:
            raise ValueError(f"the electronic rule's numbers are out of range: {rule}")
        return rule


def fit_rule(training_tags: np.ndarray) -> ElectronicRule:
    """The rule for a model trained on clips with these (n, 50) tag probabilities."""
    start = float(np.percentile(evidence(training_tags), START_PERCENTILE))
    return ElectronicRule(round(start, 4), round(min(1.0, start + SPAN), 4))


def named_rate(rule: ElectronicRule, proba: np.ndarray, tags: np.ndarray) -> float:
    """Share of rows whose top genre becomes electronic."""
    applied = rule.apply(proba, tags)
    return float(np.mean(applied.argmax(axis=1) == applied.shape[1] - 1))
