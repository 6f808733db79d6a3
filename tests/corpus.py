"""Test audio made on demand and never committed.

``make_demo_library`` re-encodes the real GTZAN clips (from ../shared/data) into a tagged library of
mixed formats; ``write_audio`` encodes any signal in any supported format; ``write_one_hour`` makes a
real hour of audio that stays small on disk. The damaged, odd and hostile inputs live in
tests/bad_inputs.py (``make_bad_inputs``, ``BadInput`` and ``vanishing`` are still importable from here).
Everything is deterministic.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import mutagen
import numpy as np
import soundfile as sf
import soxr
from mutagen.id3 import ID3, TALB, TCON, TDRC, TIT2, TPE1

GTZAN_AUDIO = Path(__file__).resolve().parents[2] / "shared" / "data" / "gtzan" / "audio"
FORMATS = ("mp3", "flac", "wav", "ogg", "opus", "m4a", "alac")
EXTENSIONS = {"mp3": ".mp3", "flac": ".flac", "wav": ".wav", "ogg": ".ogg", "opus": ".opus",
              "m4a": ".m4a", "alac": ".m4a"}
LOSSLESS = ("flac", "wav", "alac")
_OPUS_RATES = (8000, 12000, 16000, 24000, 48000)
_LAYOUTS = {1: "mono", 2: "stereo", 6: "5.1"}
_GENRE_LABELS = {"hiphop": "Hip-Hop"}
HOUR_RATE = 11025


# --- sources -------------------------------------------------------------------------------------

def genre_names() -> list[str]:
    return sorted(p.name for p in GTZAN_AUDIO.iterdir() if p.is_dir())


def genre_label(genre: str) -> str:
    return _GENRE_LABELS.get(genre, genre.capitalize())


def genre_clips(genre: str) -> list[Path]:
    return sorted((GTZAN_AUDIO / genre).glob("*.flac"))


def load_clip(genre: str = "blues", index: int = 0) -> tuple[np.ndarray, int]:
    """A real 30 s clip: float32 mono at 22050 Hz."""
    y, sr = sf.read(genre_clips(genre)[index], dtype="float32")
    return y, sr


def sine(freq: float, seconds: float, sr: int, channels: int = 1, amplitude: float = 0.5) -> np.ndarray:
    t = np.arange(round(seconds * sr)) / sr
    y = (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.float32)
    return y if channels == 1 else np.repeat(y[:, None], channels, axis=1)


# --- writing -------------------------------------------------------------------------------------

def write_audio(path: Path, y: np.ndarray, sr: int, fmt: str, *, subtype: str | None = None,
                faststart: bool = False) -> Path:
    """Encode ``y`` ((n,) or (n, ch) float) as ``fmt`` whatever the file is named."""
    path = Path(path)
    if fmt in ("wav", "flac"):
        _sf_write(path, y, sr, fmt.upper(), subtype or "PCM_16")
    elif fmt == "ogg":
        _sf_write(path, y, sr, "OGG", "VORBIS")
    elif fmt == "opus":
        rate = sr if sr in _OPUS_RATES else 48000
        _sf_write(path, y if rate == sr else soxr.resample(y, sr, rate), rate, "OGG", "OPUS")
    elif fmt == "mp3":
        _sf_write(path, y, sr, "MP3", "MPEG_LAYER_III")
    elif fmt in ("m4a", "alac"):
        _pyav_encode(path, y, sr, "aac" if fmt == "m4a" else "alac", faststart=faststart)
    else:
        raise ValueError(f"unknown format {fmt!r}")
    return path


def _sf_write(path: Path, y: np.ndarray, sr: int, fmt: str, subtype: str) -> None:
    """soundfile.write in blocks: libsndfile's Vorbis encoder crashes on minutes of audio in one call."""
    channels = 1 if y.ndim == 1 else y.shape[1]
    with sf.SoundFile(path, "w", samplerate=sr, channels=channels, format=fmt, subtype=subtype) as f:
        for i in range(0, len(y), 1 << 16):
            f.write(y[i:i + (1 << 16)])


def _pyav_encode(path: Path, y: np.ndarray, sr: int, codec: str, faststart: bool = False) -> None:
    x = y[:, None] if y.ndim == 1 else y
    layout = _LAYOUTS[x.shape[1]]
    pcm = np.clip(x * 32768, -32768, 32767).astype(np.int16)
    options = {"movflags": "faststart"} if faststart else {}
    with av.open(str(path), "w", format="ipod", options=options) as out:
        stream = out.add_stream(codec, rate=sr, layout=layout)
        if codec == "aac":
            stream.bit_rate = 128000
        for i in range(0, len(pcm), 4096):
            frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(pcm[i:i + 4096].reshape(1, -1)),
                                               format="s16", layout=layout)
            frame.sample_rate, frame.pts, frame.time_base = sr, i, Fraction(1, sr)
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)


def tag_file(path: Path, *, title=None, artist=None, album=None, genre=None, year=None) -> None:
    values = {"title": title, "artist": artist, "album": album, "genre": genre,
              "date": None if year is None else str(year)}
    values = {k: str(v) for k, v in values.items() if v is not None}
    audio = mutagen.File(path, easy=True)
    if audio is None:
        raise ValueError(f"mutagen cannot tag {path}")
    if audio.tags is None:
        audio.add_tags()
    if isinstance(audio.tags, ID3):  # e.g. WAV: no "easy" interface, so write the frames directly
        frames = {"title": TIT2, "artist": TPE1, "album": TALB, "genre": TCON, "date": TDRC}
        for key, value in values.items():
            audio.tags.add(frames[key](encoding=3, text=[value]))
    else:
        for key, value in values.items():
            audio[key] = value
    audio.save()


# --- the demo library ----------------------------------------------------------------------------

def _track_audio(clips: list[Path], i: int, seconds: float | None) -> tuple[np.ndarray, int]:
    """Clip ``i`` (shifted when reused, so repeats differ), or clips concatenated to ``seconds``."""
    first, sr = sf.read(clips[i % len(clips)], dtype="float32")
    if seconds is None:
        return np.roll(first, (i // len(clips)) * sr), sr
    parts, total, k = [first], len(first), i + 1
    while total < seconds * sr:
        y, _ = sf.read(clips[k % len(clips)], dtype="float32")
        parts.append(y)
        total, k = total + len(y), k + 1
    return np.concatenate(parts)[:round(seconds * sr)], sr


def make_demo_library(folder: Path, n_per_genre: int = 2, formats: tuple[str, ...] = ("mp3", "ogg", "m4a", "flac"),
                      *, track_seconds: float | None = None, genres: list[str] | None = None,
                      with_tags: bool = True) -> list[Path]:
    """A tagged library of real music: ``folder/<Genre>/<Genre> Album/NN <title>.<ext>``.

    Formats rotate across tracks. ``track_seconds`` builds longer tracks by concatenating clips of the
    same genre (e.g. 240 for four-minute tracks). Tags: title, artist, album, genre label, year.
    """
    folder, paths, k = Path(folder), [], 0
    for genre in genres or genre_names():
        clips, label = genre_clips(genre), genre_label(genre)
        for i in range(n_per_genre):
            fmt = formats[k % len(formats)]
            k += 1
            y, sr = _track_audio(clips, i, track_seconds)
            title = f"{label} Piece {i + 1}"
            path = folder / label / f"{label} Album" / f"{i + 1:02d} {title}{EXTENSIONS[fmt]}"
            path.parent.mkdir(parents=True, exist_ok=True)
            write_audio(path, y, sr, fmt)
            if with_tags:
                tag_file(path, title=title, artist=f"{label} Ensemble {i % 3 + 1}", album=f"{label} Album",
                         genre=label, year=1990 + i)
            paths.append(path)
    return paths


# --- an hour of audio -----------------------------------------------------------------------------

def hour_tone_hz(minute: int) -> float:
    """The one-hour file opens each minute with one second of this tone, so a read can tell where it is."""
    return 200.0 + 10.0 * minute


def write_one_hour(path: Path, rate: int = HOUR_RATE, channels: int = 1) -> Path:
    """A real hour of FLAC that stays small (~0.5 MB per channel at 11025 Hz): silence with a one-second
    tone (``hour_tone_hz``) opening each minute."""
    minute = np.zeros((60 * rate, channels), np.float32)
    with sf.SoundFile(path, "w", samplerate=rate, channels=channels, format="FLAC", subtype="PCM_16") as f:
        for m in range(60):
            minute[:rate] = sine(hour_tone_hz(m), 1.0, rate, amplitude=0.3)[:, None]
            f.write(minute)
    return Path(path)


# --- re-exports ------------------------------------------------------------------------------------

_BAD_INPUT_NAMES = ("BadInput", "Outcome", "make_bad_inputs", "vanishing")


def __getattr__(name: str):
    """``from tests.corpus import make_bad_inputs`` keeps working; imported late, so neither module's
    import depends on the other having finished."""
    if name in _BAD_INPUT_NAMES:
        from tests import bad_inputs

        return getattr(bad_inputs, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
