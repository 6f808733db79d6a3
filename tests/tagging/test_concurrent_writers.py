"""Two libraries that share a folder write genres into it at the same moment, from two real
processes: no file ends up with another file's audio, no temporary file is left, and a file
the other library changed first is refused as stale rather than overwritten."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import soundfile as sf

from genre_desktop.audio.audio_payload import payload_digest
from genre_desktop.library.writer import LibraryWriter
from tests.corpus import write_audio
from tests.tagging.conftest import add_tracks, label, leftovers
from tests.tagging.tag_checks import genres_in

PROJECT_ROOT = Path(__file__).resolve().parents[2]
FILES = 10
ROUNDS = 4
GENRES = ("jazz", "blues")  # typed names of the model's genres are stored as its genres


def _distinct_files(folder: Path, clips: list[Path]) -> list[Path]:
    """FLAC files, each with audio of its own (a different real clip)."""
    folder.mkdir()
    paths = []
    for i in range(FILES):
        y, sr = sf.read(clips[i], dtype="float32", frames=22050 * 6)
        paths.append(write_audio(folder / f"track-{i:02d}.flac", y, sr, "flac"))
    return paths


def _library(db: Path, paths: list[Path], genre: str) -> None:
    with LibraryWriter(db) as writer:
        label(writer, add_tracks(writer, paths), genre)


def _write_at_once(dbs: list[Path], go: Path) -> list[dict]:
    env = dict(os.environ, PYTHONPATH=str(PROJECT_ROOT))
    procs = [subprocess.Popen([sys.executable, "-m", "tests.tagging.write_when_told", str(db), str(go)],
                              cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for db in dbs]
    for proc in procs:
        assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
    go.touch()  # both have imported and planned: they start writing together
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=240)
        assert proc.returncode == 0, err
        results.append(json.loads(out))
    return results


def test_two_libraries_writing_one_folder_never_mix_up_audio(tmp_path, gtzan_clips):
    music = tmp_path / "music"
    paths = _distinct_files(music, gtzan_clips)
    audio = {p: payload_digest(p, "flac") for p in paths}
    assert len(set(audio.values())) == FILES
    for round_no in range(ROUNDS):
        # Each round both libraries know the files as they are now. The second one does not
        # list the first file, so the same journal row numbers of the two stand for different
        # files (the case where shared temporary names swapped audio between files).
        d1, d2 = tmp_path / f"d1-{round_no}.sqlite3", tmp_path / f"d2-{round_no}.sqlite3"
        _library(d1, paths, GENRES[round_no % 2])
        _library(d2, paths[1:], GENRES[(round_no + 1) % 2])
        go = tmp_path / f"go-{round_no}"
        results = _write_at_once([d1, d2], go)
        for p in paths:
            assert payload_digest(p, "flac") == audio[p], f"round {round_no}: {p.name} holds other audio"
            assert genres_in(p) in ([g] for g in GENRES)
        assert leftovers(music) == []
        written = [w for r in results for w in r["written"]]
        failed = [f for r in results for f in r["failed"]]
        # Every file was written by one of them at least; a file both wanted was written by
        # whichever came first, and the other refused it without touching it.
        assert {str(p) for p in paths} <= set(written)
        assert all(reason == "changed since it was analysed; rescan first" for _, reason in failed), failed
