"""Real music files in every tag format, made from a real GTZAN clip, and a real library that
knows them (rows as a scan stores them, genres set through the library's own write functions).

Files carry rich tags (cover art, lyrics, custom fields, comments) so a test can tell whether a
genre write left everything else alone.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import time
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import av
import mutagen
import numpy as np
import pytest
import soundfile as sf
from mutagen.asf import ASFByteArrayAttribute
from mutagen.flac import Picture
from mutagen.id3 import APIC, COMM, ID3, TCON, TDRC, TIT2, TPE1, TSOP, TXXX, USLT
from mutagen.mp4 import MP4Cover, MP4FreeForm

from genre_desktop.audio.tags import read_tags
from genre_desktop.library.db import connect, path_param
from genre_desktop.library.fingerprint import fingerprint
from genre_desktop.library.writer import LibraryWriter
from genre_desktop.library.writes import refresh_derived, set_labels
from tests.corpus import write_audio

FORMATS = ("mp3", "flac", "ogg", "opus", "m4a", "wma")
EXTENSIONS = {"mp3": ".mp3", "flac": ".flac", "ogg": ".ogg", "opus": ".opus", "m4a": ".m4a", "wma": ".wma"}
CLIP_SECONDS = 6  # the scanner needs at least 5 s
COVER = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4  # stands in for an image: only its bytes matter
LYRICS = "Erste Zeile – 最初の行\nsecond line"
MOOD = "Ruhig – 静か"


@pytest.fixture(scope="session")
def clip(gtzan_clips) -> tuple[np.ndarray, int]:
    """A few seconds of a real clip: float32 mono at its own rate."""
    y, sr = sf.read(gtzan_clips[0], dtype="float32")
    return y[: CLIP_SECONDS * sr], sr


def encode(path: Path, y: np.ndarray, sr: int, fmt: str) -> Path:
    if fmt == "wma":
        return _encode_wma(path, y, sr)
    return write_audio(path, y, sr, fmt)


def _encode_wma(path: Path, y: np.ndarray, sr: int) -> Path:
    samples = np.ascontiguousarray(y.astype(np.float32)[None, :])
    with av.open(str(path), "w", format="asf") as out:
        stream = out.add_stream("wmav2", rate=sr, layout="mono")
        stream.bit_rate = 64000
        for i in range(0, samples.shape[1], 4096):
            frame = av.AudioFrame.from_ndarray(samples[:, i:i + 4096].copy(), format="fltp", layout="mono")
            frame.sample_rate, frame.pts, frame.time_base = sr, i, Fraction(1, sr)
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path


def add_rich_tags(path: Path, fmt: str, genre: str | None = None) -> None:
    """Title, artist, cover art, lyrics, a custom field and a comment in the format's own way."""
    if fmt == "mp3":
        tags = ID3()
        tags.add(TIT2(encoding=3, text=["Piece"]))
        tags.add(TPE1(encoding=3, text=["Ensemble"]))
        tags.add(TSOP(encoding=3, text=["Ensemble, The"]))
        tags.add(TDRC(encoding=3, text=["2001-03-05"]))
        tags.add(APIC(encoding=3, mime="image/png", type=3, desc="cover", data=COVER))
        tags.add(USLT(encoding=3, lang="deu", desc="", text=LYRICS))
        tags.add(TXXX(encoding=3, desc="MOOD", text=[MOOD]))
        tags.add(COMM(encoding=3, lang="eng", desc="", text=["a comment"]))
        if genre:
            tags.add(TCON(encoding=3, text=[genre]))
        tags.save(path, v2_version=4)
        return
    audio = mutagen.File(path)
    if audio.tags is None:
        audio.add_tags()
    tags = audio.tags
    if fmt in ("flac", "ogg", "opus"):
        tags["TITLE"], tags["ARTIST"], tags["LYRICS"] = "Piece", "Ensemble", LYRICS
        tags["MOOD"], tags["COMMENT"] = MOOD, "a comment"
        picture = Picture()
        picture.type, picture.mime, picture.desc, picture.data = 3, "image/png", "cover", COVER
        if fmt == "flac":
            audio.add_picture(picture)
        else:
            tags["METADATA_BLOCK_PICTURE"] = base64.b64encode(picture.write()).decode("ascii")
        if genre:
            tags["GENRE"] = genre
    elif fmt == "m4a":
        tags["\xa9nam"], tags["\xa9ART"], tags["\xa9lyr"] = ["Piece"], ["Ensemble"], [LYRICS]
        tags["\xa9cmt"] = ["a comment"]
        tags["covr"] = [MP4Cover(COVER, imageformat=MP4Cover.FORMAT_PNG)]
        tags["----:com.apple.iTunes:MOOD"] = [MP4FreeForm(MOOD.encode("utf-8"))]
        if genre:
            tags["\xa9gen"] = [genre]
    elif fmt == "wma":
        tags["Title"], tags["Author"], tags["WM/Lyrics"] = ["Piece"], ["Ensemble"], [LYRICS]
        tags["MOOD"], tags["Description"] = [MOOD], ["a comment"]
        tags["WM/Picture"] = [ASFByteArrayAttribute(COVER)]
        if genre:
            tags["WM/Genre"] = [genre]
    audio.save()


def make_file(folder: Path, name: str, fmt: str, clip: tuple[np.ndarray, int], genre: str | None = None,
              rich: bool = True) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = encode(folder / f"{name}{EXTENSIONS[fmt]}", *clip, fmt)
    if rich:
        add_rich_tags(path, fmt, genre)
    return path


@pytest.fixture(scope="session")
def originals(tmp_path_factory, clip) -> dict[str, Path]:
    """One richly tagged file per format without a genre, made once; tests work on copies."""
    folder = tmp_path_factory.mktemp("originals")
    return {fmt: make_file(folder, f"piece-{fmt}", fmt, clip) for fmt in FORMATS}


def copy_file(source: Path, folder: Path, name: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / (name or source.name)
    shutil.copy2(source, target)
    return target


# --- the library --------------------------------------------------------------------------------

def add_tracks(writer: LibraryWriter, paths: Sequence[Path]) -> list[int]:
    """Library rows for these files as a scan records them (size, time, fingerprint, tag genre)."""
    now = time.time()
    rows = []
    for p in paths:
        st = os.stat(p)
        rows.append((path_param(str(p)), st.st_size, st.st_mtime_ns, fingerprint(p), read_tags(p).genre,
                     p.stem, now, now))

    def insert(conn):
        ids = [
            conn.execute(
                """INSERT INTO tracks(path, size, mtime_ns, fingerprint, tag_genre, title, added_at, scanned_at)
                   VALUES (CAST(? AS TEXT), ?, ?, ?, ?, ?, ?, ?) RETURNING id""", row,
            ).fetchone()[0]
            for row in rows
        ]
        refresh_derived(conn, ids)
        return ids

    return writer.call(insert)


def label(writer: LibraryWriter, ids: Sequence[int], genre: str | None) -> None:
    writer.call(lambda c: set_labels(c, list(ids), genre))


def predict(writer: LibraryWriter, track_id: int, genre: str, confidence: float,
            decided_by: str = "model") -> None:
    """A stored prediction, as the classifier leaves it."""
    def store(conn):
        conn.execute(
            """INSERT INTO predictions(track_id, model_version, genre, confidence, probabilities,
                   window_probabilities, predicted_at, decided_by) VALUES (?, 'test', ?, ?, ?, '[]', ?, ?)
               ON CONFLICT(track_id) DO UPDATE SET genre = excluded.genre, confidence = excluded.confidence,
                   decided_by = excluded.decided_by""",
            (track_id, genre, confidence, json.dumps({genre: confidence}), time.time(), decided_by),
        )
        refresh_derived(conn, [track_id])
    writer.call(store)


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "library.sqlite3"


@pytest.fixture
def writer(db_path):
    w = LibraryWriter(db_path)
    yield w
    w.close()


@pytest.fixture
def read_conn(db_path, writer):
    conn = connect(db_path, readonly=True)
    yield conn
    conn.close()


def run(generator):
    """Drive a (done, total) generator to its end; returns (its result, the progress seen)."""
    seen = []
    while True:
        try:
            seen.append(next(generator))
        except StopIteration as stop:
            return stop.value, seen


def track_row(db_path: Path, track_id: int) -> dict:
    conn = connect(db_path, readonly=True)
    try:
        return dict(conn.execute("SELECT * FROM tracks WHERE id = ?", (track_id,)).fetchone())
    finally:
        conn.close()


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob(".genre-desktop-*"))

