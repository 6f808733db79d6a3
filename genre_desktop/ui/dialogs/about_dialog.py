"""Help > About Genre Desktop."""

from __future__ import annotations

import platform

from PySide6 import __version__ as pyside_version
from PySide6.QtWidgets import QMessageBox, QWidget

from genre_desktop import __version__


def about_text(model_version: str, paths_text: str) -> str:
    return (
        f"<h3>Genre Desktop {__version__}</h3>"
        "<p>A desktop music organizer that listens to your collection and sorts it by genre.</p>"
        f"<p>Genre model: {model_version}<br>"
        f"Python {platform.python_version()} · PySide6 {pyside_version}</p>"
        f"<p>{paths_text}</p>"
        "<p>Released under the MIT licence.</p>"
    )


def show_about(parent: QWidget, model_version: str, paths_text: str) -> None:
    QMessageBox.about(parent, "About Genre Desktop", about_text(model_version, paths_text))
