"""Writing the library's genres (and, when asked, Sounds-like moods and styles) into the music
files, as a staged, journaled, undoable batch.

plan_changes() lists what a write would change (reading every file's current genre fresh);
write_changes() writes them one file at a time (audio.tag_write: atomic, the audio verified
unchanged) and journals each (library.tag_journal) so that undo_last_batch() can put the old
bytes back exactly. Both are generators of (done, total) that return a BatchResult, the shape
services/tasks.py runs in the background.

Which genre is written: the track's effective genre (tracks.genre). Your corrections ('you')
always qualify; the model's ('model', 'personal model') only when not only_corrections and
its confidence reaches min_confidence (default: the library's uncertainty threshold); a genre
that came from the file tag never does. Several genres in one name ("Jazz; Blues") are written
as several values. A file whose genre already is the new one (spelled like the model, or not)
is no change.

With sound_tags, the same files also get the track's shown mood and style tags (at most three
each, strongest first, as the Track panel shows them) in the format's mood and style fields
(audio.tag_formats). A file's own mood or style is replaced only with replace_existing, like its
genre; a track with no shown mood (or style) leaves that field alone. A file whose genre already
is the new one still changes when its mood or style would, with its genre left as it is.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from collections.abc import Generator, Sequence
from dataclasses import asdict, replace

from genre_desktop.audio.tag_formats import stored_values
from genre_desktop.audio.tag_write import TagWriteError, current_fields, locked, prepare_write, split_genres
from genre_desktop.core.cancel import CancelToken
from genre_desktop.library import tag_journal as journal
from genre_desktop.library.fingerprint import fingerprint
from genre_desktop.library.sounds_like import file_sound_fields
from genre_desktop.library.tag_journal import last_batch, reconcile  # noqa: F401  (public API)
from genre_desktop.library.tag_records import (  # noqa: F401  (public API)
    BatchResult, BatchSummary, PlanReport, TagChange, WriteOptions,
)
from genre_desktop.library.tag_undo import undo_last_batch  # noqa: F401  (public API)
from genre_desktop.library.writer import LibraryWriter
from genre_desktop.library.writes import canonical_genre, effective_threshold, model_genres

log = logging.getLogger(__name__)


# --- planning ---------------------------------------------------------------------------------

def plan_changes(
    conn: sqlite3.Connection, options: WriteOptions, track_ids: Sequence[int] | None = None
) -> list[TagChange]:
    """The files a write with these options would change, each with its current genre."""
    return plan(conn, options, track_ids).changes


def plan(
    conn: sqlite3.Connection, options: WriteOptions, track_ids: Sequence[int] | None = None,
    cancel: CancelToken | None = None,
) -> PlanReport:
    """plan_changes, plus the files left out and why (missing, unreadable, own genre kept)."""
    report = PlanReport()
    known = model_genres(conn)
    candidates = _candidates(conn, options, track_ids)
    sounds = file_sound_fields(conn, [r[0] for r in candidates]) if options.sound_tags else {}
    for row in candidates:
        if cancel is not None and cancel.cancelled:
            break
        track_id, path, genre, source, confidence, status = row
        if status == "missing":
            report.skipped.append((path, "the file is missing (the last scan did not find it)"))
            continue
        try:
            kind, current = current_fields(path)
        except TagWriteError as exc:
            report.skipped.append((path, str(exc)))
            continue
        wanted = {"genre": genre, **sounds.get(track_id, {})}
        fields = fields_to_write(current, wanted, kind, replace(options, replace_existing=True), known)
        if not fields:
            report.unchanged += 1
            continue
        change = TagChange(track_id, path, "; ".join(current["genre"]) or None, genre, source, confidence,
                           writes_genre="genre" in fields)
        if options.sound_tags:
            change = replace(change, moods=tuple(fields.get("mood", ())), styles=tuple(fields.get("style", ())),
                             current_moods=tuple(current.get("mood", ())),
                             current_styles=tuple(current.get("style", ())))
        own = fields_to_write(current, wanted, kind, options, known)
        if own is None:
            report.kept.append(change)
            report.skipped.append((path, f"it already has a genre tag ({'; '.join(current['genre'])})"))
        elif not own:
            report.unchanged += 1  # only its own mood or style would have been replaced
        else:
            report.changes.append(replace(change, moods=tuple(own.get("mood", ())),
                                          styles=tuple(own.get("style", ()))))
    return report


def _candidates(conn: sqlite3.Connection, options: WriteOptions, track_ids: Sequence[int] | None):
    threshold = options.min_confidence
    if threshold is None:
        threshold = effective_threshold(conn)
    where = ["genre IS NOT NULL", "genre_source IN ('you', 'model', 'personal model')"]
    params: dict[str, object] = {"threshold": float(threshold)}
    if options.only_corrections:
        where.append("genre_source = 'you'")
    else:
        where.append("(genre_source = 'you' OR confidence >= :threshold)")
    if track_ids is not None:
        where.append("id IN (SELECT value FROM json_each(:ids))")
        params["ids"] = json.dumps(list(track_ids))
    return conn.execute(
        f"""SELECT id, path, genre, genre_source, confidence, status FROM tracks
            WHERE {' AND '.join(where)} ORDER BY path""",
        params,
    ).fetchall()


def fields_to_write(current: dict[str, list[str]], wanted: dict, kind: str, options: WriteOptions,
                    known: Sequence[str]) -> dict[str, list[str]] | None:
    """The fields to write into a file whose fields are ``current`` (tag_write.current_fields)
    for a track that wants ``wanted`` ({"genre": "jazz", "mood": [...], "style": [...]}): {} when
    it already says all of it, None when it keeps a genre of its own (then it is not touched)."""
    fields: dict[str, list[str]] = {}
    if not same_genre(current["genre"], wanted["genre"], kind, options, known):
        if current["genre"] and not options.replace_existing:
            return None
        fields["genre"] = split_genres(wanted["genre"])
    for field in ("mood", "style"):
        values, have = wanted.get(field), current.get(field)
        if not values or have is None or _same_values(have, values, kind, options):
            continue  # nothing shown, no such field in this format, or already so
        if not have or options.replace_existing:
            fields[field] = list(values)
    return fields


def _same_values(current: Sequence[str], wanted: Sequence[str], kind: str, options: WriteOptions) -> bool:
    def key(values: Sequence[str]) -> list[str]:
        return [v.casefold() for v in values]

    stored = stored_values(list(wanted), kind, options.id3_version, options.separator)
    return key(current) in (key(stored), key(wanted))


def same_genre(current: list[str], new: str, kind: str, options: WriteOptions, known: Sequence[str]) -> bool:
    """Whether the file's genre values already say `new`: stored exactly so, or the same
    genres in the same order, spelled as the model spells them ('Hip-Hop' is 'hiphop'), whatever
    their case."""
    if not current:
        return False
    wanted = split_genres(new)

    def key(values: Sequence[str]) -> list[str | None]:  # 'Jazz' in a file is the genre jazz
        return [(canonical_genre(v, known) or "").casefold() for v in values]

    as_stored = stored_values(wanted, kind, options.id3_version, options.separator)
    as_genres = [g for value in current for g in split_genres(value)]
    return key(current) == key(as_stored) or key(as_genres) == key(wanted)


# --- writing ----------------------------------------------------------------------------------

def write_changes(
    writer: LibraryWriter, changes: Sequence[TagChange], options: WriteOptions,
    cancel: CancelToken | None = None,
) -> Generator[tuple[int, int], None, BatchResult]:
    """Write each change into its file; yields (done, total) after each file.

    The batch is journaled before any file is touched; cancelling stops before the next file
    (the ones written stay written and can be undone). A file that changed since it was
    planned is looked at again: it is skipped when it now has the genre, or a genre of its
    own that is not to be replaced."""
    cancel = cancel or CancelToken()
    result = BatchResult(None, [], [], [], False)
    if not changes:
        return result
    reconcile(writer)
    ids = [c.track_id for c in changes]
    statuses, known = writer.call(lambda c: (_statuses(c, ids), model_genres(c)))
    files = [(c.track_id, c.path, split_genres(c.new)) for c in changes]
    result.batch_id, row_ids = writer.call(lambda c: journal.create_batch(c, asdict(options), files))
    total = len(changes)
    for done, (change, row_id) in enumerate(zip(changes, row_ids), start=1):
        if cancel.cancelled:
            result.cancelled = True
            left = row_ids[done - 1:]
            writer.call(lambda c: journal.set_state(c, left, "abandoned", "cancelled"))
            break
        outcome, reason = _write_one(writer, change, row_id, options, statuses, known)
        if outcome == "written":
            result.written.append(change.path)
        else:
            failed = outcome == "failed"
            (result.failed if failed else result.skipped).append((change.path, reason))
            writer.call(lambda c: journal.set_state(c, row_id, "failed" if failed else "abandoned", reason))
        yield done, total
    log.info("Tag batch %s: %d written, %d failed, %d skipped%s", result.batch_id, len(result.written),
             len(result.failed), len(result.skipped), " (cancelled)" if result.cancelled else "")
    return result


STALE_REASON = "changed since it was analysed; rescan first"


def _statuses(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, tuple]:
    """track id -> (status, size, mtime_ns, fingerprint) as the library recorded the file."""
    rows = conn.execute(
        "SELECT id, status, size, mtime_ns, fingerprint FROM tracks WHERE id IN (SELECT value FROM json_each(?))",
        (json.dumps(list(ids)),),
    )
    return {int(r[0]): tuple(r[1:]) for r in rows}


def _is_analysed_file(path: str, size: int, mtime_ns: int, recorded_fingerprint: str | None) -> bool:
    """Whether the file at `path` still is the one the library analysed (and so the one whose
    genre is about to be written): same size, time and content fingerprint."""
    try:
        st = os.stat(path)
        if (st.st_size, st.st_mtime_ns) != (size, mtime_ns):
            return False
        return recorded_fingerprint is None or fingerprint(path) == recorded_fingerprint
    except FileNotFoundError:
        raise TagWriteError("the file is gone") from None
    except OSError as exc:
        raise TagWriteError(f"the file cannot be read ({exc.strerror or exc})") from exc


def _write_one(
    writer: LibraryWriter, change: TagChange, row_id: int, options: WriteOptions,
    statuses: dict[int, tuple], known: Sequence[str],
) -> tuple[str, str]:
    """('written' | 'failed' | 'skipped', reason)."""
    status, *recorded = statuses.get(change.track_id, (None,))
    if status is None:
        return "skipped", "the track is no longer in the library"
    if status == "missing":
        return "skipped", "the file is missing (the last scan did not find it)"
    try:
        with locked(change.path):  # another writer of this folder (any library) waits meanwhile
            return _write_locked(writer, change, row_id, options, recorded, known)
    except TagWriteError as exc:
        return "failed", str(exc)


def _write_locked(
    writer: LibraryWriter, change: TagChange, row_id: int, options: WriteOptions, recorded: list,
    known: Sequence[str],
) -> tuple[str, str]:
    kind, current = current_fields(change.path)
    wanted = {"genre": change.new, "mood": change.moods, "style": change.styles}
    fields = fields_to_write(current, wanted, kind, options, known)
    if fields is None:
        return "skipped", f"it has a genre tag of its own now ({'; '.join(current['genre'])})"
    if not fields:
        return "skipped", "it already has these tags" if options.sound_tags else "it already has this genre"
    if not _is_analysed_file(change.path, *recorded):  # the tags are for another file's audio
        return "failed", STALE_REASON
    prepared = prepare_write(
        change.path, fields, temp_tag=journal.temp_tag(writer, row_id, "w"),
        id3_version=options.id3_version, separator=options.separator,
    )
    try:
        writer.call(lambda c: journal.mark_pending(c, row_id, prepared))
        journal.sync_to_disk(writer)
        prepared.commit()
    except BaseException:
        prepared.discard()  # its temporary file, if commit() has not removed it already
        raise
    facts = journal.file_facts(prepared.target)
    writer.call(lambda c: journal.mark_written(c, row_id, change.path, facts))
    return "written", ""
