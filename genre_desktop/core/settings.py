"""User settings, declared once with types and defaults, stored as versioned JSON."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

log = logging.getLogger(__name__)

SETTINGS_VERSION = 1


@dataclass
class Settings:
    music_folders: list[str] = field(default_factory=list)
    workers: int = 0  # 0 means one per CPU core
    windows_per_track: int = 3
    # None means "use the threshold recommended by the bundled model's card".
    uncertainty_threshold: float | None = None
    volume: float = 0.8
    watch_folders: bool = True
    # False: "Use bundled model only" (the personal model is kept, just not used).
    use_personal_model: bool = True
    # Learn again by itself after this many newly corrected tracks; 0: only when asked.
    learn_after_corrections: int = 0
    # The last choices of the tag-write and playlist dialogs. Safe by default: only the user's
    # corrections are written, and playlists leave out tracks below the model's threshold.
    tag_write_model_genres: bool = False
    tag_write_min_confidence: float | None = None  # None: the library's uncertainty threshold
    tag_write_sound_tags: bool = False  # also write the Sounds-like mood and style tags
    playlist_min_confidence: float | None = None  # None: the library's uncertainty threshold

    def start_folder(self) -> str:
        """Where file dialogs open: the music folder added last that still exists, else home."""
        for folder in reversed(self.music_folders):
            if os.path.isdir(folder):
                return folder
        return str(Path.home())

    def effective_workers(self) -> int:
        return self.workers if self.workers > 0 else max(1, os.cpu_count() or 1)

    @classmethod
    def load(cls, path: Path) -> "Settings":
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls()
        except (OSError, ValueError) as exc:
            log.warning("Settings file %s unreadable (%s); using defaults", path, exc)
            return cls()
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in raw.get("values", {}).items() if k in known}
        settings = cls()
        for name, value in values.items():
            setattr(settings, name, value)
        return settings

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        payload = {"version": SETTINGS_VERSION, "values": asdict(self)}
        tmp.write_text(json.dumps(payload, indent=2), encoding="utf-8")
        os.replace(tmp, path)  # atomic: a crash never leaves half a file
