"""Fixtures for the packaging tests: one frozen build per session, and a summary of measurements.

The build goes to a temporary folder so that parallel test runs in one checkout never collide
with each other or with a developer's dist/. Set GENRE_DESKTOP_FROZEN_APP to an existing
dist/GenreDesktop folder (with build-report.json beside it) to test that build instead.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
BUILD_SCRIPT = PROJECT_ROOT / "packaging" / "build.py"
APP_NAME = "GenreDesktop"
MEASUREMENTS = pytest.StashKey["Measurements"]()


@dataclass
class Measurements:
    """Numbers worth seeing at the end of a run (sizes, build and start-up times)."""

    lines: list[str] = field(default_factory=list)

    def add(self, text: str) -> None:
        self.lines.append(text)


@dataclass(frozen=True)
class FrozenBuild:
    app_dir: Path
    executable: Path  # the GUI app
    cli_executable: Path  # the same app with a console (Windows builds a separate .exe for it)
    report: dict


def pytest_configure(config) -> None:
    config.stash[MEASUREMENTS] = Measurements()


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    lines = config.stash[MEASUREMENTS].lines
    if lines:
        terminalreporter.section("packaging measurements")
        for line in lines:
            terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def measurements(pytestconfig) -> Measurements:
    return pytestconfig.stash[MEASUREMENTS]


def executables_in(app_dir: Path) -> tuple[Path, Path]:
    if sys.platform == "win32":
        return app_dir / f"{APP_NAME}.exe", app_dir / "genre-desktop.exe"
    return app_dir / APP_NAME, app_dir / APP_NAME


@pytest.fixture(scope="session")
def frozen_build(tmp_path_factory, measurements) -> FrozenBuild:
    existing = os.environ.get("GENRE_DESKTOP_FROZEN_APP")
    if existing:
        app_dir = Path(existing).resolve()
        report = json.loads((app_dir.parent / "build-report.json").read_text(encoding="utf-8"))
        measurements.add(f"testing an existing build: {app_dir}")
    else:
        out = tmp_path_factory.mktemp("frozen")
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, str(BUILD_SCRIPT), "--dist", str(out / "dist"), "--work", str(out / "work")],
            cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=1800,
        )
        shutil.rmtree(out / "work", ignore_errors=True)  # ~0.5 GB of intermediate files
        if done.returncode != 0:
            pytest.fail(f"packaging/build.py failed:\n{done.stdout[-3000:]}\n{done.stderr[-6000:]}")
        app_dir = out / "dist" / APP_NAME
        report = json.loads((out / "dist" / "build-report.json").read_text(encoding="utf-8"))
        measurements.add(f"build + archive: {time.perf_counter() - started:.0f} s "
                         f"(PyInstaller {report['build_seconds']:.0f} s)")
    executable, cli_executable = executables_in(app_dir)
    for path in (executable, cli_executable):
        assert path.is_file(), f"no executable at {path}"
    return FrozenBuild(app_dir, executable, cli_executable, report)
