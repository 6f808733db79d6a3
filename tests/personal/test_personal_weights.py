"""A personal model whose weights are damaged but whose card's sha256 was updated to match is
refused with a reason, and scans go on with the bundled model: weights that are not finite,
and a weights file that would decompress to 2 GiB (refused from its headers, in little memory)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from genre_desktop.core import model_card

from genre_desktop.core.personal import model as personal_model
from genre_desktop.core.model.classifier import load_classifier
from genre_desktop.core.personal.model import PersonalModelError
from genre_desktop.library.db import connect
from genre_desktop.library.scanner import scan_folders

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _model(bundled, personal_dir: Path, coef_value: float) -> None:
    """A personal model over the bundled genres with every weight set to coef_value (card and
    sha256 consistent, as a tool that rewrites both would leave it)."""
    n_features = bundled.scale(np.zeros((1, len(bundled.card["feature_names"])))).shape[1]
    genres = tuple(bundled.bundled_genres)
    card = {"bundled_model_version": bundled.version, "feature_recipe_version":
            personal_model.MODEL_RECIPE_VERSION}
    personal_model.save(personal_dir, personal_model.PersonalModel(
        genres, np.full((len(genres), n_features), coef_value), np.zeros(len(genres)), genres[:1],
        np.zeros((1, n_features), dtype=np.float32), 0.5, card))


def test_weights_that_are_not_numbers_are_refused_and_the_scan_uses_the_bundled_model(
        bundled, personal_dir, tmp_path, gtzan_clips):
    _model(bundled, personal_dir, np.nan)
    with pytest.raises(PersonalModelError, match="not finite"):
        personal_model.load(personal_dir, bundled.version)
    assert load_classifier(personal_dir=personal_dir).personal is None

    music = tmp_path / "Music"
    music.mkdir()
    for clip in gtzan_clips[:3]:
        shutil.copy(clip, music / clip.name)
    db = tmp_path / "lib.sqlite3"
    report = scan_folders(db, [music], jobs=1, personal_dir=personal_dir)
    assert report.added == 3 and report.failed == []
    conn = connect(db, readonly=True)
    try:
        rows = conn.execute("SELECT confidence, decided_by FROM predictions").fetchall()
    finally:
        conn.close()
    assert len(rows) == 3 and all(0.0 < c <= 1.0 and by == "model" for c, by in rows)


def _bomb(personal_dir: Path, bundled) -> None:
    """Replace the weights with an archive whose coef.npy decompresses to 2 GiB of zeros, and
    update the card's sha256 to match."""
    card_path = personal_dir / personal_model.CARD_FILE
    card = json.loads(card_path.read_text())
    weights = personal_dir / card["model_file"]
    genres = len(card["genres"])
    rows = (2 << 30) // 8 // genres
    header = {"descr": "<f8", "fortran_order": False, "shape": (genres, rows)}
    with zipfile.ZipFile(personal_dir / "bomb.npz", "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out:
        with np.load(weights) as arrays:
            for name in ("genres", "intercept", "taught", "examples", "reach"):
                with out.open(f"{name}.npy", "w") as member:
                    np.lib.format.write_array(member, arrays[name])
        with out.open("coef.npy", "w", force_zip64=True) as member:
            np.lib.format.write_array_header_1_0(member, header)
            block, left = bytes(64 << 20), genres * rows * 8
            while left:
                member.write(block[:left])
                left -= min(left, len(block))
    os.replace(personal_dir / "bomb.npz", weights)
    card_path.write_text(json.dumps(dict(card, sha256=model_card.sha256_file(weights))))


def test_weights_that_would_decompress_to_2_gib_are_refused_in_little_memory(bundled, personal_dir):
    _model(bundled, personal_dir, 0.01)
    _bomb(personal_dir, bundled)
    code = (
        "import resource, time\n"
        "from pathlib import Path\n"
        "from genre_desktop.core.model.classifier import GenreClassifier\n"
        "from genre_desktop.core.personal.model import PersonalModelError, load\n"
        "version = GenreClassifier.load().version\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "started = time.monotonic()\n"
        "try:\n"
        f"    load(Path({str(personal_dir)!r}), version)\n"
        "    print('loaded')\n"
        "except PersonalModelError as exc:\n"
        "    print('refused:', exc)\n"
        "print(time.monotonic() - started, (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                          cwd=PROJECT_ROOT, env=dict(os.environ, PYTHONPATH=str(PROJECT_ROOT)))
    assert done.returncode == 0, done.stderr
    outcome, figures = done.stdout.strip().splitlines()
    seconds, extra_mb = map(float, figures.split())
    print(f"2 GiB weights: {outcome} in {seconds:.2f} s, peak memory up {extra_mb:.0f} MB")
    assert outcome.startswith("refused:") and "more than 32 MB" in outcome
    assert extra_mb < 100
