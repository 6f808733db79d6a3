"""A genre is written only into the file the library analysed. A file replaced at the same path
by other music (without a rescan) is refused and left exactly as it is, and the library's
record of it is not refreshed (so the next scan still sees that it changed)."""

from __future__ import annotations

import os
import shutil

import pytest

from genre_desktop.library.tag_batch import STALE_REASON, WriteOptions, plan_changes, write_changes
from tests.tagging.conftest import add_tracks, encode, label, leftovers, run, track_row


@pytest.mark.parametrize("same_size_and_time", [False, True], ids=["plain-swap", "size-and-time-kept"])
def test_a_file_replaced_since_the_scan_is_refused(tmp_path, writer, read_conn, db_path, clip, same_size_and_time):
    music = tmp_path / "music"
    music.mkdir()
    y, sr = clip
    path = encode(music / "clip.flac", y, sr, "flac")
    [tid] = add_tracks(writer, [path])
    label(writer, [tid], "Metal")
    options = WriteOptions(replace_existing=True)
    changes = plan_changes(read_conn, options)
    row_before = track_row(db_path, tid)

    # Other music takes the file's place (another clip's audio, same format, same name).
    other = encode(tmp_path / "other.flac", y[::-1].copy(), sr, "flac")
    if same_size_and_time:  # padded to the same size and given the old time: only content differs
        with open(other, "ab") as fh:
            fh.truncate(row_before["size"])
        assert other.stat().st_size == row_before["size"]
    shutil.copyfile(other, path)
    if same_size_and_time:
        os.utime(path, ns=(row_before["mtime_ns"], row_before["mtime_ns"]))
    swapped = path.read_bytes()

    result = run(write_changes(writer, changes, options))[0]
    assert result.written == []
    assert result.failed == [(str(path), STALE_REASON)] and STALE_REASON == "changed since it was analysed; rescan first"
    assert path.read_bytes() == swapped
    assert track_row(db_path, tid) == row_before
    assert leftovers(music) == []
