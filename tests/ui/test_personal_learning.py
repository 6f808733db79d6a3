"""Learning from corrections in the window: when Learn is possible, the summary against the
database, the Source column, a genre of the user's own, the model card's Your model section."""

from __future__ import annotations

from PySide6.QtCore import Qt

from genre_desktop.ui.dialogs.learn_summary_dialog import moves_text, untouched_text
from tests.ui.conftest import wait_until_idle
from tests.ui.personal_seed import correct, db_rows, learn_from_window, of_genre, real_window  # noqa: F401


def test_learn_is_disabled_and_says_how_many_corrections_are_needed(qtbot, real_window):
    window = real_window
    learn = window.actions.learn
    assert not learn.isEnabled()
    assert "at least 5" in learn.toolTip() and "corrected 0" in learn.toolTip()
    correct(qtbot, window, "rock", of_genre(window, "rock", 3))
    qtbot.waitUntil(lambda: "corrected 3" in learn.toolTip(), timeout=5000)
    assert not learn.isEnabled()
    assert not window.personal.learn()  # the shortcut does nothing either
    correct(qtbot, window, "nu-disco", of_genre(window, "disco", 2))
    qtbot.waitUntil(learn.isEnabled, timeout=5000)
    assert "5 corrections" in learn.toolTip()
    assert dict(window.actions.shortcut_table())["Ctrl+L"] == "Learn from my corrections"
    assert not window.actions.use_bundled_only.isEnabled()  # no model of your own to switch off yet


def test_summary_shows_what_changed_as_the_database_holds_it(qtbot, real_window):
    window = real_window
    nu_metal = of_genre(window, "metal", 6)
    correct(qtbot, window, "nu-metal", nu_metal)  # a genre the bundled model does not know
    correct(qtbot, window, "blues", of_genre(window, "blues", 4))
    correct(qtbot, window, "Space Rock", of_genre(window, "rock", 1))  # one example only
    dialog = learn_from_window(qtbot, window)
    assert dialog is not None and dialog.isVisible()
    summary = window.personal.last_summary

    counts = dict(db_rows(window, "SELECT genre, count(*) FROM tracks WHERE status = 'ok' GROUP BY genre"))
    chart = {genre: after for genre, _before, after in dialog.chart.rows()}
    assert chart == counts
    assert counts["nu-metal"] > len(nu_metal)  # the model found more of the user's genre
    personal = db_rows(window, "SELECT count(*) FROM tracks WHERE genre_source = 'personal model'")[0][0]
    assert personal == summary.decided_by_personal > 0
    threshold = window.context.library.reader.threshold
    confident = db_rows(window, "SELECT count(*) FROM tracks WHERE genre_source IN ('model', 'personal model')"
                        " AND confidence >= ?", (threshold,))[0][0]
    assert summary.confident_after == confident
    headline = dialog.headline.text()
    assert f"{summary.changed:,} track" in headline and "changed genre" in headline
    assert f"{summary.confident_before:,} before, {confident:,} now" in dialog.confident.text()
    assert sum(m["tracks"] for m in summary.moves) == summary.changed
    top = summary.moves[0]
    assert f"{top['tracks']:,} from {top['from']} to {top['to']}" in dialog.moves.text()

    examples = {dialog.examples.topLevelItem(i).text(0): dialog.examples.topLevelItem(i)
                for i in range(dialog.examples.topLevelItemCount())}
    labelled = dict(db_rows(window, "SELECT genre, count(*) FROM tracks WHERE genre_source = 'you' GROUP BY genre"))
    assert {g: int(item.text(1)) for g, item in examples.items()} == labelled
    assert "new" in examples["nu-metal"].text(3)
    assert "too few" in examples["Space Rock"].text(3) and examples["Space Rock"].text(2) == "—"
    assert "Space Rock" in dialog.too_few.text() and dialog.too_few.isVisibleTo(dialog)
    assert f"{summary.cv_accuracy:.0%}" in dialog.accuracy.text()
    # The genres the user never corrected: counted from the database before learning, and said.
    never = [g for g in summary.counts_before if g not in summary.examples]
    assert summary.untouched == sum(summary.counts_before[g] for g in never) > 0
    assert f"{summary.untouched:,} tracks of genres you never corrected" in dialog.untouched.text()
    dialog.close()

    reopened = window.personal.show_last_summary()  # Model → What your model learned…
    assert reopened is not None and reopened.headline.text() == headline
    reopened.close()


def test_source_column_and_sidebar_show_your_model_and_your_genre(qtbot, real_window):
    from genre_desktop.ui.itemmodels.columns import COLUMN_INDEX
    from genre_desktop.ui.panels.sidebar import SidebarEntry

    window = real_window
    # The library is GTZAN clips the bundled model was trained on: its answer stands near most of
    # them, but the user's metal corrections reach three more metal clips.
    correct(qtbot, window, "nu-metal", of_genre(window, "metal", 6))
    correct(qtbot, window, "jazz", of_genre(window, "jazz", 3))
    learn_from_window(qtbot, window).close()

    model = window.model
    sources = {}
    for row in range(model.rowCount()):
        track = model.track_row(row)
        index = model.index(row, COLUMN_INDEX["source"])
        sources.setdefault(track.genre_source, (model.data(index), model.data(index, Qt.ItemDataRole.ToolTipRole)))
    shown, tip = sources["personal model"]
    assert shown == "your model" and "learned from your corrections" in tip
    assert sources["you"][0] == "you" and sources["model"][0] == "model"

    entry = SidebarEntry("genre", "nu-metal")
    item = window.sidebar.item_for(entry)
    assert item is not None and not item.icon(0).isNull()
    count = db_rows(window, "SELECT count(*) FROM tracks WHERE genre = 'nu-metal' AND status = 'ok'")[0][0]
    assert item.text(1) == f"{count:,}"
    window.sidebar.choose(entry)
    wait_until_idle(qtbot, window)
    assert window.model.rowCount() == count
    assert {window.model.track_row(r).genre for r in range(count)} == {"nu-metal"}
    decided = [window.model.track_row(r) for r in range(count)]
    mine = next(r for r in decided if r.genre_source == "personal model")
    window.library_panel.select_ids([mine.id], current=mine.id)
    assert "your model" in window.detail.verdict.text().lower()


def test_model_card_has_a_your_model_section(qtbot, real_window):
    window = real_window
    card = window.commands.model_card_dialog()
    assert "no model of your own" in card.personal_section.values["Status"].text()
    card.close()
    correct(qtbot, window, "nu-disco", of_genre(window, "disco", 5))
    correct(qtbot, window, "metal", of_genre(window, "metal", 2))
    learn_from_window(qtbot, window).close()

    card = window.commands.model_card_dialog()
    values = card.personal_section.values
    assert values["Learned from"].text() == "7 corrected tracks"
    accuracy = window.personal.last_summary.cv_accuracy
    assert f"{accuracy:.1%}" in values["Accuracy on your labels"].text()
    assert "nu-disco 5" in values["Examples"].text() and "metal 2" in values["Examples"].text()
    assert values["New genres"].text() == "nu-disco"
    assert values["In use"].text() == "yes"
    card.close()


def test_summary_words_say_what_changed_and_warn_when_other_genres_moved():
    moves = [{"from": "rock", "to": "Electronic", "tracks": 8}, {"from": "pop", "to": "rock", "tracks": 3}]
    assert moves_text(moves) == "8 from rock to Electronic and 3 from pop to rock."
    assert moves_text(moves * 4, shown=2).endswith("and 33 more.")
    assert moves_text([]) == ""
    assert untouched_text(0, 0) == ""
    assert untouched_text(200, 0) == "None of the 200 tracks of genres you never corrected changed."
    assert untouched_text(200, 4) == "Of the 200 tracks of genres you never corrected, 4 changed."
    warned = untouched_text(200, 30)
    assert "30 of the 200 tracks" in warned and "more than expected" in warned
    for text in (warned, untouched_text(200, 4)):
        assert "(−" not in text and "(+" not in text  # plain words, no signed deltas
