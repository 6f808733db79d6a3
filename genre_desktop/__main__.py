"""Entry point for `python -m genre_desktop`, the `genre-desktop` script and the frozen app."""

import multiprocessing
import sys


def main() -> int:
    # Worker processes of a frozen app re-enter here; this must run before anything else.
    multiprocessing.freeze_support()
    from genre_desktop.cli import main as cli_main

    return cli_main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
