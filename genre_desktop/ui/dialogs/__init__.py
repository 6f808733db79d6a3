"""Dialogs: set genre, playlists, about the model, settings, about."""
