"""`genre-desktop label`, `learn` and `tracks` end to end: a library scanned from real music
(GTZAN clips re-encoded), the real commands in subprocesses, their JSON checked against the
database, and Ctrl-C during learning leaving the previous model as it was."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from genre_desktop.core.personal import model as personal_model
from genre_desktop.library.scanner import scan_folders
from genre_desktop.library.writes import effective_threshold
from genre_desktop.paths import AppPaths
from tests.corpus import make_demo_library

PROJECT_ROOT = Path(__file__).resolve().parents[2]
GENRES = ["blues", "classical", "jazz", "reggae"]


@pytest.fixture(scope="module")
def scanned(tmp_path_factory) -> tuple[Path, dict[str, list[Path]]]:
    """Three real tracks of each of four genres, scanned once per module."""
    root = tmp_path_factory.mktemp("label-learn-cli")
    paths = make_demo_library(root / "Music", n_per_genre=3, genres=GENRES)
    db = root / "library.sqlite3"
    report = scan_folders(db, [root / "Music"], jobs=2)
    assert not report.failed and report.added == len(paths)
    return db, {g: [p for p in paths if p.parts[-3].lower() == g] for g in GENRES}


@pytest.fixture
def library(scanned, tmp_path) -> tuple[Path, dict[str, list[Path]]]:
    """A copy of the scanned library for one test (the music files are shared, read only)."""
    db, by_genre = scanned
    copy = tmp_path / "library.sqlite3"
    shutil.copy(db, copy)
    return copy, by_genre


def run(command: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    return subprocess.run([sys.executable, "-m", "genre_desktop", command, *args], capture_output=True,
                          text=True, env=env, cwd=PROJECT_ROOT, timeout=600)


def rows(db: Path, sql: str, params=()) -> list[tuple]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return [tuple(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


def labels_of(db: Path, path: Path) -> list[str | None]:
    return [r[0] for r in rows(db, "SELECT l.genre FROM labels AS l JOIN tracks AS t ON t.id = l.track_id "
                                   "WHERE t.path = ? ORDER BY l.id", (str(path),))]


def shown(db: Path, path: Path) -> tuple:
    return rows(db, "SELECT genre, genre_source FROM tracks WHERE path = ?", (str(path),))[0]


def test_label_sets_and_clears_corrections_and_names_each_path_it_could_not(library, tmp_path):
    db, by_genre = library
    stranger = tmp_path / "elsewhere.flac"
    shutil.copy(by_genre["jazz"][0], stranger)
    reggae = by_genre["reggae"]
    done = run("label", "--db", str(db), "--genre", "Lo-Fi", str(reggae[0]), str(tmp_path / "nope.mp3"),
               str(stranger), "--json")
    assert done.returncode == 1, done.stderr
    results = json.loads(done.stdout)
    assert [r["path"] for r in results] == [str(reggae[0]), str(tmp_path / "nope.mp3"), str(stranger)]
    assert results[0] == {"path": str(reggae[0]), "genre": "Lo-Fi", "previous": None, "error": None}
    assert results[1]["error"] == "no such file"
    assert "not in the library" in results[2]["error"] and results[2]["genre"] is None
    assert labels_of(db, reggae[0]) == ["Lo-Fi"] and shown(db, reggae[0]) == ("Lo-Fi", "you")

    # Other spellings are the same genre; a genre the model knows takes the model's name.
    relative = os.path.relpath(reggae[1], PROJECT_ROOT)
    done = run("label", "--db", str(db), "--genre", "  lo  FI ", relative, "--json")
    assert done.returncode == 0 and json.loads(done.stdout)[0]["genre"] == "Lo-Fi"
    assert shown(db, reggae[1]) == ("Lo-Fi", "you")
    done = run("label", "--db", str(db), "--genre", "Hip Hop", str(reggae[2]))
    assert done.returncode == 0 and done.stdout.startswith("hiphop  ")
    assert shown(db, reggae[2]) == ("hiphop", "you")

    done = run("label", "--db", str(db), "--clear", str(reggae[0]), "--json")
    assert done.returncode == 0
    assert json.loads(done.stdout) == [{"path": str(reggae[0]), "genre": None, "previous": "Lo-Fi", "error": None}]
    assert labels_of(db, reggae[0]) == ["Lo-Fi", None]  # the history keeps the correction
    assert shown(db, reggae[0])[1] != "you"

    assert run("label", "--db", str(db), str(reggae[0])).returncode == 2  # --genre or --clear
    blank = run("label", "--db", str(db), "--genre", "  ", str(reggae[0]))
    assert blank.returncode == 2 and "needs a genre name" in blank.stderr
    missing = run("label", "--db", str(tmp_path / "none.sqlite3"), "--genre", "jazz", str(reggae[0]))
    assert missing.returncode == 2 and "scan a folder first" in missing.stderr


def test_label_learn_and_tracks_agree_with_the_library(library, isolated_home):
    db, by_genre = library
    for genre, paths in (("Lo-Fi", by_genre["reggae"][:1]), ("lofi", by_genre["reggae"][1:]),
                         ("JAZZ", by_genre["jazz"])):
        assert run("label", "--db", str(db), "--genre", genre, *map(str, paths)).returncode == 0

    done = run("learn", "--db", str(db), "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert "Collecting your corrections" in done.stderr  # progress goes to stderr
    assert summary["labelled"] == 6 and summary["examples"] == {"Lo-Fi": 3, "jazz": 3}
    assert summary["new_genres"] == ["Lo-Fi"] and summary["complete"] is True
    counts = dict(rows(db, "SELECT genre, count(*) FROM tracks WHERE status = 'ok' AND genre IS NOT NULL "
                           "GROUP BY genre"))
    assert summary["counts_after"] == counts
    assert summary["decided_by_personal"] == rows(
        db, "SELECT count(*) FROM tracks WHERE genre_source = 'personal model'")[0][0]
    personal_dir = AppPaths.default().personal_model_dir  # where the window keeps it
    assert str(personal_dir).startswith(str(isolated_home))
    assert personal_model.read_card(personal_dir)["model_version"] == summary["model_version"]

    listed = run("tracks", "--db", str(db), "--json")
    assert listed.returncode == 0, listed.stderr
    items = json.loads(listed.stdout)
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    threshold = effective_threshold(conn)
    conn.close()
    expected = {r[0]: r[1:] for r in rows(db, """
        SELECT t.path, t.title, t.artist, t.genre, t.confidence, t.genre_source, p.decided_by
        FROM tracks AS t LEFT JOIN predictions AS p ON p.track_id = t.id WHERE t.status = 'ok'""")}
    assert [i["path"] for i in items] == sorted(expected) and len(items) == 12
    for item in items:
        title, artist, genre, confidence, source, decided_by = expected[item["path"]]
        assert (item["title"], item["artist"], item["genre"], item["source"], item["decided_by"]) == \
            (title, artist, genre, source, decided_by)
        assert item["confidence"] == pytest.approx(confidence) if confidence is not None else item["confidence"] is None
        assert item["uncertain"] == (source != "you" and confidence < threshold)
    assert {i["path"] for i in items if i["source"] == "you"} == {str(p) for p in by_genre["reggae"] + by_genre["jazz"]}

    def paths_of(*args: str) -> list[str]:
        done = run("tracks", "--db", str(db), "--json", *args)
        assert done.returncode == 0, done.stderr
        return [i["path"] for i in json.loads(done.stdout)]

    assert paths_of("--genre", "LOFI") == sorted(p for p, e in expected.items() if e[2] == "Lo-Fi")
    assert paths_of("--uncertain") == sorted(i["path"] for i in items if i["uncertain"])
    tag, tagged = max(_tagged(db).items(), key=lambda kv: (len(kv[1]) < 12, len(kv[1])))
    assert 0 < len(tagged) < 12
    assert paths_of("--tag", tag) == sorted(tagged)
    assert paths_of("--genre", "jazz", "--tag", tag) == sorted(set(tagged) & {str(p) for p in by_genre["jazz"]})
    bad = run("tracks", "--db", str(db), "--tag", "polka")
    assert bad.returncode == 2 and "not a Sounds-like tag" in bad.stderr


def _tagged(db: Path) -> dict[str, list[str]]:
    """Sounds-like tag -> the paths of the tracks that show it."""
    found: dict[str, list[str]] = {}
    for tag, path in rows(db, "SELECT s.tag, t.path FROM sound_tags AS s JOIN tracks AS t ON t.id = s.track_id"):
        found.setdefault(tag, []).append(path)
    return found


def _model_files(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


# The real command in a process of its own, which presses Ctrl-C (a real SIGINT) as soon as the
# first stage is shown, before any work: the moment is the same on every machine.
_CTRL_C_AT_ONCE = """
import os, signal, sys
from genre_desktop import cli
from genre_desktop.commands import learn

shown = learn.show_progress

def press_ctrl_c(progress):
    shown(progress)
    os.kill(os.getpid(), signal.SIGINT)

learn.show_progress = press_ctrl_c
sys.exit(cli.main(sys.argv[1:]))
"""


def test_ctrl_c_while_learning_keeps_the_previous_model(library):
    db, by_genre = library
    assert run("label", "--db", str(db), "--genre", "Lo-Fi", *map(str, by_genre["reggae"])).returncode == 0
    assert run("label", "--db", str(db), "--genre", "jazz", *map(str, by_genre["jazz"][:2])).returncode == 0
    first = run("learn", "--db", str(db))
    assert first.returncode == 0, first.stderr
    assert "Learned from 5 corrected tracks" in first.stdout  # the plain summary
    personal_dir = AppPaths.default().personal_model_dir
    model_before = _model_files(personal_dir)
    predictions_before = rows(db, "SELECT * FROM predictions ORDER BY track_id")
    assert run("label", "--db", str(db), "--genre", "jazz", str(by_genre["jazz"][2])).returncode == 0

    done = subprocess.run([sys.executable, "-c", _CTRL_C_AT_ONCE, "learn", "--db", str(db), "--json"],
                          capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=600,
                          env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)})
    assert done.returncode == 130, done.stderr
    assert done.stdout == "" and "nothing changed" in done.stderr
    assert _model_files(personal_dir) == model_before
    assert rows(db, "SELECT * FROM predictions ORDER BY track_id") == predictions_before


def test_learning_needs_corrections_and_a_library(library, tmp_path):
    db, _ = library
    nothing = run("learn", "--db", str(db))
    assert nothing.returncode == 1 and "genre-desktop learn: error: " in nothing.stderr
    assert not AppPaths.default().personal_model_dir.exists()
    none = run("learn", "--db", str(tmp_path / "none.sqlite3"))
    assert none.returncode == 2 and "scan a folder first" in none.stderr
