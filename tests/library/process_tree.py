"""Finding every process a test started, however it was reparented: the test starts the
command in a new session, and every process of that session is the command's."""

from __future__ import annotations

import os


def session_members(session_id: int) -> list[tuple[int, str]]:
    """(pid, command name) of every live process in the session (Linux /proc)."""
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8", errors="replace") as fh:
                stat = fh.read()
        except OSError:  # it ended meanwhile
            continue
        name = stat[stat.index("(") + 1: stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        state, session = fields[0], int(fields[3])
        if session == session_id and state != "Z":
            members.append((int(entry), name))
    return members
