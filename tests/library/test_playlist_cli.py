"""`genre-desktop playlist` end to end: a real library scanned from real music, the real command
in a subprocess, and the files it writes parsed back."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote_to_bytes, urlparse

import pytest

from genre_desktop.library.db import connect
from genre_desktop.library.repository import LibraryReader, set_labels
from genre_desktop.library.scanner import scan_folders
from genre_desktop.library.writer import LibraryWriter
from tests.corpus import make_demo_library

PROJECT_ROOT = Path(__file__).resolve().parents[2]
XSPF = "{http://xspf.org/ns/0/}"
CUSTOM_GENRE = "Late Night Café"
ODD_STEM = "Café & <Friends> #1 ñ"


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> dict:
    """A scanned library of 12 real tracks; two carry a user's custom genre, one an odd name."""
    root = tmp_path_factory.mktemp("playlist-cli")
    music = root / "Music"
    paths = make_demo_library(music, n_per_genre=3, genres=["blues", "classical", "jazz", "metal"])
    odd = paths[0].with_name(ODD_STEM + paths[0].suffix)
    paths[0].rename(odd)
    paths[0] = odd
    db = root / "library.sqlite3"
    report = scan_folders(db, [music])
    assert not report.failed, report.failed

    conn = connect(db, readonly=True)
    reader = LibraryReader(conn)
    ids = reader.track_ids(sort="title")
    rows = reader.rows(ids)
    conn.close()
    assert len(ids) == len(paths)
    by_path = {row.path: row.id for row in rows.values()}
    labelled = sorted(by_path[str(p)] for p in (paths[0], paths[6]))
    with LibraryWriter(db) as writer:
        writer.call(lambda c: set_labels(c, labelled, CUSTOM_GENRE))
    return {"root": root, "db": db, "paths": paths, "labelled": labelled}


def run_cli(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(PROJECT_ROOT))
    return subprocess.run(
        [sys.executable, "-m", "genre_desktop", "playlist", *args],
        capture_output=True, text=True, env=env, cwd=PROJECT_ROOT, timeout=300,
    )


def reader_of(db: Path) -> LibraryReader:
    return LibraryReader(connect(db, readonly=True))


def m3u8_paths(playlist: Path) -> list[str]:
    lines = playlist.read_bytes().decode("utf-8").splitlines()
    assert lines[0] == "#EXTM3U"
    locations = [line for line in lines if line and not line.startswith("#")]
    assert sum(line.startswith("#EXTINF:") for line in lines) == len(locations)
    return [os.path.normpath(os.path.join(playlist.parent, loc)) for loc in locations]


def xspf_paths(playlist: Path) -> list[str]:
    root = ET.parse(playlist).getroot()
    assert root.tag == f"{XSPF}playlist" and root.get("version") == "1"
    uris = [el.text for el in root.iter(f"{XSPF}location")]
    assert all(urlparse(uri).scheme == "file" for uri in uris)
    return [os.fsdecode(unquote_to_bytes(urlparse(uri).path)) for uri in uris]


def ids_of(db: Path, paths: list[str]) -> list[int]:
    reader = reader_of(db)
    rows = reader.rows(reader.track_ids(include_missing=True))
    reader.conn.close()
    by_path = {os.path.normpath(row.path): row.id for row in rows.values()}
    return [by_path[os.path.normpath(p)] for p in paths]


def test_custom_genre_playlist_as_m3u8_is_saved_in_the_library(library, tmp_path):
    out = tmp_path / "late night.m3u8"
    result = run_cli("--db", str(library["db"]), "--genre", CUSTOM_GENRE.upper(), "--out", str(out),
                     "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["path"] == str(out) and summary["tracks"] == 2
    assert summary["minutes"] == pytest.approx(1.0, abs=0.05)  # two 30 s clips

    paths = m3u8_paths(out)
    assert all(os.path.isfile(p) for p in paths)
    assert sorted(ids_of(library["db"], paths)) == library["labelled"]
    assert any(ODD_STEM in p for p in paths)

    reader = reader_of(library["db"])
    saved = {p.name: p for p in reader.playlists()}
    assert saved["late night"].track_count == 2
    assert saved["late night"].rules["genres"] == [CUSTOM_GENRE]  # spelled as in the library
    assert reader.playlist_track_ids(saved["late night"].id) == ids_of(library["db"], paths)
    reader.conn.close()


def test_smooth_xspf_respects_the_limits_and_matches_the_library(library, tmp_path):
    reader = reader_of(library["db"])
    counts = {g: n for g, n in reader.genre_counts().items() if g not in ("Uncertain", CUSTOM_GENRE)}
    genre = max(sorted(counts), key=counts.get)
    out = tmp_path / "smooth.xspf"
    result = run_cli("--db", str(library["db"]), "--genre", genre, "--order", "smooth",
                     "--max-tracks", "3", "--per-artist", "1", "--max-minutes", "1.2", "--no-save",
                     "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "Wrote" in result.stdout

    paths = xspf_paths(out)
    assert 1 <= len(paths) <= 2  # 1.2 minutes hold two 30 s clips
    assert all(os.path.isfile(p) for p in paths)
    rows = reader.rows(ids_of(library["db"], paths))
    assert all(row.genre.casefold() == genre.casefold() for row in rows.values())
    artists = [row.artist.casefold() for row in rows.values()]
    assert len(set(artists)) == len(artists)
    assert sum(row.duration for row in rows.values()) <= 1.2 * 60
    assert "smooth" not in {p.name for p in reader.playlists()}  # --no-save
    reader.conn.close()


def test_shuffle_with_a_seed_writes_the_same_playlist_twice(library, tmp_path):
    outputs = []
    for name in ("one.m3u8", "two.m3u8", "other-seed.m3u8"):
        seed = "11" if name != "other-seed.m3u8" else "12"
        out = tmp_path / name
        args = ["--db", str(library["db"]), "--order", "shuffle", "--seed", seed, "--no-save", "--out", str(out)]
        for genre in ("jazz", "blues", "classical", "metal", CUSTOM_GENRE):
            args += ["--genre", genre]
        result = run_cli(*args)
        assert result.returncode == 0, result.stderr
        outputs.append(m3u8_paths(out))
    assert outputs[0] == outputs[1]
    assert sorted(outputs[0]) == sorted(outputs[2])
    assert outputs[0] != outputs[2]


def test_no_match_exits_non_zero_and_writes_nothing(library, tmp_path):
    out = tmp_path / "polka.m3u8"
    result = run_cli("--db", str(library["db"]), "--genre", "polka", "--out", str(out))
    assert result.returncode == 1
    assert "No tracks matched" in result.stderr and CUSTOM_GENRE in result.stderr
    assert not out.exists()


def test_bad_extension_and_missing_library_are_clear_errors(library, tmp_path):
    bad = run_cli("--db", str(library["db"]), "--genre", "jazz", "--out", str(tmp_path / "x.pls"))
    assert bad.returncode == 2 and ".m3u8" in bad.stderr
    assert not (tmp_path / "x.pls").exists()

    missing_db = tmp_path / "nowhere.sqlite3"
    missing = run_cli("--db", str(missing_db), "--genre", "jazz", "--out", str(tmp_path / "x.m3u8"))
    assert missing.returncode == 2 and "no library" in missing.stderr
    assert not missing_db.exists(), "a typo in --db must not create an empty library"
