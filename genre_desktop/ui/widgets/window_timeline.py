"""The analysed windows of a track laid over its duration, coloured by predicted genre."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPalette
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from genre_desktop.core.types import WindowPrediction
from genre_desktop.ui.genre_colors import genre_color


def _clock(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


class WindowTimeline(QWidget):
    """Click a window to ask for playback from its start (windowClicked)."""

    windowClicked = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._duration = 0.0
        self._windows: list[WindowPrediction] = []
        self._decisive: int | None = None
        self._position: float | None = None
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName("Analysed windows timeline")

    def set_windows(self, duration: float | None, windows: list[WindowPrediction],
                    decisive: int | None = None) -> None:
        ends = [w.window.end for w in windows]
        self._duration = max([duration or 0.0, *ends]) if ends or duration else 0.0
        self._windows = list(windows)
        self._decisive = decisive
        self._position = None
        self.update()

    def set_position(self, seconds: float | None) -> None:
        self._position = seconds
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(260, 46)

    def _bar_rect(self) -> QRectF:
        return QRectF(4, 6, max(10, self.width() - 8), 20)

    def _x(self, seconds: float) -> float:
        rect = self._bar_rect()
        if self._duration <= 0:
            return rect.left()
        return rect.left() + rect.width() * min(1.0, max(0.0, seconds / self._duration))

    def window_at(self, x: float) -> int | None:
        for index, wp in enumerate(self._windows):
            if self._x(wp.window.start) <= x <= self._x(wp.window.end):
                return index
        return None

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        index = self.window_at(event.position().x())
        if index is None:
            QToolTip.hideText()
            return
        wp = self._windows[index]
        top = sorted(wp.probabilities.items(), key=lambda kv: kv[1], reverse=True)[:3]
        lines = [f"{_clock(wp.window.start)}–{_clock(wp.window.end)}: {wp.genre}"]
        lines += [f"  {g} {p:.0%}" for g, p in top]
        if index == self._decisive:
            lines.append("This part decided the genre.")
        QToolTip.showText(event.globalPosition().toPoint(), "\n".join(lines), self)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        index = self.window_at(event.position().x())
        if index is not None and event.button() == Qt.MouseButton.LeftButton:
            self.windowClicked.emit(self._windows[index].window.start)

    def paintEvent(self, event) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        rect = self._bar_rect()
        base = palette.color(QPalette.ColorRole.Mid)
        base.setAlpha(70)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(base)
        painter.drawRoundedRect(rect, 4, 4)
        for index, wp in enumerate(self._windows):
            left, right = self._x(wp.window.start), self._x(wp.window.end)
            color = QColor(genre_color(wp.genre))
            color.setAlpha(255 if index == self._decisive else 190)
            painter.setBrush(color)
            painter.drawRoundedRect(QRectF(left, rect.top(), max(2.0, right - left), rect.height()), 3, 3)
            if index == self._decisive:
                pen = painter.pen()
                painter.setPen(palette.color(QPalette.ColorRole.WindowText))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRoundedRect(QRectF(left, rect.top(), right - left, rect.height()), 3, 3)
                painter.setPen(pen)
            label = wp.genre
            if painter.fontMetrics().horizontalAdvance(label) < right - left - 6:
                painter.setPen(QColor("#ffffff"))
                painter.drawText(QRectF(left, rect.top(), right - left, rect.height()),
                                 Qt.AlignmentFlag.AlignCenter, label)
                painter.setPen(Qt.PenStyle.NoPen)
        painter.setPen(palette.color(QPalette.ColorRole.WindowText))
        below = QRectF(rect.left(), rect.bottom() + 2, rect.width(), 16)
        painter.drawText(below, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, "0:00")
        painter.drawText(below, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop,
                         _clock(self._duration))
        if not self._windows:
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, "No analysed windows")
        if self._position is not None and self._duration > 0:
            x = self._x(self._position)
            painter.setPen(palette.color(QPalette.ColorRole.Highlight))
            painter.setBrush(palette.color(QPalette.ColorRole.Highlight))
            painter.drawLine(QPointF(x, rect.top() - 4), QPointF(x, rect.bottom() + 2))
        painter.end()
