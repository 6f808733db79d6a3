"""`genre-desktop features`, run the way a user runs it: as a separate process."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from genre_desktop.core.features import FEATURE_NAMES, extract

CLIP = ("blues", "blues.00003")


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "genre_desktop", "features", *args],
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def clip(gtzan_dir) -> Path:
    return gtzan_dir / "audio" / CLIP[0] / f"{CLIP[1]}.flac"


def test_json_matches_the_csv_row(clip, gtzan_dir):
    done = _cli(str(clip), "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert list(out["features"]) == list(FEATURE_NAMES)
    assert out["duration"] == pytest.approx(30.0, abs=0.05) and out["offset"] == 0.0
    with open(gtzan_dir / "features_30_sec.csv", newline="") as fh:
        row = next(r for r in csv.DictReader(fh) if r["filename"] == f"{CLIP[1]}.wav")
    for name, value in out["features"].items():
        expected = float(row[name])
        if name in ("harmony_mean", "perceptr_mean"):
            assert value == pytest.approx(expected, abs=1e-6), name
        else:
            assert value == pytest.approx(expected, rel=1e-5), name


def test_offset_and_duration_pick_the_stretch(clip):
    done = _cli(str(clip), "--offset", "10", "--duration", "8.5", "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["duration"] == pytest.approx(8.5, abs=1e-3)
    samples, rate = sf.read(clip, dtype="float32")
    expected = extract(samples[10 * rate: 10 * rate + int(8.5 * rate)])
    got = np.array([out["features"][name] for name in FEATURE_NAMES])
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-7)


def test_table_without_json(clip):
    done = _cli(str(clip), "--duration", "6")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "mean" in lines[1] and "var" in lines[1]
    assert any(line.startswith("tempo") for line in lines)
    assert any(line.startswith("mfcc20") for line in lines)
    assert len(lines) == 2 + 8 + 1 + 20  # header, 8 mean/var pairs, tempo, 20 MFCCs


@pytest.mark.parametrize("make, reason", [
    (lambda tmp: tmp / "missing.flac", "not found"),
    (lambda tmp: _write(tmp / "notes.mp3", b"just some text, not audio\n" * 20), "not an audio"),
])
def test_unreadable_files_fail_with_one_line(tmp_path, make, reason):
    path = make(tmp_path)
    done = _cli(str(path), "--json")
    assert done.returncode == 1
    assert done.stdout == ""
    message = done.stderr.strip()
    assert len(message.splitlines()) == 1 and "Traceback" not in message
    assert str(path) in message and reason in message


def test_too_short_and_past_the_end_fail_clearly(clip):
    done = _cli(str(clip), "--offset", "29.7")
    assert done.returncode == 1 and "too short" in done.stderr
    done = _cli(str(clip), "--offset", "45")
    assert done.returncode == 1 and "ends before" in done.stderr


def test_a_long_file_asks_for_a_shorter_stretch(tmp_path):
    long_file = tmp_path / "long.flac"
    sf.write(long_file, np.zeros(22050 * 610, dtype=np.int16), 22050)
    done = _cli(str(long_file))
    assert done.returncode == 1 and "--duration" in done.stderr
    done = _cli(str(long_file), "--offset", "100", "--duration", "5", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["features"]["rms_mean"] == 0.0  # silence: finite, documented


def test_bad_arguments_are_usage_errors(clip):
    done = _cli(str(clip), "--duration", "-2")
    assert done.returncode == 2 and "--duration" in done.stderr


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
