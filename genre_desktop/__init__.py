"""Genre Desktop: a desktop music organizer that knows what genre your music is."""

__version__ = "0.1.0"
