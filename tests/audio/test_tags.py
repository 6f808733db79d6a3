"""Tag reading: every format's tags, ID3 oddities, and damaged tags that must not raise."""

from __future__ import annotations

import logging
import os

import mutagen
import pytest
from mutagen.flac import FLAC
from mutagen.id3 import ID3, TCON, TDRC, TIT2, TYER

from genre_desktop.audio.tags import Tags, read_tags
from tests.corpus import FORMATS, make_demo_library, sine, write_audio

pytestmark = pytest.mark.timeout(60)


@pytest.fixture(scope="module")
def demo_library(tmp_path_factory, gtzan_dir):
    """One real clip per format (wav carries ID3 in a RIFF chunk; alac/m4a carry MP4 atoms)."""
    folder = tmp_path_factory.mktemp("demo")
    return make_demo_library(folder, n_per_genre=1, formats=FORMATS, genres=["blues", "hiphop", "jazz", "rock",
                                                                            "pop", "metal", "disco"])


def test_every_format_round_trips_its_tags(demo_library):
    assert sorted({p.suffix for p in demo_library}) == [".flac", ".m4a", ".mp3", ".ogg", ".opus", ".wav"]
    for path in demo_library:
        tags = read_tags(path)
        label = path.parent.parent.name
        assert tags == Tags(title=f"{label} Piece 1", artist=f"{label} Ensemble 1", album=f"{label} Album",
                            year=1990, genre=label), path.name


@pytest.fixture
def mp3_path(tmp_path):
    path = tmp_path / "tone.mp3"
    write_audio(path, sine(440, 1.0, 22050), 22050, "mp3")
    return path


@pytest.mark.parametrize("stored, expected", [
    ("(17)", "Rock"), ("17", "Rock"), ("(9)", "Metal"), ("(17)Indie Rock", "Rock"), ("(RX)", "Remix"),
    ("Shoegaze", "Shoegaze"), ("(999)", None), ("  Jazz  ", "Jazz"),
])
def test_id3_genres_become_names(mp3_path, stored, expected):
    tags = ID3()
    tags.add(TCON(encoding=3, text=[stored]))
    tags.save(mp3_path)
    assert read_tags(mp3_path).genre == expected


def test_multiple_values_take_the_first_and_dates_give_the_year(tmp_path):
    path = tmp_path / "multi.flac"
    write_audio(path, sine(440, 1.0, 22050), 22050, "flac")
    audio = FLAC(path)
    audio["genre"] = ["Jazz", "Blues"]
    audio["artist"] = ["", "Second Artist"]
    audio["date"] = ["1999-05-01"]
    audio.save()
    tags = read_tags(path)
    assert (tags.genre, tags.artist, tags.year) == ("Jazz", "Second Artist", 1999)


def test_id3v23_year_frame_is_read(mp3_path):
    tags = ID3()
    tags.add(TIT2(encoding=3, text=["Old Tag"]))
    tags.add(TYER(encoding=3, text=["1987"]))
    tags.save(mp3_path, v2_version=3)
    assert read_tags(mp3_path) == Tags(title="Old Tag", year=1987)


def test_untagged_and_unrecognised_files_give_empty_tags(tmp_path):
    plain = write_audio(tmp_path / "plain.wav", sine(440, 1.0, 22050), 22050, "wav")
    text = tmp_path / "notes.mp3"
    text.write_text("not audio")
    assert read_tags(plain) == Tags()
    assert read_tags(text) == Tags()
    assert read_tags(tmp_path / "missing.flac") == Tags()


def test_corrupt_tags_give_empty_tags_and_a_warning(tmp_path, caplog):
    path = tmp_path / "broken.flac"
    write_audio(path, sine(440, 1.0, 22050), 22050, "flac")
    data = bytearray(path.read_bytes())
    data[5:8] = b"\xff\xff\xff"  # the first metadata block now claims to run 16 MB past the file's end
    path.write_bytes(bytes(data))
    with pytest.raises(Exception):
        mutagen.File(path, easy=True)  # mutagen itself refuses the block
    with caplog.at_level(logging.WARNING, logger="genre_desktop.audio.tags"):
        assert read_tags(path) == Tags()
    assert "could not read tags" in caplog.text
    assert str(path) in caplog.text


def test_tags_follow_content_not_the_extension(tmp_path):
    path = tmp_path / "actually_flac.mp3"
    write_audio(path, sine(440, 1.0, 22050), 22050, "flac")
    audio = FLAC(path)
    audio["title"] = "Hidden Flac"
    audio.save()
    assert read_tags(path).title == "Hidden Flac"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_is_not_opened(tmp_path):
    fifo = tmp_path / "pipe.mp3"
    os.mkfifo(fifo)
    assert read_tags(fifo) == Tags()  # opening it would block until a writer appears
    assert read_tags(tmp_path) == Tags()


def test_a_numeric_genre_file_from_the_corpus(mp3_path):
    tags = ID3()
    tags.add(TCON(encoding=3, text=["(17)"]))
    tags.add(TDRC(encoding=3, text=["1999-05-01"]))
    tags.save(mp3_path)
    assert read_tags(mp3_path) == Tags(year=1999, genre="Rock")
