"""Bringing a worker's result into the scanning process without the analysis stack.

Unpickling an analysis result would import the modules that define its parts (librosa, the
decoders, mutagen: about 80 MB in a process that only stores results). Results therefore
cross as pickled bytes, and the scanning process reads the classes of those modules back as
plain attribute records: it only reads their fields.
"""

from __future__ import annotations

import io
import pickle
from collections.abc import Callable
from typing import Any

HEAVY_MODULES = frozenset({
    "genre_desktop.library.analysis", "genre_desktop.audio.sources", "genre_desktop.audio.tags",
})


class Record:
    """The fields of an object of a heavy module, as plain attributes."""

    def __repr__(self) -> str:
        return f"Record({vars(self)!r})"


_records: dict[str, type[Record]] = {}


def pickled(job: Callable[..., Any], *args: Any) -> bytes:
    """Run `job` in the worker and hand back its result pickled."""
    return pickle.dumps(job(*args), protocol=pickle.HIGHEST_PROTOCOL)


def loads(data: bytes) -> Any:
    """pickle.loads, with the classes of HEAVY_MODULES read as Records."""
    return _LightUnpickler(io.BytesIO(data)).load()


class _LightUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if module in HEAVY_MODULES:
            key = f"{module}.{name}"
            if key not in _records:
                _records[key] = type(name, (Record,), {"__module__": __name__})
            return _records[key]
        return super().find_class(module, name)
