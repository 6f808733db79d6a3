"""What a first launch shows: one big "Add music folder…" button and a drop hint."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QPixmap
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from genre_desktop.paths import resources_dir


class EmptyStatePanel(QWidget):
    addFolderRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("emptyState")
        layout = QVBoxLayout(self)
        layout.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.setSpacing(14)

        icon = QLabel()
        pixmap = QPixmap(str(resources_dir() / "icons" / "genre-desktop.png"))
        if not pixmap.isNull():
            icon.setPixmap(pixmap.scaled(112, 112, Qt.AspectRatioMode.KeepAspectRatio,
                                         Qt.TransformationMode.SmoothTransformation))
        icon.setAlignment(Qt.AlignmentFlag.AlignCenter)

        heading = QLabel("Your music, sorted by genre")
        font = QFont(heading.font())
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        heading.setFont(font)
        heading.setAlignment(Qt.AlignmentFlag.AlignCenter)

        text = QLabel(
            "Genre Desktop listens to your music files and tells you what genre each one is,\n"
            "how sure it is, and lets you fix it. Your files are never modified.")
        text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text.setObjectName("emptyStateText")

        self.add_button = QPushButton("Add music folder…")
        self.add_button.setObjectName("bigButton")
        self.add_button.setMinimumSize(240, 48)
        big = QFont(self.add_button.font())
        big.setPointSizeF(big.pointSizeF() * 1.25)
        self.add_button.setFont(big)
        self.add_button.setDefault(True)
        self.add_button.clicked.connect(self.addFolderRequested)

        hint = QLabel("…or drop folders and files anywhere on this window.")
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint.setObjectName("hint")

        for widget in (icon, heading, text):
            layout.addWidget(widget)
        layout.addSpacing(8)
        layout.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(hint)
