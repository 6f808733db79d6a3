"""Files that could not be analysed, each with the reason, so nothing fails silently; and what
to do about them: open the folder, copy the path, try again, or ignore."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QMenu, QPushButton, QTreeWidget, QTreeWidgetItem,
    QVBoxLayout, QWidget,
)

PATH_ROLE = Qt.ItemDataRole.UserRole + 1


class ProblemsPanel(QWidget):
    retryRequested = Signal(list)  # paths
    ignoreRequested = Signal(list)  # paths
    unignoreAllRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setObjectName("problemsList")
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tree.setHeaderLabels(["File", "Reason", "Seen"])
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.tree.setColumnWidth(0, 420)
        self.tree.setColumnWidth(1, 360)
        self.tree.setSortingEnabled(True)
        self.tree.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(
            lambda pos: self.menu(self.tree.viewport().mapToGlobal(pos)))
        self.tree.itemSelectionChanged.connect(self._sync_buttons)

        self.open_button = self._button("Open folder", "Show the file in its folder", self.open_folder)
        self.copy_button = self._button("Copy path", "Copy the selected files' paths", self.copy_paths)
        self.retry_button = self._button("Retry", "Analyse the selected files again at once",
                                         lambda: self.retryRequested.emit(self.selected_paths()))
        self.ignore_button = self._button("Ignore", "Hide the selected files from this list",
                                          lambda: self.ignoreRequested.emit(self.selected_paths()))
        self.unignore_button = self._button("Show ignored", "List the ignored files again",
                                            self.unignoreAllRequested.emit)
        buttons = QHBoxLayout()
        for button in (self.open_button, self.copy_button, self.retry_button, self.ignore_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.unignore_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.tree, 1)
        layout.addLayout(buttons)
        self.set_problems([])

    def _button(self, text: str, tip: str, slot) -> QPushButton:
        button = QPushButton(text)
        button.setToolTip(tip)
        button.clicked.connect(slot)
        return button

    def set_problems(self, problems: list, ignored: int = 0) -> None:
        self.tree.clear()
        items = []
        for problem in problems:
            path = getattr(problem, "display_path", problem.path)
            seen = datetime.fromtimestamp(problem.seen_at).strftime("%Y-%m-%d %H:%M")
            item = QTreeWidgetItem([path, problem.reason, seen])
            item.setData(0, PATH_ROLE, problem.path)
            item.setToolTip(0, path)
            item.setToolTip(1, problem.reason)
            items.append(item)
        self.tree.addTopLevelItems(items)
        text = (f"{len(problems)} file(s) could not be analysed. Each is tried again at the next rescan "
                "(F5) if it changes, or now with Retry." if problems
                else "No problems: every file found so far could be analysed.")
        if ignored:
            text += f" {ignored} ignored file(s) are not listed."
        self.summary.setText(text)
        self.unignore_button.setVisible(bool(ignored))
        self._sync_buttons()

    def selected_paths(self) -> list[str]:
        return [item.data(0, PATH_ROLE) for item in self.tree.selectedItems()]

    def _sync_buttons(self) -> None:
        chosen = bool(self.tree.selectedItems())
        for button in (self.open_button, self.copy_button, self.retry_button, self.ignore_button):
            button.setEnabled(chosen)

    def open_folder(self) -> None:
        paths = self.selected_paths()
        if paths:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(Path(paths[0]).parent)))

    def copy_paths(self) -> None:
        QGuiApplication.clipboard().setText("\n".join(self.selected_paths()))

    def menu(self, global_pos) -> QMenu | None:
        if not self.tree.selectedItems():
            return None
        menu = QMenu(self)
        for button in (self.open_button, self.copy_button, self.retry_button, self.ignore_button):
            menu.addAction(button.text(), button.click)
        if global_pos is not None:
            menu.popup(global_pos)
        return menu

    def reasons(self) -> dict[str, str]:
        return {self.tree.topLevelItem(i).text(0): self.tree.topLevelItem(i).text(1)
                for i in range(self.tree.topLevelItemCount())}
