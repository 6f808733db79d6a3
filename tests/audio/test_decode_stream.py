"""open_stream: a track read on block by block (for playback) equals the same stretch read in one go."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
import soundfile as sf

from genre_desktop.audio.decode import DecodeError, open_stream, probe, read_window
from tests.corpus import FORMATS, HOUR_RATE, hour_tone_hz, sine, write_one_hour

pytestmark = pytest.mark.timeout(120)

ODD_BLOCKS = (1, 441, 4410, 999, 65536, 7)  # sizes that straddle every decoder's own frame boundaries


def _read_all(stream, sizes=ODD_BLOCKS) -> np.ndarray:
    blocks, i = [], 0
    while True:
        block = stream.read(sizes[i % len(sizes)])
        assert block.dtype == np.float32 and block.ndim == 2 and block.shape[1] == stream.channels
        if len(block) == 0:
            break
        blocks.append(block)
        i += 1
    return np.concatenate(blocks)


def _peak_hz(y: np.ndarray, sr: int) -> float:
    spectrum = np.abs(np.fft.rfft(y * np.hanning(len(y))))
    return float(np.fft.rfftfreq(len(y), 1 / sr)[np.argmax(spectrum)])


@pytest.mark.parametrize("rate", [None, 44100])
@pytest.mark.parametrize("fmt", FORMATS)
def test_blocks_join_into_exactly_the_whole_read(fmt, rate, encoded_clips):
    """Consecutive blocks, resampled or not, equal one long read: no gaps, no overlaps, no clicks."""
    path = encoded_clips[fmt]
    whole = read_window(path, 0.0, None, sr=rate, mono=False)
    with open_stream(path, 0.0, sr=rate, mono=False) as stream:
        assert stream.samplerate == (rate or probe(path).samplerate)
        streamed = _read_all(stream)
    assert streamed.shape == whole.shape
    np.testing.assert_allclose(streamed, whole, rtol=0, atol=1e-6)


@pytest.mark.parametrize("fmt", ["flac", "mp3", "ogg", "m4a"])
def test_seeking_starts_where_a_window_read_starts(fmt, encoded_clips):
    path = encoded_clips[fmt]
    with open_stream(path, 5.0, sr=44100) as stream:
        for start in (5.0, 21.7, 0.0, 12.25):
            stream.seek(start)
            block = stream.read(44100)[:, 0]
            window = read_window(path, start, 1.0, sr=44100)
            assert len(block) == len(window) == 44100
            if fmt != "m4a":  # exact up to float rounding
                np.testing.assert_allclose(block, window, rtol=0, atol=1e-5)
            else:  # AAC's noise substitution depends on where decoding began: tiny and local
                error = block - window
                assert 10 * np.log10(np.sum(window**2) / max(float(np.sum(error**2)), 1e-20)) >= 40.0


def test_channels_are_kept_or_mixed_down(tmp_path):
    left, right = sine(500, 2.0, 22050), sine(1500, 2.0, 22050)
    path = tmp_path / "stereo.flac"
    sf.write(path, np.stack([left, right], axis=1), 22050, subtype="PCM_24")
    with open_stream(path, sr=None, mono=False) as stereo:
        assert stereo.channels == 2
        np.testing.assert_allclose(_read_all(stereo), np.stack([left, right], axis=1), atol=1e-6)
    with open_stream(path, sr=None, mono=True) as mono:
        assert mono.channels == 1
        np.testing.assert_allclose(_read_all(mono)[:, 0], (left + right) / 2, atol=1e-6)


def test_the_end_and_beyond_read_empty(encoded_clips):
    with open_stream(encoded_clips["flac"], 29.0, sr=None) as stream:
        assert stream.frames == 661794
        assert len(stream.read(10**6)) == 661794 - 29 * 22050
        assert len(stream.read(100)) == 0
        stream.seek(100.0)
        assert len(stream.read(100)) == 0
        with pytest.raises(ValueError):
            stream.seek(-1.0)


def test_a_truncated_file_streams_as_far_as_its_data_goes(bad_inputs):
    """A window read calls the missing half an error; playback simply ends where the data does."""
    path = next(p for p in bad_inputs if p.name == "truncated_half.flac")
    with pytest.raises(DecodeError):
        read_window(path, 0.0, 30.0)
    with open_stream(path, sr=None) as stream:
        played = len(_read_all(stream)) / 22050
    assert 10.0 < played < 20.0


@pytest.mark.parametrize("name, reason", [("readme.mp3", "not an audio file"), ("missing.flac", "file not found"),
                                          ("empty.mp3", "empty file"), ("video_only.m4a", "no audio stream")])
def test_what_cannot_be_streamed_says_why_at_open(name, reason, bad_inputs, tmp_path):
    path = next((p for p in bad_inputs if p.name == name), tmp_path / name)
    with pytest.raises(DecodeError, match=reason):
        open_stream(path)


def test_streaming_an_hour_holds_only_a_block_in_memory(tmp_path):
    path = write_one_hour(tmp_path / "hour.flac")
    with open_stream(path, 50 * 60, sr=None) as stream:
        assert stream.frames == 3600 * HOUR_RATE
        assert _peak_hz(stream.read(HOUR_RATE)[:, 0], HOUR_RATE) == pytest.approx(hour_tone_hz(50), abs=2)
        tracemalloc.start()
        try:
            for _ in range(5 * 60 * 20):  # five minutes in 50 ms blocks
                stream.read(HOUR_RATE // 20)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert _peak_hz(stream.read(HOUR_RATE)[:, 0], HOUR_RATE) == pytest.approx(hour_tone_hz(55), abs=2)
    assert peak < 2e6  # five minutes at once would be 13 MB; the whole hour 159 MB
