"""PlaybackService: real playback on the (paced) ALSA null device, driven from the GUI thread."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from genre_desktop.audio.player import Player, read_with_decoder
from genre_desktop.services.playback_service import PlaybackService

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _read_with_soundfile(path: str, samplerate: int | None) -> tuple[np.ndarray, int]:
    import soundfile

    samples, rate = soundfile.read(path, dtype="float32", always_2d=True)
    return samples, rate


try:  # the player decodes through audio.decode; fall back only while that module is missing
    import genre_desktop.audio.decode  # noqa: F401

    READ = read_with_decoder
except ImportError:
    READ = _read_with_soundfile


@pytest.fixture
def clips(gtzan_dir) -> list[Path]:
    return [gtzan_dir / "audio" / "blues" / "blues.00000.flac", gtzan_dir / "audio" / "jazz" / "jazz.00001.flac"]


@pytest.fixture
def make_service():
    made: list[PlaybackService] = []

    def make(read=READ) -> PlaybackService:
        made.append(PlaybackService(Player(read_audio=read)))
        return made[-1]

    yield make
    for service in made:
        service.shutdown()


def record(service: PlaybackService) -> dict[str, list]:
    seen: dict[str, list] = {"positions": [], "states": [], "errors": [], "unavailable": [], "loaded": []}
    service.positionChanged.connect(lambda p: seen["positions"].append((time.monotonic(), p)))
    service.stateChanged.connect(seen["states"].append)
    service.error.connect(seen["errors"].append)
    service.unavailable.connect(seen["unavailable"].append)
    service.trackLoaded.connect(lambda path, duration: seen["loaded"].append((path, duration)))
    return seen


def test_play_reports_state_and_position_at_about_30_hz(qtbot, clips, make_service):
    service = make_service()
    seen = record(service)
    with qtbot.waitSignal(service.stateChanged, timeout=10000) as started:
        service.play_file(clips[0])
    assert started.args == ["playing"]
    assert seen["loaded"] == [(str(clips[0]), pytest.approx(30.0, abs=0.1))]
    began = time.monotonic()
    qtbot.waitUntil(lambda: service.position >= 1.5, timeout=5000)
    elapsed = time.monotonic() - began
    assert elapsed == pytest.approx(1.5, abs=0.3)  # real-time pacing, seen through the service
    updates = [p for t, p in seen["positions"] if t >= began]
    assert updates == sorted(updates)
    assert 15 <= len(updates) / elapsed <= 40


def test_commands_never_block_the_gui_thread(qtbot, clips, make_service):
    def slow_read(path, samplerate):
        time.sleep(0.8)  # a long decode
        return READ(path, samplerate)

    service = make_service(read=slow_read)
    began = time.perf_counter()
    service.play_file(clips[0])
    service.toggle()  # queued behind the load: pauses once it plays
    assert time.perf_counter() - began < 0.05
    ticks = []
    qtbot.waitUntil(lambda: ticks.append(time.perf_counter()) or service.state == "paused", timeout=5000)
    assert max(np.diff(ticks), default=0) < 0.1  # the event loop kept turning during the decode


def test_pause_seek_and_stop(qtbot, clips, make_service):
    service = make_service()
    seen = record(service)
    with qtbot.waitSignal(service.stateChanged, timeout=10000):
        service.play_file(clips[0])
    qtbot.waitUntil(lambda: service.position >= 0.5, timeout=5000)

    with qtbot.waitSignal(service.stateChanged, timeout=2000) as paused:
        service.toggle()
    assert paused.args == ["paused"]
    held = service.position
    qtbot.wait(300)
    assert service.position == held

    with qtbot.waitSignal(service.positionChanged, timeout=2000) as moved:
        service.seek(18.0)
    assert moved.args[0] == pytest.approx(18.0, abs=1e-3)

    with qtbot.waitSignal(service.stateChanged, timeout=2000):
        service.play()
    qtbot.waitUntil(lambda: service.position >= 18.3, timeout=3000)

    with qtbot.waitSignal(service.stateChanged, timeout=2000) as stopped:
        service.stop()
    assert stopped.args == ["stopped"]
    assert service.position == 0.0
    assert seen["states"] == ["playing", "paused", "playing", "stopped"]


def test_play_from_plays_the_part_that_decided(qtbot, clips, make_service):
    service = make_service()
    with qtbot.waitSignal(service.stateChanged, timeout=10000):
        service.play_from(clips[1], 12.0)
    assert service.current_path == str(clips[1])
    qtbot.waitUntil(lambda: service.position >= 12.3, timeout=3000)
    assert service.position < 13.0
    # Another window of the same track: no reload, just a jump.
    service.play_from(clips[1], 3.0)
    qtbot.waitUntil(lambda: 3.0 <= service.position < 4.0, timeout=3000)
    assert service.state == "playing"


def test_switching_tracks_plays_the_latest_request(qtbot, clips, make_service):
    decoded = []

    def slow_read(path, samplerate):
        decoded.append(path)
        time.sleep(0.3)
        return READ(path, samplerate)

    service = make_service(read=slow_read)
    seen = record(service)
    service.play_file(clips[0])
    service.play_file(clips[1])  # superseded before the worker gets to it: never decoded
    service.play_file(clips[0])
    qtbot.waitUntil(lambda: service.state == "playing", timeout=10000)
    qtbot.wait(100)
    assert decoded == [str(clips[0])]
    assert service.current_path == str(clips[0])
    assert [path for path, _ in seen["loaded"]] == [str(clips[0])]
    service.play_file(clips[1])
    qtbot.waitUntil(lambda: service.current_path == str(clips[1]), timeout=10000)
    qtbot.waitUntil(lambda: service.state == "playing" and service.position > 0.1, timeout=3000)


def test_the_end_of_the_track_stops(qtbot, clips, make_service):
    service = make_service()
    seen = record(service)
    with qtbot.waitSignal(service.stateChanged, timeout=10000):
        service.play_from(clips[0], 29.0)
    with qtbot.waitSignal(service.stateChanged, timeout=4000) as ended:
        pass
    assert ended.args == ["stopped"]
    assert service.position == 0.0
    assert seen["states"] == ["playing", "stopped"]


def test_volume_is_clamped(qtbot, make_service):
    service = make_service()
    service.volume = 2.0
    assert service.volume == 1.0
    service.volume = -1.0
    assert service.volume == 0.0


def test_a_file_that_is_not_audio_is_an_error_not_unavailable(qtbot, tmp_path, make_service):
    bogus = tmp_path / "notes.mp3"
    bogus.write_text("plain text, not an MP3")
    service = make_service()
    seen = record(service)
    with qtbot.waitSignal(service.error, timeout=10000) as failed:
        service.play_file(bogus)
    assert failed.args[0]
    assert service.available and not seen["unavailable"]
    assert service.state == "stopped"


# In a fresh process: PortAudio initialises once per process, and this one found the null device.
_NO_PORTAUDIO = textwrap.dedent("""
    import ctypes.util, sys
    real = ctypes.util.find_library  # answer as a machine without libportaudio would
    ctypes.util.find_library = lambda name: None if "portaudio" in name else real(name)
    from PySide6.QtCore import QCoreApplication, QTimer
    from genre_desktop.services.playback_service import PlaybackService
    app = QCoreApplication([])
    service = PlaybackService()
    service.unavailable.connect(lambda message: (print("UNAVAILABLE:", message), app.quit()))
    service.check_available()
    service.play_file(sys.argv[1])  # ignored or refused, never a crash
    QTimer.singleShot(10000, app.quit)
    app.exec()
    service.play_file(sys.argv[1])  # once unavailable, commands are ignored
    print("AVAILABLE:", service.available)
    service.shutdown()
""")


def test_without_portaudio_the_service_reports_unavailable(clips):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run([sys.executable, "-c", _NO_PORTAUDIO, str(clips[0])], cwd=PROJECT_ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("UNAVAILABLE: Preview is unavailable: the PortAudio sound library")
    assert lines[1] == "AVAILABLE: False"
