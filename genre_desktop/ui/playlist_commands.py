"""Saved genre playlists from the window: build a new one, and play, edit, rename, duplicate,
export or delete a saved one (the sidebar's menu)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMenu, QMessageBox

from genre_desktop.core.playlists import export_playlist
from genre_desktop.ui.dialogs.playlist_dialog import EXPORT_FILTERS, PlaylistDialog

if TYPE_CHECKING:
    from genre_desktop.ui.main_window import MainWindow

log = logging.getLogger(__name__)


class PlaylistCommands(QObject):
    def __init__(self, window: "MainWindow") -> None:
        super().__init__(window)
        self.w = window
        self.dialog: PlaylistDialog | None = None

    @property
    def library(self):
        return self.w.context.library

    def _info(self, playlist_id: int):
        return next((p for p in self.library.reader.playlists() if p.id == playlist_id), None)

    @property
    def export_dir(self) -> str:
        return str(self.w.ui_state.value("exportDir", "") or "") or self.w.context.settings.start_folder()

    # -- the builder ----------------------------------------------------------------------------
    def open_dialog(self, editing=None) -> PlaylistDialog:
        entry = self.w.sidebar.current_entry
        preselect = [entry.value] if entry.kind == "genre" and editing is None else []
        settings = self.w.context.settings
        dialog = PlaylistDialog(self.library, self.w.refresher.summary.counts, self.w.context.genres,
                                self.w, preselect=preselect,
                                export_dir=str(self.w.ui_state.value("exportDir", "") or ""),
                                min_confidence=settings.playlist_min_confidence,
                                start_folder=settings.start_folder(), editing=editing)
        dialog.finished.connect(lambda _r: self.w.ui_state.setValue("exportDir", dialog.export_dir))
        if editing is None:
            dialog.finished.connect(lambda _r: self._remember_rules(dialog))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _remember_rules(self, dialog: PlaylistDialog) -> None:
        chosen = dialog.form.min_confidence.value()
        at_threshold = round(self.library.reader.threshold * 100) == chosen
        self.w.context.settings.playlist_min_confidence = None if at_threshold else chosen / 100
        self.w.context.save_settings()

    # -- a saved playlist -----------------------------------------------------------------------
    def menu(self, playlist_id: int, global_pos) -> QMenu:
        menu = QMenu(self.w)
        reader = self.library.reader
        menu.addAction("Play", lambda: self.w.preview.play_ids(reader.playlist_track_ids(playlist_id)))
        menu.addSeparator()
        menu.addAction("Edit rules…", lambda: self.edit(playlist_id))
        menu.addAction("Rename…", lambda: self.ask_rename(playlist_id))
        menu.addAction("Duplicate", lambda: self.library.duplicate_playlist(playlist_id))
        menu.addAction("Export…", lambda: self.ask_export(playlist_id))
        menu.addSeparator()
        menu.addAction("Delete playlist", lambda: self.delete(playlist_id))
        if global_pos is not None:
            menu.popup(global_pos)
        return menu

    def edit(self, playlist_id: int) -> PlaylistDialog | None:
        info = self._info(playlist_id)
        return self.open_dialog(editing=info) if info is not None else None

    def ask_rename(self, playlist_id: int) -> None:
        info = self._info(playlist_id)
        if info is None:
            return
        name, ok = QInputDialog.getText(self.w, "Rename playlist", "New name:", text=info.name)
        if ok and name.strip() and name.strip() != info.name:
            self.library.rename_playlist(playlist_id, name)

    def ask_export(self, playlist_id: int) -> None:
        info = self._info(playlist_id)
        if info is None:
            return
        start = str(Path(self.export_dir) / f"{info.name}.m3u8")
        path, chosen = QFileDialog.getSaveFileName(self.w, "Export playlist", start, EXPORT_FILTERS)
        if not path:
            return
        if not Path(path).suffix:
            path += ".xspf" if "xspf" in chosen else ".m3u8"
        self.export(playlist_id, path)

    def export(self, playlist_id: int, path: str | Path) -> bool:
        """Write the playlist as it is now (M3U8 or XSPF by the file's extension)."""
        info = self._info(playlist_id)
        reader = self.library.reader
        ids = reader.playlist_track_ids(playlist_id)
        rows = reader.rows(ids)
        try:
            export_playlist(Path(path), [rows[i] for i in ids if i in rows], info.name if info else None)
        except (OSError, ValueError) as exc:
            log.warning("Export to %s failed: %s", path, exc)
            QMessageBox.warning(self.w, "Export failed", f"Could not write {path}:\n{exc}")
            return False
        self.w.ui_state.setValue("exportDir", str(Path(path).parent))
        self.w.statusBar().showMessage(f"Exported {len(ids)} tracks to {path}", 6000)
        return True

    def delete(self, playlist_id: int) -> None:
        answer = QMessageBox.question(self.w, "Delete playlist",
                                      "Delete this playlist? The tracks stay in your library.")
        if answer == QMessageBox.StandardButton.Yes:
            self.library.delete_playlist(playlist_id)
