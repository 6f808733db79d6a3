"""The collection at a glance: how many tracks of each genre."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from genre_desktop.ui.widgets.distribution_chart import DistributionChart


class OverviewPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.heading = QLabel("<h2>Your collection by genre</h2>")
        self.note = QLabel("Counts use each track's shown genre: your corrections first, then the model.")
        self.note.setWordWrap(True)
        self.note.setObjectName("hint")
        self.chart = DistributionChart()
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.note)
        layout.addWidget(self.chart, 1)

    def set_counts(self, counts: dict[str, int], uncertain: int) -> None:
        self.chart.set_counts(counts, uncertain)
