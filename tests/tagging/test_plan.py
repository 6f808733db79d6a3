"""The staged diff: which files a write would change, with what, from which source, and which
it leaves alone (your corrections always; the model only when sure enough; never a genre that
came from the file itself; never a file that already says the genre)."""

from __future__ import annotations

import pytest

from genre_desktop.library.tag_batch import TagChange, WriteOptions, plan, plan_changes
from genre_desktop.library.writes import set_model_info, set_threshold
from tests.tagging.conftest import add_tracks, label, make_file, predict

GENRES = ["blues", "classical", "country", "disco", "hiphop", "jazz", "metal", "pop", "reggae", "rock"]


@pytest.fixture
def library(clip, tmp_path, writer):
    """Files and how the library sees them; returns {name: (track id, path)}."""
    music = tmp_path / "music"
    specs = {  # name: (format, genre tag in the file)
        "yours": ("mp3", None), "sure": ("flac", None), "unsure": ("ogg", None),
        "personal": ("m4a", None), "from_tag": ("opus", "Metal"), "same": ("flac", "Rock"),
        "respelled": ("mp3", "Hip-Hop"), "own_tag": ("m4a", "Blues"),
    }
    paths = {name: make_file(music, name, fmt, clip, genre=tag) for name, (fmt, tag) in specs.items()}
    writer.call(lambda c: set_model_info(c, "test", GENRES, 0.8))
    ids = dict(zip(paths, add_tracks(writer, list(paths.values()))))
    label(writer, [ids["yours"], ids["own_tag"]], "Jazz")
    for name, genre, conf in [("sure", "rock", 0.9), ("unsure", "jazz", 0.6), ("personal", "pop", 0.95),
                              ("from_tag", "disco", 0.3), ("same", "rock", 0.92), ("respelled", "hiphop", 0.97)]:
        predict(writer, ids[name], genre, conf)
    # The personal model's answers are stored as its source (refresh_derived is exercised elsewhere).
    writer.call(lambda c: c.execute("UPDATE tracks SET genre_source = 'personal model' WHERE id = ?", (ids["personal"],)))
    return {name: (ids[name], str(paths[name])) for name in paths}


def _names(library, changes):
    by_path = {path: name for name, (_, path) in library.items()}
    return sorted(by_path[c.path] for c in changes)


def test_default_writes_corrections_and_confident_model_genres_into_untagged_files(library, read_conn):
    changes = plan_changes(read_conn, WriteOptions())
    assert _names(library, changes) == ["personal", "sure", "yours"]
    by_name = {_names(library, [c])[0]: c for c in changes}
    tid, path = library["yours"]
    assert by_name["yours"] == TagChange(tid, path, None, "jazz", "you", None)  # spelled as the model does
    assert (by_name["sure"].new, by_name["sure"].source, by_name["sure"].confidence) == ("rock", "model", 0.9)
    assert (by_name["personal"].source, by_name["personal"].confidence) == ("personal model", 0.95)


def test_min_confidence_and_the_library_threshold(library, read_conn, writer):
    assert "unsure" in _names(library, plan_changes(read_conn, WriteOptions(min_confidence=0.6)))
    assert "unsure" not in _names(library, plan_changes(read_conn, WriteOptions(min_confidence=0.61)))
    writer.call(lambda c: set_threshold(c, 0.55))  # the user's threshold is the default
    assert "unsure" in _names(library, plan_changes(read_conn, WriteOptions()))


def test_only_corrections(library, read_conn):
    assert _names(library, plan_changes(read_conn, WriteOptions(only_corrections=True))) == ["yours"]
    replacing = WriteOptions(only_corrections=True, replace_existing=True)
    assert _names(library, plan_changes(read_conn, replacing)) == ["own_tag", "yours"]


def test_replace_shows_the_current_tag_and_skips_files_that_already_say_it(library, read_conn):
    report = plan(read_conn, WriteOptions(replace_existing=True))
    names = _names(library, report.changes)
    assert names == ["own_tag", "personal", "sure", "yours"]  # 'same' and 'respelled' already say it
    own = next(c for c in report.changes if c.path == library["own_tag"][1])
    assert (own.current, own.new, own.source) == ("Blues", "jazz", "you")
    assert report.unchanged == 2 and report.skipped == []


def test_files_with_their_own_genre_are_listed_as_kept(library, read_conn):
    report = plan(read_conn, WriteOptions())
    assert report.skipped == [(library["own_tag"][1], "it already has a genre tag (Blues)")]
    assert report.unchanged == 2


def test_a_genre_read_from_the_file_is_never_written_back(library, read_conn):
    every = plan_changes(read_conn, WriteOptions(min_confidence=0.0, replace_existing=True))
    assert library["from_tag"][1] not in [c.path for c in every]


def test_only_the_given_tracks(library, read_conn):
    ids = [library["yours"][0], library["unsure"][0], library["own_tag"][0]]
    assert _names(library, plan_changes(read_conn, WriteOptions(), ids)) == ["yours"]
    assert plan_changes(read_conn, WriteOptions(), []) == []


def test_bad_options_are_refused():
    with pytest.raises(ValueError):
        WriteOptions(id3_version=2)
    with pytest.raises(ValueError):
        WriteOptions(separator="")
