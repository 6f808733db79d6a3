"""How many tagger patches per 30-second window: accuracy against time, side by side in one run.

    python benchmarks/bench_tagger.py [--json]

Accuracy: musicnn's published patch outputs of the fault-filtered *train* clips (the test split is
never used for this choice). A logistic regression on clip-mean tags is trained on four
artist-blocked folds and scores the fifth, where each held-out clip is represented by the mean of
only P non-overlapping 3-second patches spread over it, as the app does per window. Time: the
bundled ONNX tagger on one thread, front end included, for one window of real audio with P
patches, in this process (CPU seconds).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
GTZAN = ROOT.parent / "shared" / "data" / "gtzan"
CHOICES = (1, 2, 3, 5, 10)
PATCH_HOP_SECONDS = 3  # published patches start every second; every third one do not overlap


def accuracy_by_patches() -> dict[int, float]:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from genre_desktop.core.model.recipe import artist_blocked_folds
    from genre_desktop.core.training_data import load_split

    train = load_split(GTZAN / "splits", "train")
    with np.load(GTZAN / "musicnn" / "train_filtered_MSD_musicnn_taggram.npz") as archive:
        X, ids = archive["X"], archive["IDS"].astype(str)
    clips = sorted(c for c in np.unique(ids) if Path(c).stem + ".wav" in train)
    patches = [X[ids == c] for c in clips]
    labels = np.array([c.split("/")[0] for c in clips])
    means = np.stack([p.mean(axis=0) for p in patches])
    results = {}
    folds = list(artist_blocked_folds(5).split(means, labels))
    for count in CHOICES:
        right = 0
        for fit, held in folds:
            model = make_pipeline(StandardScaler(), LogisticRegression(C=0.1, max_iter=5000))
            model.fit(means[fit], labels[fit])
            rows = []
            for i in held:
                usable = patches[i][::PATCH_HOP_SECONDS]  # non-overlapping
                picks = np.unique(np.linspace(0, len(usable) - 1, min(count, len(usable))).round())
                rows.append(usable[picks.astype(int)].mean(axis=0))
            right += int(np.sum(model.predict(np.stack(rows)) == labels[held]))
        results[count] = round(right / len(labels), 4)
    return results


def seconds_per_window(repeats: int = 5) -> dict[int, float]:
    from genre_desktop.core.model.classifier import GenreClassifier

    tagger = GenreClassifier.load().tagger
    y, sr = sf.read(sorted((GTZAN / "audio" / "jazz").glob("*.flac"))[0], dtype="float32")
    timings = {}
    for count in CHOICES:
        tagger.tag_windows([y], sr, count)  # warm
        started = time.process_time()  # CPU time: one thread, and robust to a busy machine
        for _ in range(repeats):
            tagger.tag_windows([y], sr, count)
        timings[count] = round((time.process_time() - started) / repeats, 4)
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        accuracy = accuracy_by_patches()
        seconds = seconds_per_window()
    from genre_desktop.core.model.tagger import PATCHES_PER_TRACK

    rows = [{"patches_per_window": n, "blocked_cv_accuracy_train": accuracy[n],
             "tagger_cpu_seconds_per_window": seconds[n]} for n in CHOICES]
    result = {"rows": rows, "patches_per_track": PATCHES_PER_TRACK}
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for row in rows:
            print(row)
        print(f"patches per track: {PATCHES_PER_TRACK}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
