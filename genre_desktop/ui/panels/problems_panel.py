"""Files that could not be analysed, each with the reason, so nothing fails silently."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHeaderView, QLabel, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget


class ProblemsPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setObjectName("problemsList")
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setHeaderLabels(["File", "Reason", "Seen"])
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.tree.setColumnWidth(0, 420)
        self.tree.setColumnWidth(1, 360)
        self.tree.setSortingEnabled(True)
        self.tree.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.tree, 1)

    def set_problems(self, problems: list) -> None:
        self.tree.clear()
        items = []
        for problem in problems:
            path = getattr(problem, "display_path", problem.path)
            seen = datetime.fromtimestamp(problem.seen_at).strftime("%Y-%m-%d %H:%M")
            item = QTreeWidgetItem([path, problem.reason, seen])
            item.setToolTip(0, path)
            item.setToolTip(1, problem.reason)
            items.append(item)
        self.tree.addTopLevelItems(items)
        self.summary.setText(
            f"{len(problems)} file(s) could not be analysed. They are retried at the next rescan (F5) "
            "if they change." if problems else "No problems: every file found so far could be analysed.")

    def reasons(self) -> dict[str, str]:
        return {self.tree.topLevelItem(i).text(0): self.tree.topLevelItem(i).text(1)
                for i in range(self.tree.topLevelItemCount())}
