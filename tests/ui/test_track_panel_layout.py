"""The Track panel at 1024x640: every label gets the height its wrapped text needs and no two
labels or controls overlap, whatever the Sounds-like tags (real tagger rows of real clips)."""

from __future__ import annotations

import contextlib

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QApplication, QComboBox, QLabel, QPushButton, QWidget

from genre_desktop.core.sounds_like.tags import ShownTag, TagGroup
from genre_desktop.ui.widgets.probability_bars import ProbabilityBars
from genre_desktop.ui.widgets.window_timeline import WindowTimeline

PARTS = (QLabel, QPushButton, QComboBox, ProbabilityBars, WindowTimeline)


def _settle(qtbot, window, width: int, height: int) -> None:
    window.resize(width, height)
    qtbot.waitUntil(lambda: window.width() == width and window.height() == height, timeout=3000)
    qtbot.wait(50)
    QApplication.processEvents()


def _parts(panel) -> dict[QWidget, QRect]:
    body = panel.widget()
    return {w: QRect(w.mapTo(body, QPoint(0, 0)), w.size())
            for w in body.findChildren(QWidget) if isinstance(w, PARTS) and w.isVisibleTo(body)}


def layout_faults(panel) -> list[str]:
    """Wrapped labels shorter than their text, and parts that overlap."""
    parts = _parts(panel)
    faults = []
    for widget in parts:
        if isinstance(widget, QLabel) and widget.wordWrap() and widget.text():
            need = widget.heightForWidth(widget.width())
            if widget.height() < need:
                faults.append(f"{widget.text()!r} gets {widget.height()}px of {need}")
    items = list(parts.items())
    for i, (a, rect_a) in enumerate(items):
        for b, rect_b in items[i + 1:]:
            if not (a.isAncestorOf(b) or b.isAncestorOf(a)) and rect_a.intersects(rect_b):
                faults.append(f"{_name(a)} {rect_a} overlaps {_name(b)} {rect_b}")
    return faults


def _name(widget: QWidget) -> str:
    return repr(widget.text()) if hasattr(widget, "text") else type(widget).__name__


def assert_laid_out(qtbot, panel) -> None:
    """Once the layout has run (it is posted, not immediate): nothing cut, nothing overlapping."""
    with contextlib.suppress(qtbot.TimeoutError):
        qtbot.waitUntil(lambda: not layout_faults(panel), timeout=2000)
    assert layout_faults(panel) == []


def _show_track(qtbot, window, track_id: int) -> None:
    window.library_panel.select_ids([track_id], current=track_id)
    qtbot.waitUntil(lambda: window.sounds_like.loaded_id == track_id, timeout=10_000)
    QApplication.processEvents()


def test_track_panel_labels_do_not_overlap_at_1024x640(qtbot, tagged_window):
    window = tagged_window
    _settle(qtbot, window, 1024, 640)
    panel, tags = window.detail, window.detail.sounds_like
    assert window.detail_dock.width() <= 1024 // 4 + 2
    for track_id in range(1, 40):  # every seeded track with the tagger's rows: its own tags
        _show_track(qtbot, window, track_id)
        assert_laid_out(qtbot, panel)

    # The longest style line the tagger can give, three tags wrapping to three lines, then moods:
    # the line below starts under it.
    style = [ShownTag(t, TagGroup.STYLE, 0.5, 0.05) for t in ("electronica", "electronic", "experimental")]
    mood = [ShownTag(t, TagGroup.MOOD, 0.5, 0.05) for t in ("easy listening", "chillout", "beautiful")]
    tags.show_tags(style + mood)
    assert_laid_out(qtbot, panel)
    style_line, mood_line = tags._lines[TagGroup.STYLE], tags._lines[TagGroup.MOOD]
    assert style_line.height() >= 3 * style_line.fontMetrics().lineSpacing()
    assert mood_line.mapTo(panel.widget(), QPoint(0, 0)).y() >= style_line.mapTo(
        panel.widget(), QPoint(0, style_line.height())).y()

    # Narrower still (dragging the panel's edge) and back to a wide window.
    window.resizeDocks([window.detail_dock], [230], Qt.Orientation.Horizontal)
    qtbot.waitUntil(lambda: abs(window.detail_dock.width() - 230) <= 4)
    QApplication.processEvents()
    assert_laid_out(qtbot, panel)
    _settle(qtbot, window, 1440, 900)
    assert_laid_out(qtbot, panel)
