"""Which model decided a track's genre: stable keys stored in the library (predictions.decided_by).

The values are the keys the library has always stored; words shown to people live in ui/.
"""

from __future__ import annotations

from enum import Enum


class DecidedBy(str, Enum):
    BUNDLED = "model"
    PERSONAL = "personal model"
