"""Everything the window needs, built once by app.py and passed in (no globals)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from genre_desktop.core.settings import Settings
from genre_desktop.paths import AppPaths
from genre_desktop.services.library_service import LibraryService
from genre_desktop.services.scan_service import ScanService
from genre_desktop.services.tasks import TaskRunner
from genre_desktop.ui.model_card_info import ModelCardInfo

log = logging.getLogger(__name__)


@dataclass
class AppContext:
    paths: AppPaths
    settings: Settings
    db_path: Path
    tasks: TaskRunner
    library: LibraryService
    scanning: ScanService
    playback: object  # services.playback_service.PlaybackService
    model: ModelCardInfo
    personal: object = None  # services.personal_service.PersonalModelService

    def save_settings(self) -> None:
        try:
            self.settings.save(self.paths.settings_file)
        except OSError as exc:
            log.error("Could not save settings to %s: %s", self.paths.settings_file, exc)

    @property
    def genres(self) -> list[str]:
        return self.model.genres
