"""Paints the confidence column as a bar with its percentage, from the row object (not text)."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from genre_desktop.ui.genre_colors import genre_color
from genre_desktop.ui.itemmodels.track_table_model import ROW_OBJECT_ROLE


NO_BAR_LABELS = {"you": "set by you", "file tag": "model unsure"}


class ConfidenceDelegate(QStyledItemDelegate):
    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        row = index.data(ROW_OBJECT_ROLE)
        # Background, selection and focus come from the style; the text is ours.
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        if row is None:
            return
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        text_role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(option.rect).adjusted(4, 5, -8, -5)
        # No bar unless the genre shown is the model's: a file tag's row would otherwise pair the
        # tag genre with the model's number for another genre (the tooltip names that guess).
        if row.genre_source in ("you", "file tag") or row.confidence is None:
            painter.setPen(option.palette.color(QPalette.ColorRole.PlaceholderText)
                           if not selected else option.palette.color(text_role))
            label = NO_BAR_LABELS.get(row.genre_source or "", "")
            painter.drawText(rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, label)
            painter.restore()
            return
        value = max(0.0, min(1.0, float(row.confidence)))
        text_w = painter.fontMetrics().horizontalAdvance("100%") + 4
        bar = QRectF(rect.left(), rect.top() + 2, max(10.0, rect.width() - text_w), rect.height() - 4)
        trough = QColor(option.palette.color(QPalette.ColorRole.HighlightedText if selected
                                             else QPalette.ColorRole.Mid))
        trough.setAlpha(110 if selected else 60)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(trough)
        painter.drawRoundedRect(bar, 3, 3)
        fill = QColor(genre_color(row.genre))
        if row.uncertain:
            fill.setAlpha(110)  # faint bar: unsure
        painter.setBrush(fill)
        painter.drawRoundedRect(QRectF(bar.left(), bar.top(), max(2.0, bar.width() * value), bar.height()), 3, 3)
        painter.setPen(option.palette.color(text_role))
        painter.drawText(QRectF(bar.right() + 4, rect.top(), text_w, rect.height()),
                         Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, f"{value:.0%}")
        painter.restore()
