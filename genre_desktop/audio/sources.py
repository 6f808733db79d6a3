"""The two decoder back-ends behind audio.decode, each giving exact sample positions at the native rate.

libsndfile (via soundfile) reads WAV/FLAC/Ogg Vorbis/Opus/MP3 and seeks exactly; PyAV (FFmpeg) reads
everything else (M4A/AAC/ALAC, WMA, ...). ``open_source`` tries the one the content suggests first and
the other when it refuses. Both offer ``blocks(first, count)``: consecutive float32 (n, channels) blocks
from frame ``first``, so a window read and a playback stream share one code path. Damage part-way
through ends the blocks quietly (what came before it is kept); damage before any audio raises.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import BinaryIO

import av
import numpy as np
import soundfile as sf

from genre_desktop.audio.errors import DecodeError, Refused
from genre_desktop.audio.sniff import mp3_length_is_a_guess, sniff_file

log = logging.getLogger(__name__)

# After an FFmpeg seek, decode this much before the target: MP3's bit reservoir and AAC's overlap need it.
_PREROLL_SECONDS = 0.5
CHUNK_FRAMES = 1 << 16
_INT_SCALE = {"u8": 128.0, "s16": 32768.0, "s32": 2.0**31, "s64": 2.0**63}
# FFmpeg may read this much to find the audio in a file. Its MP3 reader otherwise scans a file of
# zeros or junk to the end, holding it all (a 1 GB file: 2 GB of memory, 8 s).
OPEN_READ_BYTES = 32 << 20


@dataclass(frozen=True)
class AudioInfo:
    duration: float
    samplerate: int
    channels: int
    codec: str


class SoundfileSource:
    length_is_a_guess = False  # libsndfile never reads past the length it announces

    def __init__(self, fh: BinaryIO):
        self._f = sf.SoundFile(fh)  # the caller closes fh
        fmt, sub = self._f.format, self._f.subtype
        codec = {"FLAC": "flac", "MP3": "mp3", "OGG": sub.lower()}.get(fmt, f"{fmt.lower()}/{sub.lower()}")
        self.samplerate = int(self._f.samplerate)
        self.frames = int(self._f.frames)
        self.info = AudioInfo(self.frames / self.samplerate, self.samplerate, int(self._f.channels), codec)

    def read(self, first: int, count: int) -> np.ndarray:
        """Samples [first, first+count), or to the end when count < 0."""
        return joined(self.blocks(first, count), self.info.channels)

    def blocks(self, first: int, count: int = -1, chunk: int = CHUNK_FRAMES) -> Iterator[np.ndarray]:
        if first >= self.frames:
            return
        self._f.seek(first)
        remaining = self.frames - first if count < 0 else min(count, self.frames - first)
        given = False
        while remaining > 0:  # in chunks, so a cut-off file still yields what precedes the damage
            try:
                block = self._f.read(min(remaining, chunk), dtype="float32", always_2d=True)
            except (sf.LibsndfileError, RuntimeError) as e:
                if not given:
                    raise
                log.debug("read stopped early: %s", e)
                return
            if len(block) == 0:
                return
            given = True
            remaining -= len(block)
            yield block

    def close(self) -> None:
        self._f.close()


class _ReadBudget:
    """A file that reads as ended once `limit` bytes were read (limit None: no limit)."""

    def __init__(self, fh: BinaryIO, limit: int | None):
        self._fh, self.limit, self.spent = fh, limit, 0
        self.name = getattr(fh, "name", "")  # FFmpeg guesses the format from it too

    def read(self, size: int = -1) -> bytes:
        if self.limit is not None:
            left = self.limit - self.spent
            if left <= 0:
                return b""
            size = left if size < 0 else min(size, left)
        data = self._fh.read(size)
        self.spent += len(data)
        return data

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._fh.seek(offset, whence)

    def tell(self) -> int:
        return self._fh.tell()


class PyAVSource:
    def __init__(self, fh: BinaryIO):
        # FFmpeg decodes such an MP3 to the real end of its frames, maybe before its guess.
        self.length_is_a_guess = mp3_length_is_a_guess(fh)
        fh.seek(0)
        self._fh = _ReadBudget(fh, OPEN_READ_BYTES)  # the caller closes fh
        self._c = av.open(self._fh, mode="r")
        self._fh.limit = None  # found: decoding reads what the windows need
        try:
            if not self._c.streams.audio:
                if self._c.streams:  # a real container (video, text, ...) that simply holds no sound
                    raise DecodeError("no audio stream")
                raise Refused("no streams")
            self._s = s = self._c.streams.audio[0]
            self.samplerate = int(s.codec_context.sample_rate or s.sample_rate or 0)
            channels = int(s.codec_context.channels or 0)
            if self.samplerate <= 0 or channels <= 0:
                raise Refused("audio stream without sample rate or channels")
            self._tb = s.time_base or Fraction(1, self.samplerate)
            self._t0 = s.start_time or 0
            seconds = float(s.duration * self._tb) if s.duration else (self._c.duration or 0) / av.time_base
            self.frames = round(seconds * self.samplerate)
            # MP4 durations come from the edit list and are exact: decoding past them yields encoder padding.
            self._exact_length = bool(s.duration) and "mp4" in self._c.format.name
            codec = {"mp3float": "mp3", "aac_fixed": "aac"}.get(s.codec_context.name, s.codec_context.name)
            self.info = AudioInfo(seconds, self.samplerate, channels, codec)
        except BaseException:
            self._c.close()
            raise

    def read(self, first: int, count: int) -> np.ndarray:
        """Samples [first, first+count), or to the end when count < 0."""
        return joined(self.blocks(first, count), self.info.channels)

    def blocks(self, first: int, count: int = -1, chunk: int = CHUNK_FRAMES) -> Iterator[np.ndarray]:
        """Seek, then decode and discard exactly up to ``first``; blocks come as FFmpeg frames them."""
        return self._decode(first, count, rewind=first <= 0)

    def _decode(self, first: int, count: int, rewind: bool) -> Iterator[np.ndarray]:
        if rewind:
            self._c.seek(self._t0, stream=self._s, backward=True)
        else:
            target = max(0.0, first / self.samplerate - _PREROLL_SECONDS)
            self._c.seek(int(target / self._tb) + self._t0, stream=self._s, backward=True)
        end = first + count if count >= 0 else None
        if self._exact_length:
            end = self.frames if end is None else min(end, self.frames)
        frames, pos, given = self._c.decode(self._s), None, False
        while True:
            try:
                frame = next(frames)
            except StopIteration:
                return
            except Exception as e:
                if not given:  # nothing decoded: let the caller report it
                    raise
                log.debug("decoding stopped early: %s", e)  # keep what came before the damage
                return
            at = self._position(frame)
            pos = at if at is not None else (pos or 0)
            if not given and not rewind and pos > first:
                yield from self._decode(first, count, rewind=True)  # the seek overshot: rare, but never be wrong
                return
            block = frame_to_array(frame)
            if block.shape[1] != self.info.channels:  # the layout changed mid-stream (broadcast recordings)
                block = np.repeat(block.mean(axis=1, keepdims=True), self.info.channels, axis=1)
            lo, hi = max(first - pos, 0), len(block) if end is None else min(end - pos, len(block))
            pos += len(block)
            if hi > lo:
                given = True
                yield block[lo:hi]
            if end is not None and pos >= end:
                return

    def _position(self, frame: av.AudioFrame) -> int | None:
        return None if frame.pts is None else round((frame.pts - self._t0) * self._tb * self.samplerate)

    def close(self) -> None:
        self._c.close()


Source = SoundfileSource | PyAVSource


def joined(blocks: Iterator[np.ndarray], channels: int) -> np.ndarray:
    parts = list(blocks)
    return np.concatenate(parts) if parts else np.zeros((0, channels), np.float32)


def frame_to_array(frame: av.AudioFrame) -> np.ndarray:
    """An FFmpeg frame as float32 (n, channels), whatever its sample format."""
    fmt, data = frame.format, frame.to_ndarray()
    data = data.T if fmt.is_planar else data.reshape(-1, len(frame.layout.channels))
    base = fmt.name.rstrip("p")
    if base in _INT_SCALE:
        offset = 128.0 if base == "u8" else 0.0
        return ((data.astype(np.float32) - offset) / _INT_SCALE[base]).astype(np.float32)
    return data.astype(np.float32, copy=False)


def open_source(fh: BinaryIO, path) -> Source:
    """The decoder for this content: the likelier one first, the other when it refuses."""
    kind = sniff_file(fh)
    order = (SoundfileSource, PyAVSource) if kind in ("sndfile", None) else (PyAVSource, SoundfileSource)
    failures = []
    for opener in order:
        try:
            fh.seek(0)
            return opener(fh)
        except DecodeError:
            if kind is None:  # unrecognised content that FFmpeg half-parsed (e.g. as an image)
                raise DecodeError("not an audio file") from None
            raise
        except Exception as e:  # whatever a decoder throws at garbage means only "not for me"
            failures.append(f"{opener.__name__}: {e}")
    log.debug("no decoder accepted %r: %s", path, "; ".join(failures))
    raise DecodeError("not an audio file" if kind is None else "truncated or corrupt audio data")
