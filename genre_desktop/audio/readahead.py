"""Decoding a little ahead of the play position, on a background thread, into a small ring buffer.

The reader thread is the ring's only producer and the audio callback its only consumer, so they
share it without a lock: the producer copies frames in and then advances ``written``; the consumer
copies frames out and then advances ``consumed``. Each counter has a single writer and an int store is
atomic in CPython. A seek never touches a ring in use: the reader starts a fresh ring tagged with the
seek's generation, and the callback ignores any ring that is not the generation it plays. Memory stays
at one ring (a few seconds) whatever the length of the track.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Protocol

import numpy as np

from genre_desktop.audio import decode

log = logging.getLogger(__name__)

BUFFER_SECONDS = 3.0  # decoded ahead of the play position: rides out slow disks and busy moments
BLOCK_SECONDS = 0.05  # one decode step; small, so the reader never holds the interpreter for long
_IDLE_WAIT_SECONDS = 0.025  # how often a reader with a full ring looks for room or a new seek


class BlockReader(Protocol):
    """Consecutive float32 (n, channels) blocks from a seekable position (audio.decode.AudioStream)."""

    samplerate: int
    channels: int
    frames: int  # the announced length; the data may end a little before or after it

    def seek(self, seconds: float) -> None: ...
    def read(self, frames: int) -> np.ndarray: ...  # fewer than asked only at the end of the data
    def close(self) -> None: ...


class ArrayReader:
    """A BlockReader over samples already in memory."""

    def __init__(self, samples: np.ndarray, samplerate: int) -> None:
        samples = np.asarray(samples, dtype=np.float32)
        self._samples = samples[:, None] if samples.ndim == 1 else samples
        self.samplerate, self.channels, self.frames = int(samplerate), self._samples.shape[1], len(self._samples)
        self._at = 0

    def seek(self, seconds: float) -> None:
        self._at = round(seconds * self.samplerate)

    def read(self, frames: int) -> np.ndarray:
        block = self._samples[self._at:self._at + frames]
        self._at += len(block)
        return block

    def close(self) -> None:
        pass


AudioReader = Callable[[str, int | None], tuple[np.ndarray, int]]  # (path, rate or None) -> (samples, rate)


def open_reader(path: str, read_audio: AudioReader | None, plays: Callable[[int], bool],
                fallback_rate: int) -> BlockReader:
    """A stream of ``path`` from audio.decode (or, given ``read_audio``, the samples it returns) at the
    track's own rate, or at ``fallback_rate`` when ``plays`` says the output cannot take that."""
    if read_audio is not None:
        samples, rate = read_audio(path, None)
        if not plays(rate):
            log.info("Output cannot play %s at %d Hz; resampling to %d Hz", path, rate, fallback_rate)
            samples, rate = read_audio(path, fallback_rate)
        return ArrayReader(samples, rate)
    stream = decode.open_stream(path, 0.0, sr=None, mono=False)
    if plays(stream.samplerate):
        return stream
    log.info("Output cannot play %s at %d Hz; resampling to %d Hz", path, stream.samplerate, fallback_rate)
    stream.close()
    return decode.open_stream(path, 0.0, sr=fallback_rate, mono=False)


def read_with_decoder(path: str, samplerate: int | None) -> tuple[np.ndarray, int]:
    """A whole file as (frames, channels) float32 through audio.decode; None keeps the native rate."""
    rate = samplerate or decode.probe(path).samplerate
    return decode.read_window(path, 0.0, None, sr=samplerate, mono=False), rate


class Ring:
    """Frames of one seek generation, from track frame ``start`` on. One producer, one consumer."""

    __slots__ = ("data", "capacity", "generation", "start", "written", "consumed", "ended")

    def __init__(self, capacity: int, channels: int, generation: int, start: int) -> None:
        self.data = np.zeros((capacity, channels), np.float32)
        self.capacity, self.generation, self.start = capacity, generation, start
        self.written = 0  # only the producer stores this
        self.consumed = 0  # only the consumer stores this
        self.ended = False  # set by the producer after its last push: no more frames will come

    def buffered(self) -> int:
        return self.written - self.consumed

    def free(self) -> int:
        return self.capacity - (self.written - self.consumed)

    def push(self, block: np.ndarray) -> None:
        """Producer: append ``block`` (at most ``free()`` frames)."""
        count, at = len(block), self.written % self.capacity
        first = min(count, self.capacity - at)
        self.data[at:at + first] = block[:first]
        self.data[:count - first] = block[first:]
        self.written += count  # after the copy: the consumer never sees frames before they are in place

    def pull(self, out: np.ndarray, volume: float) -> int:
        """Consumer: scale up to ``len(out)`` frames by ``volume`` into ``out``; returns how many."""
        consumed = self.consumed
        count = min(self.written - consumed, len(out))
        if count <= 0:
            return 0
        at = consumed % self.capacity
        first = min(count, self.capacity - at)
        # Broadcasting also turns a mono ring into both output channels.
        np.multiply(self.data[at:at + first], volume, out=out[:first])
        if count > first:
            np.multiply(self.data[:count - first], volume, out=out[first:count])
        self.consumed = consumed + count
        return count


class ReadAhead:
    """Keeps ``ring`` filled from ``reader``, following ``target()`` = (seek generation, frame)."""

    def __init__(self, reader: BlockReader, target: Callable[[], tuple[int, int]], channels: int,
                 seconds: float = BUFFER_SECONDS) -> None:
        self._reader, self._target, self.channels = reader, target, channels
        self.samplerate = reader.samplerate
        self.block_frames = max(256, round(BLOCK_SECONDS * self.samplerate))
        self.capacity = max(round(seconds * self.samplerate), 4 * self.block_frames)
        self.ring = Ring(self.block_frames, channels, -1, 0)  # a placeholder until prime()
        self.end_frame: int | None = None  # where the data really ends, once a read has run into it
        self._wake = threading.Event()
        self._stopping = False
        self._thread: threading.Thread | None = None

    def prime(self, generation: int, frame: int) -> None:
        """Position at ``frame`` and decode the first block here and now; decoder errors propagate."""
        self._restart(generation, frame)
        self._fill_step()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="audio-readahead", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Look at ``target()`` now rather than at the next poll (a seek was asked for)."""
        self._wake.set()

    def stop(self, timeout: float = 2.0) -> None:
        """End the thread, which closes the reader; a read stuck on a stalled disk is not waited for."""
        self._stopping = True
        self._wake.set()
        if self._thread is None:
            self._reader.close()
        else:
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("The audio reader is stuck reading (a stalled disk?); it will close when it returns")

    # ---- reader thread ----------------------------------------------------------------
    def _run(self) -> None:
        try:
            self._loop()
        finally:
            self._reader.close()  # here, so a decoder is never closed under a read in progress

    def _loop(self) -> None:
        while not self._stopping:
            self._wake.clear()  # before reading the target, so a seek after this line still wakes the wait
            generation, frame = self._target()
            progressed = False
            try:
                if generation != self.ring.generation:
                    self._restart(generation, frame)
                progressed = self._fill_step()
            except Exception as exc:  # a damaged stretch: play what came before it, then finish
                log.warning("Playback stops early: the track could not be read on (%s)", exc)
                self.ring.ended = True
            if not progressed:
                self._wake.wait(_IDLE_WAIT_SECONDS)

    def _restart(self, generation: int, frame: int) -> None:
        ring = Ring(self.capacity, self.channels, generation, frame)
        try:
            self._reader.seek(frame / self.samplerate)
        except Exception:
            ring.ended = True
            self.ring = ring
            raise
        self.ring = ring  # one store: the callback switches to it once its generation is the one playing

    def _fill_step(self) -> bool:
        """Decode one block into the ring if it has room; False when there was nothing to do."""
        ring = self.ring
        if ring.ended or ring.free() < self.block_frames:
            return False
        block = self._reader.read(self.block_frames)
        if len(block):
            ring.push(self._playable(block))
        if len(block) < self.block_frames:  # the end of the data
            if ring.written or ring.start == 0:  # a seek past a cut-off end proves nothing about the length
                self.end_frame = ring.start + ring.written
            ring.ended = True
        return True

    def _playable(self, block: np.ndarray) -> np.ndarray:
        if block.shape[1] == self.channels:
            return block
        return block.mean(axis=1, keepdims=True, dtype=np.float32)  # more channels than the output: mono
