"""Scan throughput, its overhead over bare decoding, unchanged-rescan time and peak memory.

    python benchmarks/bench_scan.py [--tracks 48] [--jobs N] [--dir DIR] [--rescan-files 10000] [--json]

1. Builds (once per --dir; a temp dir otherwise) a library of 4-minute MP3s, each 8 real GTZAN
   clips of one genre concatenated and re-encoded, tagged with mutagen.
2. Cold scan: a fresh library, the full pipeline (walk, decode the chosen windows, features,
   the bundled model if present, SQLite) with the process pool -> tracks per minute.
3. Decode-only: the same files and the same windows through a pool of the same size (fresh
   spawned workers importing only the decoder), doing only probe + read_windows. Pipeline time / decode-only time is the overhead of everything
   the scan adds to decoding, measured side by side in this run.
4. Unchanged rescan of 10,000 tracks: 10,000 small real files, and a track row each (with a
   current feature window and a prediction from today's model) written straight into a library
   as if analysed; then a real scan of the folder is timed, in this process (imports warm) and
   as `genre-desktop scan --json` in a fresh process (imports and model load included).
   Nothing is decoded, which is the point: size and mtime decide.
5. Peak memory of the whole process tree (this process, the pool's workers and the fork
   server), sampled from /proc every 0.2 s: the largest sum of RSS, and of PSS (which does not
   count shared pages twice).
The load average before and after is reported: other work on the machine skews every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
GTZAN_AUDIO = ROOT.parent / "shared" / "data" / "gtzan" / "audio"
CLIPS_PER_TRACK = 8


# --- the library ----------------------------------------------------------------------------------

def build_library(folder: Path, count: int) -> list[Path]:
    from mutagen.easyid3 import EasyID3

    genres = sorted(p.name for p in GTZAN_AUDIO.iterdir() if p.is_dir())
    paths = []
    for i in range(count):
        genre = genres[i % len(genres)]
        clips = sorted((GTZAN_AUDIO / genre).glob("*.flac"))
        first = i // len(genres)
        parts = [sf.read(clips[(first + k) % len(clips)], dtype="float32")[0] for k in range(CLIPS_PER_TRACK)]
        path = folder / genre / f"{i:03d} {genre} mix.mp3"
        paths.append(path)
        if path.exists():
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        sf.write(path, np.concatenate(parts), 22050, format="MP3", subtype="MPEG_LAYER_III")
        tags = EasyID3()
        tags.update({"title": f"{genre} mix {i}", "artist": f"{genre} band", "album": "Bench", "genre": genre})
        tags.save(path)
    return paths


# --- memory of the process tree ---------------------------------------------------------------------

def _children(pid: int) -> list[int]:
    kids = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as fh:
                    fields = fh.read().rsplit(b")", 1)[1].split()
                if int(fields[1]) == pid:
                    kids.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                pass
    return kids


def _tree(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo.extend(_children(p))
    return found


def _kib(pid: int, path: str, key: bytes) -> int:
    try:
        with open(f"/proc/{pid}/{path}", "rb") as fh:
            for line in fh:
                if line.startswith(key):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


class TreeMemory(threading.Thread):
    def __init__(self, interval: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.interval = interval
        self.peak_rss_kib = self.peak_pss_kib = self.peak_processes = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            pids = _tree(os.getpid())
            self.peak_rss_kib = max(self.peak_rss_kib, sum(_kib(p, "status", b"VmRSS:") for p in pids))
            self.peak_pss_kib = max(self.peak_pss_kib, sum(_kib(p, "smaps_rollup", b"Pss:") for p in pids))
            self.peak_processes = max(self.peak_processes, len(pids))
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


# --- decode only ------------------------------------------------------------------------------------

def decode_only(path: str, windows_per_track: int) -> float:
    """What the scan's workers would decode for this file, and nothing else."""
    from genre_desktop.audio.decode import probe, read_windows
    from genre_desktop.core.segments import choose_windows

    started = time.perf_counter()
    info = probe(path)
    read_windows(path, choose_windows(info.duration, windows_per_track))
    return time.perf_counter() - started


def _warm_worker() -> None:
    import genre_desktop.audio.decode  # noqa: F401
    import genre_desktop.core.segments  # noqa: F401


def time_decode_only(paths: list[Path], jobs: int, windows_per_track: int) -> float:
    # Fresh 'spawn' workers that import only the decoder: like the scan, it pays its own start-up,
    # and it does not borrow the scan's warmed-up fork server.
    started = time.perf_counter()
    with ProcessPoolExecutor(jobs, mp_context=get_context("spawn"), initializer=_warm_worker) as pool:
        list(pool.map(decode_only, [str(p) for p in paths], [windows_per_track] * len(paths)))
    return time.perf_counter() - started


def stage_breakdown(paths: list[Path], windows_per_track: int) -> dict[str, float]:
    """Seconds per track for each stage, in this one process (no pool)."""
    from genre_desktop.audio.decode import probe, read_windows
    from genre_desktop.audio.tags import read_tags
    from genre_desktop.core.features import SAMPLE_RATE, extract
    from genre_desktop.core.segments import choose_windows
    from genre_desktop.library.scan_worker import worker_classifier

    classifier = worker_classifier(None, True)
    if classifier is None:
        raise SystemExit("the stage breakdown needs the bundled model and its tagger")
    totals = {"decode": 0.0, "features": 0.0, "tagger": 0.0, "classify": 0.0, "tags": 0.0}
    for path in paths:
        t0 = time.perf_counter()
        windows = choose_windows(probe(path).duration, windows_per_track)
        audio = read_windows(path, windows)
        t1 = time.perf_counter()
        features = np.vstack([extract(y) for y in audio])
        t2 = time.perf_counter()
        tag_probabilities, _ = classifier.tagger.tag_windows(audio, SAMPLE_RATE)
        t3 = time.perf_counter()
        classifier.predict_track(windows, np.hstack([features, tag_probabilities]))
        t4 = time.perf_counter()
        read_tags(path)
        t5 = time.perf_counter()
        for key, value in zip(totals, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4)):
            totals[key] += value
    per_track = {k: round(v / len(paths), 4) for k, v in totals.items()}
    per_track["tagger_share_of_cpu"] = round(totals["tagger"] / sum(totals.values()), 3)
    return per_track


def _model_version() -> str | None:
    from genre_desktop.library.scan_worker import worker_classifier

    classifier = worker_classifier(None, True)
    return None if classifier is None else classifier.version


# --- unchanged rescan ---------------------------------------------------------------------------------

def small_files(music: Path, count: int) -> list[Path]:
    """`count` small distinct files in artist folders: tracks a scan finds already analysed."""
    paths = []
    for i in range(count):
        path = music / f"artist {i % 200:03d}" / f"track {i:05d}.mp3"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(i.to_bytes(4, "little") * 256)
        paths.append(path)
    return paths


def time_unchanged_rescan(folder: Path, count: int) -> dict[str, float]:
    from genre_desktop.core.feature_schema import MODEL_RECIPE_VERSION
    from genre_desktop.library.db import path_param
    from genre_desktop.library.scanner import scan_folders
    from genre_desktop.library.writer import LibraryWriter

    music = folder / f"music-{count}"
    paths = small_files(music, count)
    db = folder / "rescan.sqlite3"
    db.unlink(missing_ok=True)
    blob = np.zeros(107).tobytes()
    now = time.time()
    model = _model_version()  # as if analysed with today's model: nothing left to classify

    def insert(conn):
        for i, path in enumerate(paths):
            st = path.stat()
            track_id = conn.execute(
                "INSERT INTO tracks(path, size, mtime_ns, fingerprint, duration, title, added_at, scanned_at) "
                "VALUES (CAST(? AS TEXT), ?, ?, ?, 240, ?, ?, ?) RETURNING id",
                (path_param(path), st.st_size, st.st_mtime_ns, f"fp{i}", path.stem, now, now),
            ).fetchone()[0]
            conn.execute("INSERT INTO windows(track_id, idx, start_s, end_s, features, recipe_version) VALUES (?, 0, 0, 30, ?, ?)", (track_id, blob, MODEL_RECIPE_VERSION))
            if model is not None:
                conn.execute("INSERT INTO predictions(track_id, model_version, genre, confidence, probabilities,"
                             " window_probabilities, predicted_at) VALUES (?, ?, 'rock', 0.9, '{}', '[]', ?)",
                             (track_id, model, now))

    with LibraryWriter(db) as writer:
        writer.call(insert)
    started = time.perf_counter()
    report = scan_folders(db, [music], use_model=True)
    seconds = time.perf_counter() - started
    assert report.unchanged == count and report.added == report.updated == report.predicted == 0
    started = time.perf_counter()
    _load_model()
    model_load = time.perf_counter() - started
    # The same through the command line: a fresh process, so imports and the model load count.
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "genre_desktop", "scan", str(music), "--db", str(db), "--json"],
        capture_output=True, text=True, cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )
    cli_seconds = time.perf_counter() - started
    assert done.returncode == 0 and json.loads(done.stdout)["unchanged"] == count, done.stderr
    return {"files": count, "seconds_in_process": round(seconds, 3),
            "model_load_in_process": round(model_load, 3), "seconds_cli_fresh_process": round(cli_seconds, 3)}


def _load_model() -> None:
    from genre_desktop.core.model.classifier import GenreClassifier, ModelError

    try:
        GenreClassifier.load()
    except ModelError:
        pass


# --- main --------------------------------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=int, default=48)
    parser.add_argument("--jobs", type=int, default=None, help="default: one per core")
    parser.add_argument("--windows", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=None, help="keep the generated library here")
    parser.add_argument("--rescan-files", type=int, default=10_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from genre_desktop.library.scan_pool import default_jobs
    from genre_desktop.library.scanner import scan_folders

    jobs = args.jobs or default_jobs()
    with tempfile.TemporaryDirectory(prefix="bench-scan-") as tmp:
        work = args.dir or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        load_before = os.getloadavg()
        t0 = time.perf_counter()
        paths = build_library(work / "library", args.tracks)
        build_seconds = time.perf_counter() - t0

        db = work / "cold.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        memory = TreeMemory()
        memory.start()
        t0 = time.perf_counter()
        report = scan_folders(db, [work / "library"], jobs=jobs, windows_per_track=args.windows)
        cold = time.perf_counter() - t0
        memory.stop()
        decode = time_decode_only(paths, jobs, args.windows)
        t0 = time.perf_counter()
        again = scan_folders(db, [work / "library"], jobs=jobs)
        small_rescan = time.perf_counter() - t0
        stages = stage_breakdown(paths[: min(6, len(paths))], args.windows)
        rescan = time_unchanged_rescan(work / "rescan", args.rescan_files)
        load_after = os.getloadavg()

    from genre_desktop.library.scan_worker import worker_classifier

    result = {
        "tracks": len(paths), "track_seconds": 30 * CLIPS_PER_TRACK, "jobs": jobs, "cpus": os.cpu_count(),
        "windows_per_track": args.windows, "model": worker_classifier(None, True) is not None,
        "library_build_seconds": round(build_seconds, 1),
        "cold_scan": {"seconds": round(cold, 2), "tracks_per_minute": round(len(paths) / cold * 60, 1),
                      "added": report.added, "failed": len(report.failed)},
        "decode_only_seconds": round(decode, 2),
        "pipeline_over_decode": round(cold / decode, 2),
        "stage_seconds_per_track_one_process": stages,
        "pipeline_over_decode_one_process": round(
            sum(v for k, v in stages.items() if k != "tagger_share_of_cpu") / stages["decode"], 2),
        "rescan_unchanged_small": {"tracks": again.unchanged, "seconds": round(small_rescan, 3)},
        "rescan_unchanged_10k": rescan,
        "peak_memory_mib": {"sum_rss": round(memory.peak_rss_kib / 1024, 1),
                            "sum_pss": round(memory.peak_pss_kib / 1024, 1),
                            "processes": memory.peak_processes},
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
        "goals": {"tracks_per_minute": ">= 200", "tagger_share_of_cpu": "<= 0.40",
                  "rescan_10k_seconds": "<= 3", "peak_memory_mib": "<= 500"},
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for key, value in result.items():
            print(f"{key}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
