"""Reading tags back with plain mutagen, independently of the code under test, and the
Sounds-like tags a track shows, as the Track panel computes them."""

from __future__ import annotations

from pathlib import Path

import mutagen
from mutagen.id3 import ID3

from genre_desktop.core.sounds_like.tag_thresholds import THRESHOLDS
from genre_desktop.core.sounds_like.tags import TagGroup, file_name, shown_tags
from genre_desktop.library.db import connect
from genre_desktop.library.sounds_like import track_vectors


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


def shown_fields(db_path, track_id: int) -> tuple[list[str], list[str]]:
    """(moods, styles) as the Track panel shows them, read from the windows (not the stored tags
    the write uses), in the spelling files get."""
    conn = connect(db_path, readonly=True)
    try:
        shown = shown_tags(track_vectors(conn, [track_id]).tags[0], THRESHOLDS)
    finally:
        conn.close()
    names = {group: [file_name(t.tag) for t in shown if t.group is group] for group in (TagGroup.MOOD, TagGroup.STYLE)}
    return names[TagGroup.MOOD], names[TagGroup.STYLE]


def sound_fields_in(path: Path) -> tuple[list[str], list[str]]:
    """(moods, styles) in the file, read with plain mutagen from each format's own fields."""
    audio = mutagen.File(path)
    tags = audio.tags
    if isinstance(tags, ID3):
        return ([t for f in tags.getall("TMOO") + tags.getall("TXXX:MOOD") for t in f.text],
                [t for f in tags.getall("TXXX:STYLE") for t in f.text])
    name = type(audio).__name__
    if name == "MP4":
        return tuple([bytes(v).decode("utf-8") for v in tags.get(f"----:com.apple.iTunes:{key}", [])]
                     for key in ("MOOD", "STYLE"))
    if name == "ASF":
        return [str(v) for v in tags.get("WM/Mood", [])], [str(v) for v in tags.get("STYLE", [])]
    return list(tags.get("mood", [])), list(tags.get("style", []))
