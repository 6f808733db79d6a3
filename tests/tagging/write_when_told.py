"""A tag-writing process for the concurrency tests: `python -m tests.tagging.write_when_told DB GO`
imports everything, plans, says 'ready', waits until the file GO exists (so that several such processes start
writing at the same moment), then writes the library's genres with --replace and prints the
result as JSON."""

from __future__ import annotations

import json
import os
import sys
import time

from genre_desktop.library.db import connect
from genre_desktop.library.tag_batch import WriteOptions, plan_changes, write_changes
from genre_desktop.library.writer import LibraryWriter


def main(db: str, go: str) -> None:
    options = WriteOptions(replace_existing=True)
    conn = connect(db, readonly=True)
    changes = plan_changes(conn, options)
    conn.close()
    print("ready", flush=True)
    while not os.path.exists(go):
        time.sleep(0.001)
    with LibraryWriter(db) as writer:
        generator = write_changes(writer, changes, options)
        while True:
            try:
                next(generator)
            except StopIteration as stop:
                result = stop.value
                break
    print(json.dumps({"written": result.written, "failed": result.failed}))


if __name__ == "__main__":
    main(*sys.argv[1:3])
