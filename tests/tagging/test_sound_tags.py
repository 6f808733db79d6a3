"""Writing the Sounds-like mood and style tags along with the genre: the bundled tagger really
runs on the re-encoded GTZAN clips (a scan), the shown moods and styles go into each format's
fields and read back with plain mutagen, a file's own mood is kept unless replacing, and undo
gives back the exact bytes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import mutagen
import pytest
import soundfile as sf
from mutagen.id3 import ID3

from genre_desktop.library.db import connect
from genre_desktop.library.fingerprint import fingerprint
from genre_desktop.library.scanner import scan_folders
from genre_desktop.library.sounds_like import store_sound_tags
from genre_desktop.library.tag_batch import WriteOptions, plan, undo_last_batch, write_changes
from tests.tagging.conftest import MOOD, add_tracks, copy_file, label, make_file, run
from tests.tagging.tag_checks import genres_in, other_tags, shown_fields, sound_fields_in

SOUND_FORMATS = ("mp3", "flac", "ogg", "m4a", "wma")
PROJECT_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def originals(tmp_path_factory, gtzan_dir) -> dict[str, Path]:
    """A richly tagged file per format (its own mood among the tags) of a whole jazz clip the
    tagger hears moods and styles in (its first seconds alone sound only like jazz); tests work
    on copies."""
    y, sr = sf.read(gtzan_dir / "audio" / "jazz" / "jazz.00004.flac", dtype="float32")
    folder = tmp_path_factory.mktemp("sound-originals")
    return {fmt: make_file(folder, f"piece-{fmt}", fmt, (y, sr)) for fmt in SOUND_FORMATS}


@pytest.fixture(scope="module")
def tagger_windows(tmp_path_factory, originals) -> dict[str, list[tuple]]:
    """Format -> the windows (features with the tag probabilities, embedding) that a real scan
    with the bundled model stores for that format's file."""
    root = tmp_path_factory.mktemp("scanned")
    for fmt in SOUND_FORMATS:
        copy_file(originals[fmt], root / "music")
    db = root / "library.sqlite3"
    report = scan_folders(db, [root / "music"], jobs=2)
    assert not report.failed, report.failed
    conn = connect(db, readonly=True)
    try:
        rows = conn.execute(
            """SELECT t.path, w.idx, w.start_s, w.end_s, w.features, w.recipe_version, w.embedding
               FROM windows AS w JOIN tracks AS t ON t.id = w.track_id ORDER BY t.path, w.idx""").fetchall()
    finally:
        conn.close()
    windows: dict[str, list[tuple]] = {}
    for path, *window in rows:
        windows.setdefault(Path(path).stem.split("-")[1], []).append(tuple(window))
    assert set(windows) == set(SOUND_FORMATS) and all(w[-1] is not None for ws in windows.values() for w in ws)
    return windows


@pytest.fixture
def library(tagger_windows, originals, tmp_path, writer) -> dict[str, tuple[int, Path]]:
    """Fresh copies of the files in a library that knows them as the scan did (their tagger
    windows and stored Sounds-like tags), each corrected to Jazz."""
    paths = {fmt: copy_file(originals[fmt], tmp_path / "music") for fmt in SOUND_FORMATS}
    ids = dict(zip(SOUND_FORMATS, add_tracks(writer, list(paths.values()))))

    def store(conn):
        for fmt, track_id in ids.items():
            conn.executemany(
                """INSERT INTO windows(track_id, idx, start_s, end_s, features, recipe_version, embedding)
                   VALUES (?, ?, ?, ?, ?, ?, ?)""", [(track_id, *w) for w in tagger_windows[fmt]])
        store_sound_tags(conn, list(ids.values()))

    writer.call(store)
    label(writer, list(ids.values()), "Jazz")
    return {fmt: (ids[fmt], paths[fmt]) for fmt in SOUND_FORMATS}


def own_mood(path: Path) -> list[str]:
    """The rich files' own mood: TXXX:MOOD, a MOOD comment, the iTunes MOOD atom (WMA keeps it
    in a plain MOOD attribute, which is not the WM/Mood field)."""
    audio = mutagen.File(path)
    return sound_fields_in(path)[0] if type(audio).__name__ != "ASF" else [str(v) for v in audio.tags["MOOD"]]


def write_all(writer, read_conn, options: WriteOptions):
    report = plan(read_conn, options)
    result, _ = run(write_changes(writer, report.changes, options))
    assert not result.failed and not result.skipped, (result.failed, result.skipped)
    return report, result


def test_the_clips_show_moods_and_styles(library, db_path):
    for track_id, _ in library.values():
        moods, styles = shown_fields(db_path, track_id)
        assert 1 <= len(moods) <= 3 and 1 <= len(styles) <= 3  # else the tests below prove little


def test_moods_and_styles_go_into_each_formats_fields_and_undo_restores_the_bytes(
        library, writer, read_conn, db_path):
    before = {fmt: path.read_bytes() for fmt, (_, path) in library.items()}
    others = {fmt: other_tags(path, sound=False) for fmt, (_, path) in library.items()}
    report, result = write_all(writer, read_conn, WriteOptions(sound_tags=True, replace_existing=True))
    assert sorted(result.written) == sorted(str(p) for _, p in library.values())
    for fmt, (track_id, path) in library.items():
        moods, styles = shown_fields(db_path, track_id)
        change = next(c for c in report.changes if c.track_id == track_id)
        own = () if fmt == "wma" else (MOOD,)  # WMA keeps it in a MOOD attribute, not WM/Mood
        assert change.writes_genre and (list(change.moods), change.current_moods) == (moods, own)
        assert genres_in(path) == ["jazz"]
        assert sound_fields_in(path) == (moods, styles if fmt != "wma" else [])  # WMA has no style field
        assert other_tags(path, sound=False) == others[fmt]
    tags = ID3(library["mp3"][1])  # ID3v2.4: the mood frame itself, the file's TXXX:MOOD gone
    assert tags.getall("TMOO")[0].text == shown_fields(db_path, library["mp3"][0])[0]
    assert not tags.getall("TXXX:MOOD")

    undone, _ = run(undo_last_batch(writer))
    assert len(undone.written) == len(library) and not undone.failed
    assert {fmt: path.read_bytes() for fmt, (_, path) in library.items()} == before


def test_a_files_own_mood_is_kept_unless_existing_tags_are_replaced(library, writer, read_conn, db_path):
    report, _ = write_all(writer, read_conn, WriteOptions(sound_tags=True))
    for fmt, (track_id, path) in library.items():
        moods, styles = shown_fields(db_path, track_id)
        change = next(c for c in report.changes if c.track_id == track_id)
        if fmt == "wma":  # its MOOD attribute is not the mood field: WM/Mood is empty, so written
            assert sound_fields_in(path)[0] == moods
            continue
        assert change.moods == () and change.styles == tuple(styles)
        assert own_mood(path) == [MOOD] and sound_fields_in(path) == ([MOOD], styles)


def test_id3v23_keeps_the_mood_in_a_user_field_joined_as_v23_does(library, writer, read_conn, db_path):
    track_id, path = library["mp3"]
    before = path.read_bytes()
    options = WriteOptions(sound_tags=True, replace_existing=True, id3_version=3)
    report = plan(read_conn, options, [track_id])
    result, _ = run(write_changes(writer, report.changes, options))
    assert result.written == [str(path)]
    moods, styles = shown_fields(db_path, track_id)
    tags = ID3(path, translate=False)
    assert tags.version[:2] == (2, 3) and not tags.getall("TMOO")
    assert tags.getall("TXXX:MOOD")[0].text == ["/".join(moods)]
    assert tags.getall("TXXX:STYLE")[0].text == ["/".join(styles)]
    run(undo_last_batch(writer))
    assert path.read_bytes() == before


def test_a_file_that_already_has_its_genre_gets_only_mood_and_style(library, writer, read_conn, db_path):
    track_id, path = library["flac"]
    audio = mutagen.File(path)
    audio.tags["GENRE"] = "Jazz"  # the genre the library writes
    audio.save()
    st = path.stat()  # as a scan of the retagged file records it
    writer.call(lambda c: c.execute("UPDATE tracks SET size = ?, mtime_ns = ?, fingerprint = ? WHERE id = ?",
                                    (st.st_size, st.st_mtime_ns, fingerprint(path), track_id)))
    assert plan(read_conn, WriteOptions(), [track_id]).unchanged == 1  # genres alone: nothing to do
    options = WriteOptions(sound_tags=True, replace_existing=True)
    report = plan(read_conn, options, [track_id])
    assert [(c.writes_genre, c.current, c.new) for c in report.changes] == [(False, "Jazz", "jazz")]
    result, _ = run(write_changes(writer, report.changes, options))
    assert result.written == [str(path)]
    assert genres_in(path) == ["Jazz"] and sound_fields_in(path) == shown_fields(db_path, track_id)
    assert plan(read_conn, options, [track_id]).unchanged == 1  # now it says all of it


def test_the_command_line_writes_and_undoes_them(library, db_path, writer):
    writer.close()  # the commands open the library themselves
    before = {fmt: path.read_bytes() for fmt, (_, path) in library.items()}

    def cli(*args: str) -> dict:
        done = subprocess.run([sys.executable, "-m", "genre_desktop", *args, "--db", str(db_path), "--json"],
                              capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=300,
                              env=dict(os.environ, PYTHONPATH=str(PROJECT_ROOT)))
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    dry = cli("write-tags", "--with-sound-tags", "--replace", "--dry-run")
    by_path = {p["path"]: p for p in dry["planned"]}
    for track_id, path in library.values():
        moods, styles = shown_fields(db_path, track_id)
        planned = by_path[str(path)]
        assert (planned["moods"], planned["writes_genre"]) == (moods, True)
        assert planned["styles"] == (styles if path.suffix != ".wma" else [])
    assert {fmt: path.read_bytes() for fmt, (_, path) in library.items()} == before

    written = cli("write-tags", "--with-sound-tags", "--replace")
    assert sorted(written["written"]) == sorted(str(p) for _, p in library.values())
    assert all(sound_fields_in(p)[0] == shown_fields(db_path, t)[0] for t, p in library.values())
    assert cli("undo-tags")["failed"] == []
    assert {fmt: path.read_bytes() for fmt, (_, path) in library.items()} == before

