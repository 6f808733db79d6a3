"""The real-path scenario of bench_personalize.py: the shared GTZAN clips, re-encoded into
folders of mixed formats, scanned by the app's own scan into a real SQLite library; each
simulated user's corrections are stored through the library (library.writes.set_labels, the
window's Set genre), then library.personalize.learn fits, saves and re-predicts, and the shown
genres are read back from the database.

The bundled model is a variant fit on the 733 clips with tagger outputs minus every local clip and
minus the draw's held-out genres (which are then new to it), so no library track is one of its
training examples. There are 10 local clips a genre, so K stops at 7 (one more correction for the
stability figure leaves 2 to judge).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PER_GENRE = 10
KS = (1, 3, 5, 7)


def real_library(cache: Path) -> tuple[Path, dict[int, str], list[str]]:
    """(scanned library file, track id -> genre, stems of the clips in it); built once."""
    from genre_desktop.library.db import connect
    from genre_desktop.library.scanner import scan_folders
    from tests.corpus import genre_clips, genre_label, genre_names, make_demo_library

    music, db = cache / "real-music", cache / "real-library.sqlite3"
    if not db.exists():
        shutil.rmtree(music, ignore_errors=True)
        make_demo_library(music, PER_GENRE, with_tags=False)
        report = scan_folders(db.with_suffix(".building"), [music], jobs=2)
        if report.failed:
            raise RuntimeError(f"the scan refused {report.failed}")
        db.with_suffix(".building").rename(db)
    label_of = {genre_label(g): g for g in genre_names()}
    conn = connect(db, readonly=True)
    try:
        genres = {int(tid): label_of[Path(path).relative_to(music).parts[0]]
                  for tid, path in conn.execute("SELECT id, path FROM tracks WHERE status = 'ok'")}
    finally:
        conn.close()
    stems = [clip.stem for g in genre_names() for clip in genre_clips(g)[:PER_GENRE]]
    return db, genres, stems



def shown_genres(db: Path) -> dict[int, tuple[str, str, float]]:
    from genre_desktop.library.db import connect

    conn = connect(db, readonly=True)
    try:
        return {int(r[0]): (r[1], r[2], r[3] if r[3] is not None else 0.0) for r in conn.execute(
            "SELECT id, genre, genre_source, confidence FROM tracks WHERE status = 'ok'")}
    finally:
        conn.close()


def one_user(source: Path, work: Path, model, library: np.ndarray, corrected: dict[int, str],
             extra: tuple[int, str]) -> dict:
    """Learn from ``corrected`` (track id -> genre) in a copy of the library holding ``library``
    only; then from one more correction. Returns shown genres before, after and after one more."""
    from genre_desktop.core.cancel import drain
    from genre_desktop.core.feature_schema import MODEL_RECIPE_VERSION
    from genre_desktop.library.personalize import learn, repredict
    from genre_desktop.library.writer import LibraryWriter
    from genre_desktop.library.writes import set_labels

    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    db = work / "library.sqlite3"
    shutil.copy2(source, db)
    keep = ",".join(str(int(t)) for t in library)
    with LibraryWriter(db) as writer:
        writer.call(lambda c: c.execute(f"DELETE FROM tracks WHERE id NOT IN ({keep})"))
        drain(repredict(writer, model, MODEL_RECIPE_VERSION))
        before = shown_genres(db)
        for genre in sorted(set(corrected.values())):
            ids = [t for t, g in corrected.items() if g == genre]
            writer.call(lambda c, ids=ids, g=genre: set_labels(c, ids, g))
        summary = drain(learn(writer, model, work / "personal", MODEL_RECIPE_VERSION))
        after = shown_genres(db)
        writer.call(lambda c: set_labels(c, [extra[0]], extra[1]))
        drain(learn(writer, model, work / "personal", MODEL_RECIPE_VERSION))
        more = shown_genres(db)
    return {"before": before, "after": after, "more": more, "summary": summary}
