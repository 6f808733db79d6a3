"""Logging set-up: a rotating file under the user log dir, and warnings on stderr."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

LOG_FORMAT = "%(asctime)s %(levelname)-7s %(processName)s %(name)s: %(message)s"


class _WithoutTraceback(logging.Formatter):
    """The console gets the message only; the traceback stays in the log file."""

    def format(self, record: logging.LogRecord) -> str:
        saved = record.exc_info, record.exc_text, record.stack_info
        record.exc_info = record.exc_text = record.stack_info = None
        try:
            return super().format(record)
        finally:
            record.exc_info, record.exc_text, record.stack_info = saved


def setup_logging(log_dir: Path, level: int = logging.INFO) -> Path:
    log_dir.mkdir(parents=True, exist_ok=True)
    log_file = log_dir / "genre-desktop.log"
    root = logging.getLogger()
    if any(getattr(h, "_genre_desktop", False) for h in root.handlers):
        return log_file
    file_handler = logging.handlers.RotatingFileHandler(
        log_file, maxBytes=2_000_000, backupCount=3, encoding="utf-8"
    )
    file_handler.setFormatter(logging.Formatter(LOG_FORMAT))
    file_handler._genre_desktop = True  # type: ignore[attr-defined]
    console = logging.StreamHandler()
    console.setLevel(logging.WARNING)
    console.setFormatter(_WithoutTraceback("%(levelname)s: %(message)s"))
    console._genre_desktop = True  # type: ignore[attr-defined]
    root.addHandler(file_handler)
    root.addHandler(console)
    root.setLevel(level)
    # numba's compiler logs at DEBUG/INFO by the thousand; keep the file readable.
    logging.getLogger("numba").setLevel(logging.WARNING)
    return log_file
