"""Background tasks: run plain Python off the GUI thread, get the outcome back as Qt signals.

A task wraps a callable. If the callable returns a generator, every value it yields becomes a
`progress` signal and the generator's return value becomes the result (the shape of
library.scanner.scan). Worker code never sees a widget: it receives plain arguments and, when asked
for, a CancelToken.

All public signals are emitted on the thread that created the TaskRunner (the GUI thread): the
worker emits private signals that are queued to slots of the Task object, which lives there.
"""

from __future__ import annotations

import inspect
import logging
import threading
import weakref
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QRunnable, Qt, QThreadPool, Signal, Slot

from genre_desktop.core.cancel import CancelToken, Cancelled

log = logging.getLogger(__name__)

Callback = Callable[[Any], None] | None


class Task(QObject):
    """One background job. Signals arrive on the GUI thread; exactly one of
    succeeded / failed / cancelled fires, then `ended`."""

    progress = Signal(object)
    succeeded = Signal(object)
    failed = Signal(object)  # the exception
    cancelled = Signal()
    ended = Signal()

    # Emitted from the worker thread; queued to the slots below.
    _progress_from_worker = Signal(object)
    _result_from_worker = Signal(object)
    _error_from_worker = Signal(object)

    def __init__(self, name: str, parent: QObject | None = None,
                 gate: threading.Lock | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._gate = gate or threading.Lock()
        self._closed = False
        self.token = CancelToken()
        self.is_running = True
        self.result: Any = None
        self.error: BaseException | None = None
        # Always queued, even when a future is already done on the GUI thread: callers can
        # connect to the public signals after starting the task and still see every emission.
        queued = Qt.ConnectionType.QueuedConnection
        self._progress_from_worker.connect(self._on_progress, queued)
        self._result_from_worker.connect(self._on_result, queued)
        self._error_from_worker.connect(self._on_error, queued)

    def cancel(self) -> None:
        self.token.cancel()

    def _send(self, which: str, value: object) -> None:
        """Worker side: post to the GUI thread unless the runner has shut down."""
        with self._gate:
            if not self._closed:
                getattr(self, which).emit(value)

    def _close(self) -> None:
        with self._gate:
            self._closed = True

    @property
    def was_cancelled(self) -> bool:
        return self.token.cancelled

    @Slot(object)
    def _on_progress(self, value: object) -> None:
        if self.is_running:
            self.progress.emit(value)

    @Slot(object)
    def _on_result(self, value: object) -> None:
        self.result = value
        self._finish()
        self.succeeded.emit(value)
        self.ended.emit()

    @Slot(object)
    def _on_error(self, error: object) -> None:
        self._finish()
        if isinstance(error, Cancelled):
            self.cancelled.emit()
        else:
            self.error = error  # type: ignore[assignment]
            self.failed.emit(error)
        self.ended.emit()

    def _finish(self) -> None:
        self.is_running = False


class _Runnable(QRunnable):
    def __init__(self, task: Task, fn: Callable[..., Any], args: tuple, kwargs: dict) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._task = task
        self._fn = fn
        self._args = args
        self._kwargs = kwargs

    def run(self) -> None:  # worker thread
        task = self._task
        try:
            outcome = self._fn(*self._args, **self._kwargs)
            if inspect.isgenerator(outcome):
                outcome = self._drain(outcome)
        except BaseException as exc:  # noqa: BLE001 - every failure must reach the GUI
            if not isinstance(exc, Cancelled):
                log.exception("Task %r failed", task.name)
            task._send("_error_from_worker", exc)
            return
        task._send("_result_from_worker", outcome)

    def _drain(self, generator) -> Any:
        while True:
            try:
                value = next(generator)
            except StopIteration as stop:
                return stop.value
            self._task._send("_progress_from_worker", value)


class TaskRunner(QObject):
    """Owns a private thread pool (no global instance) and keeps running tasks alive."""

    def __init__(self, parent: QObject | None = None, max_threads: int = 4) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._running: set[Task] = set()
        self._shut_down = False

    def run(
        self,
        fn: Callable[..., Any],
        *args: Any,
        name: str = "",
        on_result: Callback = None,
        on_error: Callback = None,
        on_progress: Callback = None,
        pass_cancel: bool = False,
        **kwargs: Any,
    ) -> Task:
        """Start fn(*args, **kwargs) in the pool. With pass_cancel, fn also gets cancel=<token>."""
        task = self._new_task(name or getattr(fn, "__name__", "task"))
        if self._shut_down:  # late requests (a timer firing during exit) are dropped
            log.debug("Task %r not started: the runner is shut down", task.name)
            task.cancel()
            task._close()
            return task
        if pass_cancel:
            kwargs["cancel"] = task.token
        if on_result is not None:
            task.succeeded.connect(on_result)
        if on_error is not None:
            task.failed.connect(on_error)
        if on_progress is not None:
            task.progress.connect(on_progress)
        self._pool.start(_Runnable(task, fn, args, kwargs))
        return task

    def watch(self, future: Future, *, name: str = "write", on_result: Callback = None,
              on_error: Callback = None) -> Task:
        """Bring a concurrent.futures.Future (e.g. from LibraryWriter.submit) back as a Task."""
        task = self._new_task(name)
        if on_result is not None:
            task.succeeded.connect(on_result)
        if on_error is not None:
            task.failed.connect(on_error)
        def _done(done: Future) -> None:  # runs on whichever thread completed the future
            try:
                value = done.result()
            except BaseException as exc:  # noqa: BLE001
                task._send("_error_from_worker", exc)
                return
            task._send("_result_from_worker", value)

        future.add_done_callback(_done)
        return task

    def _new_task(self, name: str) -> Task:
        # No Qt parent: the runner's set keeps a task alive until it ends, and deleting the
        # runner never deletes a task that still has a queued event (that crashes PySide).
        task = Task(name)
        self._running.add(task)
        ref = weakref.ref(task)
        task.ended.connect(lambda: self._forget(ref()))
        return task

    @property
    def running(self) -> list[Task]:
        return [t for t in self._running if t.is_running]

    def _forget(self, task: Task | None) -> None:
        if task is not None:
            self._running.discard(task)
            task.deleteLater()

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """Cancel everything, wait for the pool, then deliver what is still queued.

        Call before the runner goes away: a queued signal must never reach a deleted Task.
        True if all threads stopped in time."""
        self._shut_down = True
        for task in list(self._running):
            task.cancel()
        stopped = self._pool.waitForDone(timeout_ms)
        for task in list(self._running):
            task._close()
            QCoreApplication.sendPostedEvents(task, QEvent.Type.MetaCall)
        return stopped
