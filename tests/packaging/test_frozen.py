"""The standalone app built by packaging/build.py: self-test, GUI start-up, size.

Slow (one PyInstaller build per session, ~1.5 min here) but part of the normal test run and of
CI: a frozen app breaks in ways the source tree never shows (hidden imports, data files, worker
processes that re-run the executable, shared libraries).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .test_selftest import check_self_test_summary

pytestmark = [pytest.mark.slow, pytest.mark.timeout(2400)]

SIZE_GOAL_MB = 250
# The app measures ~556 MB unpacked on Linux today, over the 250 MB goal: LLVM inside llvmlite
# (numba, which librosa needs) is 160 MB, FFmpeg with its codecs 74 MB and ONNX Runtime (the
# music tagger) ~40 MB on their own. This ceiling catches something big being bundled by accident.
SIZE_CEILING_MB = 585
COLD_START_RUNS = 3


def frozen_env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["GENRE_DESKTOP_HOME"] = str(home)
    env["QT_QPA_PLATFORM"] = "offscreen"
    # Nothing from the build machine's venv may leak into the frozen app. Without
    # NUMBA_CACHE_DIR the app's runtime hook puts numba's cache under GENRE_DESKTOP_HOME.
    for name in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "NUMBA_CACHE_DIR"):
        env.pop(name, None)
    return env


def test_frozen_self_test_passes(frozen_build, isolated_home, measurements):
    started = time.perf_counter()
    done = subprocess.run(
        [str(frozen_build.cli_executable), "--self-test"],
        capture_output=True, text=True, timeout=900, env=frozen_env(isolated_home),
        cwd=isolated_home,  # not the repo: the app must find models/ and resources/ in itself
    )
    seconds = time.perf_counter() - started
    assert done.stdout.strip(), f"no output (status {done.returncode}); stderr:\n{done.stderr[-4000:]}"
    summary = json.loads(done.stdout)
    assert done.returncode == 0, json.dumps(summary, indent=2)
    check_self_test_summary(summary, frozen=True)
    assert any((isolated_home / "cache" / "numba").rglob("*.nbi")), "numba cached nothing in the app's cache"
    assert Path(summary["bundle_root"]).is_relative_to(frozen_build.app_dir.resolve())
    timings = ", ".join(f"{k} {v:.1f}s" for k, v in summary["timings"].items())
    measurements.add(f"frozen --self-test: {seconds:.1f} s wall (cold numba cache): {timings}")


def _run_gui(executable: Path, home: Path, quit_after_ms: int) -> tuple[subprocess.CompletedProcess, float]:
    started = time.perf_counter()
    done = subprocess.run(
        [str(executable), "--quit-after-ms", str(quit_after_ms), "--db", str(home / "library.sqlite3")],
        capture_output=True, text=True, timeout=300, env=frozen_env(home), cwd=home,
    )
    return done, time.perf_counter() - started


def test_frozen_gui_opens_offscreen_and_quits_by_itself(frozen_build, isolated_home, measurements):
    done, seconds = _run_gui(frozen_build.executable, isolated_home, 3000)
    assert done.returncode == 0, f"status {done.returncode}\nstdout:\n{done.stdout[-3000:]}\nstderr:\n{done.stderr[-5000:]}"
    # The window stayed up until the timer fired rather than the process giving up early.
    assert seconds >= 3.0
    assert "Traceback" not in done.stderr, done.stderr[-5000:]
    # Opening the main window creates the library it was given, and the log saw a clean run.
    assert (isolated_home / "library.sqlite3").exists()
    log_text = (isolated_home / "logs" / "genre-desktop.log").read_text(encoding="utf-8")
    assert "starting" in log_text and "exited with 0" in log_text
    assert " ERROR " not in log_text and "Traceback" not in log_text, log_text[-3000:]
    measurements.add(f"frozen GUI with --quit-after-ms 3000: exited 0 after {seconds:.1f} s")


@pytest.mark.skipif(not shutil.which("xvfb-run"), reason="needs xvfb-run (Debian package xvfb)")
def test_frozen_gui_opens_on_a_real_x11_server(frozen_build, isolated_home, measurements):
    """The xcb platform plugin and the X libraries it links to made it into the bundle."""
    env = frozen_env(isolated_home)
    env["QT_QPA_PLATFORM"] = "xcb"
    started = time.perf_counter()
    done = subprocess.run(
        ["xvfb-run", "-a", str(frozen_build.executable), "--quit-after-ms", "1000"],
        capture_output=True, text=True, timeout=300, env=env, cwd=isolated_home,
    )
    seconds = time.perf_counter() - started
    assert done.returncode == 0, f"status {done.returncode}\nstderr:\n{done.stderr[-5000:]}"
    measurements.add(f"frozen GUI on Xvfb (xcb) with --quit-after-ms 1000: exited 0 after {seconds:.1f} s")


def test_frozen_gui_cold_start_time(frozen_build, tmp_path, measurements):
    """Time from launch to the main window shown and closed again (--quit-after-ms 0)."""
    times = []
    for run in range(COLD_START_RUNS):
        home = tmp_path / f"home{run}"  # a fresh home each time: first-run conditions
        home.mkdir()
        done, seconds = _run_gui(frozen_build.executable, home, 0)
        assert done.returncode == 0, done.stderr[-5000:]
        times.append(seconds)
    measurements.add(
        "frozen cold start to window shown and closed (--quit-after-ms 0), "
        f"{COLD_START_RUNS} runs: " + ", ".join(f"{t:.2f}" for t in times)
        + f" s (median {statistics.median(times):.2f} s)"
    )


def test_frozen_app_size(frozen_build, measurements):
    report = frozen_build.report
    unpacked_mb = report["unpacked_bytes"] / 1e6
    archives = ", ".join(f"{Path(p).name} {size / 1e6:.1f} MB" for p, size in report["archives"].items())
    measurements.add(f"unpacked app: {unpacked_mb:.1f} MB (goal {SIZE_GOAL_MB} MB); archives: {archives or 'none'}")
    assert report["archives"], "build.py made no archive"
    for path in report["archives"]:
        assert Path(path).is_file()
    assert unpacked_mb <= SIZE_CEILING_MB, f"the app grew to {unpacked_mb:.0f} MB"
    if sys.platform.startswith("linux"):
        assert any(str(p).endswith(".tar.gz") for p in report["archives"])
