"""Qt glue between the UI and the engine: background tasks, scanning and playback services."""
