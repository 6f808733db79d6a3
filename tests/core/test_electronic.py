"""The electronic rule on the tagger's real outputs for GTZAN: conservative on music that is
not electronic, and sure where the electronic tags are strong."""

from __future__ import annotations

import numpy as np
import pytest

from genre_desktop.core.feature_schema import TAGGER_TAGS
from genre_desktop.core.model.electronic import ElectronicRule, evidence, fit_rule, named_rate
from genre_desktop.core.training_data import load_model_table, load_split


@pytest.fixture(scope="module")
def tags(gtzan_dir):
    table = load_model_table(gtzan_dir)
    splits = {name: table.mask_for(load_split(gtzan_dir / "splits", name)) for name in ("train", "test")}
    return {name: table.X[mask, 57:] for name, mask in splits.items()}


def test_rule_fit_on_train_names_few_test_clips_even_with_a_clueless_model(tags):
    rule = fit_rule(tags["train"])
    assert rule.start == pytest.approx(np.percentile(evidence(tags["train"]), 99), abs=1e-4)
    clueless = np.full((len(tags["test"]), 10), 0.1)  # the GTZAN genres explain nothing
    assert named_rate(rule, clueless, tags["test"]) <= 0.03
    sure = np.tile(np.eye(10)[0] * 0.85 + 0.015, (len(tags["test"]), 1))
    assert named_rate(rule, sure, tags["test"]) <= named_rate(rule, clueless, tags["test"])


def test_strong_electronic_tags_win_and_the_ceiling_holds():
    rule = ElectronicRule(start=0.3, full=0.55, ceiling=0.9)
    t = np.zeros((3, len(TAGGER_TAGS)))
    t[0, TAGGER_TAGS.index("House")] = 0.8
    t[1, TAGGER_TAGS.index("dance")] = 0.9  # disco and pop carry "dance": not evidence
    t[2, TAGGER_TAGS.index("electronica")] = 0.425  # half way up the ramp
    proba = np.full((3, 10), 0.1)
    out = rule.apply(proba, t)
    np.testing.assert_allclose(out[:, -1], [0.9, 0.0, 0.45])
    np.testing.assert_allclose(out.sum(axis=1), 1.0)


def test_card_round_trip_and_bad_entries():
    rule = ElectronicRule(0.2, 0.45, 0.9)
    assert ElectronicRule.from_card(rule.to_card()) == rule
    with pytest.raises(ValueError, match="other tags"):
        ElectronicRule.from_card({**rule.to_card(), "evidence_tags": ["rock"]})
    with pytest.raises(ValueError, match="out of range"):
        ElectronicRule.from_card({**rule.to_card(), "start": 0.6})
