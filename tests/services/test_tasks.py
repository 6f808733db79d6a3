"""The task primitive: results, progress from generators, errors and cancellation reach the GUI thread."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from PySide6.QtCore import QThread

from genre_desktop.core.cancel import Cancelled
from genre_desktop.services.tasks import TaskRunner


@pytest.fixture
def runner(qtbot):
    tasks = TaskRunner()
    yield tasks
    tasks.shutdown()


def test_result_arrives_on_gui_thread(qtbot, runner):
    seen = {}

    def work(a, b):
        seen["worker_thread"] = threading.get_ident()
        return a + b

    def on_result(value):
        seen["value"] = value
        seen["gui"] = QThread.currentThread() is qtbot_app_thread()

    def qtbot_app_thread():
        from PySide6.QtWidgets import QApplication

        return QApplication.instance().thread()

    task = runner.run(work, 2, 3, on_result=on_result)
    with qtbot.waitSignal(task.ended, timeout=5000):
        pass
    assert seen["value"] == 5
    assert seen["gui"] is True
    assert seen["worker_thread"] != threading.get_ident()


def test_generator_progress_then_return_value(qtbot, runner):
    def counting():
        for i in range(5):
            yield i
        return "done"

    progress: list[int] = []
    task = runner.run(counting, on_progress=progress.append)
    with qtbot.waitSignal(task.succeeded, timeout=5000) as blocker:
        pass
    assert blocker.args == ["done"]
    assert progress == [0, 1, 2, 3, 4]


def test_errors_become_failed_signal(qtbot, runner):
    def broken():
        raise ValueError("bad input")

    task = runner.run(broken)
    with qtbot.waitSignal(task.failed, timeout=5000) as blocker:
        pass
    assert isinstance(blocker.args[0], ValueError)
    assert "bad input" in str(blocker.args[0])


def test_cancel_token_is_passed_and_honoured(qtbot, runner):
    started = threading.Event()

    def slow(cancel):
        started.set()
        while True:
            cancel.check()
            time.sleep(0.005)

    task = runner.run(slow, pass_cancel=True)
    assert started.wait(5)
    with qtbot.waitSignal(task.cancelled, timeout=5000):
        task.cancel()
    assert not task.is_running


def test_watch_future_from_another_thread(qtbot, runner):
    with ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(lambda: time.sleep(0.05) or 42)
        task = runner.watch(future)
        with qtbot.waitSignal(task.succeeded, timeout=5000) as blocker:
            pass
    assert blocker.args == [42]


def test_watch_future_error(qtbot, runner):
    with ThreadPoolExecutor(max_workers=1) as pool:
        def boom():
            raise Cancelled()

        task = runner.watch(pool.submit(boom))
        with qtbot.waitSignal(task.cancelled, timeout=5000):
            pass


def _run_until_cancelled(cancel):
    while not cancel.cancelled:
        time.sleep(0.005)
    return "stopped"


def test_shutdown_cancels_running_tasks(qtbot):
    runner = TaskRunner()

    runner.run(_run_until_cancelled, pass_cancel=True)
    assert runner.shutdown(timeout_ms=5000)


def test_runner_can_be_dropped_after_shutdown(qtbot):
    import gc

    runner = TaskRunner()

    runner.run(_run_until_cancelled, pass_cancel=True)
    runner.run(lambda: 1)
    assert runner.shutdown(timeout_ms=5000)
    del runner
    gc.collect()
    qtbot.wait(50)  # nothing queued may reach a deleted task


def test_tasks_asked_for_after_shutdown_are_dropped(qtbot):
    runner = TaskRunner()
    runner.shutdown()
    ran = []
    task = runner.run(lambda: ran.append(1))
    qtbot.wait(50)
    assert ran == [] and task.was_cancelled
