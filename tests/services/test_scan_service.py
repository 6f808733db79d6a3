"""ScanService: progress and finished ids as signals, one scan at a time, queueing, cancel, failure."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import pytest

from genre_desktop.core.cancel import Cancelled
from genre_desktop.library.scanner import ScanProgress
from genre_desktop.services.scan_service import ScanOptions, ScanService
from genre_desktop.services.tasks import TaskRunner


@dataclass
class Report:
    folders: list[str]
    cancelled: bool = False


class FakeScanner:
    """Stands in for library.scanner.scan with the same generator shape."""

    def __init__(self, files: int = 5, delay: float = 0.0, fail: bool = False) -> None:
        self.files, self.delay, self.fail = files, delay, fail
        self.calls: list[list[str]] = []
        self.thread_ids: set[int] = set()
        self.started = threading.Event()

    def __call__(self, folders, writer, options, cancel):
        self.calls.append(list(folders))
        self.thread_ids.add(threading.get_ident())
        self.started.set()
        for i in range(self.files):
            if cancel.cancelled:
                return Report(folders, cancelled=True)
            if self.fail and i == 2:
                raise OSError("disk vanished")
            time.sleep(self.delay)
            yield ScanProgress(i + 1, self.files, f"{folders[0]}/{i}.mp3", 1.0, [100 * len(self.calls) + i])
        return Report(folders)


@pytest.fixture
def runner(qtbot):
    tasks = TaskRunner()
    yield tasks
    tasks.shutdown()


def make_service(runner, scanner) -> ScanService:
    return ScanService(writer=None, tasks=runner, options=lambda: ScanOptions(jobs=1), scan_fn=scanner)


def test_progress_ids_and_report_arrive_on_gui_thread(qtbot, runner):
    scanner = FakeScanner(files=5)
    service = make_service(runner, scanner)
    progress, ids, running = [], [], []
    service.progress.connect(progress.append)
    service.tracksFinished.connect(ids.extend)
    service.runningChanged.connect(running.append)
    with qtbot.waitSignal(service.finished, timeout=5000) as blocker:
        service.scan(["/music"])
    assert blocker.args[0].folders == ["/music"]
    assert [p.done for p in progress] == [1, 2, 3, 4, 5]
    assert ids == [100, 101, 102, 103, 104]
    assert running == [True, False]
    assert threading.get_ident() not in scanner.thread_ids
    assert not service.is_running


def test_second_request_is_queued_and_runs_after(qtbot, runner):
    scanner = FakeScanner(files=3, delay=0.05)
    service = make_service(runner, scanner)
    reports = []
    service.finished.connect(reports.append)
    service.scan(["/a"])
    service.scan(["/b"])
    service.scan(["/b", "/c"])
    qtbot.waitUntil(lambda: len(reports) == 2, timeout=5000)
    assert scanner.calls == [["/a"], ["/b", "/c"]]


def test_cancel_stops_the_scan_and_drops_the_queue(qtbot, runner):
    scanner = FakeScanner(files=1000, delay=0.01)
    service = make_service(runner, scanner)
    service.scan(["/a"])
    service.scan(["/b"])
    assert scanner.started.wait(5)
    with qtbot.waitSignal(service.finished, timeout=5000) as blocker:
        service.cancel()
    assert blocker.args[0].cancelled
    qtbot.wait(100)
    assert scanner.calls == [["/a"]]


def test_cancelled_exception_counts_as_finished(qtbot, runner):
    def scan_raising(folders, writer, options, cancel):
        yield ScanProgress(0, 1, "", None, [])
        raise Cancelled()

    service = make_service(runner, scan_raising)
    with qtbot.waitSignal(service.finished, timeout=5000) as blocker:
        service.scan(["/a"])
    assert blocker.args[0] is None


def test_failure_is_reported_with_its_reason(qtbot, runner):
    service = make_service(runner, FakeScanner(files=5, fail=True))
    with qtbot.waitSignal(service.failed, timeout=5000) as blocker:
        service.scan(["/a"])
    assert "disk vanished" in blocker.args[0]
    assert not service.is_running
