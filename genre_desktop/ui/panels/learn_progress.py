"""Learning progress in the status bar, in the scan progress's style: stage, done/total, Cancel."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from genre_desktop.ui.panels.scan_progress import ScanProgressWidget


class LearnProgressWidget(ScanProgressWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("learnProgress")
        self.cancel_button.setToolTip("Stop learning (nothing changes until it finishes)")

    def start(self) -> None:
        super().start()
        self.label.setText("Learning from your corrections…")

    def update_stage(self, stage: str, done: int, total: int) -> None:
        if total > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(min(done, total))
        else:
            self.bar.setRange(0, 0)
        self.label.setText(stage or "Learning from your corrections…")
