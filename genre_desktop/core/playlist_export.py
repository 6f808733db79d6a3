"""Write playlists as M3U8 or XSPF files, atomically (a temp file, then os.replace).

Decisions:
- M3U8 is UTF-8 without a BOM: `#EXTM3U`, `#PLAYLIST:<title>`, then `#EXTINF:<seconds>,<artist> -
  <title>` (seconds rounded, -1 when unknown) and the track's location per track.
- M3U8 locations are relative to the playlist's folder when the track and the playlist share a
  folder below the file-system root (same drive, e.g. both under /home/me), so a music folder
  moved together with its playlists keeps working; otherwise absolute. They use the native
  separator (os.sep): the playlist is read by players on the system that wrote it.
- A file name that is not valid Unicode (undecodable bytes, carried by Python as surrogate
  escapes) cannot appear in UTF-8 text; such an entry is written as a percent-encoded file:// URI
  instead, which common players (VLC, mpv, foobar2000) accept in M3U8.
- XSPF locations are absolute file:// URIs, percent-encoded from the file-system bytes, because
  XSPF readers disagree on how to resolve relative URIs.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import xml.etree.ElementTree as ET
from pathlib import Path, PurePath
from typing import Protocol, Sequence

XSPF_NAMESPACE = "http://xspf.org/ns/0/"
SUPPORTED_EXTENSIONS = (".m3u8", ".m3u", ".xspf")
APP_CREATOR = "Genre Desktop"

# Characters XML 1.0 forbids even when escaped; they would make the XSPF unreadable.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_LINE_BREAKS = re.compile(r"[\r\n\t]+")


class UnsupportedPlaylistFormat(ValueError):
    """The output file's extension is not one of SUPPORTED_EXTENSIONS."""


class PlaylistTrack(Protocol):
    path: str
    title: str | None
    artist: str | None
    album: str | None
    duration: float | None


def export_playlist(
    path: str | os.PathLike, tracks: Sequence[PlaylistTrack], title: str | None = None
) -> Path:
    """Write tracks in the format named by path's extension (.m3u8/.m3u or .xspf)."""
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix in (".m3u8", ".m3u"):
        return write_m3u8(target, tracks, title)
    if suffix == ".xspf":
        return write_xspf(target, tracks, title)
    raise UnsupportedPlaylistFormat(
        f"Cannot write a playlist as {suffix or 'a file without an extension'!r}: "
        f"use one of {', '.join(SUPPORTED_EXTENSIONS)}"
    )


def write_m3u8(
    path: str | os.PathLike,
    tracks: Sequence[PlaylistTrack],
    title: str | None = None,
    *,
    relative: bool = True,
) -> Path:
    target = Path(os.path.abspath(path))
    base_dir = str(target.parent)
    lines = ["#EXTM3U", f"#PLAYLIST:{_one_line(title or target.stem)}"]
    for track in tracks:
        seconds = round(track.duration) if track.duration and track.duration > 0 else -1
        lines.append(f"#EXTINF:{seconds},{_one_line(display_name(track))}")
        lines.append(m3u_location(track.path, base_dir, relative=relative))
    _write_atomically(target, ("\n".join(lines) + "\n").encode("utf-8"))
    return target


def write_xspf(
    path: str | os.PathLike, tracks: Sequence[PlaylistTrack], title: str | None = None
) -> Path:
    target = Path(os.path.abspath(path))
    # Unprefixed tags under a default namespace: the form the XSPF spec and players expect.
    root = ET.Element("playlist", {"version": "1", "xmlns": XSPF_NAMESPACE})
    ET.SubElement(root, "title").text = _xml_text(title or target.stem)
    ET.SubElement(root, "creator").text = APP_CREATOR
    track_list = ET.SubElement(root, "trackList")
    for track in tracks:
        item = ET.SubElement(track_list, "track")
        ET.SubElement(item, "location").text = file_uri(track.path)
        # Element order follows the spec: location, title, creator, album, duration.
        for tag, value in (("title", track.title), ("creator", track.artist), ("album", track.album)):
            if value and value.strip():
                ET.SubElement(item, tag).text = _xml_text(value)
        if track.duration and track.duration > 0:
            ET.SubElement(item, "duration").text = str(round(track.duration * 1000))
    ET.indent(root)
    _write_atomically(target, ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n")
    return target


def display_name(track: PlaylistTrack) -> str:
    """'Artist - Title', or whatever part is known, else the file name."""
    artist = (track.artist or "").strip()
    title = (track.title or "").strip()
    if artist and title:
        return f"{artist} - {title}"
    return title or artist or PurePath(track.path).stem


def m3u_location(track_path: str, base_dir: str, *, relative: bool = True) -> str:
    absolute = os.path.abspath(track_path)
    location = absolute
    if relative and _shares_root_below_anchor(absolute, base_dir):
        location = os.path.relpath(absolute, base_dir)
    if not _is_valid_unicode(location):
        return file_uri(absolute)
    return location


def file_uri(track_path: str) -> str:
    """Absolute file:// URI; undecodable name bytes survive as %XX escapes."""
    return Path(os.path.abspath(track_path)).as_uri()


def _shares_root_below_anchor(absolute: str, base_dir: str) -> bool:
    try:
        common = os.path.commonpath([absolute, os.path.abspath(base_dir)])
    except ValueError:  # different drives on Windows
        return False
    anchor = PurePath(absolute).anchor
    return os.path.normcase(common) != os.path.normcase(anchor)


def _is_valid_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _clean(text: str) -> str:
    # Surrogate escapes stand for raw bytes; show them as U+FFFD rather than fail to encode.
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a lone surrogate that is not an escaped byte
        raw = text.encode("utf-8", "replace")
    return raw.decode("utf-8", "replace")


def _one_line(text: str) -> str:
    return _LINE_BREAKS.sub(" ", _XML_INVALID.sub("", _clean(text))).strip()


def _xml_text(text: str) -> str:
    return _XML_INVALID.sub("", _clean(text)).strip()


def _write_atomically(target: Path, data: bytes) -> None:
    """Readers see the old file or the new one, never half of one."""
    temp = target.parent / f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    fd = os.open(temp, flags, 0o666)  # 0o666 minus the umask, like any new file
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
