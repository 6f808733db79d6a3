"""Which distance on the tagger's features puts a clip nearest to clips of its genre by other artists.

    python benchmarks/bench_similar_quality.py [--skip-local] [--json]

The measure: for each clip, its 10 nearest clips by other artists, and the share of them with
the clip's genre (averaged over clips). GTZAN's fault-filtered split puts every artist in one part
(train, valid or test), so "by other artists" is "in another part".

Published tags (musicnn's MSD taggrams: 733 fault-filtered clips, train 443 + test 290; valid has
none). Each candidate distance is a representation of the clip's patches (probabilities, square
roots, log-odds, standardized or centred with statistics of the TRAIN clips, with or without the
patches' spread) and a metric (cosine, Euclidean, correlation). The distance is CHOSEN ON TRAIN
ONLY: within the train part, a clip's neighbours come from other artist runs (each genre's train
clips in clip-number order cut into 5 runs, as the model's artist-blocked folds; GTZAN numbers a
genre's clips roughly artist by artist). Plain cosine on the probabilities is what was reported
before; another distance is chosen only when it beats it on train by more than two standard errors
of the paired per-clip difference (so that the choice is not the luck of 443 clips). Then: TEST
(test clips' neighbours among the train clips) and ALL (every clip's among the other part's).
Baseline: the 57 handcrafted features, standardized, Euclidean. For reference only, a metric
taught the genre labels (linear discriminant analysis of the tags): not a candidate, since it
would make More like this a genre classifier (same genre is an option of its own).

Local clips (../shared/data/gtzan/audio, the ones in the split): scanned by the app itself
(`genre-desktop scan` into a temporary library), then the stored track vectors: the tagger's
embedding (what More like this uses), its tags under plain cosine and under the chosen distance,
and each with the embedding (the mean of the two distances), and the same clips' 57 features,
each against the embedding as the paired per-clip difference. Ten clips per genre, mostly one
part each, leave few same-genre clips by other artists: ``reachable`` is the best share any
distance could get there.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
GTZAN = ROOT.parent / "shared" / "data" / "gtzan"

from genre_desktop.core.model.recipe import artist_blocked_folds  # noqa: E402
from genre_desktop.core.training_data import load_features_csv, load_split, load_tagger_patches  # noqa: E402

K = 10
PARTS = ("train", "valid", "test")
RUNS = 5
LOGIT_FLOOR = 1e-4
BASELINE = "probabilities, cosine"


# -- the published clips ------------------------------------------------------------------------

@dataclass(frozen=True)
class Clips:
    names: list[str]
    genres: np.ndarray
    parts: np.ndarray  # train / test
    runs: np.ndarray  # artist run within train (-1 elsewhere)
    mean: np.ndarray  # (n, 50) mean tag probabilities over the clip's patches
    spread: np.ndarray  # (n, 50) their standard deviation
    handcrafted: np.ndarray  # (n, 57) features_30_sec.csv

    @property
    def train(self) -> np.ndarray:
        return self.parts == "train"


def split_parts(names: list[str]) -> np.ndarray:
    part_of = {clip: part for part in PARTS for clip in load_split(GTZAN / "splits", part)}
    return np.array([part_of.get(name, "") for name in names])


def artist_runs(genres: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The artist-blocked folds the genre model is tuned on (each genre's clips under ``mask``, in
    clip-number order, cut into consecutive runs), as a run number per clip (-1 outside ``mask``)."""
    runs = np.full(len(genres), -1)
    rows = np.flatnonzero(mask)
    for run, (_, held_out) in enumerate(artist_blocked_folds(RUNS).split(rows, genres[rows])):
        runs[rows[held_out]] = run
    return runs


def published_clips() -> Clips:
    table = load_features_csv(GTZAN / "features_30_sec.csv")
    patches = load_tagger_patches(GTZAN / "musicnn")
    parts = split_parts(table.filenames.tolist())
    keep = np.array([n in patches for n in table.filenames.tolist()]) & (parts != "")
    names = table.filenames[keep].tolist()
    genres, parts = table.y[keep], parts[keep]
    return Clips(names, genres, parts, artist_runs(genres, parts == "train"),
                 np.vstack([patches[n].astype(np.float64).mean(axis=0) for n in names]),
                 np.vstack([patches[n].astype(np.float64).std(axis=0) for n in names]),
                 table.X[keep])


# -- representations and metrics ----------------------------------------------------------------

def logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, LOGIT_FLOOR, 1.0 - LOGIT_FLOOR)
    return np.log(p / (1.0 - p))


def standardize(Z: np.ndarray, fit: np.ndarray) -> np.ndarray:
    mu, sd = Z[fit].mean(axis=0), Z[fit].std(axis=0)
    return (Z - mu) / np.where(sd > 0, sd, 1.0)


def centre(Z: np.ndarray, fit: np.ndarray) -> np.ndarray:
    return Z - Z[fit].mean(axis=0)


def _scalings(name: str, rows: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> dict:
    return {name: lambda m, s, fit: rows(m, s),
            f"centred {name}": lambda m, s, fit: centre(rows(m, s), fit),
            f"standardized {name}": lambda m, s, fit: standardize(rows(m, s), fit)}


# name -> (mean, spread, train mask) -> rows; centring and scaling use the train clips only
Representation = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]
REPRESENTATIONS: dict[str, Representation] = {
    **_scalings("probabilities", lambda m, s: m),
    **_scalings("square roots", lambda m, s: np.sqrt(m)),
    **_scalings("log-odds", lambda m, s: logit(m)),
    **_scalings("probabilities + spread", lambda m, s: np.hstack([m, s])),
}


def distances(Z: np.ndarray, metric: str) -> np.ndarray:
    Z = np.asarray(Z, dtype=np.float64)
    if metric == "euclidean":
        squares = (Z ** 2).sum(axis=1)
        return np.sqrt(np.maximum(squares[:, None] + squares[None, :] - 2.0 * Z @ Z.T, 0.0))
    if metric == "correlation":
        Z = Z - Z.mean(axis=1, keepdims=True)
    norms = np.linalg.norm(Z, axis=1, keepdims=True)
    U = np.divide(Z, norms, out=np.zeros_like(Z), where=norms > 0)
    return 1.0 - U @ U.T


def candidates() -> list[tuple[str, str, str]]:
    """(label, representation, metric); centring leaves Euclidean distances as they were."""
    return [(f"{rep}, {metric}", rep, metric) for rep in REPRESENTATIONS
            for metric in ("cosine", "euclidean", "correlation")
            if not (rep.startswith("centred") and metric == "euclidean")]


# -- the measure --------------------------------------------------------------------------------

def neighbour_shares(D: np.ndarray, genres: np.ndarray, groups: np.ndarray,
                     queries: np.ndarray, pool: np.ndarray) -> np.ndarray:
    """Per query: the share of its K nearest clips of ``pool`` in another group with its genre."""
    shares = []
    for i in np.flatnonzero(queries):
        others = np.flatnonzero(pool & (groups != groups[i]))
        nearest = others[np.argsort(D[i, others], kind="stable")[:K]]
        shares.append(float(np.mean(genres[nearest] == genres[i])))
    return np.array(shares)


def reachable(genres: np.ndarray, groups: np.ndarray) -> float:
    """The best share any distance could get: a clip with m < K same-genre clips in other groups
    can have at most m of them among its K neighbours."""
    return float(np.mean([min(K, int(np.sum((genres == g) & (groups != p)))) / K
                          for g, p in zip(genres, groups)]))


def measure(clips: Clips, D: np.ndarray) -> dict:
    everyone = np.ones(len(clips.names), dtype=bool)
    train = neighbour_shares(D, clips.genres, clips.runs, clips.train, clips.train)
    return {"train_shares": train, "train": float(train.mean()),
            "test": float(neighbour_shares(D, clips.genres, clips.parts, clips.parts == "test", everyone).mean()),
            "all": float(neighbour_shares(D, clips.genres, clips.parts, everyone, everyone).mean())}


def published(clips: Clips) -> tuple[list[dict], str]:
    """Every candidate measured; the label of the chosen one."""
    rows = []
    for label, rep, metric in candidates():
        Z = REPRESENTATIONS[rep](clips.mean, clips.spread, clips.train)
        rows.append({"distance": label, **measure(clips, distances(Z, metric))})
    base = next(r for r in rows if r["distance"] == BASELINE)["train_shares"]
    for row in rows:
        gain = row["train_shares"] - base
        row["train_gain"] = float(gain.mean())
        row["train_gain_se"] = float(gain.std(ddof=1) / np.sqrt(len(gain)))
    best = max(rows, key=lambda r: r["train"])
    clear = best["train_gain"] > 2.0 * best["train_gain_se"]
    return rows, best["distance"] if clear else BASELINE


def learned_from_genres(clips: Clips) -> dict:
    """For reference, not a candidate: a metric taught GTZAN's genres (linear discriminant
    analysis of the tags, Euclidean). On train each run's clips are placed by a projection fitted
    on the other runs; on test by one fitted on train. No honest ALL figure exists (a train clip
    would be placed by a projection fitted on its own label)."""
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis

    def fitted(mask: np.ndarray) -> np.ndarray:
        return LinearDiscriminantAnalysis().fit(clips.mean[mask], clips.genres[mask]).transform(clips.mean)

    train = np.concatenate([
        neighbour_shares(distances(fitted(clips.train & (clips.runs != run)), "euclidean"), clips.genres,
                         clips.runs, clips.train & (clips.runs == run), clips.train)
        for run in range(RUNS)])
    everyone = np.ones(len(clips.names), dtype=bool)
    test = neighbour_shares(distances(fitted(clips.train), "euclidean"), clips.genres, clips.parts,
                            clips.parts == "test", everyone)
    return {"train": float(train.mean()), "test": float(test.mean())}


# -- the local clips, scanned by the app --------------------------------------------------------

def tag_distances(label: str, clips: Clips, tags: np.ndarray) -> np.ndarray:
    """Distances between the rows of ``tags`` under the candidate ``label``, centred or scaled
    with the statistics of the published TRAIN clips (as the app would ship them); the app keeps
    no per-patch spread."""
    rep, metric = label.rsplit(", ", 1)
    both = np.vstack([clips.mean[clips.train], tags])
    fit = np.r_[np.ones(int(clips.train.sum()), bool), np.zeros(len(tags), bool)]
    return distances(REPRESENTATIONS[rep](both, np.zeros_like(both), fit)[~fit], metric)


def local_clips(distance: str, clips: Clips) -> dict:
    """Embedding, tags (plain cosine and the chosen ``distance``) and each with the embedding
    (the mean of both distances), on the local clips as the app's own scan stores them; and the
    same clips' 57 features from the CSV."""
    from genre_desktop.library.sounds_like import track_vectors

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "library.sqlite3"
        env = {**os.environ, "GENRE_DESKTOP_HOME": tmp}
        subprocess.run([sys.executable, "-m", "genre_desktop", "scan", str(GTZAN / "audio"),
                        "--db", str(db), "--json"], check=True, env=env, cwd=ROOT,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        conn = sqlite3.connect(db)
        vectors = track_vectors(conn)
        path_of = dict(conn.execute("SELECT id, path FROM tracks"))
        conn.close()
    names = [Path(path_of[t]).stem + ".wav" for t in vectors.ids]
    parts = split_parts(names)
    keep = parts != ""
    genres, parts = np.array([n.split(".")[0] for n in names])[keep], parts[keep]
    everyone = np.ones(len(genres), dtype=bool)
    D_embedding = distances(vectors.embeddings[keep], "cosine")
    shares = {"embedding, cosine": neighbour_shares(D_embedding, genres, parts, everyone, everyone)}
    for label in dict.fromkeys((BASELINE, distance)):
        D_tags = tag_distances(label, clips, vectors.tags[keep])
        shares[f"tags: {label}"] = neighbour_shares(D_tags, genres, parts, everyone, everyone)
        shares[f"embedding and tags: {label} (mean of both)"] = neighbour_shares(
            (D_embedding + D_tags) / 2.0, genres, parts, everyone, everyone)
    table = load_features_csv(GTZAN / "features_30_sec.csv")  # the same clips' 57 features
    row_of = {name: i for i, name in enumerate(table.filenames.tolist())}
    features = table.X[[row_of[n] for n in np.array(names)[keep]]]
    mu, sd = clips.handcrafted[clips.train].mean(axis=0), clips.handcrafted[clips.train].std(axis=0)
    shares["57 features, standardized, euclidean"] = neighbour_shares(
        distances((features - mu) / np.where(sd > 0, sd, 1.0), "euclidean"), genres, parts, everyone, everyone)
    base = shares["embedding, cosine"]
    return {"clips": int(keep.sum()), "reachable": reachable(genres, parts),
            "distances": [{"distance": name, "share": float(s.mean()),
                           "gain": float((s - base).mean()),
                           "gain_se": float((s - base).std(ddof=1) / np.sqrt(len(s)))}
                          for name, s in shares.items()]}


# -- output -------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-local", action="store_true", help="no scan of the local clips")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    clips = published_clips()
    rows, chosen = published(clips)
    features = measure(clips, distances(standardize(clips.handcrafted, clips.train), "euclidean"))
    result = {
        "clips": {"all": len(clips.names), "train": int(clips.train.sum()),
                  "test": int((clips.parts == "test").sum())},
        "reachable": {"train": reachable(clips.genres[clips.train], clips.runs[clips.train]),
                      "all": reachable(clips.genres, clips.parts)},
        "distances": [{k: v for k, v in r.items() if k != "train_shares"} for r in rows],
        "chosen": chosen,
        "57 features, standardized, euclidean": {k: v for k, v in features.items() if k != "train_shares"},
        "taught the genres (reference)": learned_from_genres(clips),
    }
    if not args.skip_local:
        result["local"] = local_clips(chosen, clips)
    if args.json:
        print(json.dumps(result))
        return
    print(f"{'distance':48s} {'train':>6s} {'vs cosine':>15s} {'test':>6s} {'all':>6s}")
    for r in sorted(result["distances"], key=lambda r: -r["train"]):
        mark = "  <- chosen" if r["distance"] == chosen else ""
        print(f"{r['distance']:48s} {r['train']:6.3f} {r['train_gain']:+7.3f} ±{r['train_gain_se']:.3f}"
              f" {r['test']:6.3f} {r['all']:6.3f}{mark}")
    f = result["57 features, standardized, euclidean"]
    print(f"{'57 features, standardized, euclidean':48s} {f['train']:6.3f} {'':15s} {f['test']:6.3f} {f['all']:6.3f}")
    g = result["taught the genres (reference)"]
    print(f"{'taught the genres (reference, LDA)':48s} {g['train']:6.3f} {'':15s} {g['test']:6.3f}      -")
    print(f"clips {result['clips']}; reachable {result['reachable']}")
    if "local" in result:
        local = result["local"]
        print(f"\nlocal clips scanned by the app: {local['clips']}, reachable {local['reachable']:.3f}")
        print(f"{'distance':70s} {'share':>6s} {'vs embedding':>15s}")
        for r in local["distances"]:
            print(f"{r['distance']:70s} {r['share']:6.3f} {r['gain']:+7.3f} ±{r['gain_se']:.3f}")


if __name__ == "__main__":
    main()
