"""Files players play are analysed, and files that cannot be get a plain reason, with no
traceback on the terminal: an MP3 followed by junk (its length guessed too long), a float WAV
whose samples are 1e30."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from tests.bad_inputs import _write_mp3_without_header
from tests.corpus import load_clip, write_audio

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def test_junk_after_frames_is_analysed_and_huge_samples_get_a_plain_reason(tmp_path):
    music = tmp_path / "Music"
    music.mkdir()
    y, sr = load_clip("rock", 0)
    clean = music / "clean.mp3"
    _write_mp3_without_header(clean, y, sr)
    junk = music / "junk-after.mp3"
    junk.write_bytes(clean.read_bytes() + np.random.default_rng(7).bytes(400_000))
    huge = write_audio(music / "huge.wav", (y * 1e30).astype(np.float32), sr, "wav", subtype="FLOAT")
    done = subprocess.run(
        [sys.executable, "-m", "genre_desktop", "scan", str(music), "--db", str(tmp_path / "lib.sqlite3"),
         "--jobs", "1", "--json", "--no-model"],
        capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=300,
        env=dict(os.environ, PYTHONPATH=str(PROJECT_ROOT)),
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "Error:" not in done.stderr, done.stderr
    report = json.loads(done.stdout)
    assert report["added"] == 2
    assert report["failed"] == [{"path": str(huge), "reason": "the file's samples are not valid numbers"}]
