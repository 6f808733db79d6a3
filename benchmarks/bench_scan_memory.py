"""Peak memory of a scan of a 10,000-track library, summed over every process of the scan.

    python benchmarks/bench_scan_memory.py [--tracks 10000] [--new 100] [--jobs N] [--dir DIR] [--json]

The library holds `--tracks` tracks: `--new` real GTZAN clips (copies, so each is its own file)
that the scan analyses cold, and small real files for the rest, already recorded as analysed
(a row, a feature window and a prediction of today's model each), which the scan walks and
compares but does not decode. The scan runs as `genre-desktop scan --json` in a fresh process,
in its own session; every 20 ms the RSS and PSS of every process of that session (the scan,
its resource tracker, the fork server and the workers) are summed. PSS divides pages shared
between processes (what the workers inherit from the fork server) among them, so the summed
PSS is the memory the scan really takes. A worker's memory rises by tens of MB for a tenth of
a second per file, so a slower sampler misses the moments when every worker is at its top.

PSS also divides a library's pages with processes outside the scan that map the same file (on
a busy machine, other Python programs of the same environment), which lowers the sum by
whatever else runs. So the same peak is also reported for the scan alone: its anonymous PSS
plus each resident file page that any of its processes maps counted once (from
/proc/PID/pagemap, which shows page frames to root only; file pages change slowly, so they are
read every 0.5 s). Reported: the peak sums and, at the PSS peak, each process's share.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.bench_scan import _kib, small_files  # noqa: E402  (shared with the scan benchmark)
GTZAN_AUDIO = ROOT.parent / "shared" / "data" / "gtzan" / "audio"


def build(folder: Path, tracks: int, new: int) -> tuple[Path, Path]:
    """(the music folder, its library) with `tracks - new` analysed rows and `new` clips to analyse."""
    from genre_desktop.core.model.classifier import GenreClassifier
    from genre_desktop.core.feature_schema import MODEL_RECIPE_VERSION
    from genre_desktop.library.db import path_param
    from genre_desktop.library.writer import LibraryWriter

    music = folder / "Music"
    clips = sorted(GTZAN_AUDIO.glob("*/*.flac"))[:new]
    for clip in clips:
        target = music / "new" / clip.name
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            shutil.copy(clip, target)
    known = small_files(music, tracks - new)
    db = folder / "library.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    model = GenreClassifier.load().version
    blob, now = np.zeros(107).tobytes(), time.time()

    def insert(conn):
        for i, path in enumerate(known):
            st = path.stat()
            track_id = conn.execute(
                "INSERT INTO tracks(path, size, mtime_ns, fingerprint, duration, title, added_at, scanned_at) "
                "VALUES (CAST(? AS TEXT), ?, ?, ?, 240, ?, ?, ?) RETURNING id",
                (path_param(path), st.st_size, st.st_mtime_ns, f"fp{i}", path.stem, now, now)).fetchone()[0]
            conn.execute("INSERT INTO windows(track_id, idx, start_s, end_s, features, recipe_version) "
                         "VALUES (?, 0, 0, 30, ?, ?)", (track_id, blob, MODEL_RECIPE_VERSION))
            conn.execute("INSERT INTO predictions(track_id, model_version, genre, confidence, probabilities,"
                         " window_probabilities, predicted_at) VALUES (?, ?, 'rock', 0.9, '{}', '[]', ?)",
                         (track_id, model, now))

    with LibraryWriter(db) as writer:
        writer.call(insert)
    return music, db


def _session(sid: int) -> list[tuple[int, str]]:
    members = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                stat = fh.read()
            with open(f"/proc/{entry.name}/cmdline", "rb") as fh:
                cmd = fh.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if int(stat.rsplit(b")", 1)[1].split()[3]) == sid:
            members.append((int(entry.name), cmd))
    return members


def _role(pid: int, sid: int, cmd: str) -> str:
    if pid == sid:
        return "scan"
    if "resource_tracker" in cmd:
        return "resource tracker"
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            parent = int(fh.read().rsplit(b")", 1)[1].split()[1])
    except OSError:
        return "?"
    return "fork server" if "forkserver" in cmd and parent == sid else "worker"


SAMPLE_SECONDS = 0.02
FILE_PAGES_SECONDS = 0.5
PAGE = os.sysconf("SC_PAGE_SIZE")
PRESENT_FILE_PAGE = np.uint64((1 << 63) | (1 << 61))  # pagemap: present, file-backed or shared
FRAME = np.uint64((1 << 55) - 1)


def _rollup(pid: int) -> dict[bytes, int]:
    """PSS and its anonymous part, in KiB (zeros for a process that is gone)."""
    found = {b"Pss:": 0, b"Pss_Anon:": 0}
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
            for line in fh:
                key = line.split(None, 1)[0]
                if key in found:
                    found[key] = int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return found


def _file_frames(pid: int) -> np.ndarray:
    """The page frames of the resident file pages that pid maps (all zero when only root may
    see frames)."""
    frames = []
    try:
        with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/pagemap", "rb", buffering=0) as pagemap:
            for line in maps:
                fields = line.split()
                if len(fields) < 6 or fields[4] == "0":  # inode 0: anonymous memory
                    continue
                start, end = (int(x, 16) for x in fields[0].split("-"))
                pagemap.seek(start // PAGE * 8)
                entries = np.frombuffer(pagemap.read((end - start) // PAGE * 8), dtype=np.uint64)
                frames.append(entries[(entries & PRESENT_FILE_PAGE) == PRESENT_FILE_PAGE] & FRAME)
    except (OSError, ValueError):
        pass
    return np.concatenate(frames) if frames else np.empty(0, np.uint64)


def _distinct_file_kib(pids: list[int]) -> int | None:
    frames = np.unique(np.concatenate([_file_frames(pid) for pid in pids] or [np.empty(0, np.uint64)]))
    if frames.size and not frames.any():
        return None  # page frames hidden: not root
    return int(frames.size * PAGE // 1024)


def measure(music: Path, db: Path, jobs: int | None) -> dict:
    args = [sys.executable, "-m", "genre_desktop", "scan", str(music), "--db", str(db), "--json"]
    if jobs:
        args += ["--jobs", str(jobs)]
    proc = subprocess.Popen(args, cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    peak = {"pss": 0, "rss": 0, "alone": 0, "hidden": False, "processes": 0, "shares": {}, "samples": 0}

    def sample() -> None:
        file_kib: int | None = 0
        file_pids: list[int] = []
        file_read = 0.0
        while proc.poll() is None:
            members = _session(proc.pid)
            pids = [pid for pid, _ in members]
            rollups = {pid: _rollup(pid) for pid in pids}
            pss = {pid: r[b"Pss:"] for pid, r in rollups.items()}
            rss = sum(_kib(pid, "status", b"VmRSS:") for pid in pids)
            if pids != file_pids or time.monotonic() - file_read > FILE_PAGES_SECONDS:
                file_kib, file_pids, file_read = _distinct_file_kib(pids), pids, time.monotonic()
            peak["samples"] += 1
            peak["rss"] = max(peak["rss"], rss)
            peak["processes"] = max(peak["processes"], len(members))
            if file_kib is None:
                peak["hidden"] = True
            else:
                peak["alone"] = max(peak["alone"], file_kib + sum(r[b"Pss_Anon:"] for r in rollups.values()))
            if sum(pss.values()) > peak["pss"]:
                peak["pss"] = sum(pss.values())
                peak["shares"] = [(_role(pid, proc.pid, cmd), round(pss[pid] / 1024, 1)) for pid, cmd in members]
            time.sleep(SAMPLE_SECONDS)

    sampler = threading.Thread(target=sample, daemon=True)
    started = time.perf_counter()
    sampler.start()
    out, err = proc.communicate()
    seconds = time.perf_counter() - started
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"the scan failed: {err}")
    report = json.loads(out)
    return {"tracks_added": report["added"], "tracks_unchanged": report["unchanged"], "seconds": round(seconds, 1),
            "peak_sum_pss_mib": round(peak["pss"] / 1024, 1), "peak_sum_rss_mib": round(peak["rss"] / 1024, 1),
            "peak_scan_alone_mib": None if peak["hidden"] else round(peak["alone"] / 1024, 1),
            "processes": peak["processes"], "samples": peak["samples"], "pss_mib_at_peak": peak["shares"]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=int, default=10_000)
    parser.add_argument("--new", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=None, help="default: one per core")
    parser.add_argument("--dir", type=Path, default=None, help="keep the generated library here")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    folder = args.dir or Path(tempfile.mkdtemp(prefix="bench-scan-memory-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        music, db = build(folder, args.tracks, args.new)
        result = {"load_before": os.getloadavg()[0], **measure(music, db, args.jobs),
                  "load_after": os.getloadavg()[0]}
    finally:
        if args.dir is None:
            shutil.rmtree(folder, ignore_errors=True)
    print(json.dumps(result, indent=None if args.json else 2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
