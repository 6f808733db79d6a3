"""Decoding and preview playback. No Qt."""
