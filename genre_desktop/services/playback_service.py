"""Preview playback for the UI: a Player driven off the GUI thread, its progress as Qt signals.

Every player command runs on one private worker thread, in the order it was asked for, so a slow
decode never freezes the window and a pause clicked during a load still lands after it. The GUI
thread only reads the player's position and state (plain attribute reads) from a ~30 Hz timer.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal, Slot

from genre_desktop.audio.player import AudioUnavailable, Player, default_output_device

log = logging.getLogger(__name__)

POLL_INTERVAL_MS = 33  # ~30 Hz: smooth for a seek bar, cheap for the GUI thread


class PlaybackService(QObject):
    """Signals are emitted on the thread that created the service (the GUI thread)."""

    positionChanged = Signal(float)  # seconds into the track
    stateChanged = Signal(str)  # 'stopped' | 'playing' | 'paused'
    unavailable = Signal(str)  # no audio output here: the UI disables preview with this message
    error = Signal(str)  # this track could not be played (e.g. it cannot be decoded)
    trackLoaded = Signal(str, float)  # path, duration in seconds
    trackFinished = Signal()  # the track played to its end (not stopped by the user)

    # From the worker thread / the audio thread; queued to slots on the GUI thread.
    _commandDone = Signal(object)
    _trackFinished = Signal()

    def __init__(self, player: Player | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._player = player or Player()
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="playback")
        self._gate = threading.Lock()  # no emission from other threads once shut down
        self._closed = False
        self._requests = itertools.count(1)
        self._latest_request = 0
        self._state = "stopped"
        self._position = 0.0
        self._unavailable_reason: str | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_INTERVAL_MS)
        self._timer.timeout.connect(self._poll)
        queued = Qt.ConnectionType.QueuedConnection
        self._commandDone.connect(self._on_command_done, queued)
        self._trackFinished.connect(self._poll, queued)
        self._trackFinished.connect(self.trackFinished, queued)
        self._player.on_finished = lambda: self._send(self._trackFinished)

    # ---- read-only view ---------------------------------------------------------------
    @property
    def state(self) -> str:
        return self._state

    @property
    def position(self) -> float:
        return self._position

    @property
    def duration(self) -> float:
        return self._player.duration

    @property
    def current_path(self) -> str | None:
        return self._player.path

    @property
    def available(self) -> bool:
        return self._unavailable_reason is None

    @property
    def unavailable_reason(self) -> str | None:
        return self._unavailable_reason

    @property
    def volume(self) -> float:
        return self._player.volume

    @volume.setter
    def volume(self, value: float) -> None:
        self._player.volume = value  # thread-safe and instant: no need to queue it

    # ---- commands (all return at once) ------------------------------------------------
    def check_available(self) -> None:
        """Look for an output device in the background; emits `unavailable` if there is none."""
        self._submit(default_output_device)

    def play_file(self, path: str | Path, start: float | None = None) -> None:
        """Load ``path`` (unless it is already loaded) and play it, from ``start`` seconds if given."""
        request = next(self._requests)
        self._latest_request = request
        self._submit(self._load_and_play, request, str(path), start)

    def play_from(self, path: str | Path, seconds: float) -> None:
        """Play ``path`` from ``seconds``, e.g. the window that decided its genre."""
        self.play_file(path, start=seconds)

    def play(self) -> None:
        self._submit(self._player.play)

    def pause(self) -> None:
        self._submit(self._player.pause)

    def toggle(self) -> None:
        self._submit(self._player.toggle)

    def stop(self) -> None:
        self._submit(self._player.stop)

    def seek(self, seconds: float) -> None:
        self._submit(self._player.seek, seconds)

    def shutdown(self) -> None:
        """Stop playback and the worker. Waits for a command in progress (at most one decode)."""
        self._timer.stop()
        self._player.on_finished = None
        self._worker.shutdown(wait=True, cancel_futures=True)
        self._player.close()
        with self._gate:
            self._closed = True
        # Deliver what the worker already queued, so no event outlives this object.
        QCoreApplication.sendPostedEvents(self, QEvent.Type.MetaCall)

    # ---- worker side ------------------------------------------------------------------
    def _submit(self, fn: Callable, *args) -> None:
        if self._closed:
            return
        if self._unavailable_reason is not None:
            log.debug("Preview unavailable; ignoring %s", getattr(fn, "__name__", fn))
            return
        self._worker.submit(self._run, fn, *args)

    def _run(self, fn: Callable, *args) -> None:
        try:
            outcome = fn(*args)
        except Exception as exc:  # noqa: BLE001 - every failure must reach the GUI thread
            if not isinstance(exc, AudioUnavailable):
                log.warning("Playback command %s failed: %s", getattr(fn, "__name__", fn), exc)
            outcome = exc
        self._send(self._commandDone, outcome)

    def _load_and_play(self, request: int, path: str, start: float | None) -> tuple[str, float] | None:
        if request != self._latest_request:
            return None  # a newer play_file superseded this one before it began
        loaded = None
        if self._player.path != path:
            try:
                loaded = (path, self._player.load(path))
            except Exception:
                self._player.stop()  # the user asked for another track: the old one must not play on
                raise
        self._player.play(start)
        return loaded

    def _send(self, signal, *args) -> None:
        with self._gate:
            if not self._closed:
                signal.emit(*args)

    # ---- GUI side ---------------------------------------------------------------------
    @Slot(object)
    def _on_command_done(self, outcome: object) -> None:
        if self._closed:
            return
        if isinstance(outcome, AudioUnavailable):
            if self._unavailable_reason is None:
                self._unavailable_reason = str(outcome)
                self.unavailable.emit(self._unavailable_reason)
        elif isinstance(outcome, Exception):
            self.error.emit(str(outcome) or type(outcome).__name__)
        elif isinstance(outcome, tuple):
            self.trackLoaded.emit(*outcome)
        self._poll()

    @Slot()
    def _poll(self) -> None:
        if self._closed:
            return
        state = self._player.state
        if state != self._state:
            self._state = state
            self.stateChanged.emit(state)
        if state == "playing" and not self._timer.isActive():
            self._timer.start()
        elif state != "playing":
            self._timer.stop()
        position = self._player.position
        if position != self._position:
            self._position = position
            self.positionChanged.emit(position)
