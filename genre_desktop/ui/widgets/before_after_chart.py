"""Tracks per genre before and after learning: a faint bar for before, a solid one for after,
in the same colours and row layout as the collection's distribution chart."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

from genre_desktop.ui.genre_colors import genre_color

ROW = 26
BAR = 8


def change_text(before: int, after: int) -> str:
    delta = after - before
    sign = "+" if delta > 0 else "−" if delta < 0 else "±"
    return f"{before:,} → {after:,} ({sign}{abs(delta):,})"


class BeforeAfterChart(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[tuple[str, int, int]] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setAccessibleName("Tracks per genre before and after learning")

    def set_counts(self, before: dict[str, int], after: dict[str, int]) -> None:
        genres = {g for g in (*before, *after) if before.get(g, 0) or after.get(g, 0)}
        self._rows = sorted(((g, before.get(g, 0), after.get(g, 0)) for g in genres),
                            key=lambda r: (-r[2], -r[1], r[0].lower()))
        self.setToolTip("\n".join(f"{g}: {change_text(b, a)}" for g, b, a in self._rows))
        self.updateGeometry()
        self.update()

    def rows(self) -> list[tuple[str, int, int]]:
        """(genre, before, after), largest after first."""
        return list(self._rows)

    def sizeHint(self) -> QSize:
        return QSize(560, len(self._rows) * ROW + 34)

    def minimumSizeHint(self) -> QSize:
        return QSize(320, self.sizeHint().height())

    def paintEvent(self, event) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        hint = palette.color(QPalette.ColorRole.PlaceholderText)
        if not self._rows:
            painter.setPen(hint)
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No analysed tracks.")
            return
        metrics = painter.fontMetrics()
        label_w = max(metrics.horizontalAdvance(g) for g, _, _ in self._rows) + 24
        value_w = max(metrics.horizontalAdvance(change_text(b, a)) for _, b, a in self._rows) + 10
        bar_left = label_w
        bar_w = max(40.0, self.width() - label_w - value_w - 8)
        biggest = max(max(b, a) for _, b, a in self._rows) or 1
        self._paint_legend(painter, hint, bar_left)
        y = 22.0
        for genre, before, after in self._rows:
            color = genre_color(genre)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(color)
            painter.drawRoundedRect(QRectF(0, y + (ROW - 12) / 2, 12, 12), 3, 3)
            painter.setPen(text)
            painter.drawText(QRectF(18, y, label_w - 18, ROW), Qt.AlignmentFlag.AlignVCenter, genre)
            faint = QColor(color)
            faint.setAlpha(80)
            top = y + (ROW - 2 * BAR - 2) / 2
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(faint)
            painter.drawRoundedRect(QRectF(bar_left, top, max(2.0, bar_w * before / biggest), BAR), 2, 2)
            painter.setBrush(color)
            painter.drawRoundedRect(QRectF(bar_left, top + BAR + 2, max(2.0, bar_w * after / biggest), BAR), 2, 2)
            painter.setPen(text if after != before else hint)
            painter.drawText(QRectF(bar_left + bar_w + 8, y, value_w, ROW), Qt.AlignmentFlag.AlignVCenter,
                             change_text(before, after))
            y += ROW
        painter.end()

    def _paint_legend(self, painter: QPainter, hint: QColor, left: float) -> None:
        painter.setPen(Qt.PenStyle.NoPen)
        faint = QColor(hint)
        faint.setAlpha(90)
        painter.setBrush(faint)
        painter.drawRoundedRect(QRectF(left, 6, 18, BAR), 2, 2)
        painter.setBrush(hint)
        painter.drawRoundedRect(QRectF(left + 90, 6, 18, BAR), 2, 2)
        painter.setPen(hint)
        painter.drawText(QRectF(left + 22, 0, 66, 20), Qt.AlignmentFlag.AlignVCenter, "before")
        painter.drawText(QRectF(left + 112, 0, 66, 20), Qt.AlignmentFlag.AlignVCenter, "after")
