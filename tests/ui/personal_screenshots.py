"""Screenshots of learning from corrections (take_screenshots.py calls take_personal).

A library of the real clips (ten per genre, tagged, scanned by the real scanner), where the user
hears some disco as "nu-disco", a genre the bundled model does not know, and corrects a few of
the model's mistakes. Then Learn from my corrections, the summary, and the review queue.
"""

from __future__ import annotations

from pathlib import Path


def take_personal(out: Path, work: Path, save, wait) -> None:
    """save(widget, out, name) and wait(condition, timeout) come from take_screenshots.py."""
    from tests.corpus import make_demo_library

    from genre_desktop.app import build_context, make_application, shutdown_context
    from genre_desktop.ui.main_window import REVIEW_TAB, MainWindow
    from genre_desktop.ui.panels.sidebar import SidebarEntry

    music = work / "Personal Music"
    for path in make_demo_library(music, n_per_genre=10):
        _drop_genre_tag(path)  # like many real files: the model's answer is what the library shows
    make_application()
    context = build_context(work / "personal.sqlite3")
    window = MainWindow(context)
    window.resize(1440, 900)
    window.show()
    reports: list = []
    window.scans.scanFinished.connect(reports.append)
    window.scans.add_paths([str(music)])
    wait(lambda: bool(reports), 1800)
    wait(lambda: window.refresher.is_idle and not window.model.loading, 60)

    model = window.model
    rows = [model.track_row(r) for r in range(model.rowCount())]
    truth = {r.id: Path(r.path).parent.parent.name.lower().replace("-", "") for r in rows}
    disco = [r.id for r in rows if truth[r.id] == "disco"]
    window.labels.set_genre("nu-disco", disco[:6])
    wrong = [r.id for r in rows if r.genre_source == "model" and r.genre != truth[r.id]
             and truth[r.id] != "disco"]
    for track_id in wrong[:8]:
        window.labels.set_genre(truth[track_id], [track_id])
    wait(lambda: window.actions.learn.isEnabled() and window.refresher.is_idle, 60)

    window.actions.learn.trigger()
    wait(lambda: window.personal.summary_dialog is not None, 600)
    wait(lambda: window.refresher.is_idle and not window.model.loading, 60)
    dialog = window.personal.summary_dialog
    dialog.resize(dialog.width(), dialog.body.sizeHint().height() + 60)  # all of it, unscrolled
    save(dialog, out, "learn_summary")
    dialog.close()

    window.activateWindow()
    window.show_tab(REVIEW_TAB)
    wait(lambda: bool(window.review.entries()) and window.review.refresh_button.isEnabled(), 300)
    first, second = window.review.entries()[:2]
    window.labels.set_genre(truth[first.row.id], [first.row.id])  # one answered: the next is chosen
    wait(lambda: first.row.id not in window.review.queued_ids() and window.refresher.is_idle, 60)
    save(window, out, "review_queue")

    window.sidebar.choose(SidebarEntry("genre", "nu-disco"))  # the user's own genre, as any other
    wait(lambda: window.refresher.is_idle and not model.loading, 60)
    mine = [model.track_row(r) for r in range(model.rowCount())]
    decided = [r for r in mine if r.genre_source == "personal model"] or mine
    window.library_panel.select_ids([decided[0].id], current=decided[0].id)
    save(window, out, "library_your_model")
    window.close()
    shutdown_context(context)


def _drop_genre_tag(path: Path) -> None:
    import mutagen

    audio = mutagen.File(path, easy=True)
    if audio is not None and audio.tags is not None and "genre" in audio:
        del audio["genre"]
        audio.save()
