"""The preview player, playing real clips through PortAudio into ALSA's (paced) null device.

tests/alsa-null.conf clocks the null device at real time, so positions are compared with the
wall clock. What these tests cannot prove: that anything is audible, or how far a real card's
latency puts the position ahead of the sound (at most the stream's output latency).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from genre_desktop.audio.decode import read_window
from genre_desktop.audio.player import AudioUnavailable, Player

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def wait_for(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the player")
        time.sleep(0.01)


@pytest.fixture
def clip(gtzan_dir) -> Path:
    return gtzan_dir / "audio" / "blues" / "blues.00000.flac"


@pytest.fixture
def player(clip):
    p = Player()
    p.load(clip)
    yield p
    p.close()


def test_load_reports_the_track(player, clip):
    assert player.path == str(clip)
    assert player.duration == pytest.approx(30.0, abs=0.1)
    assert player.state == "stopped"
    assert player.position == 0.0


def test_position_follows_the_wall_clock(player):
    started = time.monotonic()
    player.play()
    assert player.state == "playing"
    wait_for(lambda: player.position >= 0.5)
    t1, p1 = time.monotonic(), player.position
    time.sleep(1.5)
    t2, p2 = time.monotonic(), player.position
    # Rate: the device takes frames in real time (unpaced, this ratio was in the thousands).
    assert (p2 - p1) / (t2 - t1) == pytest.approx(1.0, abs=0.1)
    # Offset: ahead of the clock by at most the buffering, behind by at most a slow start.
    assert -0.3 < p2 - (t2 - started) < 0.15


def test_pause_keeps_the_position_and_resume_continues(player):
    player.play()
    wait_for(lambda: player.position >= 0.5)
    player.pause()
    assert player.state == "paused"
    held = player.position
    time.sleep(0.4)
    assert player.position == held
    player.toggle()
    assert player.state == "playing"
    wait_for(lambda: player.position > held + 0.2)


def test_seek_moves_the_position_while_playing_and_paused(player):
    player.play()
    player.seek(20.0)
    assert player.position == pytest.approx(20.0, abs=0.05)
    time.sleep(0.5)
    assert 20.2 < player.position < 20.9
    player.pause()
    player.seek(5.0)
    assert player.position == pytest.approx(5.0, abs=1e-3)
    time.sleep(0.2)
    assert player.position == pytest.approx(5.0, abs=1e-3)
    player.seek(-3.0)
    assert player.position == 0.0
    player.seek(1e9)
    assert player.position == pytest.approx(player.duration)


def test_play_from_a_start_second(player):
    player.play(start=12.0)
    wait_for(lambda: player.position >= 12.3)
    assert player.position < 13.0


def test_stop_rewinds_and_play_starts_over(player):
    player.play(start=8.0)
    wait_for(lambda: player.position >= 8.2)
    player.stop()
    assert player.state == "stopped"
    assert player.position == 0.0
    time.sleep(0.2)
    assert player.position == 0.0
    player.play()
    wait_for(lambda: player.position >= 0.2)
    assert player.position < 1.0


def test_volume_is_clamped(player):
    player.volume = 1.5
    assert player.volume == 1.0
    player.volume = -0.5
    assert player.volume == 0.0
    player.volume = 0.3
    assert player.volume == pytest.approx(0.3)
    with pytest.raises(ValueError):
        player.volume = float("nan")


def test_volume_scales_what_the_callback_hands_over(player, clip):
    # The audio callback itself, fed an output block by hand: stereo out from the mono clip.
    reference = read_window(clip, 1000 / 22050, 512 / 22050, sr=None) * 0.25
    player.volume = 0.25
    player.seek(1000 / player.samplerate)
    wait_for(lambda: player.buffered_frames >= 512)  # the reader has decoded from the new position
    player._playing = True
    out = np.empty((512, 2), dtype=np.float32)
    player._callback(out, 512, None, None)
    assert np.allclose(out[:, 0], reference) and np.allclose(out[:, 1], reference)
    assert player.position == pytest.approx(1512 / player.samplerate)


def test_finishing_the_track_stops(player):
    ended = []
    player.on_finished = lambda: ended.append(time.monotonic())
    started = time.monotonic()
    player.play(start=player.duration - 1.0)
    wait_for(lambda: player.state == "stopped", timeout=5.0)
    assert player.finished
    assert len(ended) == 1
    assert 0.8 < ended[0] - started < 2.0  # it played the last second in real time
    assert player.position == 0.0
    player.play()  # and it can play again from the start
    wait_for(lambda: player.position >= 0.2)
    assert not player.finished


def test_play_before_load_is_an_error():
    with pytest.raises(RuntimeError):
        Player().play()


def test_loading_a_file_that_is_not_audio_raises(tmp_path, player):
    bogus = tmp_path / "notes.flac"
    bogus.write_text("this is not a FLAC file")
    player.play()
    with pytest.raises(Exception) as failure:
        player.load(bogus)
    assert not isinstance(failure.value, AudioUnavailable)
    assert player.state == "playing"  # the loaded track is untouched


# ---- no audio output: checked in a fresh process, since PortAudio initialises once ----------
_PROBE = textwrap.dedent("""
    import ctypes.util, sys
    if sys.argv[1] == "no-portaudio":  # what find_library answers where libportaudio is absent
        real = ctypes.util.find_library
        ctypes.util.find_library = lambda name: None if "portaudio" in name else real(name)
    from genre_desktop.audio.player import AudioUnavailable, Player
    try:
        Player().load(sys.argv[2])
    except AudioUnavailable as exc:
        print("UNAVAILABLE:", exc)
    else:
        print("PLAYABLE")
""")


def _probe(mode: str, clip: Path, alsa_config: str) -> str:
    env = dict(os.environ, ALSA_CONFIG_PATH=alsa_config)
    result = subprocess.run([sys.executable, "-c", _PROBE, mode, str(clip)], cwd=PROJECT_ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_without_portaudio_the_player_says_so(clip):
    out = _probe("no-portaudio", clip, os.environ["ALSA_CONFIG_PATH"])
    assert out.startswith("UNAVAILABLE:")
    assert "PortAudio" in out


def test_without_an_output_device_the_player_says_so(clip):
    # The system ALSA config alone: on a machine without a sound card there is no default PCM.
    system_config = "/usr/share/alsa/alsa.conf"
    if not Path(system_config).exists():
        pytest.skip("no system ALSA config")
    out = _probe("as-is", clip, system_config)
    if out == "PLAYABLE":
        pytest.skip("this machine has a sound card, so the no-device path cannot be shown here")
    assert out == "UNAVAILABLE: Preview is unavailable: no audio output device was found."
