"""Decode just the stretches of a track that are needed, as float32 at a chosen rate.

libsndfile (via soundfile) reads WAV/FLAC/Ogg Vorbis/Opus/MP3 and seeks exactly; PyAV (FFmpeg) reads
everything else (M4A/AAC/ALAC, WMA, ...). The first decoder is chosen from the file's content, not its
name, and the other one is tried when it refuses, so a FLAC named ``.mp3`` still decodes.
Every failure surfaces as ``DecodeError`` whose text is a short reason a person can read.

Length policy of ``read_window``:
  * a window running past the end of the track comes back shorter; one starting at or after the end
    comes back empty;
  * when the data stops well before the length the file announces (e.g. a cut-off download) and the
    window asks for the missing part, ``DecodeError("truncated or corrupt audio data ...")`` is raised.
Non-finite samples (NaN/inf in float WAVs) are replaced by 0 so they cannot poison features.
Only regular files are opened: FIFOs, devices and folders are refused before any read (a FIFO would block).
"""

from __future__ import annotations

import errno
import logging
import os
import stat
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from typing import BinaryIO

import av
import numpy as np
import soundfile as sf
import soxr

from genre_desktop.core.types import Window

log = logging.getLogger(__name__)

TARGET_SR = 22050
# Resample a little context either side of a window so back-to-back windows join without clicks.
_RESAMPLE_CONTEXT_SECONDS = 0.05
_RESAMPLE_QUALITY = "HQ"
# Data ending more than this before the announced length is truncation, not an estimate's rounding.
_TRUNCATION_SLACK_SECONDS = 1.0
_TRUNCATION_SLACK_FRACTION = 0.02
# After an FFmpeg seek, decode this much before the target: MP3's bit reservoir and AAC's overlap need it.
_PREROLL_SECONDS = 0.5
_CHUNK_FRAMES = 1 << 16
_SNDFILE_MAGIC = (b"RIFF", b"RIFX", b"RF64", b"fLaC", b"OggS", b"FORM", b".snd", b"caff")
# WavPack, ASF/WMA, Matroska/WebM, Monkey's Audio, TTA, Musepack, DSF, AMR
_FFMPEG_MAGIC = (b"wvpk", b"\x30\x26\xb2\x75", b"\x1a\x45\xdf\xa3", b"MAC ", b"TTA1", b"MPCK", b"DSD ", b"#!AM")
_INT_SCALE = {"u8": 128.0, "s16": 32768.0, "s32": 2.0**31, "s64": 2.0**63}


class DecodeError(Exception):
    """A file could not be decoded; ``str(e)`` says why in plain words."""


class _Refused(Exception):
    """A decoder does not accept this content; the next one may."""


@dataclass(frozen=True)
class AudioInfo:
    duration: float
    samplerate: int
    channels: int
    codec: str


# --- content sniffing -------------------------------------------------------------------------

def _sniff(head: bytes) -> str | None:
    """'sndfile' for formats libsndfile reads, 'ffmpeg' for other audio, 'text'/'html', or None."""
    if head[:4] in _SNDFILE_MAGIC:
        return "sndfile"
    if head[4:8] == b"ftyp" or head[:4] in _FFMPEG_MAGIC or head[:2] == b"\x0b\x77":  # MP4 family, ..., AC-3
        return "ffmpeg"
    if len(head) >= 4 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:  # MPEG audio or ADTS AAC frame sync
        if not head[1] & 0x06:
            return "ffmpeg"  # layer bits 00: ADTS
        if head[2] >> 4 != 15 and (head[2] >> 2) & 3 != 3:  # valid bitrate and sample-rate indices
            # Without a Xing/Info/VBRI header libsndfile guesses the length and never reads past its
            # guess (a VBR file can lose a fifth of its audio); FFmpeg decodes to the real end.
            return "sndfile" if any(t in head[:2048] for t in (b"Xing", b"Info", b"VBRI")) else "ffmpeg"
    sample = head[:2048].lstrip()
    if sample[:1] == b"<" and b"<html" in sample.lower() or sample.lower().startswith(b"<!doctype html"):
        return "html"
    if sample and all(b in b"\t\n\r" or 32 <= b < 127 or b >= 128 for b in sample[:512]) and b"\x00" not in sample:
        return "text"
    return None


# --- opening ------------------------------------------------------------------------------------

def _open_regular(path: str | os.PathLike) -> BinaryIO:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise DecodeError("file not found (broken link)" if os.path.islink(path) else "file not found") from None
    except PermissionError:
        raise DecodeError("permission denied") from None
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise DecodeError("symbolic link loop") from None
        raise DecodeError(f"cannot read file ({e.strerror or e})") from None
    if stat.S_ISDIR(st.st_mode):
        raise DecodeError("is a folder, not an audio file")
    if not stat.S_ISREG(st.st_mode):
        raise DecodeError("not a regular file (pipe, socket or device)")
    if st.st_size == 0:
        raise DecodeError("empty file (0 bytes)")
    try:
        return open(path, "rb")
    except FileNotFoundError:
        raise DecodeError("file not found") from None
    except PermissionError:
        raise DecodeError("permission denied") from None
    except OSError as e:
        raise DecodeError(f"cannot read file ({e.strerror or e})") from None


class _SoundfileSource:
    def __init__(self, fh: BinaryIO):
        self._f = sf.SoundFile(fh)  # the caller closes fh
        fmt, sub = self._f.format, self._f.subtype
        codec = {"FLAC": "flac", "MP3": "mp3", "OGG": sub.lower()}.get(fmt, f"{fmt.lower()}/{sub.lower()}")
        self.samplerate = int(self._f.samplerate)
        self.frames = int(self._f.frames)
        self.info = AudioInfo(self.frames / self.samplerate, self.samplerate, int(self._f.channels), codec)

    def read(self, first: int, count: int) -> np.ndarray:
        if first >= self.frames:
            return np.zeros((0, self.info.channels), np.float32)
        self._f.seek(first)
        remaining = self.frames - first if count < 0 else min(count, self.frames - first)
        parts = []
        while remaining > 0:  # in chunks, so a cut-off file still yields what precedes the damage
            try:
                chunk = self._f.read(min(remaining, _CHUNK_FRAMES), dtype="float32", always_2d=True)
            except (sf.LibsndfileError, RuntimeError) as e:
                if not parts:
                    raise
                log.debug("read stopped early: %s", e)
                break
            if len(chunk) == 0:
                break
            parts.append(chunk)
            remaining -= len(chunk)
        return np.concatenate(parts) if parts else np.zeros((0, self.info.channels), np.float32)

    def close(self) -> None:
        self._f.close()


class _PyAVSource:
    def __init__(self, fh: BinaryIO):
        self._c = av.open(fh, mode="r")  # the caller closes fh
        try:
            if not self._c.streams.audio:
                if self._c.streams:  # a real container (video, text, ...) that simply holds no sound
                    raise DecodeError("no audio stream")
                raise _Refused("no streams")
            self._s = s = self._c.streams.audio[0]
            self.samplerate = int(s.codec_context.sample_rate or s.sample_rate or 0)
            channels = int(s.codec_context.channels or 0)
            if self.samplerate <= 0 or channels <= 0:
                raise _Refused("audio stream without sample rate or channels")
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

    def _position(self, frame: av.AudioFrame) -> int | None:
        return None if frame.pts is None else round((frame.pts - self._t0) * self._tb * self.samplerate)

    def read(self, first: int, count: int) -> np.ndarray:
        """Samples [first, first+count) — or to the end when count < 0 — via seek + exact discard."""
        if first > 0:
            target = max(0.0, first / self.samplerate - _PREROLL_SECONDS)
            self._c.seek(int(target / self._tb) + self._t0, stream=self._s, backward=True)
        else:
            self._c.seek(self._t0, stream=self._s, backward=True)
        end = first + count if count >= 0 else None
        if self._exact_length:
            end = self.frames if end is None else min(end, self.frames)
        parts, pos = [], None
        frames = self._c.decode(self._s)
        while True:
            try:
                frame = next(frames)
            except StopIteration:
                break
            except Exception as e:
                if not parts:  # nothing decoded: let the caller report it
                    raise
                log.debug("decoding stopped early: %s", e)  # keep what came before the damage
                break
            at = self._position(frame)
            pos = at if at is not None else (pos or 0)
            if not parts and first > 0 and pos > first:
                return self._read_from_start(first, count)  # the seek overshot: rare, but never be wrong
            block = _frame_to_array(frame)
            if block.shape[1] != self.info.channels:  # the layout changed mid-stream (broadcast recordings)
                block = np.repeat(block.mean(axis=1, keepdims=True), self.info.channels, axis=1)
            lo, hi = max(first - pos, 0), len(block) if end is None else min(end - pos, len(block))
            if hi > lo:
                parts.append(block[lo:hi])
            pos += len(block)
            if end is not None and pos >= end:
                break
        if not parts:
            return np.zeros((0, self.info.channels), np.float32)
        return np.concatenate(parts)

    def _read_from_start(self, first: int, count: int) -> np.ndarray:
        whole = self.read(0, first + count if count >= 0 else -1)
        return whole[first:]

    def close(self) -> None:
        self._c.close()


def _frame_to_array(frame: av.AudioFrame) -> np.ndarray:
    """An FFmpeg frame as float32 (n, channels), whatever its sample format."""
    fmt, data = frame.format, frame.to_ndarray()
    data = data.T if fmt.is_planar else data.reshape(-1, len(frame.layout.channels))
    base = fmt.name.rstrip("p")
    if base in _INT_SCALE:
        offset = 128.0 if base == "u8" else 0.0
        return ((data.astype(np.float32) - offset) / _INT_SCALE[base]).astype(np.float32)
    return data.astype(np.float32, copy=False)


def _open_source(fh: BinaryIO, path) -> _SoundfileSource | _PyAVSource:
    """The decoder for this content: the likelier one first, the other when it refuses."""
    head = fh.read(65536)
    kind = _sniff(head)
    if head.startswith(b"ID3") and len(head) >= 10:  # judge what follows the tag; it may be megabytes
        size = (head[6] << 21) | (head[7] << 14) | (head[8] << 7) | head[9]
        fh.seek(10 + size + (10 if head[5] & 0x10 else 0))
        kind = _sniff(fh.read(65536))
        kind = "sndfile" if kind in (None, "text") else kind
    if kind in ("text", "html"):
        raise DecodeError(f"not an audio file (it looks like {'a web page' if kind == 'html' else 'text'})")
    order = (_SoundfileSource, _PyAVSource) if kind in ("sndfile", None) else (_PyAVSource, _SoundfileSource)
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
            failures.append(f"{opener.__name__.strip('_')}: {e}")
    log.debug("no decoder accepted %r: %s", path, "; ".join(failures))
    raise DecodeError("not an audio file" if kind is None else "truncated or corrupt audio data")


# --- public API ---------------------------------------------------------------------------------

def probe(path) -> AudioInfo:
    """Duration, rate, channels and codec from the headers (no full decode)."""
    with _opened(path) as src:
        if src.frames <= 0:
            raise DecodeError("no audio data (zero length)")
        return src.info


def read_window(path, start: float = 0.0, duration: float | None = None, sr: int | None = TARGET_SR,
                mono: bool = True) -> np.ndarray:
    """float32 samples from ``start`` s for ``duration`` s (None: to the end); mono (n,) or (n, ch)."""
    with _opened(path) as src:
        return _read(src, start, duration, sr, mono)


def read_windows(path, windows: Sequence[Window], sr: int | None = TARGET_SR) -> list[np.ndarray]:
    """Mono windows of one file, opening it once and seeking to each."""
    with _opened(path) as src:
        return [_read(src, w.start, w.duration, sr, True) for w in windows]


@contextmanager
def _opened(path) -> Iterator[_SoundfileSource | _PyAVSource]:
    fh = _open_regular(path)
    try:
        try:
            src = _open_source(fh, path)
        except OSError as e:  # an I/O error while sniffing (failing disk, vanished network share)
            raise DecodeError(f"cannot read file ({e.strerror or e})") from None
        try:
            yield src
        finally:
            try:
                src.close()
            except Exception:  # closing a half-broken decoder must not hide the real outcome
                log.debug("error closing decoder", exc_info=True)
    finally:
        fh.close()


def _read(src, start: float, duration: float | None, sr: int | None, mono: bool) -> np.ndarray:
    if start < 0 or (duration is not None and duration < 0):
        raise ValueError(f"bad window: start={start}, duration={duration}")
    native = src.samplerate
    out_sr = int(sr) if sr else native
    first = round(start * native)
    wanted = -1 if duration is None else round(duration * native)
    context = round(_RESAMPLE_CONTEXT_SECONDS * native) if out_sr != native else 0
    lead = min(context, first)
    try:
        block = src.read(first - lead, -1 if wanted < 0 else wanted + lead + context)
    except DecodeError:
        raise
    except Exception as e:  # libsndfile/FFmpeg failures on damaged data, in whatever type they come
        log.debug("decode failed at %.1f s: %s", start, e)
        raise DecodeError(f"truncated or corrupt audio data (unreadable at {start:.1f} s)") from None
    got = max(0, min(len(block) - lead, wanted if wanted >= 0 else len(block)))
    _check_truncation(src, first, got, wanted)
    if mono:
        channels = block.shape[1]  # mean of the channels; a matrix product is ~10x faster than .mean(axis=1)
        block = block @ np.full(channels, 1.0 / channels, np.float32) if channels > 1 else block[:, 0]
    block = np.nan_to_num(np.ascontiguousarray(block, dtype=np.float32), copy=False, nan=0.0, posinf=0.0,
                          neginf=0.0)
    if out_sr == native:
        return block[lead:lead + got]
    if len(block) == 0:
        return block
    resampled = soxr.resample(block, native, out_sr, quality=_RESAMPLE_QUALITY)
    skip, keep = round(lead * out_sr / native), round(got * out_sr / native)
    return np.ascontiguousarray(resampled[skip:skip + keep], dtype=np.float32)


def _check_truncation(src, first: int, got: int, wanted: int) -> None:
    """Raise when readable data ends well before the length the file announces, inside the request."""
    announced = src.frames
    if first >= announced:
        return
    expected = announced - first if wanted < 0 else min(wanted, announced - first)
    slack = max(_TRUNCATION_SLACK_SECONDS * src.samplerate, _TRUNCATION_SLACK_FRACTION * announced)
    if expected - got > slack:
        readable = (first + got) / src.samplerate
        raise DecodeError(f"truncated or corrupt audio data (audio stops at {readable:.1f} s "
                          f"of {announced / src.samplerate:.1f} s)")
