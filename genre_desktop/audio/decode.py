"""Decode just the stretches of a track that are needed, as float32 at a chosen rate.

``probe`` reads the headers, ``read_window``/``read_windows`` return whole windows (analysis), and
``open_stream`` reads on block by block from a point (playback). Which decoder reads a file is chosen
from its content (audio.sniff, audio.sources). Every failure surfaces as ``DecodeError`` whose text is
a short reason a person can read.

Length policy of ``read_window``:
  * a window running past the end of the track comes back shorter; one starting at or after the end
    comes back empty;
  * when the data stops well before the length the file announces (e.g. a cut-off download) and the
    window asks for the missing part, ``DecodeError("truncated or corrupt audio data ...")`` is raised.
A stream instead simply ends where the data does: a cut-off download plays as far as it goes.
When libsndfile reports truncation, ``read_windows`` decodes the file again with FFmpeg. An MP3
without a Xing/Info/VBRI header has a length guessed from its size, so junk or zeros after its
last frame look like missing audio, while players play the file: for those, windows keep what
decodes (maybe nothing) instead of raising.
Non-finite samples (NaN/inf in float WAVs) are replaced by 0 so they cannot poison features;
samples far beyond full scale (|x| > 1e4, e.g. 1e30) refuse the file (``InvalidSamplesError``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import numpy as np
import soxr

from genre_desktop.audio.errors import DecodeError, InvalidSamplesError, TruncatedError
from genre_desktop.audio.sniff import open_regular
from genre_desktop.audio.sources import AudioInfo, PyAVSource, Source, SoundfileSource, open_source
from genre_desktop.core.types import Window

__all__ = ["TARGET_SR", "AudioInfo", "AudioStream", "DecodeError", "open_stream", "probe", "read_window",
           "read_windows"]

log = logging.getLogger(__name__)

TARGET_SR = 22050
# Resample a little context before a window so it starts exactly as a longer read would (no click at a seam).
_RESAMPLE_CONTEXT_SECONDS = 0.05
_RESAMPLE_QUALITY = "HQ"
# Data ending more than this before the announced length is truncation, not an estimate's rounding.
_TRUNCATION_SLACK_SECONDS = 1.0
_TRUNCATION_SLACK_FRACTION = 0.02
# A stream decodes in small steps so the thread reading it never holds the interpreter for long.
_STREAM_CHUNK_FRAMES = 8192
# Full scale is 1.0; float files may overshoot a little, never by 80 dB.
_MAX_SAMPLE = 1e4
INVALID_SAMPLES_REASON = "the file's samples are not valid numbers"


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
    """Mono windows of one file, opening it once and seeking to each (again with FFmpeg when
    libsndfile finds the file truncated)."""
    with _opened(path) as src:
        try:
            return [_read(src, w.start, w.duration, sr, True) for w in windows]
        except TruncatedError:
            if not isinstance(src, SoundfileSource):
                raise
    log.info("libsndfile finds %r truncated; decoding it with FFmpeg instead", path)
    with _opened(path, PyAVSource) as src:
        return [_read(src, w.start, w.duration, sr, True) for w in windows]


def open_stream(path, start: float = 0.0, sr: int | None = TARGET_SR, mono: bool = True) -> AudioStream:
    """An open ``AudioStream`` positioned at ``start`` s; close it (or use ``with``) when done."""
    fh = open_regular(path)
    try:
        src = _open_source(fh, path)
    except BaseException:
        fh.close()
        raise
    stream = AudioStream(fh, src, sr, mono)
    try:
        stream.seek(start)
    except BaseException:
        stream.close()
        raise
    return stream


class AudioStream:
    """One track read on in consecutive blocks at a chosen rate; ``seek`` starts over elsewhere.

    The file and decoder stay open between reads (no re-open, re-sniff or FFmpeg pre-roll per block),
    and a streaming resampler carries its state from block to block, so consecutive reads equal one
    long read sample for sample. Blocks are float32 (n, channels), (n, 1) when mono. ``frames`` is the
    announced length at the stream's rate; the data may end a little before or after it. One thread only.
    """

    def __init__(self, fh, src: Source, sr: int | None, mono: bool) -> None:
        self._fh, self._src = fh, src
        self.info: AudioInfo = src.info
        self._native = src.samplerate
        self.samplerate = int(sr) if sr else self._native
        self._downmix = mono and src.info.channels > 1
        self.channels = 1 if mono else src.info.channels
        self.frames = round(src.frames * self.samplerate / self._native)
        self._blocks: Iterator[np.ndarray] = iter(())
        self._resampler: soxr.ResampleStream | None = None
        self._skip = 0
        self._pending = np.zeros((0, self.channels), np.float32)
        self._ended = True
        self._at = 0.0

    def seek(self, seconds: float) -> None:
        """Continue from ``seconds`` into the track (past the end: the stream is simply over)."""
        if seconds < 0:
            raise ValueError(f"bad position: {seconds}")
        first = round(seconds * self._native)
        resampling = self.samplerate != self._native
        lead = min(round(_RESAMPLE_CONTEXT_SECONDS * self._native), first) if resampling else 0
        self._blocks = self._src.blocks(first - lead, -1, _STREAM_CHUNK_FRAMES)
        self._resampler = soxr.ResampleStream(self._native, self.samplerate, self.channels, dtype="float32",
                                              quality=_RESAMPLE_QUALITY) if resampling else None
        self._skip = round(lead * self.samplerate / self._native)  # the context's share of the output
        self._pending = self._pending[:0]
        self._ended, self._at = False, seconds

    def read(self, frames: int) -> np.ndarray:
        """The next ``frames`` frames; fewer only at the end of the data, none once it is over."""
        parts, have = [self._pending], len(self._pending)
        while have < frames and not self._ended:
            block = self._next_block()
            parts.append(block)
            have += len(block)
        joined = np.concatenate(parts) if len(parts) > 1 else parts[0]
        self._pending = joined[frames:]
        return joined[:frames]

    def close(self) -> None:
        try:
            self._src.close()
        except Exception:  # closing a half-broken decoder must not hide the real outcome
            log.debug("error closing decoder", exc_info=True)
        finally:
            self._fh.close()

    def __enter__(self) -> AudioStream:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _next_block(self) -> np.ndarray:
        try:
            raw = next(self._blocks, None)
        except DecodeError:
            raise
        except Exception as e:  # the sources stop quietly after damage; this is damage before any audio
            log.debug("stream decode failed at %.1f s: %s", self._at, e)
            raise DecodeError(f"truncated or corrupt audio data (unreadable at {self._at:.1f} s)") from None
        if raw is None:
            self._ended = True
            if self._resampler is None:
                return self._pending[:0]
            out = self._resampler.resample_chunk(np.zeros((0, self.channels), np.float32), last=True)
        else:
            out = _clean(_downmix(raw) if self._downmix else raw)
            if self._resampler is not None:
                out = self._resampler.resample_chunk(out)
        if self._skip:
            cut = min(self._skip, len(out))
            out, self._skip = out[cut:], self._skip - cut
        return out.reshape(-1, self.channels)


# --- internals ----------------------------------------------------------------------------------

@contextmanager
def _opened(path, decoder: type[PyAVSource] | None = None) -> Iterator[Source]:
    fh = open_regular(path)
    try:
        src = _open_source(fh, path) if decoder is None else _open_with(decoder, fh)
        try:
            yield src
        finally:
            try:
                src.close()
            except Exception:  # closing a half-broken decoder must not hide the real outcome
                log.debug("error closing decoder", exc_info=True)
    finally:
        fh.close()


def _open_source(fh, path) -> Source:
    try:
        return open_source(fh, path)
    except OSError as e:  # an I/O error while sniffing (failing disk, vanished network share)
        raise DecodeError(f"cannot read file ({e.strerror or e})") from None


def _open_with(decoder: type[PyAVSource], fh) -> Source:
    try:
        return decoder(fh)
    except DecodeError:
        raise
    except Exception as e:  # it accepted the file before, through the other decoder's refusal
        log.debug("fallback decoder refused the file: %s", e)
        raise DecodeError("truncated or corrupt audio data") from None


def _downmix(block: np.ndarray) -> np.ndarray:
    """Mean of the channels as (n,); a matrix product is ~10x faster than .mean(axis=1)."""
    channels = block.shape[1]
    return block @ np.full(channels, 1.0 / channels, np.float32) if channels > 1 else block[:, 0]


def _clean(block: np.ndarray) -> np.ndarray:
    return np.nan_to_num(np.ascontiguousarray(block, dtype=np.float32), copy=False, nan=0.0, posinf=0.0,
                         neginf=0.0)


def _read(src: Source, start: float, duration: float | None, sr: int | None, mono: bool) -> np.ndarray:
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
        if not (src.length_is_a_guess and start > 0):
            raise DecodeError(f"truncated or corrupt audio data (unreadable at {start:.1f} s)") from None
        block = np.zeros((0, src.info.channels), np.float32)  # past the real end of the frames
    got = max(0, min(len(block) - lead, wanted if wanted >= 0 else len(block)))
    if not src.length_is_a_guess:  # an MP3 without a Xing header ends where its frames do
        _check_truncation(src, first, got, wanted)
    block = _clean(_downmix(block) if mono else block)
    if len(block) and float(np.max(np.abs(block))) > _MAX_SAMPLE:
        raise InvalidSamplesError(INVALID_SAMPLES_REASON)
    if out_sr == native:
        return block[lead:lead + got]
    if len(block) == 0:
        return block
    resampled = soxr.resample(block, native, out_sr, quality=_RESAMPLE_QUALITY)
    skip, keep = round(lead * out_sr / native), round(got * out_sr / native)
    return np.ascontiguousarray(resampled[skip:skip + keep], dtype=np.float32)


def _check_truncation(src: Source, first: int, got: int, wanted: int) -> None:
    """Raise when readable data ends well before the length the file announces, inside the request."""
    announced = src.frames
    if first >= announced:
        return
    expected = announced - first if wanted < 0 else min(wanted, announced - first)
    slack = max(_TRUNCATION_SLACK_SECONDS * src.samplerate, _TRUNCATION_SLACK_FRACTION * announced)
    if expected - got > slack:
        readable = (first + got) / src.samplerate
        raise TruncatedError(f"truncated or corrupt audio data (audio stops at {readable:.1f} s "
                          f"of {announced / src.samplerate:.1f} s)")
