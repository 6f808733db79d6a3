"""Fan file analysis out to worker processes, survive worker crashes, stop promptly on cancel.

At most `max_in_flight` files are queued at once (memory stays flat however big the library).
When a worker dies (a decoder segfault, the OOM killer), every file that was in flight is a
suspect: the pool is restarted and the suspects are retried one at a time, so only the file
that really kills a worker ends up as a problem.
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from genre_desktop.core.cancel import CancelToken
from genre_desktop.library.light_results import loads, pickled
from genre_desktop.library.parent_watch import exit_with_parent
from genre_desktop.library.scan_worker import JobResult, analyse_job, init_worker, ping
from genre_desktop.library.walk import FoundFile

log = logging.getLogger(__name__)

CRASH_REASON = "the decoder crashed on this file (the worker process stopped)"
# Analysis reads a fixed number of windows whatever the length, so one limit fits every file;
# a normal file takes a second or two.
DEFAULT_FILE_SECONDS = 60.0
MAX_BREAKS_BEFORE_SUCCESS = 5
TICK_SECONDS = 1 / 30


class WorkerPoolError(RuntimeError):
    """The worker processes cannot run at all (not one bad file: every start fails)."""


def default_jobs() -> int:
    return max(1, os.cpu_count() or 1)


def _context() -> multiprocessing.context.BaseContext:
    """forkserver where it exists (cheap worker restarts: librosa is imported once, in the
    server), spawn elsewhere and in a frozen app (plain fork is unsafe with threads running)."""
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods and not getattr(sys, "frozen", False):
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["genre_desktop.library.scan_preload"])
        return ctx
    return multiprocessing.get_context("spawn")


def _start_worker(app_pid: int, *init_args) -> None:
    """Pool initializer: first make the worker end with its parent (the app, or the fork server
    that ends with the app), then init_worker."""
    exit_with_parent(kernel_signal=os.getppid() != app_pid)  # a fork server's main thread forked it
    init_worker(*init_args)


def _stop_fork_server() -> None:
    # multiprocessing has no public way to stop its fork server; it restarts one on demand.
    try:
        import multiprocessing.forkserver as forkserver
    except ImportError:  # no fork server on this platform
        return
    server = getattr(forkserver, "_forkserver", None)
    pid = getattr(server, "_forkserver_pid", None)
    if pid:
        try:
            os.kill(pid, signal.SIGTERM)
        except OSError:
            pass


class AnalysisPool:
    def __init__(
        self, jobs: int | None, *, windows_per_track: int, model_dir: str | None, use_model: bool,
        job: Callable[..., JobResult] = analyse_job, personal_dir: str | None = None,
        file_seconds: float = DEFAULT_FILE_SECONDS,
    ) -> None:
        """`job` must be a module-level function with analyse_job's signature (workers import it).
        personal_dir: where the user's personal model is (None: the bundled model alone).
        file_seconds: the time one file may take in a worker before it is given up."""
        self.jobs = jobs or default_jobs()
        self.file_seconds = file_seconds
        self._job = job
        self.max_in_flight = self.jobs * 2
        self._job_args = (windows_per_track, model_dir, use_model, personal_dir)
        self._init_args = (model_dir, use_model, personal_dir)
        self._executor: ProcessPoolExecutor | None = None
        self._ready = threading.Event()
        self.current = ""  # the file most recently handed to a worker
        self.restarts = 0

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                max_workers=self.jobs, mp_context=_context(), initializer=_start_worker,
                initargs=(os.getpid(), *self._init_args),
            )
            self._ready = threading.Event()
            threading.Thread(
                target=self._start_workers, args=(self._executor, self._ready), daemon=True,
                name="scan-pool-start",
            ).start()
        return self._executor

    @staticmethod
    def _start_workers(executor: ProcessPoolExecutor, ready: threading.Event) -> None:
        """The first worker of a fork server can take seconds to appear (the server warms up
        the analysis code first); start it here so that the scan keeps reporting progress and
        obeying cancel meanwhile."""
        try:
            executor.submit(ping)
        except Exception:  # a broken pool shows itself to the next submit
            pass
        finally:
            ready.set()

    def _ready_to_submit(self) -> bool:
        self._pool()
        return self._ready.is_set()

    def _submit(self, item: FoundFile) -> Future[bytes]:
        self.current = item.path
        return self._pool().submit(pickled, self._job, item.path, item.size, item.mtime_ns, *self._job_args)

    def run(self, files: Iterable[FoundFile], cancel: CancelToken | None = None) -> Iterator[JobResult | None]:
        """Yield each file's JobResult as it finishes, and None about 30 times a second while
        waiting (so the caller can report progress and commit on time)."""
        queue = iter(files)
        first = next(queue, None)
        if first is None:  # nothing to do: no pool at all
            return
        queue = itertools.chain([first], queue)
        suspects: deque[FoundFile] = deque()
        in_flight: dict[Future[JobResult], FoundFile] = {}
        isolating: FoundFile | None = None  # a suspect running alone
        running_since: dict[Future[JobResult], float] = {}
        breaks_before_any_success = 0
        abandoned = False
        succeeded = False
        try:
            while True:
                if cancel is not None and cancel.cancelled:
                    return
                if not self._ready_to_submit():
                    time.sleep(TICK_SECONDS)
                    yield None
                    continue
                unsent: FoundFile | None = None
                try:
                    if isolating is None and suspects and not in_flight:
                        isolating = unsent = suspects.popleft()
                        in_flight[self._submit(unsent)] = unsent
                    while isolating is None and not suspects and len(in_flight) < self.max_in_flight:
                        unsent = next(queue, None)
                        if unsent is None:
                            break
                        in_flight[self._submit(unsent)] = unsent
                    unsent = None
                except BrokenProcessPool:  # it died before this file was even handed over
                    pass
                if not in_flight and unsent is None:
                    return
                done: set[Future[JobResult]] = set()
                if unsent is None:
                    done, _ = wait(in_flight, timeout=TICK_SECONDS, return_when=FIRST_COMPLETED)
                    if not done:
                        overdue = self._overdue(in_flight, running_since)
                        if overdue:
                            # Only a restart stops a worker that is stuck: the others start over.
                            for future in overdue:
                                item = in_flight.pop(future)
                                isolating = None if item is isolating else isolating
                                log.warning("Gave up %r after %.0f s", item.path, self.file_seconds)
                                yield JobResult(item.path, item.size, item.mtime_ns, None, None,
                                                self.too_long_reason)
                            queue = itertools.chain(list(in_flight.values()), queue)
                            in_flight.clear()
                            running_since.clear()
                            self.close(terminate=True)
                            self.restarts += 1
                            continue
                        yield None
                        continue
                broken: list[FoundFile] = []
                for future in done:
                    item = in_flight.pop(future)
                    running_since.pop(future, None)
                    try:
                        result = loads(future.result())  # without importing the analysis stack
                    except BrokenProcessPool:
                        broken.append(item)
                        continue
                    if item is isolating:
                        isolating = None
                    succeeded = True
                    yield result
                if not broken and unsent is None:
                    continue
                # Every future of a broken pool fails: gather them all, then restart the pool.
                everyone = broken + list(in_flight.values())
                in_flight.clear()
                running_since.clear()
                self.close(terminate=True)
                self.restarts += 1
                if not succeeded:
                    breaks_before_any_success += 1
                    if breaks_before_any_success >= MAX_BREAKS_BEFORE_SUCCESS:
                        raise WorkerPoolError(
                            "the analysis worker processes keep stopping before analysing "
                            "anything; see the log for the cause"
                        )
                if isolating is not None and everyone == [isolating]:
                    log.warning("A worker process died analysing %r", isolating.path)
                    yield JobResult(isolating.path, isolating.size, isolating.mtime_ns, None, None, CRASH_REASON)
                    isolating = None
                    continue
                if unsent is not None:
                    suspects.appendleft(unsent)
                    if unsent is isolating:
                        isolating = None
                if everyone:
                    log.warning("A worker process died; retrying %d file(s) one at a time", len(everyone))
                isolating = None
                suspects.extend(everyone)
        except GeneratorExit:  # the caller stopped listening: nobody wants the rest
            abandoned = True
            raise
        finally:
            self.close(terminate=abandoned or (cancel is not None and cancel.cancelled))

    @property
    def too_long_reason(self) -> str:
        return f"took too long to analyse (more than {self.file_seconds:.0f} s); it was skipped"

    def _overdue(self, in_flight: dict[Future[JobResult], FoundFile],
                 running_since: dict[Future[JobResult], float]) -> list[Future[JobResult]]:
        """The files a worker has held for longer than file_seconds. A file's clock starts when
        the pool hands it to a worker's queue (at most one file waits there per pool)."""
        now = time.monotonic()
        for future in in_flight:
            if future not in running_since and future.running():
                running_since[future] = now
        return [f for f, since in running_since.items() if now - since > self.file_seconds]

    def close(self, terminate: bool = False) -> None:
        executor, self._executor = self._executor, None
        if executor is None:
            return
        if not self._ready.is_set():
            # Still starting (the fork server is warming up): stop that server, which ends the
            # start at once (the next scan starts a new one), and finish in the background.
            _stop_fork_server()
            threading.Thread(
                target=self._stop_when_started, args=(executor, self._ready), daemon=True,
                name="scan-pool-stop",
            ).start()
            return
        self._stop(executor, terminate)

    @classmethod
    def _stop_when_started(cls, executor: ProcessPoolExecutor, ready: threading.Event) -> None:
        ready.wait()
        cls._stop(executor, terminate=True)

    @staticmethod
    def _stop(executor: ProcessPoolExecutor, terminate: bool) -> None:
        if terminate:
            # Stop at once: no waiting for files in progress (a cancel, or a dead pool).
            for process in list((getattr(executor, "_processes", None) or {}).values()):
                if process.is_alive():
                    process.terminate()
        started = time.perf_counter()
        executor.shutdown(wait=True, cancel_futures=True)
        log.debug("Worker pool closed in %.2f s", time.perf_counter() - started)
