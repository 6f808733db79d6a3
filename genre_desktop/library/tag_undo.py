"""Undoing the last batch of genre tags written into music files: every file it wrote gets its
old bytes back, atomically, as long as it still is exactly what was written."""

from __future__ import annotations

import logging
import os
from collections.abc import Generator

from genre_desktop.audio.tag_write import AlreadyRestored, FileChangedError, TagWriteError, locked, prepare_restore
from genre_desktop.core.cancel import CancelToken
from genre_desktop.library import tag_journal as journal
from genre_desktop.library.tag_records import BatchResult
from genre_desktop.library.writer import LibraryWriter

log = logging.getLogger(__name__)


def undo_last_batch(
    writer: LibraryWriter, cancel: CancelToken | None = None
) -> Generator[tuple[int, int], None, BatchResult]:
    """Restore the files of the newest batch that still has files written; yields (done, total).

    A file changed since it was written (by a player, another tagger) is refused with a reason
    and left as it is. A file that cannot be reached now (gone, read-only) keeps its entry, so a
    later undo can try it again. Cancelling stops before the next file."""
    cancel = cancel or CancelToken()
    journal.reconcile(writer)
    summary = writer.call(journal.last_batch)
    if summary is None:
        return BatchResult(None, [], [], [], False)
    batch_id = summary.id
    result = BatchResult(batch_id, [], [], [], False)
    row_ids = writer.call(lambda c: journal.undo_rows(c, batch_id))
    for done, row_id in enumerate(row_ids, start=1):
        if cancel.cancelled:
            result.cancelled = True
            break
        path, reason = _undo_one(writer, row_id)
        if reason is None:
            result.written.append(path)
        else:
            result.failed.append((path, reason))
        yield done, len(row_ids)
    writer.call(lambda c: journal.close_batch_if_undone(c, batch_id))
    log.info("Undo of tag batch %d: %d restored, %d refused%s", batch_id, len(result.written),
             len(result.failed), " (cancelled)" if result.cancelled else "")
    return result


def _undo_one(writer: LibraryWriter, row_id: int) -> tuple[str, str | None]:
    """(the path, None when restored or the reason it was not)."""
    entry = writer.call(lambda c: journal.undo_entry(c, row_id))
    path = entry.path
    if not os.path.lexists(path) and entry.track_path:  # the library saw the file move
        path = entry.track_path
    try:
        with locked(path):
            reason = _restore_locked(writer, row_id, path, entry)
    except TagWriteError as exc:  # the folder cannot be locked now: keep the entry for later
        return path, str(exc)
    return path, reason


def _restore_locked(writer: LibraryWriter, row_id: int, path: str, entry: journal.UndoEntry) -> str | None:
    """Put one file's old bytes back, holding its folder's lock; None or why not."""
    writer.call(lambda c: journal.set_state(c, row_id, "undoing"))
    try:
        prepared = prepare_restore(
            path, temp_tag=journal.temp_tag(writer, row_id, "u"), same_head=entry.same_head,
            same_tail=entry.same_tail, old_middle=entry.old_middle, old_sha256=entry.old_sha256,
            new_sha256=entry.new_sha256, old_mtime_ns=entry.old_mtime_ns,
        )
        prepared.commit()
    except AlreadyRestored:
        pass
    except FileChangedError as exc:
        writer.call(lambda c: journal.set_state(c, row_id, "changed", str(exc)))
        return str(exc)
    except TagWriteError as exc:  # maybe only for now: keep the entry for a later undo
        writer.call(lambda c: journal.set_state(c, row_id, "written", str(exc)))
        return str(exc)
    facts = journal.file_facts(path)
    writer.call(lambda c: journal.mark_undone(c, row_id, path, facts))
    return None
