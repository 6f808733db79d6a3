"""Let go of the library code a process has paged in but no longer runs (Linux).

The scan's fork server loads the analysis stack once and then only forks workers. Loading it
pages in most of the shared libraries' code, LLVM's above all (numba links it to load the
compiled feature kernels: about 100 MB of one library). Those pages stay mapped in the server
for the whole app session and count against it, while the workers never run most of them.

release_file_pages() unmaps the resident pages of the process's read-only, private file
mappings that hold no modified (copy-on-write) page: the library code and constants. Nothing
is lost: the pages stay in the page cache, where the kernel can reclaim them, and any page
that is run again is mapped again from the file on first touch. Writable mappings and
mappings with a modified page (relocated data) are left alone, since unmapping those would
throw their changes away.
"""

from __future__ import annotations

import ctypes
import logging
import sys

log = logging.getLogger(__name__)

_MADV_DONTNEED = 4


def _unchanged_code_ranges(smaps) -> list[tuple[int, int]]:
    """(start, length) of every read-only private file mapping in /proc/self/smaps with no
    anonymous (modified) page."""
    ranges: list[tuple[int, int]] = []
    current: tuple[int, int] | None = None
    for line in smaps:
        fields = line.split()
        if not fields:
            continue
        if fields[0].endswith(":"):  # a field of the mapping above
            if fields[0] == "Anonymous:" and fields[1] != "0":
                current = None
            continue
        if current is not None:
            ranges.append(current)
        start, end = (int(x, 16) for x in fields[0].split("-"))
        perms, inode = fields[1], fields[4]
        current = (start, end - start) if "w" not in perms and perms.endswith("p") and inode != "0" else None
    if current is not None:
        ranges.append(current)
    return ranges


def release_file_pages() -> int:
    """Unmap this process's unchanged library pages (see the module docstring); returns the
    bytes of the mappings released (0 where there is no /proc or no madvise)."""
    if not sys.platform.startswith("linux"):
        return 0
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        madvise = libc.madvise
        madvise.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int)
        with open("/proc/self/smaps") as smaps:
            ranges = _unchanged_code_ranges(smaps)
    except (OSError, AttributeError, ValueError) as exc:
        log.debug("Library pages not released: %s", exc)
        return 0
    return sum(length for start, length in ranges if madvise(start, length, _MADV_DONTNEED) == 0)
