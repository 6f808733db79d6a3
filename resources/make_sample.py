"""Synthesize the two short demo clips in resources/sample/ that --self-test decodes and classifies.

The clips are made here from scratch (drums, bass and chords out of sine waves and noise), so the
project ships no third-party audio. They are deterministic: the same script writes the same
samples. Run it again after changing it:

    .venv/bin/python resources/make_sample.py

Output: sample_groove.mp3 (MPEG Layer III) and sample_swing.ogg (Ogg Vorbis), 22050 Hz mono,
about 8 s each and well under 200 KB together.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

SAMPLE_RATE = 22050
SECONDS = 8.0
OUT_DIR = Path(__file__).resolve().parent / "sample"


@dataclass(frozen=True)
class Style:
    bpm: float
    swing: float  # 0 = straight eighths; 0.33 = triplet feel
    chords: tuple[tuple[int, ...], ...]  # MIDI notes, one chord per bar
    bass_pattern: tuple[int, ...]  # chord-tone index per beat (-1 = rest)
    seed: int


def _midi_hz(note: float) -> float:
    return 440.0 * 2.0 ** ((note - 69) / 12)


def _envelope(n: int, attack: float, decay: float) -> np.ndarray:
    t = np.arange(n) / SAMPLE_RATE
    return np.minimum(1.0, t / max(attack, 1e-4)) * np.exp(-t / decay)


def _add(track: np.ndarray, start_s: float, sound: np.ndarray) -> None:
    start = int(start_s * SAMPLE_RATE)
    end = min(len(track), start + len(sound))
    if start < end:
        track[start:end] += sound[: end - start]


def _kick(rng: np.random.Generator) -> np.ndarray:
    n = int(0.25 * SAMPLE_RATE)
    t = np.arange(n) / SAMPLE_RATE
    # A falling pitch sweep is what makes a sine sound like a bass drum.
    phase = 2 * np.pi * (45 * t + 60 * (1 - np.exp(-t * 30)) / 30)
    return np.sin(phase) * _envelope(n, 0.002, 0.09)


def _snare(rng: np.random.Generator) -> np.ndarray:
    n = int(0.18 * SAMPLE_RATE)
    t = np.arange(n) / SAMPLE_RATE
    body = 0.4 * np.sin(2 * np.pi * 190 * t)
    return (rng.normal(0, 0.5, n) + body) * _envelope(n, 0.001, 0.05)


def _hat(rng: np.random.Generator) -> np.ndarray:
    n = int(0.06 * SAMPLE_RATE)
    noise = rng.normal(0, 1, n)
    bright = np.diff(noise, prepend=0.0)  # first difference = crude high-pass
    return 0.25 * bright * _envelope(n, 0.0005, 0.012)


def _tone(freq: float, seconds: float, harmonics: tuple[float, ...], decay: float) -> np.ndarray:
    n = int(seconds * SAMPLE_RATE)
    t = np.arange(n) / SAMPLE_RATE
    wave = sum(amp * np.sin(2 * np.pi * freq * (k + 1) * t) for k, amp in enumerate(harmonics))
    return wave * _envelope(n, 0.01, decay)


def render(style: Style) -> np.ndarray:
    rng = np.random.default_rng(style.seed)
    track = np.zeros(int(SECONDS * SAMPLE_RATE))
    beat = 60.0 / style.bpm
    n_beats = int(SECONDS / beat)
    for b in range(n_beats):
        t0 = b * beat
        bar, pos = divmod(b, 4)
        chord = style.chords[bar % len(style.chords)]
        _add(track, t0, (0.9 if pos in (0, 2) else 0.3) * _kick(rng))
        if pos in (1, 3):
            _add(track, t0, 0.6 * _snare(rng))
        for half in (0.0, 0.5 + style.swing / 2):
            _add(track, t0 + half * beat, _hat(rng))
        degree = style.bass_pattern[pos]
        if degree >= 0:
            note = chord[degree % len(chord)] - 24
            _add(track, t0, 0.5 * _tone(_midi_hz(note), beat * 0.95, (1.0, 0.4, 0.15), 0.35))
        if pos == 0:
            for note in chord:
                pad = _tone(_midi_hz(note), beat * 4, (0.6, 0.25, 0.12, 0.06), 1.2)
                _add(track, t0, 0.12 * pad)
    fade = int(0.3 * SAMPLE_RATE)
    track[-fade:] *= np.linspace(1.0, 0.0, fade)
    return (0.8 * track / np.max(np.abs(track))).astype(np.float32)


GROOVE = Style(bpm=118, swing=0.0, chords=((57, 60, 64), (53, 57, 60), (48, 52, 55), (55, 59, 62)),
               bass_pattern=(0, 0, 2, 1), seed=7)
SWING = Style(bpm=132, swing=0.33, chords=((62, 65, 69, 72), (55, 59, 62, 65), (60, 64, 67, 71)),
              bass_pattern=(0, 1, 2, 3), seed=11)


def main() -> None:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    # compression_level near 1 = the smallest files; these are test clips, not hi-fi.
    sf.write(OUT_DIR / "sample_groove.mp3", render(GROOVE), SAMPLE_RATE,
             format="MP3", subtype="MPEG_LAYER_III", compression_level=0.75, bitrate_mode="CONSTANT")
    sf.write(OUT_DIR / "sample_swing.ogg", render(SWING), SAMPLE_RATE,
             format="OGG", subtype="VORBIS", compression_level=0.7)
    for path in sorted(OUT_DIR.iterdir()):
        print(f"{path.name}: {path.stat().st_size / 1024:.1f} KB")


if __name__ == "__main__":
    main()
