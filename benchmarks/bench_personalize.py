"""How a personal model learned from K corrections per genre does, and how fast it is.

    python benchmarks/bench_personalize.py [--pool real|tune|test] [--draws 6] [--repeats 3] [--json]
                                           [--cache DIR] [--speed-only | --no-speed]

Pool "real" (the default, personalize_real.py) is the app's real path: real re-encoded audio,
the app's scan, corrections stored through the library, learn, re-predict, the database read back.

Simulated users on table rows (pools "tune" and "test") (each clip's 57 features + mean tag probabilities, one window):
1. Each draw holds N_NEW genres out of a variant of the bundled model (its recipe and card
   hyperparameters, refit without them), so they are new to it. Pool "tune": the variant is fit on
   one half of the fault-filtered train split (cut by clip number, so roughly by artist) and the
   user's library comes from the other half: the personal model's settings were chosen here.
   Pool "test": the variant is fit on the train split, the library is the test split.
2. The user corrects K tracks of each new genre and of N_TOUCHED genres the model knows, in three
   libraries: the user's genres only; others a fifth; others half.
3. Reported, on the tracks the user did not correct: accuracy on the user's genres, the change on
   the untouched genres against the bundled model alone, the confident wrong labels the personal
   model gave untouched tracks, and (stability) the share of tracks whose shown genre changes
   when one more correction is added. Everything goes through the app's own fit
   (core/personal/training.fit) and classifier (core/model/classifier.py).

Speed (speed.py): fit time for 10/100/1000 corrected tracks, learn() on a real 10,000-track
SQLite library, re-predicting it, and the review queue.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
GTZAN = ROOT.parent / "shared" / "data" / "gtzan"
N_NEW, N_TOUCHED = 2, 2
MIXES = {"users only": 0.0, "others 1/5": 0.2, "others 1/2": 0.5}
KS = (1, 3, 5, 10)


def pools(data) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """{pool: (rows the variant is fit on, rows of the user's library)}."""
    from genre_desktop.core.training_data import load_split

    train = data.mask_for(load_split(GTZAN / "splits", "train"))
    test = data.mask_for(load_split(GTZAN / "splits", "test"))
    number = np.array([int(f.split(".")[1]) for f in data.filenames])
    first_half = np.zeros(len(data.y), bool)
    for genre in np.unique(data.y):
        rows = np.flatnonzero(train & (data.y == genre))
        first_half[rows[np.argsort(number[rows])][:len(rows) // 2]] = True
    return {"tune": (first_half, train & ~first_half), "test": (train, test)}


def variant(data, fit_rows: np.ndarray, held: tuple[str, ...], name: str, cache: Path):
    import joblib
    import sklearn
    from threadpoolctl import threadpool_limits

    from genre_desktop.core.model.classifier import GenreClassifier
    from genre_desktop.core.model.recipe import calibrated_model
    from genre_desktop.core.training import _tuples

    bundled = GenreClassifier.load()
    path = cache / f"variant-{name}-{'-'.join(held)}-{sklearn.__version__}-{bundled.card['sha256'][:8]}.joblib"
    if path.exists():
        model = joblib.load(path)
    else:
        part = data.subset(fit_rows & ~np.isin(data.y, held))
        with threadpool_limits(1):
            model = calibrated_model(_tuples(bundled.card["hyperparameters"]), data.feature_names,
                                     n_jobs=1).fit(part.X, part.y)
        joblib.dump(model, path)
    card = dict(bundled.card, genres=[str(g) for g in model.classes_], model_version=f"variant-{'-'.join(held)}")
    return GenreClassifier(model, card, bundled.tagger)


def shown(model, corrections, X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(genre with the personal model, its confidence, genre of the bundled model alone)."""
    from genre_desktop.core.personal import training as pt

    fitted = pt.fit(model, corrections)
    joined = model.with_personal(dataclasses.replace(fitted, card=dict(fitted.card, model_version="user")))
    both, alone = joined.predict_windows(X)
    return np.array(joined.genres)[both.argmax(1)], both.max(1), np.array(joined.bundled_genres)[alone.argmax(1)]


def simulate(data, pool: str, draws: int, repeats: int, cache: Path, seed: int = 5) -> list[dict]:
    from genre_desktop.core.personal.examples import Examples

    fit_rows, library_rows = pools(data)[pool]
    rng = np.random.default_rng(seed)
    genres = sorted(set(data.y.tolist()))
    cells: dict = defaultdict(lambda: defaultdict(list))
    for draw in range(draws):
        held = tuple(sorted(rng.choice(genres, N_NEW, replace=False).tolist()))
        started = time.perf_counter()
        model = variant(data, fit_rows, held, pool, cache)
        rows = np.flatnonzero(library_rows)
        y = data.y[rows]
        for k in KS:
            for _ in range(repeats):
                touched = rng.choice([g for g in genres if g not in held], N_TOUCHED, replace=False).tolist()
                user = list(held) + touched
                for mix, share in MIXES.items():
                    mine, others = np.flatnonzero(np.isin(y, user)), np.flatnonzero(~np.isin(y, user))
                    wanted = min(len(others), int(round(share / (1 - share) * len(mine)))) if share else 0
                    library = np.r_[mine, rng.choice(others, wanted, replace=False)] if wanted else mine
                    picks = {g: rng.permutation(library[y[library] == g]) for g in user}
                    corrected = np.concatenate([picks[g][:k] for g in user])
                    extra = picks[user[0]][k]  # the (K+1)-th correction, for stability
                    rest = np.setdiff1d(library, np.r_[corrected, extra])

                    def examples(ids):
                        return Examples.from_tracks((int(i), str(y[i]), data.X[rows[i]][None]) for i in ids)
                    top, confidence, alone = shown(model, examples(corrected), data.X[rows[rest]])
                    top_more, _, _ = shown(model, examples(np.r_[corrected, extra]), data.X[rows[rest]])
                    truth, users = y[rest], np.isin(y[rest], user)
                    cell = cells[(mix, k)]
                    cell["user genres"].append(np.mean(top[users] == truth[users]))
                    cell["bundled on user genres"].append(np.mean(alone[users] == truth[users]))
                    cell["flips with one more"].append(np.mean(top_more != top))
                    if (~users).any():
                        cell["untouched change"].append(np.mean(top[~users] == truth[~users])
                                                        - np.mean(alone[~users] == truth[~users]))
                        wrong = (top != truth) & (top != alone) & (confidence >= model.recommended_threshold)
                        cell["confident wrong per user"].append(int(np.sum(wrong & ~users)))
        print(f"[{pool}] draw {draw + 1}/{draws}: new {held} ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    return [{"pool": pool, "library": mix, "k": k, "users": len(values["user genres"]),
             **{name: round(float(np.mean(v)), 4) for name, v in values.items()}}
            for (mix, k), values in sorted(cells.items(), key=lambda kv: (list(MIXES).index(kv[0][0]), kv[0][1]))]


def simulate_real(data, draws: int, repeats: int, cache: Path, seed: int = 5) -> list[dict]:
    """The same users through the app's real path (personalize_real.py)."""
    from personalize_real import KS as REAL_KS, one_user, real_library

    db, genre_of, stems = real_library(cache)
    fit_rows = ~np.isin([f.rsplit(".", 1)[0] for f in data.filenames], stems)
    ids = np.array(sorted(genre_of))
    y = np.array([genre_of[t] for t in ids])
    rng = np.random.default_rng(seed)
    genres = sorted(set(y.tolist()))
    cells: dict = defaultdict(lambda: defaultdict(list))
    for draw in range(draws):
        held = tuple(sorted(rng.choice(genres, N_NEW, replace=False).tolist()))
        started = time.perf_counter()
        model = variant(data, fit_rows, held, "real", cache)
        for k in REAL_KS:
            for _ in range(repeats):
                user = list(held) + rng.choice([g for g in genres if g not in held], N_TOUCHED, replace=False).tolist()
                for mix, share in MIXES.items():
                    mine, others = ids[np.isin(y, user)], ids[~np.isin(y, user)]
                    wanted = min(len(others), int(round(share / (1 - share) * len(mine)))) if share else 0
                    library = np.r_[mine, rng.choice(others, wanted, replace=False)] if wanted else mine
                    picks = {g: rng.permutation([t for t in library if genre_of[t] == g]) for g in user}
                    corrected = {int(t): g for g in user for t in picks[g][:k]}
                    extra = (int(picks[user[0]][k]), user[0])
                    seen = one_user(db, cache / "real-user", model, library, corrected, extra)
                    rest = [int(t) for t in library if int(t) not in corrected and int(t) != extra[0]]
                    truth = np.array([genre_of[t] for t in rest])
                    users = np.isin(truth, user)
                    top = np.array([seen["after"][t][0] for t in rest])
                    alone = np.array([seen["before"][t][0] for t in rest])
                    confidence = np.array([seen["after"][t][2] for t in rest])
                    decided = np.array([seen["after"][t][1] == "personal model" for t in rest])
                    cell = cells[(mix, k)]
                    cell["user genres"].append(np.mean(top[users] == truth[users]))
                    cell["bundled on user genres"].append(np.mean(alone[users] == truth[users]))
                    cell["flips with one more"].append(np.mean([seen["more"][t][0] != seen["after"][t][0] for t in rest]))
                    if (~users).any():
                        cell["untouched change"].append(np.mean(top[~users] == truth[~users])
                                                        - np.mean(alone[~users] == truth[~users]))
                        wrong = decided & (top != truth) & (confidence >= model.recommended_threshold)
                        cell["confident wrong per user"].append(int(np.sum(wrong & ~users)))
        print(f"[real] draw {draw + 1}/{draws}: new {held} ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    return [{"pool": "real", "library": mix, "k": k, "users": len(values["user genres"]),
             **{name: round(float(np.mean(v)), 4) for name, v in values.items()}}
            for (mix, k), values in sorted(cells.items(), key=lambda kv: (list(MIXES).index(kv[0][0]), kv[0][1]))]


def print_table(table: list[dict]) -> None:
    print(f"{'pool':5s} {'library':11s} {'K':>3s} {'users':>5s} {'bundled':>8s} {'personal':>8s} "
          f"{'untouched':>9s} {'conf.wrong':>10s} {'flips':>6s}")
    for row in table:
        untouched = f"{100 * row['untouched change']:+.1f}" if "untouched change" in row else "-"
        wrong = f"{row['confident wrong per user']:.2f}" if "confident wrong per user" in row else "-"
        print(f"{row['pool']:5s} {row['library']:11s} {row['k']:3d} {row['users']:5d} "
              f"{row['bundled on user genres']:8.3f} {row['user genres']:8.3f} {untouched:>9s} {wrong:>10s} "
              f"{100 * row['flips with one more']:5.1f}%")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pool", choices=("real", "tune", "test"), default="real")
    parser.add_argument("--draws", type=int, default=6)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "genre-desktop-bench-personalize")
    parser.add_argument("--no-speed", action="store_true")
    parser.add_argument("--speed-only", action="store_true")
    args = parser.parse_args(argv)
    args.cache.mkdir(parents=True, exist_ok=True)
    from threadpoolctl import threadpool_limits

    from genre_desktop.core.training_data import load_model_table

    report: dict = {}
    with threadpool_limits(1):
        data = load_model_table(GTZAN)
        if not args.speed_only:
            report["table"] = (simulate_real(data, args.draws, args.repeats, args.cache) if args.pool == "real"
                               else simulate(data, args.pool, args.draws, args.repeats, args.cache))
            if not args.json:
                print_table(report["table"])
        if not args.no_speed:
            from speed import speed_report

            report["speed"] = speed_report(data, args.cache)
            if not args.json:
                print(json.dumps(report["speed"], indent=2))
    if args.json:
        print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
