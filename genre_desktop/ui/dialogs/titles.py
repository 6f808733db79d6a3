"""Dialog titles shown whole: a small dialog is made at least as wide as its title bar needs."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QWidget

# The window frame's icon and its minimize/maximize/close buttons, on common desktops.
TITLE_BAR_EXTRAS = 170


def title_width(title: str, font: QFont) -> int:
    bold = QFont(font)
    bold.setBold(True)  # many window managers draw titles in bold
    return QFontMetrics(bold).horizontalAdvance(title) + TITLE_BAR_EXTRAS


def keep_title_whole(dialog: QWidget) -> None:
    dialog.setMinimumWidth(max(dialog.minimumWidth(), title_width(dialog.windowTitle(), dialog.font())))
