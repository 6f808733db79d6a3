"""What the window's commands do: open dialogs, preview tracks, context menus."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QMenu

from genre_desktop.ui.dialogs.about_dialog import show_about
from genre_desktop.ui.dialogs.genre_mapping_dialog import GenreMappingDialog
from genre_desktop.ui.dialogs.model_card_dialog import ModelCardDialog
from genre_desktop.ui.dialogs.playlist_dialog import PlaylistDialog
from genre_desktop.ui.dialogs.settings_dialog import SettingsDialog

if TYPE_CHECKING:
    from genre_desktop.ui.main_window import MainWindow

log = logging.getLogger(__name__)


class WindowCommands(QObject):
    def __init__(self, window: "MainWindow") -> None:
        super().__init__(window)
        self.w = window
        self.genre_mapping_dialog: GenreMappingDialog | None = None

    @property
    def context(self):
        return self.w.context

    # -- dialogs --------------------------------------------------------------------------------
    def open_playlist_dialog(self) -> PlaylistDialog:
        return self.w.playlists.open_dialog()

    @property
    def playlist_dialog(self) -> PlaylistDialog | None:
        return self.w.playlists.dialog

    def open_genre_mapping(self, only_unmapped: bool = False) -> GenreMappingDialog:
        dialog = GenreMappingDialog(self.context.library, self.w.genre_choices(), self.w, only_unmapped,
                                    undo_stack=self.w.labels.undo_stack)
        self.genre_mapping_dialog = dialog
        dialog.open()
        return dialog

    def model_card_dialog(self) -> ModelCardDialog:
        personal = self.context.personal.status() if self.context.personal is not None else None
        return ModelCardDialog(self.context.model, self.context.library.reader.threshold, self.w, personal)

    def open_model_card(self) -> None:
        self.model_card_dialog().open()

    def open_about(self) -> None:
        paths = self.context.paths
        show_about(self.w, self.context.model.version,
                   f"Library: {self.context.db_path}<br>Settings: {paths.settings_file}<br>Logs: {paths.logs}")

    def open_log_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.context.paths.logs)))

    def open_settings(self) -> SettingsDialog:
        dialog = SettingsDialog(self.context.settings, self.context.model.recommended_threshold, self.w)
        dialog.accepted.connect(lambda: self.apply_settings(dialog.result_settings()))
        dialog.open()
        return dialog

    def apply_settings(self, new) -> None:
        old = self.context.settings
        added = [f for f in new.music_folders if f not in old.music_folders]
        removed = [f for f in old.music_folders if f not in new.music_folders]
        threshold_changed = new.uncertainty_threshold != old.uncertainty_threshold
        if new.use_personal_model != old.use_personal_model and self.context.personal is not None:
            self.context.personal.set_enabled(new.use_personal_model)  # re-classifies in the background
        for name, value in vars(new).items():
            setattr(old, name, value)  # one Settings object is shared app-wide
        self.context.save_settings()
        library = self.context.library
        for folder in removed:
            library.remove_folder(folder)
        if threshold_changed:
            library.set_threshold(new.uncertainty_threshold)
        if added:
            self.w.scans.add_paths(added)
        self.w.scans.watch_folders()

    # -- context menus --------------------------------------------------------------------------
    def track_menu(self, global_pos) -> QMenu | None:
        ids = self.w.selected_track_ids()
        if not ids:
            return None
        a = self.w.actions
        menu = QMenu(self.w)
        genre_menu = menu.addMenu(f"Set genre ({len(ids)} track{'s' if len(ids) > 1 else ''})")
        genre_menu.addActions(a.genre_actions)
        custom = [g for g in self.w.genre_choices() if g not in self.context.genres]
        if custom:
            genre_menu.addSeparator()
            for genre in custom:
                genre_menu.addAction(genre, lambda g=genre: self.w.labels.set_genre(g))
        genre_menu.addSeparator()
        genre_menu.addAction(a.set_genre)
        menu.addAction(a.clear_genre)
        menu.addSeparator()
        menu.addAction(a.play_pause)
        menu.addAction(a.play_decisive)
        menu.addSeparator()
        menu.addAction(f"Write genre{'s' if len(ids) > 1 else ''} to file{'s' if len(ids) > 1 else ''}…",
                       lambda: self.w.tags.open_write_dialog(whole_library=False))
        row = self.context.library.reader.row(ids[0])
        if row is not None:
            menu.addAction("Show in folder", lambda: QDesktopServices.openUrl(
                QUrl.fromLocalFile(str(Path(row.path).parent))))
            menu.addAction("Copy path", lambda: QGuiApplication.clipboard().setText(
                os.linesep.join(r.path for r in self.context.library.reader.rows(ids).values())))
        if global_pos is not None:
            menu.popup(global_pos)
        return menu

    def playlist_menu(self, playlist_id: int, global_pos) -> QMenu:
        return self.w.playlists.menu(playlist_id, global_pos)

    def delete_playlist(self, playlist_id: int) -> None:
        self.w.playlists.delete(playlist_id)
