"""Keeps the views in step with the library without blocking the GUI thread.

Changes arrive as track ids (scan progress, corrections) or as "everything changed". The id
list of the table and the sidebar's counts are re-queried on worker threads with their own
connections; results for a query that is no longer current are dropped.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, QTimer, Signal

from genre_desktop.library.genre_map import tag_genres
from genre_desktop.library.records import UNCERTAIN
from genre_desktop.services.library_service import LibraryService
from genre_desktop.ui.itemmodels.track_query import query_ids
from genre_desktop.ui.itemmodels.track_table_model import TrackTableModel

log = logging.getLogger(__name__)

REQUERY_DELAY_MS = 30
SUMMARY_DELAY_MS = 250


@dataclass
class LibrarySummary:
    total: int = 0
    counts: dict[str, int] = field(default_factory=dict)  # effective genre -> tracks
    uncertain: int = 0
    problems: list = field(default_factory=list)
    playlists: list = field(default_factory=list)
    unmapped: int = 0  # genre tags that no mapping knows
    ignored_problems: int = 0


def read_summary(reader) -> LibrarySummary:
    counts = reader.genre_counts()
    uncertain = counts.pop(UNCERTAIN, 0)
    unmapped = sum(1 for tag in tag_genres(reader.conn) if tag.unmapped)
    return LibrarySummary(reader.track_count(), counts, uncertain, reader.problems(), reader.playlists(),
                          unmapped, reader.ignored_problem_count())


class LibraryRefresher(QObject):
    summaryUpdated = Signal(object)  # LibrarySummary
    tableUpdated = Signal(list)  # ids whose rows changed

    def __init__(self, library: LibraryService, model: TrackTableModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.model = model
        self.summary = LibrarySummary()
        self._changed: list[int] = []
        self._all_changed = False  # rows may differ though the id list does not (re-classified)
        self._busy_requery = False
        self._busy_summary = False
        self._again_requery = False
        self._again_summary = False
        self._requery_timer = self._timer(REQUERY_DELAY_MS, self._requery)
        self._summary_timer = self._timer(SUMMARY_DELAY_MS, self._read_summary)
        self._stopped = False

    def stop(self) -> None:
        """The window is closing: no more queries, and late results are ignored."""
        self._stopped = True
        self._requery_timer.stop()
        self._summary_timer.stop()

    def _timer(self, ms: int, slot) -> QTimer:
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.setInterval(ms)
        timer.timeout.connect(slot)
        return timer

    @property
    def is_idle(self) -> bool:
        """No write, re-query or count is pending: the views show what the library holds."""
        return not (self.library.pending_writes or self._busy_requery or self._busy_summary or self._requery_timer.isActive()
                    or self._summary_timer.isActive())

    # -- requests -------------------------------------------------------------------------------
    def tracks_changed(self, ids: list[int]) -> None:
        self._changed.extend(ids)
        self._requery_timer.start()
        self.summary_changed()

    def everything_changed(self) -> None:
        self._all_changed = True
        self._requery_timer.start()
        self.summary_changed()

    def summary_changed(self) -> None:
        if not self._summary_timer.isActive():
            self._summary_timer.start()

    # -- table ----------------------------------------------------------------------------------
    def _requery(self) -> None:
        log.debug("Re-query requested (busy=%s)", self._busy_requery)
        if self._stopped:
            return
        if self._busy_requery:
            self._again_requery = True  # one at a time; the newest request runs after
            return
        self._busy_requery = True
        query = self.model.query
        changed, self._changed = self._changed, []
        everything, self._all_changed = self._all_changed, False
        self.library.search_in_background(
            lambda search: query_ids(search, query), name="table ids",
            on_result=lambda ids: self._apply(query, ids, changed, everything),
            on_error=lambda error: self._requery_done(f"Could not refresh the table: {error}"))

    def _apply(self, query, ids: list[int], changed: list[int], everything: bool = False) -> None:
        log.debug("Table ids re-queried: %d rows (query %s, current %s)", len(ids), query == self.model.query,
                  self.model.rowCount())
        if self._stopped:
            return
        if self.model.query == query:
            self.model.apply_ids(ids, changed)
        else:
            self.model.invalidate_rows(changed)  # the view re-queried by itself meanwhile
        if everything:
            self.model.invalidate_all()
            changed = self.model.ids
        self.tableUpdated.emit(changed)
        self._requery_done()

    def _requery_done(self, error: str | None = None) -> None:
        if error:
            log.warning(error)
        self._busy_requery = False
        if self._again_requery:
            self._again_requery = False
            self._requery_timer.start()

    # -- sidebar, overview, problems ------------------------------------------------------------
    def _read_summary(self) -> None:
        if self._stopped:
            return
        if self._busy_summary:
            self._again_summary = True
            return
        self._busy_summary = True
        self.library.read_in_background(read_summary, name="library summary",
                                        on_result=self._on_summary,
                                        on_error=lambda e: self._summary_done(f"Could not count: {e}"))

    def _on_summary(self, summary: LibrarySummary) -> None:
        if self._stopped:
            return
        self.summary = summary
        self.summaryUpdated.emit(summary)
        self._summary_done()

    def _summary_done(self, error: str | None = None) -> None:
        if error:
            log.warning(error)
        self._busy_summary = False
        if self._again_summary:
            self._again_summary = False
            self._summary_timer.start()
