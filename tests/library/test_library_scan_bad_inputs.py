"""Scanning the bad-input corpus: the scan finishes, and every entry ends up analysed, listed as
a problem with a readable reason, or (when it is not a track at all) left alone."""

from __future__ import annotations

import os
import sqlite3

import pytest

from genre_desktop.library.db import connect
from genre_desktop.library.repository import LibraryReader
from genre_desktop.library.scanner import scan
from genre_desktop.library.writer import LibraryWriter
from tests.corpus import BadInput, make_bad_inputs, vanishing

# Where this library deliberately differs from the corpus' expectation, and why.
DEVIATIONS = {
    # Digital silence carries no music to classify: it is listed as a problem ("silent")
    # rather than given a meaningless genre.
    "silence.flac": BadInput("30 s of digital zero", "problem", True, "silent"),
}


def _drive(generator, on_first_analysis):
    fired = False
    while True:
        try:
            progress = next(generator)
        except StopIteration as stop:
            return stop.value
        if progress.phase == "analysing" and not fired:
            on_first_analysis()
            fired = True


@pytest.fixture(scope="module")
def scanned_corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("bad-inputs")
    folder = root / "bad"
    corpus = make_bad_inputs(folder)
    db = root / "library.sqlite3"

    def delete_vanishing():
        for path in vanishing(corpus):
            path.unlink()

    with LibraryWriter(db) as writer:
        report = _drive(scan([folder], writer=writer, jobs=2, use_model=False), delete_vanishing)
    conn = connect(db, readonly=True)
    yield corpus, report, conn
    conn.close()


def test_corpus_is_big_enough(scanned_corpus):
    corpus, _, _ = scanned_corpus
    assert len(corpus) >= 30


def test_every_entry_has_the_expected_outcome(scanned_corpus):
    corpus, report, conn = scanned_corpus
    tracks = {r["path"]: r for r in conn.execute(
        "SELECT t.path, t.status, (SELECT count(*) FROM windows w WHERE w.track_id = t.id) AS n FROM tracks t")}
    problems = {p.path: p.reason for p in LibraryReader(conn).problems()}
    failed = dict(report.failed)
    wrong = []
    for path, bad in corpus.items():
        key = str(path)
        bad = DEVIATIONS.get(path.name, bad)
        if bad.expect == "analysed":
            ok = key in tracks and tracks[key]["status"] == "ok" and tracks[key]["n"] >= 1 and key not in problems
        elif bad.expect == "problem":
            reason = problems.get(key, "")
            ok = key not in tracks and bool(reason) and failed.get(key) == reason
            ok = ok and (bad.reason is None or bad.reason.lower() in reason.lower())
        else:
            ok = key not in tracks and key not in problems
        if not ok:
            wrong.append(f"{path.name!r} ({bad}): expected {bad.expect} {bad.reason or ''}; "
                         f"track={dict(tracks[key]) if key in tracks else None} problem={problems.get(key)}")
    assert not wrong, "\n".join(wrong)


def test_reasons_are_readable_sentences(scanned_corpus):
    _, report, conn = scanned_corpus
    for problem in LibraryReader(conn).problems():
        reason = problem.reason
        assert reason and len(reason) < 200 and "Traceback" not in reason and "\n" not in reason
        assert not reason.startswith(("[Errno", "<"))


def test_counts_add_up(scanned_corpus):
    corpus, report, conn = scanned_corpus
    analysed = conn.execute("SELECT count(*) FROM tracks").fetchone()[0]
    file_problems = [p for p, _ in report.failed if not os.path.isdir(p)]
    assert report.scanned == analysed + len(file_problems) + report.unchanged
    assert report.added == analysed and report.unchanged == 0 and not report.cancelled


def test_rescan_skips_the_failures_too(scanned_corpus, tmp_path):
    corpus, first, conn = scanned_corpus
    db = conn.execute("PRAGMA database_list").fetchone()[2]
    folder = next(iter(corpus)).parent
    with LibraryWriter(db) as writer:
        report = _drive(scan([folder], writer=writer, jobs=2, use_model=False), lambda: None)
    gone = len(vanishing(corpus))
    assert report.added == report.updated == 0 and report.failed == []
    assert report.unchanged == first.scanned - gone
    integrity = sqlite3.connect(db).execute("PRAGMA integrity_check").fetchone()[0]
    assert integrity == "ok"
    # The vanished file's problem is dropped once the file is known to be gone.
    assert not any(p.path.endswith("vanishes_during_scan.flac") for p in LibraryReader(conn).problems())
