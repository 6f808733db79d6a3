"""Genre distribution of the whole collection: a donut with a ranked bar legend."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from genre_desktop.ui.genre_colors import genre_color

ROW = 22


class DistributionChart(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._counts: list[tuple[str, int]] = []
        self._uncertain = 0
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName("Genre distribution chart")

    def set_counts(self, counts: dict[str, int], uncertain: int = 0) -> None:
        self._counts = sorted(((g, n) for g, n in counts.items() if n > 0),
                              key=lambda kv: (-kv[1], kv[0]))
        self._uncertain = uncertain
        self.update()

    def counts(self) -> list[tuple[str, int]]:
        return list(self._counts)

    def sizeHint(self) -> QSize:
        return QSize(640, max(320, len(self._counts) * ROW + 80))

    def paintEvent(self, event) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        total = sum(n for _, n in self._counts)
        if total == 0:
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter,
                             "No analysed tracks yet: add a music folder to see your genres.")
            return
        side = min(self.height() - 40, self.width() * 0.42, 360)
        donut = QRectF(20, (self.height() - side) / 2, side, side)
        self._paint_donut(painter, donut, total, text)
        self._paint_legend(painter, QRectF(donut.right() + 30, 20,
                                           self.width() - donut.right() - 50, self.height() - 40),
                           total, text)
        painter.end()

    def _paint_donut(self, painter: QPainter, rect: QRectF, total: int, text: QColor) -> None:
        start = 90 * 16
        ring = max(18.0, rect.width() * 0.22)
        for genre, n in self._counts:
            span = -round(360 * 16 * n / total)
            pen = QPen(genre_color(genre), ring)
            pen.setCapStyle(Qt.PenCapStyle.FlatCap)
            painter.setPen(pen)
            inner = rect.adjusted(ring / 2, ring / 2, -ring / 2, -ring / 2)
            painter.drawArc(inner, start, span)
            start += span
        font = QFont(painter.font())
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(text)
        painter.drawText(rect.adjusted(0, -14, 0, -14), Qt.AlignmentFlag.AlignCenter, f"{total:,}")
        font.setPointSizeF(font.pointSizeF() / 1.6)
        font.setBold(False)
        painter.setFont(font)
        painter.drawText(rect.adjusted(0, 22, 0, 22), Qt.AlignmentFlag.AlignCenter, "tracks")

    def _paint_legend(self, painter: QPainter, rect: QRectF, total: int, text: QColor) -> None:
        metrics = painter.fontMetrics()
        label_w = max(metrics.horizontalAdvance(g) for g, _ in self._counts) + 12
        value_w = metrics.horizontalAdvance("00,000 (100%)") + 8
        bar_w = max(20.0, rect.width() - label_w - value_w - 20)
        biggest = self._counts[0][1]
        rows = len(self._counts) + (1 if self._uncertain else 0)
        y = rect.top() + max(0.0, (rect.height() - rows * ROW) / 2)
        for genre, n in self._counts:
            color = genre_color(genre)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(color)
            painter.drawRoundedRect(QRectF(rect.left(), y + 5, 12, 12), 3, 3)
            painter.setPen(text)
            painter.drawText(QRectF(rect.left() + 18, y, label_w, ROW),
                             Qt.AlignmentFlag.AlignVCenter, genre)
            bar_left = rect.left() + 18 + label_w
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(color)
            painter.drawRoundedRect(QRectF(bar_left, y + 5, max(2.0, bar_w * n / biggest), 12), 3, 3)
            painter.setPen(text)
            painter.drawText(QRectF(bar_left + bar_w + 8, y, value_w, ROW),
                             Qt.AlignmentFlag.AlignVCenter, f"{n:,} ({n / total:.0%})")
            y += ROW
        if self._uncertain:
            painter.setPen(palette_placeholder(self))
            painter.drawText(QRectF(rect.left(), y + 4, rect.width(), ROW), Qt.AlignmentFlag.AlignVCenter,
                             f"{self._uncertain:,} of these are uncertain (the model's confidence is low).")


def palette_placeholder(widget: QWidget) -> QColor:
    return widget.palette().color(QPalette.ColorRole.PlaceholderText)
