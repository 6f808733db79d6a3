"""Track preview playback through PortAudio (sounddevice). No Qt.

The whole track is decoded into memory by ``load`` (call it off the GUI thread), then an
OutputStream callback hands it to the device block by block. Control methods only flip plain
attributes that the callback reads, so the audio thread never waits on a lock.

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

log = logging.getLogger(__name__)

PlayerState = Literal["stopped", "playing", "paused"]
AudioReader = Callable[[str, int | None], tuple[np.ndarray, int]]


class AudioUnavailable(Exception):
    """No way to play sound here: PortAudio missing, no output device, or the device refused."""


def load_sounddevice() -> Any:
    """Import sounddevice lazily: its import loads PortAudio and raises OSError when it is missing."""
    try:
        import sounddevice
    except OSError as exc:
        raise AudioUnavailable(
            f"Preview is unavailable: the PortAudio sound library could not be loaded ({exc})."
        ) from exc
    except ImportError as exc:
        raise AudioUnavailable(
            f"Preview is unavailable: the sounddevice module is not installed ({exc})."
        ) from exc
    return sounddevice


def default_output_device() -> dict:
    """The default output device's description; AudioUnavailable when there is none."""
    sd = load_sounddevice()
    no_device = "Preview is unavailable: no audio output device was found."
    try:
        device = sd.query_devices(kind="output")
    except (sd.PortAudioError, ValueError) as exc:  # PortAudio reports no default output as device -1
        log.info("No default output device: %s", exc)
        raise AudioUnavailable(no_device) from exc
    if not device or device.get("max_output_channels", 0) < 1:
        raise AudioUnavailable(no_device)
    return device


def read_with_decoder(path: str, samplerate: int | None) -> tuple[np.ndarray, int]:
    """Decode a whole file as (frames, channels) float32 through audio.decode; None keeps the native rate."""
    from genre_desktop.audio import decode

    rate = samplerate or decode.probe(path).samplerate
    samples = decode.read_window(path, 0.0, None, sr=samplerate, mono=False)
    return samples, rate


class Player:
    """A one-track preview player. Thread-safe control; the callback never blocks."""

    def __init__(self, read_audio: AudioReader | None = None,
                 on_finished: Callable[[], None] | None = None) -> None:
        self._read_audio = read_audio or read_with_decoder
        # Called from the audio thread when a track plays to its end; must return quickly.
        self.on_finished = on_finished
        self._control = threading.RLock()  # serialises control calls; the callback never takes it
        self._sd: Any = None
        self._stream: Any = None
        self._path: str | None = None
        self._samples = np.zeros((0, 1), dtype=np.float32)
        self._rate = 0
        self._state: PlayerState = "stopped"
        self._finished = False
        self._volume = 1.0
        # Shared with the callback. While a stream runs only the callback writes _cursor and
        # _seek_applied; other threads ask for a seek by replacing _seek_request (one store).
        self._playing = False
        self._cursor = 0
        self._seek_request: tuple[int, int] = (0, 0)  # (generation, frame)
        self._seek_applied = 0
        self._reached_end = False

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
        return len(self._samples) / self._rate if self._rate else 0.0

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
        """Decode ``path`` (blocking; not on the GUI thread) and open the output. Returns the duration.

        Raises AudioUnavailable when there is no usable output device, and whatever the decoder
        raises (audio.decode.DecodeError) when the file cannot be read.
        """
        path = str(path)
        device = default_output_device()  # fail fast, before a long decode
        self._sd = load_sounddevice()
        samples, rate = self._read_audio(path, None)
        if not self._rate_supported(rate, device):
            rate = int(device["default_samplerate"])
            log.info("Output cannot play %s at its own rate; resampling to %d Hz", path, rate)
            samples, rate = self._read_audio(path, rate)
        samples = _as_playable(samples)
        with self._control:
            self._playing = False  # the old stream's finish must not count as this track's end
            self._close_stream()
            self._samples, self._rate, self._path = samples, rate, path
            self._playing, self._cursor, self._reached_end = False, 0, False
            self._seek_applied = self._seek_request[0]
            self._state, self._finished = "stopped", False
            self._open_stream(min(2, int(device["max_output_channels"])))
        log.debug("Loaded %s: %.1f s at %d Hz", path, self.duration, rate)
        return self.duration

    def play(self, start: float | None = None) -> None:
        """Start or resume; with ``start``, from that many seconds into the track."""
        with self._control:
            if self._stream is None:
                raise RuntimeError("nothing is loaded")
            if start is not None:
                self.seek(start)
            elif self._state == "stopped" and self._cursor_at_end():
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
        """Move to ``seconds`` (clamped to the track); takes effect at the next audio block."""
        with self._control:
            if not self._rate:
                return
            frame = int(round(min(max(float(seconds), 0.0), self.duration) * self._rate))
            self._seek_request = (self._seek_request[0] + 1, frame)

    def close(self) -> None:
        """Release the output device and the decoded track."""
        with self._control:
            self._playing, self._state = False, "stopped"
            self._close_stream()
            self._samples, self._rate, self._path = np.zeros((0, 1), dtype=np.float32), 0, None

    # ---- internals --------------------------------------------------------------------
    def _cursor_at_end(self) -> bool:
        return self.position >= self.duration

    def _rate_supported(self, rate: int, device: dict) -> bool:
        try:
            self._sd.check_output_settings(device=device["index"], samplerate=rate, dtype="float32",
                                           channels=min(2, int(device["max_output_channels"])))
        except (self._sd.PortAudioError, ValueError):
            return False
        return True

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

    def _callback(self, outdata: np.ndarray, frames: int, _time: Any, _status: Any) -> None:
        # Audio thread: no locks, no logging, no allocation beyond array views.
        generation, frame = self._seek_request
        if generation != self._seek_applied:
            self._cursor = frame
            self._seek_applied = generation
        if not self._playing:
            outdata.fill(0.0)
            return
        samples = self._samples
        start = self._cursor
        end = min(start + frames, len(samples))
        count = max(end - start, 0)
        if count:
            # Broadcasting also turns a mono track into both output channels.
            np.multiply(samples[start:end], self._volume, out=outdata[:count])
        if count < frames:
            outdata[count:].fill(0.0)
        self._cursor = start + count
        if start + count >= len(samples):
            self._reached_end = True
            raise self._sd.CallbackStop  # PortAudio plays out what is queued, then finishes

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


def _as_playable(samples: np.ndarray) -> np.ndarray:
    """(frames, 1 or 2) contiguous float32; more than two channels are mixed down to mono."""
    samples = np.asarray(samples, dtype=np.float32)
    if samples.ndim == 1:
        samples = samples[:, None]
    elif samples.shape[1] > 2:
        samples = samples.mean(axis=1, dtype=np.float32)[:, None]
    return np.ascontiguousarray(samples)
