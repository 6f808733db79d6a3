"""One colour per genre, the same everywhere in the app (table, charts, timeline, sidebar)."""

from __future__ import annotations

import hashlib

from PySide6.QtGui import QColor

# The bundled model's genres get hand-picked, distinguishable colours.
KNOWN_GENRE_COLORS: dict[str, str] = {
    "blues": "#3b6fb6",
    "classical": "#8e6bbf",
    "country": "#c98b2b",
    "disco": "#e05fa8",
    "hiphop": "#d2442f",
    "jazz": "#2a9d8f",
    "metal": "#5b5b66",
    "pop": "#f2b705",
    "reggae": "#4caf50",
    "rock": "#a0522d",
    "electronic": "#00b8d4",
}
UNKNOWN_COLOR = "#9e9e9e"


def genre_color(genre: str | None) -> QColor:
    """A stable colour for any genre; custom genres get a hue derived from their name."""
    if not genre:
        return QColor(UNKNOWN_COLOR)
    key = genre.strip().lower()
    known = KNOWN_GENRE_COLORS.get(key)
    if known:
        return QColor(known)
    # hashlib, not hash(): Python's string hash changes every run.
    digest = hashlib.sha1(key.encode("utf-8")).digest()
    hue = int.from_bytes(digest[:2], "big") % 360
    return QColor.fromHsl(hue, 150, 120)


def text_color_on(background: QColor) -> QColor:
    """Black or white, whichever reads better on the background."""
    luminance = 0.299 * background.red() + 0.587 * background.green() + 0.114 * background.blue()
    return QColor("#000000") if luminance > 150 else QColor("#ffffff")
