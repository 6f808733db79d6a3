"""How much a personal model learned from K corrections per genre helps, and how fast it is.

    python benchmarks/bench_personalize.py [--json] [--draws 6] [--repeats 3] [--cache DIR]
                                           [--pools audio,csv-test] [--speed-only | --no-speed]
                                           [--new-genres 3] [--touched 2] [--mistakes]

Accuracy (personalize_sim.py has the pools and the model variants):
1. For each draw, N_NEW genres are held out of a variant of the bundled model (retrained on
   features_30_sec.csv without them and without every clip of the pool), so they are new to it.
   The user corrects K tracks of each new genre and of N_TOUCHED genres the model knows; the other
   known genres are untouched. Several random corrections per draw (--repeats); means are reported.
2. Three libraries: "mixed" holds every genre of the pool (untouched genres are there and must
   not suffer); "others 1/5" holds the user's genres and a random fifth of other genres' tracks
   (drawn with a generator of its own, so the other libraries' users stay the same); "all
   touched" holds only the user's genres (like a collection of genres the model does not know,
   where the bundled model alone gets ~0.3).
3. Accuracy on the tracks the user did not correct: overall, on the new genres, on the touched
   known genres, and the change on the untouched genres against the bundled model alone.
4. Methods: the bundled model alone; a model of the corrections only blended fixed 0.7/0.3; the
   same with the blend learned by cross-validation (new genres undiluted); and both blends with
   the personal model as the app fits it (corrections plus anchors from the library).

Speed (speed.py): fit time for 10/100/1000 corrected tracks, anchor selection, and re-predicting
a real 10,000-track SQLite library from stored features, plus the review queue on it.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from personalize_sim import GTZAN, audio_pool, csv_test_pool, track_tops, union_blend, variant  # noqa: E402

N_NEW = 3
N_TOUCHED = 2
OTHER_SHARE = {"mixed": None, "others 1/5": 0.2, "all touched": 0.0}  # None: the whole pool
# The audio folder holds 10 clips per genre (11 of blues and jazz): K = 10 would leave nothing to
# test on, so it stops at 7 (3 left per corrected genre); the csv-test pool has 26-32 per genre.
KS = {"audio": (1, 3, 5, 7), "csv-test": (3, 5, 10)}
METHODS = ("bundled only", "fixed 0.7/0.3, corrections only", "learned, corrections only",
           "fixed 0.7/0.3, with anchors", "learned, with anchors (the app)")
GROUPS = ("all", "new", "touched", "untouched")


def _personal(f):
    from genre_desktop.core.personal_model import PersonalModel

    return PersonalModel(f.genres, f.coef, f.intercept, f.weight, dict(f.card, model_version="simulated"))


def pick_corrections(library, genres, user_genres, k, rng, wrong=None) -> np.ndarray:
    """K tracks of each of the user's genres: at random, or (wrong: per track, whether the bundled
    model gets it wrong) the bundled model's mistakes first, as a user fixing what they see."""
    picked = []
    for genre in user_genres:
        mine = library[genres[library] == genre]
        if wrong is None:
            picked.append(rng.choice(mine, k, replace=False))
        else:
            picked.append(np.r_[rng.permutation(mine[wrong[mine]]), rng.permutation(mine[~wrong[mine]])][:k])
    return np.concatenate(picked)


def one_user(model, pool, windows, bundled_probs, scaled, library, user_genres, k, rng, wrong=None):
    """Accuracy of each method for one simulated user; returns ({method: {group: acc}}, info)."""
    from genre_desktop.core import personal_examples as px, personal_training as pt

    corrected = pick_corrections(library, pool.genres, user_genres, k, rng, wrong)
    rest = np.setdiff1d(library, corrected)
    corrections = px.Examples.from_tracks((int(i), str(pool.genres[i]), pool.features[i]) for i in corrected)
    anchors = px.select_anchors(model, {int(i): pool.features[i] for i in rest})
    rows = np.concatenate([windows[i] for i in rest])
    counts = [len(windows[i]) for i in rest]
    truth = pool.genres[rest]
    tops = {"bundled only": track_tops(model.genres, bundled_probs[rows], counts)}
    info = {}
    for label, extra in (("corrections only", px.Examples.from_tracks([])), ("with anchors", anchors)):
        fitted = pt.fit(model, corrections, extra)
        mine = _personal(fitted).predict_scaled(scaled[rows])
        genres, mixed = union_blend(bundled_probs[rows], model.genres, mine, fitted.genres, 0.7)
        tops[f"fixed 0.7/0.3, {label}"] = track_tops(genres, mixed, counts)
        joined = model.with_personal(_personal(fitted))
        learned = "learned, with anchors (the app)" if label == "with anchors" else f"learned, {label}"
        tops[learned] = track_tops(joined.genres, joined.predict_proba(np.vstack([pool.features[i] for i in rest])), counts)
        info[label] = {"weight": fitted.weight, "cv_accuracy": fitted.card["cross_validation"]["accuracy"],
                       "anchors": anchors.track_count if label == "with anchors" else 0}
    new = [g for g in user_genres if g not in model.genres]
    groups = {"all": np.ones(len(rest), bool), "new": np.isin(truth, new),
              "touched": np.isin(truth, [g for g in user_genres if g in model.genres]),
              "untouched": ~np.isin(truth, user_genres)}
    scores = {m: {g: float(np.mean(tops[m][mask] == truth[mask])) for g, mask in groups.items() if mask.any()}
              for m in METHODS}
    return scores, info


def library_of(pool, user_genres, other_share, rng) -> np.ndarray:
    """Track indices of a library where other genres make up other_share of it (None: all)."""
    if other_share is None:
        return np.arange(len(pool.genres))
    mine = np.flatnonzero(np.isin(pool.genres, user_genres))
    others = np.flatnonzero(~np.isin(pool.genres, user_genres))
    wanted = min(len(others), int(round(other_share / (1 - other_share) * len(mine))))
    return np.sort(np.r_[mine, rng.choice(others, wanted, replace=False)]) if wanted else mine


def simulate(pool, data, cache: Path, draws: int, repeats: int, n_new: int = N_NEW, n_touched: int = N_TOUCHED,
             mistakes: bool = False, seed: int = 7) -> dict:
    rng = np.random.default_rng(seed)
    minority_rng = np.random.default_rng(seed + 1)
    genres = sorted(set(pool.genres.tolist()))
    totals: dict = defaultdict(lambda: defaultdict(list))
    weights: dict = defaultdict(list)
    for draw in range(draws):
        held = tuple(sorted(rng.choice(genres, n_new, replace=False).tolist()))
        started = time.perf_counter()
        model = variant(data, held, pool, cache)
        windows, start = [], 0
        for block in pool.features:
            windows.append(np.arange(start, start + len(block)))
            start += len(block)
        every = np.vstack(pool.features)
        bundled_probs, scaled = model.predict_proba(every), model.scale(every)
        tops = track_tops(model.genres, bundled_probs, [len(f) for f in pool.features])
        wrong = tops != pool.genres if mistakes else None
        print(f"[{pool.name}] draw {draw + 1}/{draws}: new {held} (variant {time.perf_counter() - started:.0f} s)",
              file=sys.stderr)
        for k in KS[pool.name]:
            for _ in range(repeats):
                touched = rng.choice([g for g in genres if g not in held], n_touched, replace=False).tolist()
                user = list(held) + touched
                for regime, other_share in OTHER_SHARE.items():
                    draw_rng = minority_rng if regime == "others 1/5" else rng
                    library = library_of(pool, user, other_share, draw_rng)
                    scores, info = one_user(model, pool, windows, bundled_probs, scaled, library, user, k, draw_rng,
                                            wrong)
                    for method, by_group in scores.items():
                        for group, acc in by_group.items():
                            totals[(regime, k, method)][group].append(acc)
                    weights[(regime, k)].append(info["with anchors"]["weight"])
    table = []
    for (regime, k, method), by_group in sorted(totals.items(), key=lambda kv: (kv[0][0], kv[0][1], METHODS.index(kv[0][2]))):
        base = totals[(regime, k, "bundled only")]
        row = {"pool": pool.name, "library": regime, "k": k, "method": method, "users": len(by_group["all"])}
        row.update({g: round(float(np.mean(by_group[g])), 3) for g in GROUPS if by_group.get(g)})
        if by_group.get("untouched"):
            row["untouched_change"] = round(float(np.mean(by_group["untouched"]) - np.mean(base["untouched"])), 3)
        table.append(row)
    chosen = {f"{regime} K={k}": {f"{w:g}": int(np.sum(np.array(v) == w)) for w in sorted(set(v))}
              for (regime, k), v in sorted(weights.items())}
    return {"clips_per_genre": pool.per_genre(), "windows_per_clip": sorted({len(f) for f in pool.features}),
            "ks": list(KS[pool.name]), "new_genres_per_draw": n_new, "touched_known_genres": n_touched,
            "corrections": "the bundled model's mistakes first" if mistakes else "at random",
            "draws": draws, "repeats": repeats, "table": table, "chosen_blend_weights": chosen}


def print_table(result: dict) -> None:
    for row in result["table"]:
        change = f"{row['untouched_change']:+.3f}" if "untouched_change" in row else "   -  "
        cells = " ".join(f"{row.get(g, float('nan')):6.3f}" for g in GROUPS)
        print(f"{row['pool']:8s} {row['library']:11s} K={row['k']:<2d} {row['method']:33s} {cells}  {change}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--draws", type=int, default=6)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--pools", default="audio,csv-test")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "genre-desktop-bench-personalize")
    parser.add_argument("--no-speed", action="store_true")
    parser.add_argument("--speed-only", action="store_true")
    parser.add_argument("--new-genres", type=int, default=N_NEW, help="genres held out of the model per draw")
    parser.add_argument("--touched", type=int, default=N_TOUCHED, help="known genres the user also corrects")
    parser.add_argument("--mistakes", action="store_true",
                        help="the user corrects the bundled model's mistakes first, not random tracks")
    args = parser.parse_args(argv)
    args.cache.mkdir(parents=True, exist_ok=True)
    from threadpoolctl import threadpool_limits

    from genre_desktop.core.training_data import load_features_csv

    report: dict = {}
    with threadpool_limits(1):
        data = load_features_csv(GTZAN / "features_30_sec.csv")
        if not args.speed_only:
            pools = {"audio": lambda: audio_pool(args.cache), "csv-test": lambda: csv_test_pool(data)}
            for name in args.pools.split(","):
                report[name] = simulate(pools[name](), data, args.cache, args.draws, args.repeats,
                                        args.new_genres, args.touched, args.mistakes)
                if not args.json:
                    print(f"\n{name}: clips per genre {report[name]['clips_per_genre']}, K in {KS[name]}")
                    print(f"{'pool':8s} {'library':11s} {'K':4s} {'method':33s} {'all':>6s} {'new':>6s} "
                          f"{'touch':>6s} {'untch':>6s}  untouched change")
                    print_table(report[name])
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
