"""The music tagger: the ONNX file against TensorFlow's outputs, the front end against musicnn's
published tags of real GTZAN clips, and the sha256 check before loading."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from genre_desktop.core import model_card
from genre_desktop.core.feature_schema import TAGGER_TAGS
from genre_desktop.core.model import tagger
from genre_desktop.paths import models_dir

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "tagger_reference.npz"


@pytest.fixture(scope="module")
def bundled_tagger() -> tagger.Tagger:
    card = model_card.read_card(models_dir())
    return tagger.Tagger(models_dir() / card["tagger"]["file"], card["tagger"]["sha256"])


def test_onnx_file_reproduces_the_original_model(bundled_tagger):
    reference = np.load(FIXTURE)
    assert tuple(reference["labels"].tolist()) == TAGGER_TAGS
    tags, embedding = bundled_tagger.run(reference["mel"].astype(np.float32))
    assert tags.shape == (3, 50) and embedding.shape == (3, 200)
    assert np.max(np.abs(tags - reference["tags"])) <= 1e-4
    assert np.max(np.abs(embedding - reference["embedding"])) <= 1e-4
    # The fixture's three inputs are different music to the model: a copy-paste would not pass.
    assert np.ptp(reference["tags"], axis=0).max() > 0.05


def test_tampered_or_missing_file_is_refused(tmp_path):
    card = model_card.read_card(models_dir())
    copy = tmp_path / "tagger.onnx"
    shutil.copyfile(models_dir() / card["tagger"]["file"], copy)
    with open(copy, "r+b") as handle:
        handle.seek(2000)
        byte = handle.read(1)
        handle.seek(2000)
        handle.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(tagger.TaggerError, match="does not match its card"):
        tagger.Tagger(copy, card["tagger"]["sha256"])
    with pytest.raises(tagger.TaggerError, match="missing"):
        tagger.Tagger(tmp_path / "nothing.onnx", card["tagger"]["sha256"])


def _published_clip_means(gtzan_dir: Path) -> dict[str, np.ndarray]:
    means = {}
    for path in sorted((gtzan_dir / "musicnn").glob("*_taggram.npz")):
        with np.load(path) as archive:
            X, ids = archive["X"], archive["IDS"].astype(str)
        for clip in np.unique(ids):
            means[Path(clip).stem] = X[ids == clip].mean(axis=0)
    return means


def test_front_end_and_model_match_the_published_tags(gtzan_dir, bundled_tagger):
    """Every local clip that musicnn's authors tagged: the app's clip-mean tags (all
    non-overlapping patches of the decoded clip) against theirs."""
    published = _published_clip_means(gtzan_dir)
    correlations = []
    for path in sorted((gtzan_dir / "audio").glob("*/*.flac")):
        if path.stem not in published:
            continue
        y, sr = sf.read(path, dtype="float32")
        tags, _ = bundled_tagger.tag_windows([y], sr, count=None)
        correlations.append(np.corrcoef(tags[0], published[path.stem])[0, 1])
    assert len(correlations) >= 40
    assert np.median(correlations) >= 0.99
    assert min(correlations) >= 0.9


def test_patches_spread_over_a_window_and_short_audio_is_padded():
    assert tagger.patch_starts(1876, 3) == [0, 844, 1689]
    assert tagger.patch_starts(1876, None) == [round(i * 1689 / 9) for i in range(10)]
    assert tagger.patch_starts(300, 3) == [56]  # one patch fits: centred
    short = np.random.default_rng(1).standard_normal(16000).astype(np.float32) * 0.1
    patches = tagger.patches(short, 16000, 3)
    assert patches.shape == (1, tagger.PATCH_FRAMES, tagger.N_MELS)
    assert np.all(patches[0, 70:] == 0.0)  # 1 s is 63 frames; the rest is padding


def test_front_end_does_not_overflow_in_float16():
    """Loud audio: the mel power rounds to float16 above 6.55, where 10000 * x would overflow
    in float16 arithmetic (NumPy 2's promotion keeps float16)."""
    t = np.arange(3 * 16000) / 16000
    loud = (0.99 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
    mel = tagger.log_mel(loud)
    assert np.all(np.isfinite(mel)) and mel.max() > 4.0
