"""Decoding: fidelity per format, exact seeking, downmix/resample, and survival of every bad input."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from scipy.signal import correlate

from genre_desktop.audio.decode import TARGET_SR, AudioInfo, DecodeError, probe, read_window, read_windows
from genre_desktop.audio.tags import Tags, read_tags
from genre_desktop.core.types import Window
from tests.corpus import FORMATS, HOUR_RATE, LOSSLESS, hour_tone_hz, sine

pytestmark = pytest.mark.timeout(120)

LOSSY = tuple(f for f in FORMATS if f not in LOSSLESS)
# Measured on blues.00003: SNR 23-31 dB, correlation >= 0.997, zero lag; AAC ends 7 samples early.
MIN_LOSSY_SNR_DB = 18.0
MIN_LOSSY_CORRELATION = 0.99
MAX_LENGTH_DIFF = 32


def _lag(a: np.ndarray, b: np.ndarray, span: int = 100_000) -> int:
    """How many samples ``a`` lags ``b`` (0 when aligned)."""
    corr = correlate(a[:span], b[:span], mode="full", method="fft")
    return int(np.argmax(corr)) - (len(b[:span]) - 1)


def _peak_hz(y: np.ndarray, sr: int) -> float:
    spectrum = np.abs(np.fft.rfft(y * np.hanning(len(y))))
    return float(np.fft.rfftfreq(len(y), 1 / sr)[np.argmax(spectrum)])


def _assert_same_audio(fmt: str, window: np.ndarray, reference: np.ndarray) -> None:
    """Equal for lossless; the same signal at the same offset for lossy decoders started elsewhere."""
    assert window.shape == reference.shape
    if fmt in LOSSLESS:
        np.testing.assert_array_equal(window, reference)
    elif fmt == "m4a":  # AAC's noise substitution is seeded by where decoding began: tiny, local noise
        error = window - reference
        assert 10 * np.log10(np.sum(reference**2) / max(float(np.sum(error**2)), 1e-20)) >= 40.0
        assert _lag(window, reference, span=len(window)) == 0
    else:  # only float rounding differs after a seek (measured <= 2e-7)
        assert np.max(np.abs(window - reference)) <= 1e-5


# --- fidelity per format ----------------------------------------------------------------------

@pytest.mark.parametrize("fmt", FORMATS)
def test_decoded_clip_matches_the_original(fmt, encoded_clips, reference_clip):
    original, sr = reference_clip
    path = encoded_clips[fmt]
    decoded = read_window(path)
    assert decoded.dtype == np.float32 and decoded.ndim == 1
    assert abs(len(decoded) - len(original)) <= (0 if fmt in LOSSLESS else MAX_LENGTH_DIFF)
    n = min(len(decoded), len(original))
    if fmt in LOSSLESS:
        np.testing.assert_array_equal(decoded, original)
        return
    assert _lag(decoded, original) == 0
    error = decoded[:n] - original[:n]
    snr = 10 * np.log10(np.sum(original[:n] ** 2) / np.sum(error**2))
    assert snr >= MIN_LOSSY_SNR_DB
    assert np.corrcoef(decoded[:n], original[:n])[0, 1] >= MIN_LOSSY_CORRELATION


@pytest.mark.parametrize("fmt", FORMATS)
def test_probe_reports_the_stream_without_decoding(fmt, encoded_clips):
    info = probe(encoded_clips[fmt])
    assert isinstance(info, AudioInfo)
    assert info.duration == pytest.approx(30.013, abs=0.01)
    assert info.channels == 1
    assert info.samplerate == (48000 if fmt == "opus" else 22050)
    assert info.codec in {"mp3": ("mp3",), "flac": ("flac",), "wav": ("wav/pcm_16",), "ogg": ("vorbis",),
                          "opus": ("opus",), "m4a": ("aac",), "alac": ("alac",)}[fmt]


@pytest.mark.parametrize("fmt", FORMATS)
def test_seeking_equals_the_same_slice_of_a_full_decode(fmt, encoded_clips):
    path = encoded_clips[fmt]
    native = probe(path).samplerate
    full = read_window(path, sr=None)
    for start in (0.0, 3.3, 12.0, 25.0):
        window = read_window(path, start, 2.0, sr=None)
        first = round(start * native)
        assert len(window) == round(2.0 * native)
        reference = full[first:first + len(window)]
        _assert_same_audio(fmt, window, reference)


@pytest.mark.parametrize("fmt", ["flac", "mp3", "m4a"])
def test_read_windows_opens_once_and_matches_single_reads(fmt, encoded_clips):
    path = encoded_clips[fmt]
    windows = [Window(20.0, 28.0), Window(1.0, 4.0), Window(10.5, 11.0)]
    many = read_windows(path, windows)
    for window, samples in zip(windows, many):
        _assert_same_audio(fmt, samples, read_window(path, window.start, window.duration))
        assert len(samples) == round(window.duration * TARGET_SR)


def test_real_mp3_clip_decodes_to_the_flac_original(gtzan_dir):
    mp3 = read_window(gtzan_dir / "audio" / "blues" / "blues.00099.mp3")
    assert len(mp3) == 661794
    assert np.all(np.isfinite(mp3)) and np.max(np.abs(mp3)) > 0.05


# --- channels and rates -------------------------------------------------------------------------

def test_stereo_44k_downmixes_to_mono_22k_with_the_right_frequency(tmp_path):
    sr, seconds = 44100, 4.0
    common, difference = sine(1000, seconds, sr), sine(3000, seconds, sr, amplitude=0.3)
    path = tmp_path / "stereo.wav"
    sf.write(path, np.stack([common + difference, common - difference], axis=1), sr, subtype="FLOAT")
    mono = read_window(path, 1.0, 2.0)
    assert mono.shape == (2 * TARGET_SR,) and mono.dtype == np.float32
    assert _peak_hz(mono, TARGET_SR) == pytest.approx(1000, abs=1)
    assert np.sqrt(np.mean(mono**2)) == pytest.approx(0.5 / np.sqrt(2), rel=0.01)  # the 3 kHz part cancels
    spectrum = np.abs(np.fft.rfft(mono * np.hanning(len(mono))))
    freqs = np.fft.rfftfreq(len(mono), 1 / TARGET_SR)
    assert spectrum[np.abs(freqs - 3000) < 5].max() < 1e-3 * spectrum.max()


def test_multichannel_and_native_rate_are_kept_on_request(tmp_path):
    path = tmp_path / "six.flac"
    six = np.stack([sine(200 * (c + 1), 3.0, 48000, amplitude=0.2) for c in range(6)], axis=1)
    sf.write(path, six, 48000)
    block = read_window(path, 0.5, 1.0, sr=None, mono=False)
    assert block.shape == (48000, 6) and block.dtype == np.float32
    np.testing.assert_allclose(block, six[24000:72000], atol=1 / 32768)
    resampled = read_window(path, 0.5, 1.0, sr=44100, mono=False)
    assert resampled.shape == (44100, 6)
    assert _peak_hz(resampled[:, 2], 44100) == pytest.approx(600, abs=2)


def test_back_to_back_reads_join_without_clicks(encoded_clips):
    """The preview player reads consecutive blocks; resampling context makes them seamless."""
    path = encoded_clips["flac"]
    whole = read_window(path, 0.0, 5.0, sr=44100)
    blocks = np.concatenate([read_window(path, t, 0.5, sr=44100) for t in np.arange(0, 5.0, 0.5)])
    assert len(blocks) == len(whole)
    assert np.max(np.abs(blocks - whole)) < 1e-3


def test_windows_past_the_end_come_back_short_or_empty(encoded_clips):
    path = encoded_clips["flac"]
    tail = read_window(path, 29.0, 10.0)
    assert len(tail) == 661794 - 29 * TARGET_SR
    assert read_window(path, 45.0, 5.0).shape == (0,)
    assert read_window(path, 28.0).shape == (661794 - 28 * TARGET_SR,)


def test_non_finite_samples_become_zero(tmp_path):
    y = sine(440, 2.0, 22050)
    y[100:200], y[500], y[900] = np.nan, np.inf, -np.inf
    path = tmp_path / "poisoned.wav"
    sf.write(path, y, 22050, subtype="FLOAT")
    out = read_window(path)
    assert np.all(np.isfinite(out)) and np.all(out[100:200] == 0)


def test_one_hour_file_reads_a_late_window_without_decoding_the_rest(bad_inputs):
    path = next(p for p in bad_inputs if p.name == "one_hour.flac")
    assert probe(path).duration == pytest.approx(3600.0)
    tracemalloc.start()
    try:
        window = read_window(path, 50 * 60, 1.0)
        windows = read_windows(path, [Window(600, 630), Window(1800, 1830), Window(3000, 3030)])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(window) == TARGET_SR
    assert _peak_hz(window, TARGET_SR) == pytest.approx(hour_tone_hz(50), abs=2)
    assert [len(w) for w in windows] == [30 * TARGET_SR] * 3
    assert peak < 40e6  # a whole decode would hold 3600 s x 11025 Hz x 4 B = 159 MB
    assert HOUR_RATE * 3600 * 4 > 4 * peak


# --- bad inputs -----------------------------------------------------------------------------------

def _windows_for(duration: float) -> list[Window]:
    if duration <= 30.0:
        return [Window(0.0, duration)]
    return [Window(s, s + 30.0) for s in np.linspace(0.0, duration - 30.0, 3)]


def _readable(reason: str) -> bool:
    return 0 < len(reason) < 120 and reason[0].islower() and "Errno" not in reason and "<" not in reason


def test_the_corpus_covers_enough_cases(bad_inputs):
    assert len(bad_inputs) >= 30
    assert {bad.expect for bad in bad_inputs.values()} == {"analysed", "problem", "ignored"}
    assert sum(bad.vanishes for bad in bad_inputs.values()) == 1


def test_every_bad_input_decodes_or_gives_a_readable_reason(bad_inputs):
    wrong = []
    for path, bad in bad_inputs.items():
        try:
            info = probe(path)
            chunks = read_windows(path, _windows_for(info.duration))
        except DecodeError as e:
            if bad.decodes:
                wrong.append(f"{path.name!r} ({bad}): unexpected DecodeError {e}")
            elif not _readable(str(e)) or (bad.reason and bad.reason not in str(e)):
                wrong.append(f"{path.name!r} ({bad}): reason {str(e)!r}, expected {bad.reason!r}")
            continue
        if not bad.decodes:
            wrong.append(f"{path.name!r} ({bad}): decoded, expected a DecodeError")
        elif not all(len(c) > 0 and c.dtype == np.float32 and np.all(np.isfinite(c)) for c in chunks):
            wrong.append(f"{path.name!r} ({bad}): empty or non-finite samples")
    assert not wrong, "\n".join(wrong)


def test_tags_never_raise_on_bad_inputs(bad_inputs):
    for path in bad_inputs:
        assert isinstance(read_tags(path), Tags)


@pytest.mark.parametrize("name", ["missing.mp3"])
def test_a_missing_file_is_reported_plainly(tmp_path, name):
    with pytest.raises(DecodeError, match="^file not found$"):
        probe(tmp_path / name)
    with pytest.raises(DecodeError, match="^file not found$"):
        read_window(tmp_path / name)


def test_an_unreadable_file_says_permission_denied(tmp_path, monkeypatch):
    path = tmp_path / "locked.flac"
    sf.write(path, sine(440, 1.0, 22050), 22050)

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("builtins.open", refuse)  # root ignores chmod 000, so refuse the open itself
    with pytest.raises(DecodeError, match="^permission denied$"):
        probe(path)


def test_wrong_extensions_decode_by_content(bad_inputs):
    for name, codec in [("flac_named.mp3", "flac"), ("mp3_named.ogg", "mp3"), ("aac_named.flac", "aac"),
                        ("ogg_named.wav", "vorbis")]:
        path = next(p for p in bad_inputs if p.name == name)
        assert probe(path).codec == codec
        assert len(read_window(path, 10.0, 1.0)) == TARGET_SR


def test_a_vbr_mp3_without_length_header_is_read_to_its_real_end(bad_inputs):
    """libsndfile would stop at its length guess; FFmpeg decodes every frame."""
    path = next(p for p in bad_inputs if p.name == "vbr_no_xing_header.mp3")
    assert len(read_window(path, sr=None)) == pytest.approx(661794, abs=1200)


def test_truncated_files_say_where_the_audio_stops(bad_inputs):
    path = next(p for p in bad_inputs if p.name == "truncated_half.flac")
    assert len(read_window(path, 0.0, 5.0)) == 5 * TARGET_SR  # the intact part still reads
    with pytest.raises(DecodeError, match=r"truncated or corrupt audio data \(audio stops at \d"):
        read_window(path, 0.0, 30.0)
