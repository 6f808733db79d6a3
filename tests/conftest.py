"""Shared test set-up: headless Qt, ALSA's null device, an isolated app home, the real data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

TESTS_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = TESTS_DIR.parent
SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"
GTZAN = SHARED_DATA / "gtzan"

# Before Qt or PortAudio load: no display, and sound goes to ALSA's null PCM.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_SYSTEM_ALSA = Path("/usr/share/alsa/alsa.conf")
if _SYSTEM_ALSA.exists():
    os.environ["ALSA_CONFIG_PATH"] = f"{_SYSTEM_ALSA}:{TESTS_DIR / 'alsa-null.conf'}"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory, monkeypatch) -> Path:
    """Every test gets its own data/config/log dirs; nothing touches the real user's library."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("GENRE_DESKTOP_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def gtzan_dir() -> Path:
    if not GTZAN.is_dir():
        pytest.fail(f"The shared GTZAN data is missing: expected it at {GTZAN}")
    return GTZAN


@pytest.fixture(scope="session")
def gtzan_clips(gtzan_dir) -> list[Path]:
    """All real clips (FLAC plus the one MP3), sorted."""
    return sorted((gtzan_dir / "audio").glob("*/*.*"))
