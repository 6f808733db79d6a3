"""Track preview playback through PortAudio (sounddevice). No Qt.

``load`` opens the track and decodes its first block (call it off the GUI thread); from then on a
reader thread decodes a few seconds ahead of the play position into a ring buffer (audio.readahead),
and an OutputStream callback hands the ring's frames to the device. Memory stays the same for a
five-minute song and a two-hour mix. Control methods only flip plain attributes that the callback
reads, so the audio thread never waits on a lock. When the reader falls behind (a stalled disk) the
callback plays silence and the position waits with it.

``position`` counts the frames the callback has handed to the device, so it runs ahead of what
is audible by at most the stream's output latency (tens of milliseconds). That is honest only if
the device consumes frames in real time, as every sound card does; tests/alsa-null.conf paces its
null device for that reason.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import numpy as np

from genre_desktop.audio.output import (AudioUnavailable, default_output_device, load_sounddevice, output_channels,
                                        plays_rate)
from genre_desktop.audio.readahead import AudioReader, ReadAhead, open_reader, read_with_decoder

__all__ = ["AudioUnavailable", "Player", "default_output_device", "load_sounddevice", "read_with_decoder"]

log = logging.getLogger(__name__)

PlayerState = Literal["stopped", "playing", "paused"]


class Player:
    """A one-track preview player. Thread-safe control; the callback never blocks.

    ``read_audio`` replaces streaming from audio.decode by a reader of whole tracks into memory
    (``(path, samplerate or None) -> (samples, rate)``), for sources the decoder does not cover;
    ``read_with_decoder`` there means the default, streaming.
    """

    def __init__(self, read_audio: AudioReader | None = None,
                 on_finished: Callable[[], None] | None = None) -> None:
        self._read_audio = None if read_audio is read_with_decoder else read_audio
        # Called from the audio thread when a track plays to its end; must return quickly.
        self.on_finished = on_finished
        self._control = threading.RLock()  # serialises control calls; the callback never takes it
        self._sd: Any = None
        self._stream: Any = None
        self._readahead: ReadAhead | None = None
        self._path: str | None = None
        self._frames = 0  # the announced length, until the reader finds the real end
        self._rate = 0
        self._state: PlayerState = "stopped"
        self._finished = False
        self._volume = 1.0
        # Shared with the callback. While a stream runs only the callback writes _cursor,
        # _seek_applied and _underruns; other threads ask for a seek by replacing _seek_request
        # (one store), which the reader thread follows too.
        self._playing = False
        self._cursor = 0
        self._seek_request: tuple[int, int] = (0, 0)  # (generation, frame)
        self._seek_applied = 0
        self._reached_end = False
        self._underruns = 0

    # ---- properties -------------------------------------------------------------------
    @property
    def state(self) -> PlayerState:
        return self._state

    @property
    def path(self) -> str | None:
        return self._path

    @property
    def samplerate(self) -> int:
        return self._rate

    @property
    def duration(self) -> float:
        if not self._rate:
            return 0.0
        readahead = self._readahead
        end = readahead.end_frame if readahead is not None else None
        return (self._frames if end is None else end) / self._rate

    @property
    def position(self) -> float:
        """Seconds of the track handed to the device (a pending seek counts as done)."""
        if not self._rate:
            return 0.0
        generation, frame = self._seek_request
        if generation != self._seek_applied:
            return frame / self._rate
        return self._cursor / self._rate

    @property
    def finished(self) -> bool:
        """True once the loaded track has played to its end (until the next play or load)."""
        return self._finished

    @property
    def buffered_frames(self) -> int:
        """Frames decoded ahead of the play position and not yet handed to the device (0 until the
        reader has caught up with a seek)."""
        readahead = self._readahead
        ring = readahead.ring if readahead is not None else None
        return ring.buffered() if ring is not None and ring.generation == self._seek_request[0] else 0

    @property
    def buffer_capacity_frames(self) -> int:
        """The most frames ever held decoded at once (a few seconds), whatever the track's length."""
        readahead = self._readahead
        return readahead.capacity if readahead is not None else 0

    @property
    def underruns(self) -> int:
        """Audio blocks, while playing, that the reader had not (fully) decoded in time."""
        return self._underruns

    @property
    def volume(self) -> float:
        return self._volume

    @volume.setter
    def volume(self, value: float) -> None:
        value = float(value)
        if math.isnan(value):
            raise ValueError("volume must be a number between 0 and 1")
        self._volume = min(1.0, max(0.0, value))  # one float store: the callback reads it lock-free

    # ---- control ----------------------------------------------------------------------
    def load(self, path: str | Path) -> float:
        """Open ``path``, decode its first block (blocking; not on the GUI thread) and open the output.

        Returns the duration. Raises AudioUnavailable when there is no usable output device, and
        whatever the decoder raises (audio.decode.DecodeError) when the file cannot be read.
        """
        path = str(path)
        device = default_output_device()  # fail fast, before any decoding
        self._sd = load_sounddevice()
        channels = output_channels(device)
        reader = open_reader(path, self._read_audio, lambda rate: plays_rate(self._sd, device, rate),
                             int(device["default_samplerate"]))
        # More channels than the output has are mixed down to mono (by the reader thread).
        ring_channels = reader.channels if reader.channels <= channels else 1
        readahead = ReadAhead(reader, lambda: self._seek_request, ring_channels)
        try:
            with self._control:
                generation = self._seek_request[0] + 1
                readahead.prime(generation, 0)  # a file that cannot be decoded leaves the loaded track alone
                self._playing = False  # the old stream's finish must not count as this track's end
                self._close_stream()
                self._stop_readahead()
                self._path, self._rate, self._frames = path, reader.samplerate, reader.frames
                self._seek_request, self._seek_applied = (generation, 0), generation
                self._playing, self._cursor, self._reached_end = False, 0, False
                self._state, self._finished = "stopped", False
                self._readahead = readahead
                readahead.start()
                self._open_stream(channels)
        except BaseException:
            if self._readahead is readahead:
                self._stop_readahead()
            else:
                reader.close()
            raise
        log.debug("Loaded %s: %.1f s at %d Hz", path, self.duration, self._rate)
        return self.duration

    def play(self, start: float | None = None) -> None:
        """Start or resume; with ``start``, from that many seconds into the track."""
        with self._control:
            if self._stream is None:
                raise RuntimeError("nothing is loaded")
            if start is not None:
                self.seek(start)
            elif self._state == "stopped" and self.position >= self.duration:  # replay a finished track
                self.seek(0.0)
            self._finished, self._reached_end = False, False
            self._playing = True
            self._state = "playing"
            if not self._stream.active:
                try:
                    if not self._stream.stopped:  # a stream that finished by itself needs stop() first
                        self._stream.stop()
                    self._stream.start()
                except self._sd.PortAudioError as exc:
                    self._playing, self._state = False, "stopped"
                    raise AudioUnavailable(f"Preview is unavailable: the audio output failed ({exc}).") from exc

    def pause(self) -> None:
        """Hold the position; the stream keeps running on silence so resuming is instant."""
        with self._control:
            if self._state == "playing":
                self._playing = False
                self._state = "paused"

    def toggle(self) -> None:
        with self._control:
            if self._state == "playing":
                self.pause()
            else:
                self.play()

    def stop(self) -> None:
        """Stop output and rewind to the start."""
        with self._control:
            self._playing = False
            self._state = "stopped"
            self.seek(0.0)
            if self._stream is not None and not self._stream.stopped:
                self._stream.abort()  # drop what is queued: a stop should be heard at once

    def seek(self, seconds: float) -> None:
        """Move to ``seconds`` (clamped to the track); takes effect once the reader has decoded there."""
        with self._control:
            if not self._rate:
                return
            frame = int(round(min(max(float(seconds), 0.0), self.duration) * self._rate))
            self._seek_request = (self._seek_request[0] + 1, frame)
            if self._readahead is not None:
                self._readahead.wake()

    def close(self) -> None:
        """Release the output device, the reader thread and the open file."""
        with self._control:
            self._playing, self._state = False, "stopped"
            self._close_stream()
            self._stop_readahead()
            self._frames, self._rate, self._path = 0, 0, None

    # ---- internals --------------------------------------------------------------------
    def _open_stream(self, channels: int) -> None:
        try:
            self._stream = self._sd.OutputStream(
                samplerate=self._rate, channels=channels, dtype="float32",
                callback=self._callback, finished_callback=self._on_stream_finished)
        except (self._sd.PortAudioError, ValueError) as exc:
            self._stream = None
            raise AudioUnavailable(f"Preview is unavailable: the audio output could not be opened ({exc}).") from exc

    def _close_stream(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            try:
                stream.abort()
                stream.close()
            except self._sd.PortAudioError:
                log.warning("Closing the audio stream failed", exc_info=True)

    def _stop_readahead(self) -> None:
        readahead, self._readahead = self._readahead, None
        if readahead is not None:
            readahead.stop()

    def _callback(self, outdata: np.ndarray, frames: int, _time: Any, _status: Any) -> None:
        # Audio thread: no locks, no logging, no allocation beyond array views.
        generation, frame = self._seek_request
        if generation != self._seek_applied:
            self._cursor = frame
            self._seek_applied = generation
        readahead = self._readahead
        if not self._playing or readahead is None:
            outdata.fill(0.0)
            return
        ring = readahead.ring
        count, ended = 0, False
        if ring.generation == self._seek_applied:  # else the reader is still on its way to the new spot
            ended = ring.ended  # read before pulling: once set, ``written`` is final
            count = ring.pull(outdata, self._volume)
        if count < frames:
            outdata[count:].fill(0.0)
        self._cursor += count
        if ended and ring.buffered() == 0:
            self._reached_end = True
            raise self._sd.CallbackStop  # PortAudio plays out what is queued, then finishes
        if count < frames:
            self._underruns += 1

    def _on_stream_finished(self) -> None:
        # Audio thread, once the stream has gone inactive (end of track, stop or close). No lock:
        # stop() holds the control lock while PortAudio waits for this very call.
        if not self._reached_end or not self._playing:
            return
        self._playing = False
        self._state = "stopped"
        self._finished = True
        self._seek_request = (self._seek_request[0] + 1, 0)
        callback = self.on_finished
        if callback is not None:
            try:
                callback()
            except Exception:  # an observer's bug must not kill the audio thread
                log.exception("on_finished callback failed")
