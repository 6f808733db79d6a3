"""Domain logic: features, windows, the classifier, playlists and settings. Never imports Qt."""
