"""Parts of the main window: sidebar, library table, detail panel, player bar, problems."""
