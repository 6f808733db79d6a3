"""The GUI thread keeps ticking while a real scan runs: a 10 ms timer's lateness is measured."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QElapsedTimer, Qt, QTimer

from tests.ui.conftest import scan_and_wait

pytestmark = pytest.mark.slow

TICK_MS = 10
P99_BOUND_MS = 250  # generous for loaded CI machines; the goal is <= 50 ms (printed for the record)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def test_gui_thread_stalls_little_during_a_scan(qtbot, main_window, demo_music):
    clock = QElapsedTimer()
    lateness: list[float] = []
    last = [0.0]

    def tick() -> None:
        now = clock.nsecsElapsed() / 1e6
        lateness.append(max(0.0, now - last[0] - TICK_MS))
        last[0] = now

    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setInterval(TICK_MS)
    timer.timeout.connect(tick)
    clock.start()
    timer.start()
    report = scan_and_wait(qtbot, main_window, demo_music)
    timer.stop()
    assert report is not None and report.added == 10
    assert len(lateness) > 50
    p50, p99, worst = percentile(lateness, 0.5), percentile(lateness, 0.99), max(lateness)
    print(f"\nGUI thread lateness during a {report.seconds:.1f} s scan of {report.scanned} files "
          f"({len(lateness)} ticks of {TICK_MS} ms): p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {worst:.1f} ms")
    assert p99 <= P99_BOUND_MS
