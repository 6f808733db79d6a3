"""The preview player streams: a few seconds decoded ahead, whatever the track's length.

Real playback on ALSA's paced null device (tests/alsa-null.conf), plus the audio callback driven by
hand where exact samples matter (nothing else calls it while the stream has not been started).
"""

from __future__ import annotations

import threading
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from genre_desktop.audio.decode import read_window
from genre_desktop.audio.player import Player
from tests.corpus import HOUR_RATE, hour_tone_hz, write_one_hour

pytestmark = pytest.mark.timeout(120)


def wait_for(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the player")
        time.sleep(0.005)


def _peak_hz(y: np.ndarray, sr: int) -> float:
    spectrum = np.abs(np.fft.rfft(y * np.hanning(len(y))))
    return float(np.fft.rfftfreq(len(y), 1 / sr)[np.argmax(spectrum)])


def _hand_played(player: Player, frames: int, block: int = 1000) -> np.ndarray:
    """What the callback hands over for ``frames`` frames, waiting for the reader before each block."""
    player._playing = True
    out, played = np.empty((block, 2), np.float32), []
    while len(played) * block < frames:
        wait_for(lambda: player.buffered_frames >= block)
        player._callback(out, block, None, None)
        played.append(out.copy())
    return np.concatenate(played)[:frames]


@pytest.fixture(scope="module")
def hour_file(tmp_path_factory) -> Path:
    """A real hour of stereo FLAC (small on disk); decoded whole it would take 318 MB."""
    return write_one_hour(tmp_path_factory.mktemp("hour") / "hour.flac", channels=2)


@pytest.fixture
def clip(gtzan_dir) -> Path:
    return gtzan_dir / "audio" / "blues" / "blues.00000.flac"


@pytest.fixture
def make_player():
    made: list[Player] = []

    def make(path: Path) -> Player:
        made.append(Player())
        made[-1].load(path)
        return made[-1]

    yield make
    for player in made:
        player.close()


def test_an_hour_long_track_plays_and_seeks_in_bounded_memory(hour_file):
    player = Player()
    tracemalloc.start()
    try:
        began = time.perf_counter()
        duration = player.load(hour_file)
        load_seconds = time.perf_counter() - began
        capacity = player.buffer_capacity_frames
        assert duration == pytest.approx(3600.0)
        assert player.samplerate == HOUR_RATE and capacity <= 5 * HOUR_RATE
        player.play()
        buffered = []
        for target in (0.0, 600.0, 3590.0, 1800.0, 3000.0):
            player.seek(target)
            until = time.monotonic() + 0.6
            while time.monotonic() < until:
                buffered.append(player.buffered_frames)
                time.sleep(0.01)
            assert target + 0.2 < player.position < target + 0.8  # real time, from the new spot
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        player.close()
    assert max(buffered) <= capacity
    assert max(buffered) > capacity // 2  # and it does read ahead
    assert peak < 10e6  # the whole hour in memory: 3600 s x 11025 Hz x 2 ch x 4 B = 318 MB
    assert load_seconds < 2.0  # no decode of the whole hour first


def test_a_seek_deep_into_an_hour_plays_that_minute(make_player, hour_file):
    player = make_player(hour_file)
    for minute in (50, 7, 59):
        player.seek(minute * 60.0)
        heard = _hand_played(player, HOUR_RATE, block=HOUR_RATE // 25)
        assert _peak_hz(heard[:, 0], HOUR_RATE) == pytest.approx(hour_tone_hz(minute), abs=2)
        assert player.position == pytest.approx(minute * 60.0 + 1.0, abs=1e-6)


def test_streamed_frames_are_exactly_the_decoded_track(make_player, clip):
    """Across many wraps of the ring and many decode blocks: no frame lost, repeated or altered."""
    player = make_player(clip)
    player.seek(2.0)
    heard = _hand_played(player, 8 * 22050, block=777)
    expected = read_window(clip, 2.0, 8.0, sr=None)
    np.testing.assert_array_equal(heard[:, 0], expected)
    np.testing.assert_array_equal(heard[:, 1], expected)
    handed = -(-8 * 22050 // 777) * 777  # whole blocks
    assert player.position == pytest.approx(2.0 + handed / 22050, abs=1e-9)


def test_an_underrun_plays_silence_and_holds_the_position(make_player, clip):
    player = make_player(clip)
    player.seek(3.0)
    wait_for(lambda: player.buffered_frames > 0)
    stream = player._readahead._reader
    gate, real_read = threading.Event(), stream.read
    stream.read = lambda frames: (gate.wait(10), real_read(frames))[1]  # the disk stalls
    player._playing = True
    out = np.empty((512, 2), np.float32)
    while player.buffered_frames:
        player._callback(out, 512, None, None)
    held, underruns = player.position, player.underruns
    for _ in range(3):
        player._callback(out, 512, None, None)
        assert not out.any()
    assert player.position == held  # silence handed over is not track played
    assert player.underruns == underruns + 3
    gate.set()
    heard = _hand_played(player, 512, block=512)
    np.testing.assert_array_equal(heard[:, 0], read_window(clip, held, 512 / 22050, sr=None))
    assert player.position == pytest.approx(held + 512 / 22050)


def test_seeks_are_ready_to_play_quickly(make_player, encoded_clips):
    for fmt in ("flac", "mp3", "ogg", "m4a"):
        player = make_player(encoded_clips[fmt])
        for target in (20.0, 3.0, 27.5):
            began = time.perf_counter()
            player.seek(target)
            wait_for(lambda: player.buffered_frames > 0)
            assert time.perf_counter() - began < 0.25, fmt


def test_steady_playback_does_not_underrun(make_player, clip):
    player = make_player(clip)
    player.play(start=5.0)
    wait_for(lambda: player.position >= 5.2)
    underruns = player.underruns
    time.sleep(1.5)
    assert player.underruns == underruns
    assert player.buffered_frames > 22050  # more than a second ahead


def test_a_rate_the_output_refuses_is_resampled_as_it_streams(monkeypatch, make_player, clip):
    monkeypatch.setattr("genre_desktop.audio.player.plays_rate", lambda sd, device, rate: rate == 48000)
    monkeypatch.setattr("genre_desktop.audio.player.default_output_device",
                        lambda: {"index": None, "max_output_channels": 2, "default_samplerate": 48000.0})
    player = make_player(clip)
    assert player.samplerate == 48000 and player.duration == pytest.approx(661794 / 22050, abs=1e-4)
    player.seek(4.0)
    heard = _hand_played(player, 3 * 48000, block=960)
    expected = read_window(clip, 4.0, 3.0, sr=48000)
    np.testing.assert_allclose(heard[:, 0], expected, rtol=0, atol=1e-6)  # one resampler across blocks
