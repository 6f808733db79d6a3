"""The feature extractor reproduces the GTZAN table and the naive recipe, fast.

Fidelity is checked on every real FLAC clip against features_30_sec.csv. Tolerances: the
extractor reproduces the table to float32 rounding (median relative error ~1e-7, worst ~6e-5),
so the bounds below (median 1e-5, worst 1e-3) leave two orders of magnitude for other CPUs and
BLAS/FFT builds while still catching any change of recipe: librosa 0.11's default zero padding
alone gives a median error of 1.3e-3 on rms_var. harmony_mean and perceptr_mean are means of
zero-mean signals (typically ~1e-5 in size), so relative error means nothing there; they are
held to an absolute 1e-6, a tenth of their typical size (observed error: ~2e-9).
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest
import scipy.ndimage
import soundfile as sf

from genre_desktop.core import feature_kernels, features
from genre_desktop.core.features import FEATURE_NAMES, SAMPLE_RATE, extract, extract_features

PROJECT_ROOT = Path(__file__).resolve().parents[2]
NEAR_ZERO = ("harmony_mean", "perceptr_mean")
NEAR_ZERO_IDX = [FEATURE_NAMES.index(name) for name in NEAR_ZERO]
RELATIVE_IDX = [i for i in range(len(FEATURE_NAMES)) if i not in NEAR_ZERO_IDX]
TEMPO_IDX = FEATURE_NAMES.index("tempo")


def _read(path: Path) -> np.ndarray:
    samples, rate = sf.read(path, dtype="float32")
    assert rate == SAMPLE_RATE and samples.ndim == 1
    return samples


def _csv_rows(gtzan_dir: Path) -> dict[str, np.ndarray]:
    with open(gtzan_dir / "features_30_sec.csv", newline="") as fh:
        return {Path(row["filename"]).stem: np.array([float(row[n]) for n in FEATURE_NAMES])
                for row in csv.DictReader(fh)}


@pytest.fixture(scope="module")
def flac_clips(gtzan_dir) -> list[Path]:
    clips = sorted((gtzan_dir / "audio").glob("*/*.flac"))
    assert len(clips) >= 100
    return clips


@pytest.fixture(scope="module")
def table_and_ours(gtzan_dir, flac_clips) -> tuple[np.ndarray, np.ndarray]:
    rows = _csv_rows(gtzan_dir)
    expected = np.array([rows[clip.stem] for clip in flac_clips])
    ours = np.array([extract(_read(clip)) for clip in flac_clips])
    return expected, ours


def test_feature_names_are_the_csv_columns(gtzan_dir):
    with open(gtzan_dir / "features_30_sec.csv", newline="") as fh:
        header = next(csv.reader(fh))
    assert FEATURE_NAMES == tuple(header[2:-1])
    assert len(FEATURE_NAMES) == 57 and header[:2] == ["filename", "length"]
    assert isinstance(features.RECIPE_VERSION, str) and features.RECIPE_VERSION


def test_reproduces_the_table_on_every_clip(table_and_ours):
    expected, ours = table_and_ours
    assert ours.shape == expected.shape and np.all(np.isfinite(ours))
    rel = np.abs(ours - expected) / np.abs(expected)
    median = np.median(rel[:, RELATIVE_IDX], axis=0)
    worst = {FEATURE_NAMES[i]: float(m) for i, m in zip(RELATIVE_IDX, median) if m > 1e-5}
    assert not worst, f"median relative error above 1e-5: {worst}"
    assert float(np.max(median)) <= 1e-3  # the published bound, for the record
    peak = np.max(rel[:, RELATIVE_IDX], axis=0)
    worst = {FEATURE_NAMES[i]: float(m) for i, m in zip(RELATIVE_IDX, peak) if m > 1e-3}
    assert not worst, f"some clip is off by more than 1e-3: {worst}"


def test_near_zero_means_match_absolutely(table_and_ours):
    expected, ours = table_and_ours
    error = np.abs(ours[:, NEAR_ZERO_IDX] - expected[:, NEAR_ZERO_IDX])
    assert float(np.max(error)) <= 1e-6


def test_tempo_matches_exactly(table_and_ours):
    expected, ours = table_and_ours
    assert np.array_equal(ours[:, TEMPO_IDX], expected[:, TEMPO_IDX])


# --- the naive recipe -------------------------------------------------------------------------

_NAIVE_SCRIPT = """
import sys
import numpy as np
sys.path.insert(0, sys.argv[1])
from benchmarks.reference_recipe import reference_features
inputs = np.load(sys.argv[2])
np.save(sys.argv[3], np.array([reference_features(inputs[key]) for key in sorted(inputs.files)]))
"""


@pytest.fixture(scope="module")
def naive_cases(flac_clips, tmp_path_factory) -> dict[str, np.ndarray]:
    """Whole clips, short windows and silence, through the naive recipe in a child process.

    The child compiles librosa's numba kernels into its own cache: a cache left in a shared
    site-packages by another machine can crash librosa's beat tracker, and that must not take
    the test session down with it.
    """
    by_name = {clip.stem: clip for clip in flac_clips}
    metal, jazz = _read(by_name["metal.00004"]), _read(by_name["jazz.00005"])
    cases = {
        "blues": _read(by_name["blues.00003"]),
        "classical": _read(by_name["classical.00002"]),
        "hiphop": _read(by_name["hiphop.00007"]),
        "metal_5s": metal[3 * SAMPLE_RATE: 8 * SAMPLE_RATE],
        "jazz_12s": jazz[int(7.3 * SAMPLE_RATE): int(19.6 * SAMPLE_RATE)],
        "silence": np.zeros(10 * SAMPLE_RATE, dtype=np.float32),
    }
    folder = tmp_path_factory.mktemp("naive")
    np.savez(folder / "in.npz", **cases)
    env = dict(os.environ, NUMBA_CACHE_DIR=str(Path(tempfile.gettempdir()) / "genre-desktop-numba"))
    subprocess.run([sys.executable, "-c", _NAIVE_SCRIPT, str(PROJECT_ROOT), str(folder / "in.npz"),
                    str(folder / "out.npy")], check=True, env=env, timeout=600)
    naive = np.load(folder / "out.npy")
    return {key: (cases[key], naive[i]) for i, key in enumerate(sorted(cases))}


@pytest.mark.parametrize("case", ["blues", "classical", "hiphop", "metal_5s", "jazz_12s",
                                  "silence"])
def test_equals_the_naive_recipe(naive_cases, case):
    samples, naive = naive_cases[case]
    ours = extract(samples)
    np.testing.assert_allclose(ours[RELATIVE_IDX], naive[RELATIVE_IDX], rtol=1e-5, atol=1e-12)
    np.testing.assert_allclose(ours[NEAR_ZERO_IDX], naive[NEAR_ZERO_IDX], rtol=0, atol=1e-8)


# --- edge cases -------------------------------------------------------------------------------

def test_silence_gives_finite_documented_values():
    values = extract_features(np.zeros(30 * SAMPLE_RATE, dtype=np.float32))
    assert all(np.isfinite(v) for v in values.values())
    assert values["rms_mean"] == 0.0 and values["tempo"] == 0.0
    assert values["chroma_stft_mean"] == 0.0 and values["harmony_var"] == 0.0
    assert values["mfcc1_mean"] == pytest.approx(-100.0 * np.sqrt(128))  # the -100 dB floor
    assert values["mfcc2_mean"] == pytest.approx(0.0, abs=1e-4)


@pytest.mark.parametrize("seconds", [1.0, 5.0, 17.3, 30.0])
def test_short_windows_are_fine(flac_clips, seconds):
    samples = _read(flac_clips[42])[: int(seconds * SAMPLE_RATE)]
    values = extract(samples)
    assert values.shape == (57,) and values.dtype == np.float64 and np.all(np.isfinite(values))


def test_float64_input_is_treated_as_float32(flac_clips):
    samples = _read(flac_clips[7])[: 10 * SAMPLE_RATE]
    assert np.array_equal(extract(samples.astype(np.float64)), extract(samples))


def test_dict_is_in_feature_order(flac_clips):
    samples = _read(flac_clips[3])[: 6 * SAMPLE_RATE]
    as_dict = extract_features(samples)
    assert tuple(as_dict) == FEATURE_NAMES
    assert np.array_equal(np.array(list(as_dict.values())), extract(samples))


@pytest.mark.parametrize("bad, sr, reason", [
    (np.full(SAMPLE_RATE * 2, np.nan, dtype=np.float32), SAMPLE_RATE, "NaN"),
    (np.zeros((SAMPLE_RATE * 2, 2), dtype=np.float32), SAMPLE_RATE, "mono"),
    (np.zeros(SAMPLE_RATE // 2, dtype=np.float32), SAMPLE_RATE, "too short"),
    (np.zeros(44100 * 2, dtype=np.float32), 44100, "22050 Hz"),
    (np.zeros(SAMPLE_RATE * 2, dtype=np.int16), SAMPLE_RATE, "floating-point"),
])
def test_bad_input_raises_a_clear_value_error(bad, sr, reason):
    with pytest.raises(ValueError, match=reason):
        extract(bad, sr)


def test_loud_noise_stays_finite():
    rng = np.random.default_rng(0)
    values = extract((rng.standard_normal(5 * SAMPLE_RATE) * 30).astype(np.float32))
    assert np.all(np.isfinite(values))


@pytest.mark.parametrize("shape", [(40, 7), (16, 300), (300, 16), (1025, 57)])
def test_sliding_median_equals_scipy(shape):
    rng = np.random.default_rng(sum(shape))
    data = rng.integers(0, 6, size=shape).astype(np.float32)  # plenty of ties
    data[::3] += rng.random((len(data[::3]), shape[1]), dtype=np.float32)
    expected = scipy.ndimage.median_filter(data, size=(31, 1), mode="reflect")
    assert np.array_equal(feature_kernels.sliding_median(np.ascontiguousarray(data), 31), expected)


def test_tempo_equals_librosas_on_many_stretches(flac_clips):
    """The one-inverse-FFT tempogram picks the same tempo as librosa.feature.tempo."""
    import librosa

    rng = np.random.default_rng(7)
    for clip in flac_clips[::4]:
        samples = _read(clip)
        seconds = rng.uniform(5.0, 30.0)
        start = int(rng.uniform(0, 30.0 - seconds) * SAMPLE_RATE)
        piece = samples[start: start + int(seconds * SAMPLE_RATE)]
        power = np.abs(librosa.stft(piece, pad_mode=features.PAD_MODE)) ** 2
        mel_db = librosa.power_to_db(features._mel_basis(SAMPLE_RATE) @ power)
        envelope = librosa.onset.onset_strength(S=mel_db, sr=SAMPLE_RATE, aggregate=np.median)
        expected = librosa.feature.tempo(onset_envelope=envelope, sr=SAMPLE_RATE)[0]
        assert features._tempo(mel_db, SAMPLE_RATE) == expected, clip.name
