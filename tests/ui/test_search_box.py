"""The window's search box: typed words show the rows SQL finds, in the table's order, whether
the answer came from memory or from SQL, and they follow corrections made meanwhile."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from genre_desktop.library.db import connect
from genre_desktop.library.repository import LibraryReader
from genre_desktop.ui.itemmodels.columns import COLUMN_INDEX
from tests.ui.conftest import wait_until_idle


def type_search(qtbot, window, text: str) -> None:
    box = window.library_panel.search
    box.clear()
    QTest.keyClicks(box, text)  # the debounce applies it
    qtbot.waitUntil(lambda: window.model.query.search == text and not window.model.loading, timeout=5000)


def sql_ids(window, text: str) -> list[int]:
    query = window.model.query
    conn = connect(window.context.db_path, readonly=True)
    try:
        return LibraryReader(conn).track_ids(search=text, sort=query.sort, descending=query.descending)
    finally:
        conn.close()


def test_typed_searches_show_what_sql_finds(qtbot, seeded_window):
    window = seeded_window
    searches = ("e", "so", "song", "SONG 1", "jazz", "music", "artist 3", "flac", "nothing-like-it")
    window.library_panel.search.setFocus()
    for text in searches:
        type_search(qtbot, window, text)
        assert window.model.ids == sql_ids(window, text), text
    assert window.context.library.search.holds_texts  # typing loaded them: the broad words came from memory
    assert window.library_panel.count_label.text() == "0 tracks"
    window.model.sort(COLUMN_INDEX["confidence"], Qt.SortOrder.DescendingOrder)
    type_search(qtbot, window, "song")
    assert len(window.model.ids) == 40 and window.model.ids == sql_ids(window, "song")


def test_a_search_follows_a_correction(qtbot, seeded_window):
    window = seeded_window
    type_search(qtbot, window, "shoegaze")
    assert window.model.ids == []
    window.library_panel.search.clear()
    type_search(qtbot, window, "")
    window.library_panel.select_ids([5], current=5)
    window.labels.set_genre("Shoegaze")
    wait_until_idle(qtbot, window)
    type_search(qtbot, window, "shoegaze")
    assert window.model.ids == [5] == sql_ids(window, "shoegaze")
    window.labels.set_genre("Shoegaze", [6])  # not shown, while the search is: the re-query brings it in
    qtbot.waitUntil(lambda: window.model.ids == [5, 6] or window.model.ids == [6, 5], timeout=5000)
    assert window.model.ids == sql_ids(window, "shoegaze")
