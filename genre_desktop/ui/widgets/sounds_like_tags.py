"""The Sounds-like tags of one track, one line per group: 'Mood: chill · mellow', strongest first.

Each line's tooltip gives the tagger's probabilities and the thresholds they cleared: rare tags
such as moods have low probabilities even when they clearly stand out, so a bare percentage next
to the name would read as doubt.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from genre_desktop.core.sounds_like.tags import ShownTag, TagGroup

_EXPLAIN = ("What the music tagger hears, beyond the genre. A tag is shown only when its "
            "probability clears a threshold chosen so that shown tags are mostly right.")


class SoundsLikeTags(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("soundsLikeTags")
        self.setToolTip(_EXPLAIN)
        # A grid, not a QFormLayout: inside the Track panel's scroll area a form gave a line that
        # wraps (three style tags in a narrow panel) one line's height, cutting its text.
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setColumnStretch(1, 1)
        self._lines: dict[TagGroup, QLabel] = {}
        for row, group in enumerate(TagGroup):
            name = QLabel(f"{group.value.capitalize()}:")
            line = QLabel("")
            line.setWordWrap(True)
            grid.addWidget(name, row, 0, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            grid.addWidget(line, row, 1)
            self._lines[group] = line
        self.note = QLabel("")
        self.note.setWordWrap(True)
        grid.addWidget(self.note, len(TagGroup), 0, 1, 2)
        self.show_tags(None)

    def show_tags(self, tags: list[ShownTag] | None, note: str | None = None) -> None:
        """None: nothing to show (no track, or not analysed by the tagger yet: say so in note)."""
        for group, line in self._lines.items():
            shown = [t for t in tags or [] if t.group is group]
            line.setText(" · ".join(t.name for t in shown) if shown else "—")
            line.setToolTip("\n".join(f"{t.name}: {t.probability:.1%} (shown from {t.threshold:.1%})"
                                       for t in shown))
        if note is None:
            note = "Nothing stands out." if tags == [] else ""
        self.note.setText(note)
        self.note.setVisible(bool(note))

    def text_of(self, group: TagGroup) -> str:
        return self._lines[group].text()
