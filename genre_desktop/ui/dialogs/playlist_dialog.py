"""Genre playlists: pick genres, Sounds-like tags and rules, watch the resulting list update live,
then save it in the library or export it as M3U8/XSPF.

The candidates query and the ordering run on a worker thread (the 'smooth' order on a big library
takes a moment); each change bumps a generation number so only the newest result is shown.
"""

from __future__ import annotations

import logging
import random
from pathlib import Path

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QFileDialog, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QMessageBox,
    QPushButton, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget,
)

from genre_desktop.core.playlists import (PlaylistRules, build_playlist, export_playlist, suggested_name,
                                          total_seconds)
from genre_desktop.services.library_service import LibraryService
from genre_desktop.ui.dialogs.playlist_rules_form import PlaylistRulesForm
from genre_desktop.ui.itemmodels.columns import format_duration

log = logging.getLogger(__name__)

DEBOUNCE_MS = 150
EXPORT_FILTERS = "M3U8 playlist (*.m3u8);;XSPF playlist (*.xspf)"
PREVIEW_COLUMNS = ["#", "Title", "Artist", "Genre", "Confidence", "Length", "Sounds like"]


def compute_playlist(reader, rules: PlaylistRules):
    candidates = reader.playlist_candidates(rules.genres, rules.min_confidence)
    return build_playlist(candidates, rules)


def sounds_like_text(track, rules: PlaylistRules) -> str:
    """The track's Sounds-like tags, those the rules ask for first; a dash when not tagged yet."""
    shown = track.shown_sound_tags()
    if shown is None:
        return "—"
    wanted = [t.name for t in shown if t.key in rules.tags]
    return ", ".join(wanted + [t.name for t in shown if t.key not in rules.tags])


class PlaylistDialog(QDialog):
    previewUpdated = Signal(list)  # the PlaylistCandidates now shown
    saved = Signal(int)  # playlist id

    def __init__(self, library: LibraryService, genre_counts: dict[str, int], genres: list[str],
                 parent: QWidget | None = None, preselect: list[str] | None = None,
                 export_dir: str = "", min_confidence: float | None = None,
                 start_folder: str | None = None, editing=None) -> None:
        """min_confidence: the user's last choice; None starts at the model's threshold, so
        uncertain tracks stay out unless the user lowers it. editing: a saved playlist
        (PlaylistInfo) whose rules are shown and saved again under its id."""
        super().__init__(parent)
        self.editing = editing
        self.setWindowTitle("New genre playlist" if editing is None else f"Edit playlist “{editing.name}”")
        self.resize(940, 580)
        self.library = library
        self.tracks: list = []
        self._generation = 0
        self._shown_generation = 0
        self._export_dir = export_dir
        self.start_folder = start_folder or str(Path.home())  # before any export: the music folder
        self._seed = random.randrange(1, 1_000_000)

        threshold = library.reader.threshold
        self.form = PlaylistRulesForm(genres, genre_counts, preselect or [],
                                      min_confidence=threshold if min_confidence is None else min_confidence,
                                      threshold=threshold)
        self.form.changed.connect(self._schedule)
        self.form.reshuffleRequested.connect(self._reshuffle)

        self.preview = QTreeWidget()
        self.preview.setRootIsDecorated(False)
        self.preview.setUniformRowHeights(True)
        self.preview.setHeaderLabels(PREVIEW_COLUMNS)
        header = self.preview.header()
        header.setStretchLastSection(False)
        for column, name in enumerate(PREVIEW_COLUMNS):
            stretch = name in ("Title", "Sounds like")
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch if stretch
                                        else QHeaderView.ResizeMode.ResizeToContents)
        self.summary = QLabel("")
        self.summary.setObjectName("playlistSummary")

        right = QVBoxLayout()
        right.addWidget(QLabel("Preview"))
        right.addWidget(self.preview, 1)
        right.addWidget(self.summary)
        top = QHBoxLayout()
        top.addWidget(self.form, 0)
        top.addLayout(right, 1)

        self.name = QLineEdit()
        self.name.setPlaceholderText("Playlist name")
        self.name_typed = False  # until the user types a name, it follows the rules
        self.name.textEdited.connect(self._on_name_edited)
        self.save_button = QPushButton("Save in library")
        self.save_button.clicked.connect(self.save)
        self.export_button = QPushButton("Export…")
        self.export_button.setToolTip("Write an M3U8 or XSPF file for other players")
        self.export_button.clicked.connect(self._ask_export)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(QLabel("Name:"))
        bottom.addWidget(self.name, 1)
        bottom.addWidget(self.save_button)
        bottom.addWidget(self.export_button)
        bottom.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addLayout(top, 1)
        layout.addLayout(bottom)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.recompute)
        if editing is not None:
            self._show_saved(editing)
        self._suggest_name()
        self.recompute()
        library.read_in_background(lambda reader: reader.sound_tag_counts(), name="tag counts",
                                   on_result=self.form.set_tag_counts)

    def _show_saved(self, playlist) -> None:
        rules = None
        if playlist.rules.get("genres") is not None:
            try:
                rules = PlaylistRules.from_dict(playlist.rules)
            except (TypeError, ValueError) as exc:  # e.g. a tag this version does not know
                log.warning("Playlist %r has rules that cannot be read: %s", playlist.name, exc)
        if rules is not None:
            self.form.blockSignals(True)
            self.form.set_rules(rules)
            self.form.blockSignals(False)
            self._seed = rules.seed or self._seed
        self.name.setText(playlist.name)
        self.name_typed = True  # its own name: the rules no longer rename it
        self.save_button.setText("Save changes")

    # -- live preview ---------------------------------------------------------------------------
    def rules(self) -> PlaylistRules:
        return self.form.rules(seed=self._seed)

    def _schedule(self) -> None:
        self._suggest_name()
        self._debounce.start()

    def _reshuffle(self) -> None:
        self._seed = random.randrange(1, 1_000_000)
        self._debounce.start()

    def recompute(self) -> None:
        self._debounce.stop()
        self._generation += 1
        generation = self._generation
        rules = self.rules()
        self.summary.setText("Updating…")
        self.library.read_in_background(
            lambda reader: compute_playlist(reader, rules), name="playlist preview",
            on_result=lambda tracks: self._show(generation, tracks, rules),
            on_error=lambda error: self._show_error(generation, error))

    @property
    def is_updating(self) -> bool:
        """A change is waiting for its debounce or its result."""
        return self._debounce.isActive() or self._shown_generation != self._generation

    def _show(self, generation: int, tracks: list, rules: PlaylistRules) -> None:
        if generation != self._generation:
            return  # an older request finished late
        self._shown_generation = generation
        self.tracks = list(tracks)
        self.preview.clear()
        items = []
        for n, track in enumerate(self.tracks, 1):
            conf = "yours" if track.confidence is None else f"{track.confidence:.0%}"
            sounds = sounds_like_text(track, rules)
            item = QTreeWidgetItem([str(n), track.title or Path(track.path).stem, track.artist or "",
                                    track.genre or "", conf, format_duration(track.duration), sounds])
            item.setToolTip(1, track.path)
            item.setToolTip(6, sounds)
            items.append(item)
        self.preview.addTopLevelItems(items)
        minutes = format_duration(total_seconds(self.tracks))
        self.summary.setText(f"{len(self.tracks)} tracks · {minutes}" if self.tracks
                             else "No tracks match these rules.")
        for button in (self.save_button, self.export_button):
            button.setEnabled(bool(self.tracks))
        self.previewUpdated.emit(self.tracks)

    def _show_error(self, generation: int, error: object) -> None:
        if generation == self._generation:
            self._shown_generation = generation
            self.summary.setText(f"Could not build the playlist: {error}")

    def _on_name_edited(self, text: str) -> None:
        self.name_typed = bool(text.strip())  # emptied: the next change of the rules names it again

    def _suggest_name(self) -> None:
        if self.name_typed:
            return
        self.name.setText(suggested_name(self.rules()))

    # -- save / export --------------------------------------------------------------------------
    def save(self) -> bool:
        name = self.name.text().strip()
        if not name or not self.tracks:
            return False
        ids = [t.track_id for t in self.tracks]
        if self.editing is not None:
            self.library.update_playlist(self.editing.id, name, self.rules().to_dict(), ids, on_done=self._on_saved)
        else:
            self.library.save_playlist(name, self.rules().to_dict(), ids, on_done=self._on_saved)
        self.summary.setText(f"Saving “{name}”…")
        return True

    def _on_saved(self, playlist_id: int) -> None:
        self.summary.setText(f"Saved “{self.name.text().strip()}” in the library ({len(self.tracks)} tracks).")
        self.saved.emit(int(playlist_id))

    def _ask_export(self) -> None:
        start = str(Path(self._export_dir or self.start_folder) / f"{self.name.text().strip() or 'playlist'}.m3u8")
        path, chosen = QFileDialog.getSaveFileName(self, "Export playlist", start, EXPORT_FILTERS)
        if not path:
            return
        if not Path(path).suffix:
            path += ".xspf" if "xspf" in chosen else ".m3u8"
        self.export_to(path)

    def export_to(self, path: str | Path) -> bool:
        try:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            export_playlist(Path(path), self.tracks, self.name.text().strip() or "Playlist")
        except (OSError, ValueError) as exc:
            log.warning("Export to %s failed: %s", path, exc)
            QMessageBox.warning(self, "Export failed", f"Could not write {path}:\n{exc}")
            return False
        self._export_dir = str(Path(path).parent)
        self.summary.setText(f"Exported {len(self.tracks)} tracks to {path}")
        return True

    @property
    def export_dir(self) -> str:
        return self._export_dir
