"""Reading tags back with plain mutagen, independently of the code under test."""

from __future__ import annotations

from pathlib import Path

import mutagen
from mutagen.id3 import ID3


def genres_in(path: Path) -> list[str]:
    audio = mutagen.File(path)
    tags = audio.tags
    if tags is None:
        return []
    if isinstance(tags, ID3):
        return [t for frame in tags.getall("TCON") for t in frame.text]
    if type(audio).__name__ == "MP4":
        return list(tags.get("\xa9gen", []))
    if type(audio).__name__ == "ASF":
        return [str(v) for v in tags.get("WM/Genre", [])]
    return list(tags.get("genre", []))


def other_tags(path: Path, sound: bool = True) -> dict:
    """Every tag but the genre (and, when not ``sound``, but the mood and style fields too), in
    a form that compares equal when nothing changed."""
    audio = mutagen.File(path)
    tags = audio.tags
    if isinstance(tags, ID3):
        skip = ("TCON",) if sound else ("TCON", "TMOO", "TXXX:MOOD", "TXXX:STYLE")
        return {key: repr(frame) for key, frame in tags.items() if not key.startswith(skip)}
    name = type(audio).__name__
    if name in ("FLAC", "OggVorbis", "OggOpus"):
        fields = {"genre"} if sound else {"genre", "mood", "style"}
        summary = {"comments": sorted((k.lower(), v) for k, v in tags if k.lower() not in fields)}
        if name == "FLAC":
            summary["pictures"] = [(p.type, p.mime, p.desc, p.data) for p in audio.pictures]
        return summary
    skip = {"\xa9gen", "WM/Genre"}
    if not sound:
        skip |= {"----:com.apple.iTunes:MOOD", "----:com.apple.iTunes:STYLE", "WM/Mood"}
    return {key: repr(value) for key, value in tags.items() if key not in skip}
