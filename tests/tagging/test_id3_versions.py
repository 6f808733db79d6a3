"""MP3: ID3v2.4 by default, ID3v2.3 on request, and neither loses or garbles other frames."""

from __future__ import annotations

import struct

from mutagen.id3 import ID3

from genre_desktop.audio.tags import read_tags
from genre_desktop.library.tag_batch import WriteOptions, plan_changes, undo_last_batch, write_changes
from tests.tagging.conftest import COVER, LYRICS, MOOD, add_tracks, copy_file, label, run
from tests.tagging.tag_checks import genres_in


def _write(writer, read_conn, path, genre, options):
    [tid] = add_tracks(writer, [path])
    label(writer, [tid], genre)
    return run(write_changes(writer, plan_changes(read_conn, options), options))[0]


def _frames(path, *, translate: bool) -> dict[str, str]:
    return {key: repr(frame) for key, frame in ID3(path, translate=translate).items() if key != "TCON"}


def test_id3v23_keeps_cover_lyrics_custom_and_sort_frames_readable(originals, tmp_path, writer, read_conn):
    path = copy_file(originals["mp3"], tmp_path / "music")
    original = path.read_bytes()
    assert original[3] == 4
    result = _write(writer, read_conn, path, "Jazz; Blues", WriteOptions(id3_version=3))
    assert result.written == [str(path)], result.failed

    data = path.read_bytes()
    assert data[:4] == b"ID3\x03"
    tags = ID3(path, translate=False)
    assert tags.version[:2] == (2, 3)
    assert tags.getall("TCON")[0].text == ["Jazz/Blues"]  # v2.3 has no multi-value frames
    assert tags.getall("APIC")[0].data == COVER and tags.getall("APIC")[0].mime == "image/png"
    assert tags.getall("USLT")[0].text == LYRICS  # non-Latin text re-encoded as UTF-16, not garbled
    assert tags.getall("USLT")[0].encoding == 1
    assert tags.getall("TXXX:MOOD")[0].text == [MOOD]
    assert tags.getall("COMM")[0].text == ["a comment"]
    assert tags.getall("TSOP")[0].text == ["Ensemble, The"]  # kept, as v2.3 taggers do
    assert (tags.getall("TYER")[0].text, tags.getall("TDAT")[0].text) == (["2001"], ["0503"])
    assert read_tags(path).genre == "Jazz/Blues"

    run(undo_last_batch(writer))
    assert path.read_bytes() == original


def test_a_v23_tag_written_as_v23_changes_only_its_genre(originals, tmp_path, writer, read_conn):
    path = copy_file(originals["mp3"], tmp_path / "music")
    ID3(path).save(v2_version=3)  # mutagen's own v2.3 conversion of the rich tag
    before = _frames(path, translate=False)
    original = path.read_bytes()
    result = _write(writer, read_conn, path, "Jazz", WriteOptions(id3_version=3))
    assert result.written == [str(path)], result.failed
    assert ID3(path, translate=False).version[:2] == (2, 3)
    assert _frames(path, translate=False) == before
    assert genres_in(path) == ["jazz"]
    run(undo_last_batch(writer))
    assert path.read_bytes() == original


def test_a_v23_tag_is_upgraded_to_v24_by_default_with_every_frame(originals, tmp_path, writer, read_conn):
    path = copy_file(originals["mp3"], tmp_path / "music")
    ID3(path).save(v2_version=3)
    before = _frames(path, translate=True)  # as v2.4 frames
    result = _write(writer, read_conn, path, "Jazz; Blues", WriteOptions())
    assert result.written == [str(path)], result.failed
    assert path.read_bytes()[:4] == b"ID3\x04"
    assert _frames(path, translate=True) == before
    assert genres_in(path) == ["Jazz", "Blues"]


def _mp3_with_unknown_v23_frame(source, target) -> bytes:
    """The audio of `source` behind a hand-made ID3v2.3 tag holding a frame no standard knows."""
    audio = source.read_bytes()
    audio = audio[10 + _syncsafe(audio[6:10]):]  # drop the rich tag
    frame = b"XRAW" + struct.pack(">IH", 5, 0) + b"hello"
    size = len(frame)
    header = b"ID3\x03\x00\x00" + bytes([(size >> 21) & 0x7F, (size >> 14) & 0x7F, (size >> 7) & 0x7F, size & 0x7F])
    target.write_bytes(header + frame + audio)
    return frame


def _syncsafe(four: bytes) -> int:
    return (four[0] << 21) | (four[1] << 14) | (four[2] << 7) | four[3]


def test_unknown_frames_are_kept_or_the_file_is_refused(originals, tmp_path, writer, read_conn):
    music = tmp_path / "music"
    music.mkdir()
    path = music / "odd.mp3"
    frame = _mp3_with_unknown_v23_frame(originals["mp3"], path)
    original = path.read_bytes()
    [tid] = add_tracks(writer, [path])
    label(writer, [tid], "Jazz")

    refused = run(write_changes(writer, plan_changes(read_conn, WriteOptions()), WriteOptions()))[0]
    assert refused.written == [] and refused.failed[0][0] == str(path)
    assert "cannot be converted to ID3v2.4" in refused.failed[0][1]
    assert path.read_bytes() == original

    as_v23 = WriteOptions(id3_version=3)
    kept = run(write_changes(writer, plan_changes(read_conn, as_v23), as_v23))[0]
    assert kept.written == [str(path)]
    assert frame in path.read_bytes() and genres_in(path) == ["jazz"]
