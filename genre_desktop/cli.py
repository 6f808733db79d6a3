"""The headless entry point. With no sub-command it opens the GUI.

Each sub-command lives in genre_desktop/commands/<name>.py (a hyphen in the name is an
underscore in the module's) with two functions,
`add_arguments(parser)` and `run(args) -> int`, imported only when that command runs so that
`--version` and the GUI start without loading librosa or scikit-learn.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from genre_desktop import __version__

COMMANDS = {
    "features": "Print the 57 model features of one stretch of an audio file.",
    "scan": "Scan music folders into the library.",
    "classify": "Predict the genre of audio files.",
    "train": "Train the bundled genre model and write its card.",
    "playlist": "Build a genre playlist from the library and export it.",
    "write-tags": "Write the library's genres into the music files' tags (undoable).",
    "undo-tags": "Undo the last write-tags: put the files' old bytes back.",
    "similar": "List the library's tracks that sound most like a file.",
    "label": "Set or clear your genre correction of tracks in the library.",
    "tracks": "List the library's tracks with their genre, confidence and where it comes from.",
    "learn": "Learn from your corrections and classify the library again.",
}


def _command_module(name: str):
    return importlib.import_module(f"genre_desktop.commands.{name.replace('-', '_')}")


def build_parser(with_commands: bool = True) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="genre-desktop", description="Sort your music collection by genre."
    )
    parser.add_argument("--version", action="version", version=f"genre-desktop {__version__}")
    parser.add_argument(
        "--self-test", action="store_true", help="check the install end to end, print JSON, exit"
    )
    parser.add_argument("--db", help="library database (GUI; default: the user data dir)")
    parser.add_argument(
        "--quit-after-ms", type=int, default=None, help="close the GUI after this many ms (smoke tests)"
    )
    if with_commands:
        sub = parser.add_subparsers(dest="command", metavar="COMMAND")
        for name, summary in COMMANDS.items():
            command_parser = sub.add_parser(name, help=summary, description=summary)
            _command_module(name).add_arguments(command_parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    wants_command = any(arg in COMMANDS for arg in argv) or "-h" in argv or "--help" in argv
    args = build_parser(with_commands=wants_command).parse_args(argv)
    command = getattr(args, "command", None)
    if command:
        return _command_module(command).run(args)
    if args.self_test:
        from genre_desktop.selftest import run_self_test

        return run_self_test()
    from genre_desktop.app import run_gui

    return run_gui(db_path=args.db, quit_after_ms=args.quit_after_ms)
