"""Helper processes of a scan end when the process that started them is gone.

A worker blocked on its task queue, or a fork server waiting for requests, would otherwise
live on after the app is killed (SIGKILL leaves no chance to stop them), holding hundreds of
MB. Each of them watches its own parent: a daemon thread compares getppid() with the parent it
started under (a dead parent's children are re-parented at once, even before the parent is
reaped) and ends the process. On Linux the kernel also sends SIGKILL when the parent dies
(PR_SET_PDEATHSIG), which works even while the process is busy in native code.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
import threading

POLL_SECONDS = 0.5
_PR_SET_PDEATHSIG = 1
_ORPHAN_EXIT_CODE = 70


def exit_with_parent(kernel_signal: bool = False) -> None:
    """From now on, end this process soon after its parent is gone.

    kernel_signal: also ask Linux to SIGKILL it when the parent dies. Only right when the
    parent's creating thread lives as long as the parent (a fork server's main thread): the
    kernel counts the death of that thread as the parent's."""
    parent = os.getppid()
    if kernel_signal and sys.platform.startswith("linux"):
        _set_parent_death_signal(signal.SIGKILL)
    if os.getppid() != parent or parent == 1:  # already orphaned
        os._exit(_ORPHAN_EXIT_CODE)
    threading.Thread(target=_watch, args=(parent,), daemon=True, name="parent-watch").start()


def _watch(parent: int) -> None:
    event = threading.Event()
    while not event.wait(POLL_SECONDS):
        if os.getppid() != parent:
            os._exit(_ORPHAN_EXIT_CODE)  # no cleanup: the parent that wanted results is gone


def _set_parent_death_signal(signum: int) -> None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, int(signum), 0, 0, 0)
    except (OSError, AttributeError):  # no prctl here: the watching thread is enough
        pass
