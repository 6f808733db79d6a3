"""Shared set-up for the scanner tests: a demo library of real music, built once per session."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from genre_desktop.library.db import connect
from genre_desktop.library.repository import LibraryReader
from genre_desktop.library.scanner import ScanReport, scan_folders
from tests.corpus import make_demo_library

DEMO_GENRES = ["blues", "classical", "jazz", "metal", "reggae", "rock"]


def build_demo(folder: Path) -> list[Path]:
    """Six real tracks (one per genre) in MP3/Ogg/M4A/FLAC, tagged."""
    return make_demo_library(folder, n_per_genre=1, genres=DEMO_GENRES)


def copy_library(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, copy_function=shutil.copy2)  # copy2 keeps mtimes
    return target


def scan(db: Path, *folders: Path, **kw) -> ScanReport:
    kw.setdefault("jobs", 2)
    return scan_folders(db, list(folders), **kw)


def reader(db: Path) -> tuple[LibraryReader, sqlite3.Connection]:
    conn = connect(db, readonly=True)
    return LibraryReader(conn), conn


def track_by_path(db: Path) -> dict[str, dict]:
    conn = connect(db, readonly=True)
    try:
        return {r["path"]: dict(r) for r in conn.execute("SELECT * FROM tracks")}
    finally:
        conn.close()


def model_available() -> bool:
    try:
        from genre_desktop.core.model.classifier import GenreClassifier

        GenreClassifier.load()
        return True
    except Exception:
        return False
