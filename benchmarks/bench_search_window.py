"""What the user waits for when searching a library of 100,000 tracks: from pressing Enter in the
real window's search box until the table has painted the found rows, the search as it ran before
(LibraryReader's SQL on a worker thread) side by side with the search from memory (TrackSearch on
a worker thread), in one window over one library.

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_search_window.py [--tracks 100000] [--repeat 5] [--json]

The library is bench_search's synthetic one, plus Sounds-like tags (chill on every third track,
female vocalists on every fiftieth) so that tag: searches find something. Each search starts from
the whole library shown (sorted by title), old and new take turns, and the median of --repeat
runs is reported in ms, from Enter after typing the words (QTest types at once) to the end of
the table's next paint, split into the worker's query, the model reset on the GUI thread and the
paint. Without Enter the search box's debounce (ui/panels/library_panel.py) comes first. "First
search after a change" is a search right after a correction was saved, when memory holds nothing:
typed (the first key starts loading the texts) with and without Enter, and pasted with Enter (no
key typed: SQL answers, as before).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_search import build_library

AFTER_CHANGE = ("pasted, Enter", "typed, Enter", "typed")
SEARCHES = ("e", "ti", "42", ".mp3", "music", "album 7", "jazz", "artist 42", "Title 12345",
            "tag:chill", "tag:chill rock", "tag:female-vocalists", "zzz-not-there")


def watch(window):
    """A Timeline of this window's table: marks when the worker started and ended, when the
    model reset began and ended, and when the table's rows were next painted."""
    from PySide6.QtCore import QEvent, QObject, QTimer

    class PaintWatch(QObject):
        def eventFilter(self, watched, event) -> bool:
            if event.type() == QEvent.Type.Paint and "applied" in marks.marks and "painted" not in marks.marks:
                QTimer.singleShot(0, lambda: marks.mark("painted"))  # runs once this paint is done
            return False

    marks = Timeline(window.model)
    marks.watch = PaintWatch()
    window.library_panel.table.viewport().installEventFilter(marks.watch)
    return marks


class Timeline:
    """Named moments, and an event loop that waits for one. The wait is Qt's own event loop, as
    the app runs it: it lets worker threads have the GIL (a loop of processEvents calls does not
    and slows row-by-row SQL on a worker several times)."""

    def __init__(self, model) -> None:
        self.marks: dict[str, float] = {}
        self._awaited: tuple[str, object] | None = None
        model.modelAboutToBeReset.connect(lambda: self.mark("reset"))
        model.queryApplied.connect(lambda: self.mark("applied"))

    def mark(self, name: str) -> None:
        self.marks.setdefault(name, time.perf_counter())
        if self._awaited is not None and self._awaited[0] == name:
            self._awaited[1].quit()

    def wait(self, name: str, timeout_s: float = 60.0) -> None:
        from PySide6.QtCore import QEventLoop, QTimer

        if name in self.marks:
            return
        loop = QEventLoop()
        self._awaited = (name, loop)
        QTimer.singleShot(int(timeout_s * 1000), loop.quit)
        loop.exec()
        self._awaited = None
        if name not in self.marks:
            raise TimeoutError(f"no {name!r} within {timeout_s} s")

    def timed(self, fn):
        def run(*args):
            self.mark("work")
            try:
                return fn(*args)
            finally:
                self.mark("worked")
        return run


def loaders(context, timeline: Timeline) -> dict[str, object]:
    from genre_desktop.ui.itemmodels.track_query import query_ids

    library = context.library
    return {
        "old": lambda query, done: library.read_in_background(
            timeline.timed(lambda reader: query_ids(reader, query)), name="filter tracks", on_result=done),
        "new": lambda query, done: library.search_in_background(
            timeline.timed(lambda search: query_ids(search, query)), name="filter tracks", on_result=done),
    }


def wait_for(condition, timeout_s: float = 60.0) -> None:
    """Run Qt's event loop until condition() holds (checked every 10 ms)."""
    from PySide6.QtCore import QEventLoop, QTimer

    deadline = time.perf_counter() + timeout_s
    loop = QEventLoop()
    timer = QTimer()
    timer.timeout.connect(lambda: (condition() or time.perf_counter() > deadline) and loop.quit())
    timer.start(10)
    if not condition():
        loop.exec()
    timer.stop()
    if not condition():
        raise TimeoutError("the window did not settle")


def search(window, timeline: Timeline, text: str, how: str = "typed, Enter") -> dict[str, float]:
    """Type `text` and press Enter ("typed, Enter"), or let the debounce fire ("typed"), or
    put it in the box and press Enter without typing ("pasted, Enter"); ms from the last key
    until the rows are painted."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    box, model = window.library_panel.search, window.model
    box.clear()
    timeline.marks.clear()
    if how == "pasted, Enter":
        box.setText(text)  # no key typed: nothing loads ahead
    else:
        QTest.keyClicks(box, text)  # the first key starts TrackSearch.warm on a worker thread
    started = time.perf_counter()
    if how != "typed":
        QTest.keyClick(box, Qt.Key.Key_Return)
    # The rows are shown once the table's next paint (which asks data() for the visible rows:
    # a page query) has returned.
    timeline.wait("painted")
    m = timeline.marks
    return {"total": (m["painted"] - started) * 1000, "query": (m["worked"] - m["work"]) * 1000,
            "reset": (m["applied"] - m["reset"]) * 1000, "paint": (m["painted"] - m["applied"]) * 1000,
            "rows": model.rowCount()}


def show_all(window, timeline: Timeline) -> None:
    if window.model.query.search:
        search(window, timeline, "")
    wait_for(lambda: window.refresher.is_idle and not window.model.loading)


def run(tracks: int, repeat: int) -> dict:
    from genre_desktop.app import build_context, make_application, shutdown_context
    from genre_desktop.paths import AppPaths
    from genre_desktop.ui.main_window import MainWindow

    make_application()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        build_library(root / "library.sqlite3", tracks)
        paths = AppPaths(root / "data", root / "config", root / "cache", root / "logs")
        context = build_context(root / "library.sqlite3", paths)
        window = MainWindow(context)
        try:
            window.resize(1280, 800)
            window.show()
            wait_for(lambda: window.refresher.is_idle and window.model.rowCount() == tracks)
            timeline = watch(window)
            ways = loaders(context, timeline)
            load_before = os.getloadavg()
            runs: dict[str, dict[str, list[dict]]] = {t: {"old": [], "new": []} for t in SEARCHES}
            for n in range(repeat + 1):  # the first round warms both up and is not counted
                for text in SEARCHES:
                    for way in ("old", "new") if n % 2 else ("new", "old"):
                        window.model.set_loader(ways[way])
                        show_all(window, timeline)
                        result = search(window, timeline, text)
                        if n:
                            runs[text][way].append(result)
            rows = {t: [r["rows"] for way in runs[t].values() for r in way] for t in SEARCHES}
            assert all(len(set(r)) == 1 for r in rows.values()), rows
            window.model.set_loader(ways["new"])
            after_change: dict[str, list[dict]] = {f"{how}: {text}": [] for how in AFTER_CHANGE
                                                   for text in ("e", "music")}
            changes = 0
            for _ in range(repeat):
                for key, results in after_change.items():
                    show_all(window, timeline)
                    changes += 1  # a track not labelled before: a real change, every time
                    context.library.set_labels([changes], "Shoegaze")
                    wait_for(lambda: window.refresher.is_idle and not window.model.loading)
                    how, text = key.split(": ")
                    results.append(search(window, timeline, text, how))
            load_after = os.getloadavg()
        finally:
            window.close()
            shutdown_context(context)
    return {"tracks": tracks, "repeat": repeat, "load_before": load_before, "load_after": load_after,
            "searches": {t: {way: _medians(r) for way, r in ways_.items()} for t, ways_ in runs.items()},
            "after_change": {how: _medians(r) for how, r in after_change.items()}}


def _medians(results: list[dict]) -> dict[str, float]:
    return {k: statistics.median(r[k] for r in results) for k in results[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    from genre_desktop.ui.panels.library_panel import SEARCH_DEBOUNCE_MS

    result = run(args.tracks, args.repeat)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"{args.tracks:,} tracks, Enter to rows painted, median of {args.repeat} runs, load average "
          f"{result['load_before'][0]:.1f} before, {result['load_after'][0]:.1f} after (1 min)")
    print(f"{'search':<22} {'rows':>7} {'old ms':>8} {'new ms':>8} {'old/new':>8}   "
          f"new: query / reset / paint")
    for text, ways in result["searches"].items():
        old, new = ways["old"], ways["new"]
        print(f"{text:<22} {int(new['rows']):>7,} {old['total']:>8.1f} {new['total']:>8.1f} "
              f"{old['total'] / new['total']:>8.1f}   {new['query']:.1f} / {new['reset']:.1f} / {new['paint']:.1f}")
    print(f"first search after a change (a correction saved), new, from the last key, {SEARCH_DEBOUNCE_MS} ms "
          f"debounce included where typed without Enter:")
    for key, r in result["after_change"].items():
        print(f"  {key:<22} {r['total']:>7.1f} ms  (query {r['query']:.1f}, reset {r['reset']:.1f}, "
              f"paint {r['paint']:.1f})")


if __name__ == "__main__":
    main()
