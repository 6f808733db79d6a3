"""Every command of the window as a QAction (text, shortcut, tip), plus the menus and toolbar.

The window connects them to controllers; keeping them here gives one place to read every
keyboard shortcut.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QUndoStack
from PySide6.QtWidgets import QMainWindow, QStyle, QToolBar

GENRE_KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "0")


@dataclass
class AppActions:
    add_folder: QAction
    rescan: QAction
    cancel_scan: QAction
    settings: QAction
    quit: QAction
    undo: QAction
    redo: QAction
    set_genre: QAction
    clear_genre: QAction
    find: QAction
    show_library: QAction
    show_overview: QAction
    show_problems: QAction
    toggle_detail: QAction
    play_pause: QAction
    stop: QAction
    next_track: QAction
    previous_track: QAction
    play_decisive: QAction
    seek_back: QAction
    seek_forward: QAction
    new_playlist: QAction
    more_like_this: QAction
    about_model: QAction
    about_app: QAction
    open_logs: QAction
    write_tags: QAction
    undo_tag_write: QAction
    learn: QAction
    learn_summary: QAction
    use_bundled_only: QAction
    show_review: QAction
    genre_mapping: QAction
    show_duplicates: QAction
    genre_actions: list[QAction] = field(default_factory=list)

    def shortcut_table(self) -> list[tuple[str, str]]:
        """(shortcut, what it does) for every action that has one."""
        rows = []
        for action in self.all():
            for sequence in action.shortcuts():
                rows.append((sequence.toString(QKeySequence.SequenceFormat.NativeText),
                             action.text().replace("&", "").rstrip("…")))
        return rows

    def all(self) -> list[QAction]:
        return [v for v in vars(self).values() if isinstance(v, QAction)] + self.genre_actions


def _action(window: QMainWindow, text: str, shortcuts=(), tip: str = "", icon=None,
            context=Qt.ShortcutContext.WindowShortcut) -> QAction:
    action = QAction(text, window)
    keys = [QKeySequence(s) if isinstance(s, str) else QKeySequence(s) for s in shortcuts]
    if keys:
        action.setShortcuts(keys)
        action.setShortcutContext(context)
    if tip:
        action.setStatusTip(tip)
        action.setToolTip(f"{tip} ({keys[0].toString(QKeySequence.SequenceFormat.NativeText)})" if keys else tip)
    if icon is not None:
        action.setIcon(window.style().standardIcon(icon))
    window.addAction(action)  # shortcuts work even when a menu is hidden
    return action


def create_actions(window: QMainWindow, undo_stack: QUndoStack, genres: list[str]) -> AppActions:
    sp = QStyle.StandardPixmap
    undo = undo_stack.createUndoAction(window, "&Undo")
    undo.setShortcut(QKeySequence.StandardKey.Undo)
    redo = undo_stack.createRedoAction(window, "&Redo")
    redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
    window.addAction(undo)
    window.addAction(redo)
    actions = AppActions(
        add_folder=_action(window, "&Add music folder…", ["Ctrl+O"], "Add a folder of music and scan it",
                           sp.SP_DirOpenIcon),
        rescan=_action(window, "&Rescan folders", ["F5"], "Look for new, changed and removed files",
                       sp.SP_BrowserReload),
        cancel_scan=_action(window, "&Cancel scan", [], "Stop the running scan", sp.SP_BrowserStop),
        settings=_action(window, "&Settings…", ["Ctrl+,"], "Folders, workers, uncertainty threshold"),
        quit=_action(window, "&Quit", ["Ctrl+Q"], "Close Genre Desktop"),
        undo=undo,
        redo=redo,
        set_genre=_action(window, "Set &genre…", ["Ctrl+G"], "Set the genre of the selected tracks, or type a new one"),
        clear_genre=_action(window, "&Clear correction", ["Ctrl+Backspace", "Del"],
                            "Go back to the model's genre for the selected tracks"),
        find=_action(window, "&Find", [QKeySequence.StandardKey.Find], "Search the library"),
        show_library=_action(window, "&Library", ["Alt+1"], "Show the track list"),
        show_overview=_action(window, "&Overview", ["Alt+2"], "Genre distribution of the collection"),
        show_problems=_action(window, "&Problems", ["Alt+3"], "Files that could not be analysed"),
        toggle_detail=_action(window, "Track &details", ["Ctrl+I"], "Show or hide the track detail panel"),
        play_pause=_action(window, "&Play / Pause", ["Space", Qt.Key.Key_MediaTogglePlayPause, Qt.Key.Key_MediaPlay],
                           "Play the selected tracks (one: the list from it on)", sp.SP_MediaPlay),
        stop=_action(window, "&Stop", ["Ctrl+.", Qt.Key.Key_MediaStop], "Stop playing", sp.SP_MediaStop),
        next_track=_action(window, "&Next track", ["Ctrl+Shift+Right", Qt.Key.Key_MediaNext],
                           "Play the next track of the queue", sp.SP_MediaSkipForward),
        previous_track=_action(window, "P&revious track", ["Ctrl+Shift+Left", Qt.Key.Key_MediaPrevious],
                               "Play the previous track (or this one again from its start)",
                               sp.SP_MediaSkipBackward),
        play_decisive=_action(window, "Play the part that &decided", ["Ctrl+D"],
                              "Play from the window that counted most for the genre", sp.SP_MediaSeekForward),
        seek_back=_action(window, "Back 5 seconds", ["Ctrl+Left"], "Seek back"),
        seek_forward=_action(window, "Forward 5 seconds", ["Ctrl+Right"], "Seek forward"),
        new_playlist=_action(window, "New genre &playlist…", ["Ctrl+P"], "Build a playlist from genres",
                             sp.SP_FileDialogNewFolder),
        more_like_this=_action(window, "&More like this…", ["Ctrl+Shift+M"],
                               "Tracks in the library that sound like the selected ones"),
        about_model=_action(window, "About the &model…", ["F1"], "What the model knows and how good it is"),
        about_app=_action(window, "&About Genre Desktop", [], "Version and licence"),
        open_logs=_action(window, "Open &log folder", [], "Where Genre Desktop writes its log"),
        write_tags=_action(window, "&Write genres to files…", ["Ctrl+T"],
                           "Review, then write the genres into the music files' genre tags"),
        undo_tag_write=_action(window, "&Undo last tag write", [],
                               "Put back the genre tags the last write replaced"),
        learn=_action(window, "&Learn from my corrections", ["Ctrl+L"],
                      "Train your own model on the genres you set", sp.SP_DialogApplyButton),
        learn_summary=_action(window, "&What your model learned…", [],
                              "Tracks per genre before and after the last learning, and its accuracy"),
        use_bundled_only=_action(window, "Use &bundled model only", [],
                                 "Ignore your model and show the bundled model's genres"),
        show_review=_action(window, "&Review queue", ["Alt+4"],
                            "Tracks where your answer teaches the model most"),
        show_duplicates=_action(window, "&Duplicates", ["Alt+5"],
                                "Files with the same content, or truncated copies (nothing is deleted)"),
        genre_mapping=_action(window, "Genre &mapping…", ["Ctrl+M"],
                              "Which genre each file tag genre counts as; map the unmapped ones"),
    )
    actions.use_bundled_only.setCheckable(True)
    actions.learn.setEnabled(False)  # until there are enough corrections
    actions.toggle_detail.setCheckable(True)
    actions.toggle_detail.setChecked(True)
    actions.cancel_scan.setEnabled(False)
    for i, genre in enumerate(genres):  # the first ten get Ctrl+1 ... Ctrl+0
        keys = [f"Ctrl+{GENRE_KEYS[i]}"] if i < len(GENRE_KEYS) else []
        actions.genre_actions.append(_action(window, genre, keys, f"Set the selected tracks to {genre}"))
    return actions


def build_menus(window: QMainWindow, a: AppActions) -> None:
    bar = window.menuBar()
    file_menu = bar.addMenu("&File")
    for action in (a.add_folder, a.rescan, a.cancel_scan, None, a.write_tags, a.undo_tag_write, None,
                   a.settings, None, a.quit):
        file_menu.addSeparator() if action is None else file_menu.addAction(action)
    edit = bar.addMenu("&Edit")
    edit.addAction(a.undo)
    edit.addAction(a.redo)
    edit.addSeparator()
    genre_menu = edit.addMenu("Set genre to")
    genre_menu.addActions(a.genre_actions)
    edit.addAction(a.set_genre)
    edit.addAction(a.clear_genre)
    edit.addAction(a.genre_mapping)
    edit.addSeparator()
    edit.addAction(a.find)
    view = bar.addMenu("&View")
    for action in (a.show_library, a.show_overview, a.show_problems, a.show_review, a.show_duplicates, None,
                   a.toggle_detail):
        view.addSeparator() if action is None else view.addAction(action)
    playback = bar.addMenu("&Playback")
    for action in (a.play_pause, a.stop, a.previous_track, a.next_track, a.play_decisive, None,
                   a.seek_back, a.seek_forward):
        playback.addSeparator() if action is None else playback.addAction(action)
    playlists = bar.addMenu("P&laylists")
    playlists.addAction(a.new_playlist)
    playlists.addAction(a.more_like_this)
    model_menu = bar.addMenu("&Model")
    for action in (a.learn, a.learn_summary, a.show_review, None, a.use_bundled_only):
        model_menu.addSeparator() if action is None else model_menu.addAction(action)
    help_menu = bar.addMenu("&Help")
    for action in (a.about_model, a.open_logs, None, a.about_app):
        help_menu.addSeparator() if action is None else help_menu.addAction(action)


def build_toolbar(window: QMainWindow, a: AppActions) -> QToolBar:
    toolbar = QToolBar("Main", window)
    toolbar.setObjectName("mainToolbar")
    toolbar.setMovable(False)
    toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    for action in (a.add_folder, a.rescan, a.new_playlist, a.learn):
        toolbar.addAction(action)
    window.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)
    return toolbar
