"""A button that opens the Sounds-like tags, one submenu per group, to tick several: the tag
rules of the playlist builder. The menus stay open while ticking (mouse, Space or Enter)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QPushButton, QSizePolicy, QWidget

from genre_desktop.core.sounds_like.tag_thresholds import THRESHOLDS
from genre_desktop.core.sounds_like.tags import TagGroup, display_name, group_of, search_key, showable_tags

SHOWN_NAMES = 2  # names on the button before "+N"


class _TickMenu(QMenu):
    """Ticking a checkable entry keeps the menu open, so several tags are chosen in one go."""

    def mouseReleaseEvent(self, event) -> None:
        action = self.actionAt(event.position().toPoint())
        if action is not None and action.isCheckable() and action.isEnabled():
            action.trigger()
            return
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event) -> None:
        action = self.activeAction()
        keys = (Qt.Key.Key_Space, Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if event.key() in keys and action is not None and action.isCheckable() and action.isEnabled():
            action.trigger()
            return
        super().keyPressEvent(event)


class TagPicker(QPushButton):
    toggled = Signal(str, bool)  # search key, now ticked

    def __init__(self, none_text: str, labels: dict[str, str] | None = None,
                 parent: QWidget | None = None) -> None:
        """none_text: the button's text with nothing ticked; labels: a key's menu text when it
        needs more than the tag's name (e.g. 'instrumental (no vocals)')."""
        super().__init__(parent)
        self.none_text = none_text
        self.setStyleSheet("text-align: left; padding: 3px 6px")  # reads as a field, like a combo box
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 12)
        menu = _TickMenu(self)
        self.actions_by_key: dict[str, QAction] = {}
        self._names: dict[str, str] = {}
        groups: dict[TagGroup, QMenu] = {}
        for tag in showable_tags(THRESHOLDS):
            group = group_of(tag)
            if group not in groups:
                groups[group] = _TickMenu(group.value.capitalize().replace("&", "&&"), menu)
                menu.addMenu(groups[group])
            key = search_key(tag)
            self._names[key] = (labels or {}).get(key, display_name(tag))
            action = groups[group].addAction(self._names[key])
            action.setCheckable(True)
            action.toggled.connect(lambda on, k=key: self._on_toggled(k, on))
            self.actions_by_key[key] = action
        self.group_menus = groups
        self.setMenu(menu)
        self._show_choice()

    def keys(self) -> list[str]:
        """The ticked tags' search keys, in menu order."""
        return [key for key, action in self.actions_by_key.items() if action.isChecked()]

    def set_keys(self, keys: list[str]) -> None:
        """Tick exactly these (unknown keys are ignored); no signal."""
        for key, action in self.actions_by_key.items():
            action.blockSignals(True)
            action.setChecked(key in keys)
            action.blockSignals(False)
        self._show_choice()

    def set_checked(self, key: str, on: bool) -> None:
        action = self.actions_by_key.get(key)
        if action is not None and action.isChecked() != on:
            action.setChecked(on)

    def set_counts(self, counts: dict[str, int]) -> None:
        """How many tracks of the library show each tag, after its name."""
        for key, action in self.actions_by_key.items():
            action.setText(f"{self._names[key]}  ({counts.get(key, 0):,})")

    def _on_toggled(self, key: str, on: bool) -> None:
        self._show_choice()
        self.toggled.emit(key, on)

    def _show_choice(self) -> None:
        names = [self._names[key] for key in self.keys()]
        more = len(names) - SHOWN_NAMES
        self.setText(", ".join(names[:SHOWN_NAMES]) + (f" +{more}" if more > 0 else "") if names
                     else self.none_text)
