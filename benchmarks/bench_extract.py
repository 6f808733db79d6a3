"""Feature extraction: the naive librosa recipe vs genre_desktop.core.features, side by side.

    python benchmarks/bench_extract.py [--clips 10] [--json]

Both run on the same real 30-second GTZAN clips in one process on one core, interleaved clip by
clip (alternating which goes first), after one warm-up call each (which compiles the numba
kernels; that one-off cost is reported as ``ours_first_call_s``). Times are CPU seconds per
30-second window (process time; wall time is reported too, but other work on the machine skews
it). Fidelity is measured against the published feature table (features_30_sec.csv):
``max_median_rel_err`` is, over the features, the largest median (over the clips) relative
error, leaving out the near-zero harmony_mean and perceptr_mean, whose largest absolute errors
are reported separately.
"""

from __future__ import annotations

import os

# One core for both sides, set before numpy/scipy load their thread pools.
for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ[_var] = "1"
# librosa's beat tracker (naive side) loads numba kernels cached inside site-packages; a cache
# built on another CPU can crash it, so this run compiles into a private cache instead.
os.environ.setdefault(
    "NUMBA_CACHE_DIR", os.path.join(__import__("tempfile").gettempdir(), "genre-desktop-numba")
)

import argparse  # noqa: E402
import csv  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import soundfile as sf  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
GTZAN = ROOT.parent / "shared" / "data" / "gtzan"

from benchmarks.reference_recipe import reference_features  # noqa: E402
from genre_desktop.core.features import FEATURE_NAMES, extract  # noqa: E402

NEAR_ZERO = ("harmony_mean", "perceptr_mean")
GROUPS = {
    "chroma": ("chroma_stft",), "rms": ("rms",),
    "spectral": ("spectral_centroid", "spectral_bandwidth", "rolloff"),
    "zcr": ("zero_crossing_rate",), "hpss_var": ("harmony_var", "perceptr_var"),
    "tempo": ("tempo",), "mfcc": ("mfcc",),
}


def pick_clips(n: int) -> list[Path]:
    """n FLAC clips spread evenly over the sorted list (so over the genres)."""
    clips = sorted((GTZAN / "audio").glob("*/*.flac"))
    if not clips:
        sys.exit(f"no clips under {GTZAN / 'audio'}")
    n = max(1, min(n, len(clips)))
    return [clips[round(i * len(clips) / n)] for i in range(n)]


def csv_rows() -> dict[str, np.ndarray]:
    with open(GTZAN / "features_30_sec.csv", newline="") as fh:
        return {
            Path(row["filename"]).stem: np.array([float(row[name]) for name in FEATURE_NAMES])
            for row in csv.DictReader(fh)
        }


def timed(fn, y) -> tuple[np.ndarray, float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    out = fn(y)
    return out, time.process_time() - cpu, time.perf_counter() - wall


def fidelity(ours: np.ndarray, table: np.ndarray) -> dict:
    rel = np.abs(ours - table) / np.maximum(np.abs(table), 1e-12)
    median_rel = np.median(rel, axis=0)
    keep = [i for i, name in enumerate(FEATURE_NAMES) if name not in NEAR_ZERO]
    worst = max(keep, key=lambda i: median_rel[i])
    groups = {}
    for group, prefixes in GROUPS.items():
        idx = [i for i in keep if FEATURE_NAMES[i].startswith(prefixes)]
        groups[group] = float(np.max(median_rel[idx]))
    return {
        "max_median_rel_err": float(median_rel[worst]),
        "worst_feature": FEATURE_NAMES[worst],
        "max_median_rel_err_by_group": groups,
        "max_rel_err_any_clip": float(np.max(rel[:, keep])),
        "near_zero_max_abs_err": {
            name: float(np.max(np.abs(ours[:, FEATURE_NAMES.index(name)]
                                      - table[:, FEATURE_NAMES.index(name)])))
            for name in NEAR_ZERO
        },
        "tempo_exact_clips": int(np.sum(ours[:, 16] == table[:, 16])),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=10, help="how many clips (default 10)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()

    clips = pick_clips(args.clips)
    table = csv_rows()
    audio = [sf.read(path, dtype="float32")[0] for path in clips]

    _, first_call, _ = timed(extract, audio[0])  # includes compiling the median kernel
    timed(reference_features, audio[0])  # warm-up: librosa's own lazy set-up

    ref_cpu, ours_cpu, ref_wall, ours_wall, ours_rows, naive_rows = [], [], [], [], [], []
    for i, y in enumerate(audio):
        order = [("ours", extract), ("ref", reference_features)]
        for name, fn in order if i % 2 == 0 else order[::-1]:
            out, cpu, wall = timed(fn, y)
            if name == "ours":
                ours_rows.append(out), ours_cpu.append(cpu), ours_wall.append(wall)
            else:
                naive_rows.append(out), ref_cpu.append(cpu), ref_wall.append(wall)

    ours = np.array(ours_rows)
    naive = np.array(naive_rows)
    expected = np.array([table[path.stem] for path in clips])
    near_zero_idx = [FEATURE_NAMES.index(name) for name in NEAR_ZERO]
    vs_naive = np.abs(ours - naive) / np.maximum(np.abs(naive), 1e-12)
    vs_naive[:, near_zero_idx] = 0.0
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    result = {
        "clips": len(clips),
        "reference_s": float(np.mean(ref_cpu)),
        "ours_s": float(np.mean(ours_cpu)),
        "speedup": float(np.sum(ref_cpu) / np.sum(ours_cpu)),
        "seconds_are": "CPU seconds per 30 s window, one core",
        "reference_wall_s": float(np.mean(ref_wall)),
        "ours_wall_s": float(np.mean(ours_wall)),
        "speedup_wall": float(np.sum(ref_wall) / np.sum(ours_wall)),
        "ours_first_call_s": first_call,
        **fidelity(ours, expected),
        "naive_max_median_rel_err": fidelity(naive, expected)["max_median_rel_err"],
        "ours_vs_naive_max_rel_diff": float(np.max(vs_naive)),
        "ours_vs_naive_near_zero_max_abs_diff": float(
            np.max(np.abs(ours - naive)[:, near_zero_idx])),
        "per_clip": [
            {"clip": p.name, "reference_s": round(r, 4), "ours_s": round(o, 4)}
            for p, r, o in zip(clips, ref_cpu, ours_cpu)
        ],
        "load_average": load,
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"{len(clips)} clips, CPU s per 30 s window: naive {result['reference_s']:.3f}, "
              f"ours {result['ours_s']:.4f} -> {result['speedup']:.1f}x "
              f"(wall {result['speedup_wall']:.1f}x, load {load})")
        print(f"vs the CSV: max median rel err {result['max_median_rel_err']:.2e} "
              f"({result['worst_feature']}); near-zero means max abs err "
              f"{result['near_zero_max_abs_err']}")
        print(f"ours vs naive: max rel diff {result['ours_vs_naive_max_rel_diff']:.2e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
