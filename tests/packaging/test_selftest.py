"""`genre-desktop --self-test` from the source tree, its JSON, and how it reports a broken step."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import soundfile

from genre_desktop import __version__, selftest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SAMPLES = PROJECT_ROOT / "resources" / "sample"


def check_self_test_summary(summary: dict, frozen: bool) -> None:
    """What a passing self-test must show; shared with the frozen-app test."""
    assert summary["ok"] is True, summary["reason"]
    assert summary["failed_steps"] == []
    assert summary["version"] == __version__
    assert summary["frozen"] is frozen
    steps = summary["steps"]
    model = steps["model"]
    assert model["sha256_ok"] is True and model["version"]
    genres = set(model["genres"])
    samples = steps["classify_samples"]["samples"]
    assert {Path(s["file"]).suffix for s in samples} >= {".mp3", ".ogg"}
    for sample in samples:
        assert sample["genre"] in genres
        assert 0.0 <= sample["confidence"] <= 1.0
        assert sample["duration"] >= 6.0
        assert sample["windows"] >= 1
    assert steps["ffmpeg_decode"]["samples"] > 0
    scan = steps["scan"]
    assert scan["jobs"] == 2
    assert scan["report"]["scanned"] == 2 and scan["report"]["failed"] == []
    assert scan["tracks_in_db"] == 2 and scan["predictions_in_db"] == 2
    assert "available" in steps["preview_output"]  # reported, never required
    assert summary["timings"]["total"] > 0


def test_self_test_from_source_tree_passes_and_prints_json():
    done = subprocess.run(
        [sys.executable, "-m", "genre_desktop", "--self-test"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600, env=dict(os.environ),
    )
    assert done.stdout.strip(), f"no output; stderr:\n{done.stderr[-3000:]}"
    summary = json.loads(done.stdout)
    assert done.returncode == 0, json.dumps(summary, indent=2)
    check_self_test_summary(summary, frozen=False)


def test_a_failing_step_is_named_and_the_exit_status_is_non_zero(monkeypatch, capsys):
    def broken_model(_holder):
        raise RuntimeError("model file does not match its sha256")

    monkeypatch.setattr(selftest, "load_model", broken_model)
    monkeypatch.setattr(selftest, "decode_with_ffmpeg", lambda: {})
    monkeypatch.setattr(selftest, "scan_two_files", lambda: {})

    status = selftest.run_self_test()

    summary = json.loads(capsys.readouterr().out)
    assert status == 1
    assert summary["ok"] is False
    assert summary["failed_steps"] == ["model", "classify_samples"]
    assert summary["reason"] == "model: RuntimeError: model file does not match its sha256"
    assert summary["steps"]["classify_samples"]["skipped"] == "the model did not load"
    assert summary["steps"]["scan"]["ok"] is True


def test_samples_are_small_long_enough_and_in_two_formats():
    files = sorted(p for p in SAMPLES.iterdir() if p.suffix in selftest.SAMPLE_SUFFIXES)
    assert {p.suffix for p in files} == {".mp3", ".ogg"}
    assert sum(p.stat().st_size for p in files) < 200_000
    for path in files:
        info = soundfile.info(str(path))
        assert info.duration >= 6.0, path.name  # the analyser refuses anything under 5 s
