"""Horizontal bar chart of a track's genre probabilities, painted with QPainter."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

from genre_desktop.ui.genre_colors import genre_color

BAR_HEIGHT = 16
ROW_GAP = 5


class ProbabilityBars(QWidget):
    """One bar per genre, most probable first; the predicted genre is drawn bold."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._items: list[tuple[str, float]] = []
        self._highlight: str | None = None
        self._threshold: float | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName("Genre probabilities")

    def set_probabilities(self, probabilities: dict[str, float], highlight: str | None = None,
                          threshold: float | None = None) -> None:
        self._items = sorted(probabilities.items(), key=lambda kv: kv[1], reverse=True)
        self._highlight = highlight
        self._threshold = threshold
        tip = "\n".join(f"{genre}: {p:.1%}" for genre, p in self._items)
        self.setToolTip(tip)
        self.updateGeometry()
        self.update()

    def items(self) -> list[tuple[str, float]]:
        return list(self._items)

    def sizeHint(self) -> QSize:
        rows = max(1, len(self._items))
        return QSize(260, rows * (BAR_HEIGHT + ROW_GAP) + ROW_GAP)

    def minimumSizeHint(self) -> QSize:
        return QSize(160, self.sizeHint().height())

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt name
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        if not self._items:
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No prediction")
            return
        bold = QFont(painter.font())
        bold.setBold(True)  # the highlighted genre is drawn bold: measure that, or a long name is clipped
        label_w = max(QFontMetrics(bold).horizontalAdvance(g) for g, _ in self._items) + 10
        metrics = painter.fontMetrics()
        value_w = metrics.horizontalAdvance("100%") + 8
        bar_x = label_w
        bar_w = max(10, self.width() - label_w - value_w)
        track_color = palette.color(QPalette.ColorRole.Mid)
        track_color.setAlpha(60)
        for row, (genre, p) in enumerate(self._items):
            y = ROW_GAP + row * (BAR_HEIGHT + ROW_GAP)
            font = painter.font()
            font.setBold(genre == self._highlight)
            painter.setFont(font)
            painter.setPen(text)
            painter.drawText(QRectF(0, y, label_w - 6, BAR_HEIGHT),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, genre)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(track_color)
            painter.drawRoundedRect(QRectF(bar_x, y + 2, bar_w, BAR_HEIGHT - 4), 3, 3)
            color = QColor(genre_color(genre))
            if genre != self._highlight:
                color.setAlpha(170)
            painter.setBrush(color)
            painter.drawRoundedRect(QRectF(bar_x, y + 2, max(2.0, bar_w * p), BAR_HEIGHT - 4), 3, 3)
            painter.setPen(text)
            painter.drawText(QRectF(bar_x + bar_w + 4, y, value_w, BAR_HEIGHT),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, f"{p:.0%}")
        if self._threshold is not None:
            # The uncertainty threshold as a dashed line: bars that end left of it are "uncertain".
            x = bar_x + bar_w * self._threshold
            pen = painter.pen()
            pen.setColor(palette.color(QPalette.ColorRole.Text))
            pen.setStyle(Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.drawLine(int(x), 0, int(x), self.height())
        painter.end()
