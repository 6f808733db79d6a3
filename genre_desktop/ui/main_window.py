"""The main window: layout and wiring only. Behaviour lives in the controllers, panels and dialogs."""

from __future__ import annotations

import logging

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QDockWidget, QLabel, QMainWindow, QSplitter, QStackedWidget, QTabWidget, QVBoxLayout, QWidget,
)

from genre_desktop.library.duplicates import find_duplicates
from genre_desktop.services.similar_service import SimilarService
from genre_desktop.ui.actions import build_menus, build_toolbar, create_actions
from genre_desktop.ui.context import AppContext
from genre_desktop.ui.itemmodels.track_query import query_ids
from genre_desktop.ui.itemmodels.track_table_model import TrackTableModel
from genre_desktop.ui.label_controller import LabelController
from genre_desktop.ui.library_refresher import LibraryRefresher, LibrarySummary
from genre_desktop.ui.panels.detail_panel import DetailPanel
from genre_desktop.ui.panels.duplicates_panel import DuplicatesPanel
from genre_desktop.ui.panels.empty_state import EmptyStatePanel
from genre_desktop.ui.panels.library_panel import LibraryPanel
from genre_desktop.ui.panels.overview_panel import OverviewPanel
from genre_desktop.ui.panels.player_bar import PlayerBar
from genre_desktop.ui.panels.problems_panel import ProblemsPanel
from genre_desktop.ui.panels.review_panel import ReviewPanel
from genre_desktop.ui.panels.scan_progress import ScanProgressWidget
from genre_desktop.ui.panels.sidebar import Sidebar, SidebarEntry
from genre_desktop.ui.personal_controller import PersonalController
from genre_desktop.ui.playlist_commands import PlaylistCommands
from genre_desktop.ui.playlist_updater import PlaylistUpdater
from genre_desktop.ui.preview_controller import PreviewController
from genre_desktop.ui.scan_controller import ScanController
from genre_desktop.ui.sounds_like_controller import SoundsLikeController
from genre_desktop.ui.tag_controller import TagController
from genre_desktop.ui.undo_router import UndoRouter
from genre_desktop.ui.window_commands import WindowCommands

log = logging.getLogger(__name__)

LIBRARY_TAB, OVERVIEW_TAB, PROBLEMS_TAB, REVIEW_TAB, DUPLICATES_TAB = range(5)
DETAIL_MIN_WIDTH = 220


class MainWindow(QMainWindow):
    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.context = context
        self.setWindowTitle("Genre Desktop")
        self.setObjectName("mainWindow")
        self.setAcceptDrops(True)
        self.resize(1280, 800)
        self.ui_state = QSettings(str(context.paths.config / "window.ini"), QSettings.Format.IniFormat)

        # -- parts ---------------------------------------------------------------------------
        self.model = TrackTableModel(context.library.reader, self)
        self.model.set_loader(lambda query, done: context.library.search_in_background(
            lambda search: query_ids(search, query), name="filter tracks", on_result=done))
        self.sidebar = Sidebar()
        self._view_entry = SidebarEntry("all")  # the sidebar entry the views show
        self.library_panel = LibraryPanel(self.model)
        self.overview = OverviewPanel()
        self.problems = ProblemsPanel()
        self.review = ReviewPanel()
        self.duplicates = DuplicatesPanel()
        self.empty_state = EmptyStatePanel()
        self.detail = DetailPanel()
        self.detail.set_genres(context.genres)
        self.player = PlayerBar(context.playback)
        self.scan_progress = ScanProgressWidget()
        self.refresher = LibraryRefresher(context.library, self.model, self)
        self.labels = LabelController(context.library, self.selected_track_ids,
                                      self.genre_choices, self)
        self.scans = ScanController(context, self.scan_progress, self)
        self.actions = create_actions(self, self.labels.undo_stack, context.genres)
        self.commands = WindowCommands(self)
        self.preview = PreviewController(self)
        self.playlists = PlaylistCommands(self)
        self.playlist_updater = PlaylistUpdater(context.library, self)
        self.undo_router = UndoRouter(self)
        self.sounds_like = SoundsLikeController(
            SimilarService(context.library, self), self.detail.sounds_like, self.selected_track_ids,
            self.describe_tracks, self.preview.play_track, self)
        self.library_panel.search.setToolTip(
            "Words match title, artist, album, genre and path; tag:chill, tag:80s or "
            "tag:female-vocalists finds tracks that sound that way")

        # -- layout --------------------------------------------------------------------------
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.library_panel, "Library")
        self.tabs.addTab(self.overview, "Overview")
        self.tabs.addTab(self.problems, "Problems")
        self.tabs.addTab(self.review, "Review")
        self.tabs.addTab(self.duplicates, "Duplicates")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty_state)
        self.stack.addWidget(self.tabs)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.sidebar)
        self.splitter.addWidget(self.stack)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setCollapsible(0, False)
        self.splitter.setCollapsible(1, False)
        self.splitter.setSizes([170, 1000])
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.splitter, 1)
        column.addWidget(self.player)
        self.setCentralWidget(central)
        self.detail_dock = QDockWidget("Track", self)
        self.detail_dock.setObjectName("detailDock")
        self.detail_dock.setWidget(self.detail)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.detail_dock)
        build_menus(self, self.actions)
        self.toolbar = build_toolbar(self, self.actions)
        self.tags = TagController(self)  # after the menus: it watches the one holding its actions
        self.count_label = QLabel("")
        self.statusBar().addPermanentWidget(self.scan_progress)
        self.statusBar().addPermanentWidget(self.count_label)
        self.personal = PersonalController(self)  # after the status bar: it adds its progress there

        self._wire()
        self._restore_state()
        self.refresher.everything_changed()
        self.scans.watch_folders()
        self.scans.upgrade_if_needed()
        context.playback.check_available()

    # -- wiring ------------------------------------------------------------------------------
    def _wire(self) -> None:
        a, c, lib = self.actions, self.commands, self.context.library
        a.add_folder.triggered.connect(self.scans.ask_folder)
        a.rescan.triggered.connect(self.scans.rescan)
        a.cancel_scan.triggered.connect(self.scans.cancel)
        a.settings.triggered.connect(c.open_settings)
        a.quit.triggered.connect(self.close)
        a.set_genre.triggered.connect(self.labels.ask_genre)
        a.clear_genre.triggered.connect(self.labels.clear_genre)
        for action in a.genre_actions:
            action.triggered.connect(lambda _=False, g=action.text(): self.labels.set_genre(g))
        a.find.triggered.connect(self.library_panel.focus_search)
        a.show_library.triggered.connect(lambda: self.show_tab(LIBRARY_TAB))
        a.show_overview.triggered.connect(lambda: self.show_tab(OVERVIEW_TAB))
        a.show_problems.triggered.connect(lambda: self.show_tab(PROBLEMS_TAB))
        a.show_review.triggered.connect(lambda: self.show_tab(REVIEW_TAB))
        a.show_duplicates.triggered.connect(lambda: self.show_tab(DUPLICATES_TAB))
        self.duplicates.refreshRequested.connect(self.find_duplicates)
        a.toggle_detail.toggled.connect(self.detail_dock.setVisible)
        self.detail_dock.visibilityChanged.connect(
            lambda visible: self.isVisible() and a.toggle_detail.setChecked(visible))
        p = self.preview
        a.play_pause.triggered.connect(self.player.toggle)
        a.stop.triggered.connect(self.player.stop)
        a.next_track.triggered.connect(p.next)
        a.previous_track.triggered.connect(p.previous)
        a.play_decisive.triggered.connect(p.play_decisive)
        a.seek_back.triggered.connect(lambda: self.player.seek_by(-5))
        a.seek_forward.triggered.connect(lambda: self.player.seek_by(5))
        a.new_playlist.triggered.connect(c.open_playlist_dialog)
        a.genre_mapping.triggered.connect(lambda: c.open_genre_mapping())
        a.about_model.triggered.connect(c.open_model_card)
        a.about_app.triggered.connect(c.open_about)
        a.open_logs.triggered.connect(c.open_log_folder)

        self.empty_state.addFolderRequested.connect(self.scans.ask_folder)
        self.sidebar.entryChosen.connect(self.apply_sidebar_entry)
        self.sidebar.playlistContextRequested.connect(c.playlist_menu)
        self.library_panel.currentTrackChanged.connect(self.show_track)
        self.library_panel.contextMenuRequested.connect(c.track_menu)
        self.library_panel.activated.connect(p.play_track)
        self.library_panel.search.textEdited.connect(
            lambda _text: self.context.library.warm_search(self.model.query.view_kwargs()))
        self.review.currentTrackChanged.connect(self.show_track)
        self.review.contextMenuRequested.connect(c.track_menu)
        self.review.activated.connect(p.play_track)
        self.tabs.currentChanged.connect(lambda _index: self.show_track(self.current_track_id()))
        self.tabs.currentChanged.connect(lambda index: index == DUPLICATES_TAB and self.find_duplicates())
        self.detail.genreChosen.connect(lambda genre: self.labels.set_genre(genre))
        self.detail.otherGenreRequested.connect(self.labels.ask_genre)
        self.detail.playDecisiveRequested.connect(p.play_decisive)
        self.detail.playFromRequested.connect(p.play_current_from)
        self.detail.moreLikeThisRequested.connect(self.sounds_like.more_like_this)
        a.more_like_this.triggered.connect(self.sounds_like.more_like_this)
        self.player.playRequested.connect(p.play_selected)
        self.player.nextRequested.connect(p.next)
        self.player.previousRequested.connect(p.previous)
        self.context.playback.positionChanged.connect(p.follow_position)

        self.scans.tracksArrived.connect(self.refresher.tracks_changed)
        self.scans.scanFinished.connect(lambda _report: self.refresher.everything_changed())
        self.scans.statusMessage.connect(self.statusBar().showMessage)
        self.context.scanning.runningChanged.connect(a.cancel_scan.setEnabled)
        self.context.scanning.started.connect(lambda _folders: self.stack.setCurrentWidget(self.tabs))
        lib.tracksChanged.connect(self.refresher.tracks_changed)
        lib.libraryChanged.connect(self.refresher.everything_changed)
        lib.playlistsChanged.connect(self.refresher.summary_changed)
        lib.problemsChanged.connect(self.refresher.summary_changed)
        self.problems.retryRequested.connect(self.scans.retry)
        self.problems.ignoreRequested.connect(lambda paths: lib.ignore_problems(paths))
        self.problems.unignoreAllRequested.connect(lambda: lib.ignore_problems(None, ignored=False))
        # A shown playlist whose tracks changed (smart update, edit) is shown again.
        lib.playlistsChanged.connect(lambda: self.model.query.playlist is not None
                                     and self.refresher.tracks_changed([]))
        lib.writeFailed.connect(lambda message: self.statusBar().showMessage(message, 10000))
        self.refresher.summaryUpdated.connect(self.show_summary)
        self.refresher.tableUpdated.connect(self._on_rows_changed)
        for signal in (self.model.modelReset, self.model.rowsInserted, self.model.rowsRemoved):
            signal.connect(self._update_status)
        # The Track panel follows the view: a playlist or filter without the shown track clears it.
        for signal in (self.model.modelReset, self.model.rowsRemoved):
            signal.connect(self._follow_view)

    # -- reactions ---------------------------------------------------------------------------
    def genre_choices(self) -> list[str]:
        custom = [g for g in self.refresher.summary.counts if g not in self.context.genres]
        return list(self.context.genres) + sorted(custom)

    def apply_sidebar_entry(self, entry: SidebarEntry) -> None:
        if entry.kind == "unmapped":  # not a view: the mapping dialog, and the view stays
            QTimer.singleShot(0, lambda: self.sidebar.choose(self._view_entry))
            self.commands.open_genre_mapping(only_unmapped=True)
            return
        self._view_entry = entry
        if entry.kind in ("problems", "review"):
            self.show_tab(PROBLEMS_TAB if entry.kind == "problems" else REVIEW_TAB)
            return
        base = dict(genre=None, uncertain_only=False, playlist=None)
        if entry.kind == "uncertain":
            base["uncertain_only"] = True
        elif entry.kind == "genre":
            base["genre"] = entry.value
        elif entry.kind == "playlist":
            base["playlist"] = entry.value
        self.model.set_query(**base)
        self.show_tab(LIBRARY_TAB)

    def find_duplicates(self) -> None:
        """Look for duplicates in the background (it reads the first bytes of some files)."""
        self.duplicates.set_busy()
        self.context.library.read_in_background(lambda reader: find_duplicates(reader.conn),
                                                name="find duplicates", on_result=self.duplicates.set_groups)

    def selected_track_ids(self) -> list[int]:
        """What corrections and the track menu act on: the review queue's selection when it is shown."""
        if self.tabs.currentWidget() is self.review:
            return self.review.selected_ids()
        return self.library_panel.selected_ids()

    def current_track_id(self) -> int | None:
        if self.tabs.currentWidget() is self.review:
            return self.review.current_id()
        return self.library_panel.current_id()

    def show_tab(self, index: int) -> None:
        if self.stack.currentWidget() is self.tabs or index != LIBRARY_TAB:
            self.stack.setCurrentWidget(self.tabs)
        self.tabs.setCurrentIndex(index)

    def show_summary(self, summary: LibrarySummary) -> None:
        self.sidebar.set_library(summary.total, summary.counts, summary.uncertain, self.context.genres,
                                 unmapped=summary.unmapped)
        self.sidebar.set_playlists([(p.id, p.name, p.track_count) for p in summary.playlists])
        self.sidebar.set_problem_count(len(summary.problems))
        self.overview.set_counts(summary.counts, summary.uncertain)
        self.problems.set_problems(summary.problems, summary.ignored_problems)
        self.tabs.setTabText(PROBLEMS_TAB, f"Problems ({len(summary.problems)})" if summary.problems else "Problems")
        self.detail.set_genres(self.genre_choices())
        empty = summary.total == 0 and not summary.problems and not self.context.scanning.is_running
        self.stack.setCurrentWidget(self.empty_state if empty else self.tabs)
        self._update_status()

    def show_track(self, track_id: int | None) -> None:
        detail = self.context.library.reader.detail(track_id) if track_id is not None else None
        self.detail.show_detail(detail, self.context.library.reader.threshold)
        self.sounds_like.show_track(track_id)

    def describe_tracks(self, ids: list[int]) -> str:
        """'Title' of the one track the panel shows, else 'the N selected tracks'."""
        detail = self.detail.detail
        if len(ids) == 1 and detail is not None and detail.row.id == ids[0]:
            return detail.row.title or "this track"
        return "this track" if len(ids) == 1 else f"the {len(ids)} selected tracks"

    def _follow_view(self, *_args) -> None:
        if self.tabs.currentWidget() is not self.review:
            current = self.current_track_id()
            shown = self.detail.detail.row.id if self.detail.detail is not None else None
            if current != shown:
                self.show_track(current)

    def _on_rows_changed(self, ids: list[int]) -> None:
        current = self.current_track_id()
        if current is not None and current in set(ids):
            self.show_track(current)

    def _update_status(self, *_args) -> None:
        shown = self.model.rowCount()
        total = max(self.refresher.summary.total, shown if self.model.query.playlist is None else 0)
        text = f"{total:,} tracks" if shown == total else f"{shown:,} of {total:,} tracks"
        self.count_label.setText(text)

    def resizeEvent(self, event) -> None:  # noqa: N802
        """A narrow window gives the table room: the Track panel keeps at most a quarter of it."""
        super().resizeEvent(event)
        widest = max(DETAIL_MIN_WIDTH, self.width() // 4)
        if self.detail_dock.isVisible() and self.detail_dock.width() > widest:
            self.resizeDocks([self.detail_dock], [widest], Qt.Orientation.Horizontal)

    # -- drag and drop -----------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        paths = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.scans.add_paths(paths)

    # -- state -------------------------------------------------------------------------------
    def _restore_state(self) -> None:
        geometry = self.ui_state.value("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = self.ui_state.value("state")
        if state is not None:
            self.restoreState(state)
        header = self.ui_state.value("tableHeader")
        if header is not None:
            self.library_panel.table.horizontalHeader().restoreState(header)
        splitter = self.ui_state.value("splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)
        self.actions.toggle_detail.setChecked(not self.detail_dock.isHidden())

    def save_state(self) -> None:
        self.ui_state.setValue("geometry", self.saveGeometry())
        self.ui_state.setValue("state", self.saveState())
        self.library_panel.fitter.show_auto_hidden()
        self.ui_state.setValue("tableHeader", self.library_panel.table.horizontalHeader().saveState())
        self.library_panel.fitter.fit()
        self.ui_state.setValue("splitter", self.splitter.saveState())
        self.ui_state.sync()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.save_state()
        self.undo_router.stop()
        self.playlist_updater.stop()
        self.refresher.stop()
        self.scans.stop()
        self.context.scanning.cancel()
        self.context.playback.stop()
        super().closeEvent(event)
