"""Real, short, tagged music files for the tag-writing tests, and a library seeded over them.

The files are the first seconds of the GTZAN clips, FLAC and MP3 in turn. Each file's tags say
what tests/ui/seed.py records for it (a genre tag on two tracks of three), so the library and
the files agree the way a scan would leave them.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import mutagen
import pytest

from genre_desktop.library.fingerprint import fingerprint
from tests.corpus import load_clip, tag_file, write_audio
from tests.ui.seed import GENRES, seed_library

SECONDS = 3


def file_tag_genre(i: int) -> str | None:
    """The genre tag seed_library records for track i."""
    return GENRES[i % 10].title() if i % 3 else None


def make_tagged_files(folder: Path, n: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    clips: dict[str, tuple] = {}
    paths = []
    for i in range(1, n + 1):
        genre = GENRES[i % 10]
        if genre not in clips:
            y, sr = load_clip(genre)
            clips[genre] = (y[: SECONDS * sr], sr)
        y, sr = clips[genre]
        ext = "flac" if i % 2 else "mp3"
        path = folder / f"{i:02d} {genre.title()} Song {i}.{ext}"
        write_audio(path, y, sr, ext)
        tag_file(path, title=f"{genre.title()} Song {i}", artist=f"Artist {i % 7}", album=f"Album {i % 5}",
                 genre=file_tag_genre(i))
        paths.append(path)
    return paths


def copy_files(template: list[Path], folder: Path) -> list[Path]:
    """A private copy (the tests change the files)."""
    folder.mkdir(parents=True, exist_ok=True)
    return [Path(shutil.copy2(path, folder / path.name)) for path in template]


def seed_over_files(conn: sqlite3.Connection, paths: list[Path]) -> None:
    """seed_library with these paths, sizes, times and fingerprints, as a scan records them
    (inside the writer's transaction)."""
    seed_library(conn, n=len(paths), paths=[str(p) for p in paths])
    for i, path in enumerate(paths, start=1):
        st = os.stat(path)
        conn.execute("UPDATE tracks SET size = ?, mtime_ns = ?, fingerprint = ? WHERE id = ?",
                     (st.st_size, st.st_mtime_ns, fingerprint(path), i))


def genre_values(path: Path | str) -> list[str]:
    """The file's genre tag values, read with mutagen."""
    audio = mutagen.File(path, easy=True)
    return list(audio.get("genre", [])) if audio is not None and audio.tags is not None else []


# --- fixtures (imported by the test modules) ------------------------------------------------------

@pytest.fixture(scope="session")
def tag_template(tmp_path_factory, gtzan_dir) -> list[Path]:
    return make_tagged_files(tmp_path_factory.mktemp("tag-music"), 40)


@dataclass
class TagLibrary:
    window: object  # the MainWindow
    paths: list[Path]  # track i is paths[i - 1]

    def path_of(self, track_id: int) -> Path:
        return self.paths[track_id - 1]

    def snapshot(self) -> dict[Path, bytes]:
        return {path: path.read_bytes() for path in self.paths}


@pytest.fixture
def tag_library(qtbot, main_window, tag_template, tmp_path) -> TagLibrary:
    """The real window over a library of 40 real files that the test may change."""
    from tests.ui.conftest import wait_until_idle

    paths = copy_files(tag_template, tmp_path / "Music")
    main_window.context.library.writer.call(lambda conn: seed_over_files(conn, paths))
    main_window.refresher.everything_changed()
    wait_until_idle(qtbot, main_window)
    # These tests write the model's genres too: the user's remembered choice, not the default
    # (tests/ui/test_safe_defaults.py drives the default).
    main_window.context.settings.tag_write_model_genres = True
    return TagLibrary(main_window, paths)
