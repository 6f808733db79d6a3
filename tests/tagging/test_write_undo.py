"""Writing a genre into real files of every format, then undoing it: the genre lands in the
format's own multi-value form, every other tag and the audio stay as they were, the library
records the new file, and undo gives back the original byte for byte."""

from __future__ import annotations

import os

import av
import numpy as np
import pytest

from genre_desktop.audio.audio_payload import payload_digest
from genre_desktop.audio.tag_formats import detect_kind
from genre_desktop.library.fingerprint import fingerprint
from genre_desktop.library.tag_batch import (
    TagChange, WriteOptions, last_batch, plan_changes, undo_last_batch, write_changes,
)
from tests.corpus import write_audio
from tests.tagging.conftest import FORMATS, add_tracks, copy_file, label, leftovers, predict, run, track_row
from tests.tagging.tag_checks import genres_in, other_tags


def _assert_library_matches_file(db_path, track_id, path, tag_genre):
    row, st = track_row(db_path, track_id), os.stat(path)
    assert (row["size"], row["mtime_ns"]) == (st.st_size, st.st_mtime_ns)
    assert row["fingerprint"] == fingerprint(path)
    assert row["tag_genre"] == tag_genre


@pytest.mark.parametrize("fmt", FORMATS)
def test_write_then_undo_gives_back_the_original_bytes(fmt, originals, tmp_path, writer, read_conn, db_path):
    music = tmp_path / "music"
    path = copy_file(originals[fmt], music)
    original = path.read_bytes()
    others = other_tags(path)
    kind = detect_kind(str(path))
    audio = payload_digest(path, kind)
    [tid] = add_tracks(writer, [path])
    label(writer, [tid], "Jazz; Blues")

    changes = plan_changes(read_conn, WriteOptions())
    assert changes == [TagChange(tid, str(path), None, "Jazz; Blues", "you", None)]
    result, progress = run(write_changes(writer, changes, WriteOptions()))
    assert (result.written, result.failed, result.skipped, result.cancelled) == ([str(path)], [], [], False)
    assert progress == [(1, 1)]

    assert genres_in(path) == ["Jazz", "Blues"]  # native multi-value
    assert other_tags(path) == others
    assert payload_digest(path, kind) == audio
    assert path.read_bytes() != original
    _assert_library_matches_file(db_path, tid, path, "Jazz")
    assert plan_changes(read_conn, WriteOptions(replace_existing=True)) == []  # nothing left to change
    summary = last_batch(read_conn)
    assert (summary.id, summary.files, summary.undone) == (result.batch_id, 1, False)
    assert leftovers(music) == []

    undone, progress = run(undo_last_batch(writer))
    assert (undone.batch_id, undone.written, undone.failed) == (result.batch_id, [str(path)], [])
    assert progress == [(1, 1)]
    assert path.read_bytes() == original
    _assert_library_matches_file(db_path, tid, path, None)
    assert last_batch(read_conn) is None
    assert last_batch(read_conn, include_undone=True).undone
    assert leftovers(music) == []


@pytest.mark.parametrize("fmt", ["mp3", "flac", "m4a"])
def test_separator_joins_several_genres_into_one_value(fmt, originals, tmp_path, writer, read_conn):
    path = copy_file(originals[fmt], tmp_path / "music")
    [tid] = add_tracks(writer, [path])
    label(writer, [tid], "Jazz; Blues")
    options = WriteOptions(separator=" / ")
    result, _ = run(write_changes(writer, plan_changes(read_conn, options), options))
    assert result.written == [str(path)]
    assert genres_in(path) == ["Jazz / Blues"]


def test_batches_stack_and_undo_one_at_a_time(originals, tmp_path, writer, read_conn, db_path):
    path = copy_file(originals["flac"], tmp_path / "music")
    original = path.read_bytes()
    [tid] = add_tracks(writer, [path])
    predict(writer, tid, "rock", 0.95)
    first, _ = run(write_changes(writer, plan_changes(read_conn, WriteOptions()), WriteOptions()))
    assert genres_in(path) == ["rock"] and first.written == [str(path)]
    after_first = path.read_bytes()

    label(writer, [tid], "Post-Rock")  # the user disagrees; the file already has a genre now
    assert plan_changes(read_conn, WriteOptions()) == []
    replace = WriteOptions(replace_existing=True)
    [change] = plan_changes(read_conn, replace)
    assert (change.current, change.new, change.source) == ("rock", "Post-Rock", "you")
    second, _ = run(write_changes(writer, [change], replace))
    assert genres_in(path) == ["Post-Rock"] and second.batch_id > first.batch_id

    assert run(undo_last_batch(writer))[0].batch_id == second.batch_id
    assert path.read_bytes() == after_first
    _assert_library_matches_file(db_path, tid, path, "rock")
    assert run(undo_last_batch(writer))[0].batch_id == first.batch_id
    assert path.read_bytes() == original
    nothing, progress = run(undo_last_batch(writer))
    assert (nothing.batch_id, nothing.written, progress) == (None, [], [])


def test_cancel_stops_before_the_next_file_and_keeps_what_was_written(originals, tmp_path, writer, read_conn):
    from genre_desktop.core.cancel import CancelToken

    music = tmp_path / "music"
    paths = [copy_file(originals["mp3"], music, f"{i}.mp3") for i in range(4)]
    ids = add_tracks(writer, paths)
    label(writer, ids, "Jazz")
    cancel = CancelToken()
    generator = write_changes(writer, plan_changes(read_conn, WriteOptions()), WriteOptions(), cancel)
    assert next(generator) == (1, 4)
    cancel.cancel()
    result, _ = run(generator)
    assert result.cancelled and result.written == [str(paths[0])]
    assert [genres_in(p) for p in paths] == [["jazz"], [], [], []]
    assert last_batch(read_conn).files == 1
    run(undo_last_batch(writer))
    assert genres_in(paths[0]) == []


def test_a_linked_file_is_written_through_its_link(originals, tmp_path, writer, read_conn, db_path):
    real = copy_file(originals["flac"], tmp_path / "store")
    link = tmp_path / "music" / "linked.flac"
    link.parent.mkdir()
    link.symlink_to(real)
    original = real.read_bytes()
    [tid] = add_tracks(writer, [link])
    label(writer, [tid], "Jazz")
    result, _ = run(write_changes(writer, plan_changes(read_conn, WriteOptions()), WriteOptions()))
    assert result.written == [str(link)]
    assert link.is_symlink() and genres_in(real) == ["jazz"]
    _assert_library_matches_file(db_path, tid, link, "jazz")
    run(undo_last_batch(writer))
    assert link.is_symlink() and real.read_bytes() == original
    assert leftovers(tmp_path) == []


def _decoded(path) -> np.ndarray:
    with av.open(str(path)) as container:
        return np.concatenate([f.to_ndarray().ravel() for f in container.decode(audio=0)])


@pytest.mark.parametrize("fmt", [*FORMATS, "m4a-faststart"])
def test_a_tag_larger_than_its_padding_moves_the_audio_but_not_one_sample(fmt, originals, clip, tmp_path, writer,
                                                                          read_conn):
    """200 genres outgrow any padding: Ogg pages are renumbered, a faststart M4A's audio moves
    behind its grown index (whose sample offsets must follow). The file still decodes to the
    same samples, and undo still gives back every byte."""
    music = tmp_path / "music"
    if fmt == "m4a-faststart":
        music.mkdir()
        path = write_audio(music / "fast.m4a", *clip, "m4a", faststart=True)
        assert path.read_bytes().index(b"moov") < path.read_bytes().index(b"mdat")
    else:
        path = copy_file(originals[fmt], music)
    samples, original = _decoded(path), path.read_bytes()
    [tid] = add_tracks(writer, [path])
    label(writer, [tid], "; ".join(f"Genre number {i}" for i in range(200)))
    result, _ = run(write_changes(writer, plan_changes(read_conn, WriteOptions()), WriteOptions()))
    assert result.written == [str(path)], result.failed
    assert len(genres_in(path)) == 200 and len(path.read_bytes()) > len(original) + 3000
    assert np.array_equal(_decoded(path), samples)
    run(undo_last_batch(writer))
    assert path.read_bytes() == original
