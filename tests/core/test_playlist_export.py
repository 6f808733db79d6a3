"""M3U8 and XSPF export: written files are parsed back and every entry must find the real file."""

from __future__ import annotations

import os
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote_to_bytes, urlparse

import pytest

from genre_desktop.core.playlists import (
    PlaylistCandidate,
    UnsupportedPlaylistFormat,
    export_playlist,
    write_m3u8,
    write_xspf,
)
from genre_desktop.core.playlist_export import XSPF_NAMESPACE, m3u_location

posix_only = pytest.mark.skipif(os.name == "nt", reason="POSIX path layout")

ODD_NAMES = [
    "plain.flac",
    "Café del Mar & Friends #1.mp3",
    "with spaces, commas; and %20 literally.ogg",
    "angle <brackets> 'quotes' \"double\".flac",
    "日本語の曲 — ✓.m4a",
    "question?mark.flac",
]


def candidate(track_id: int, path: Path | str, **extra) -> PlaylistCandidate:
    values = dict(title=f"Title {track_id}", artist=f"Artist {track_id}", album="Album",
                  duration=187.6, genre="jazz", confidence=0.9)
    values.update(extra)
    return PlaylistCandidate(track_id=track_id, path=os.fspath(path), **values)


@pytest.fixture
def music(tmp_path) -> list[Path]:
    folder = tmp_path / "Music" / "Some Artist"
    folder.mkdir(parents=True)
    files = []
    for name in ODD_NAMES:
        if sys.platform == "win32" and any(c in name for c in '<>"?'):
            continue
        path = folder / name
        path.write_bytes(b"not really audio")
        files.append(path)
    return files


@pytest.fixture
def undecodable_file(tmp_path) -> Path:
    """A file whose name is not valid UTF-8 (Latin-1 bytes), as old collections often have."""
    if sys.platform in ("win32", "darwin"):
        pytest.skip("this file system stores names as Unicode")
    folder = tmp_path / "Music"
    folder.mkdir(exist_ok=True)
    raw = os.fsencode(folder) + b"/caf\xe9 \xff.mp3"
    try:
        with open(raw, "wb") as handle:
            handle.write(b"x")
    except OSError:
        pytest.skip("the file system refuses non-UTF-8 names")
    return Path(os.fsdecode(raw))


def m3u_entries(playlist: Path) -> list[tuple[str, str]]:
    """(#EXTINF line, location) pairs; the file must be strict UTF-8."""
    lines = playlist.read_bytes().decode("utf-8").splitlines()
    assert lines[0] == "#EXTM3U"
    entries = []
    for index, line in enumerate(lines):
        if line and not line.startswith("#"):
            assert lines[index - 1].startswith("#EXTINF:")
            entries.append((lines[index - 1], line))
    return entries


def uri_to_path(uri: str) -> str:
    parsed = urlparse(uri)
    assert parsed.scheme == "file"
    if os.name == "nt":  # file:///C:/x -> C:/x
        return unquote_to_bytes(parsed.path.lstrip("/")).decode("utf-8")
    return os.fsdecode(unquote_to_bytes(parsed.path))


def resolve_m3u_location(playlist: Path, location: str) -> str:
    if location.startswith("file:"):
        return uri_to_path(location)
    if os.path.isabs(location):
        return location
    return os.path.join(playlist.parent, location)


def xspf_tracks(playlist: Path) -> tuple[ET.Element, list[ET.Element]]:
    root = ET.parse(playlist).getroot()
    ns = {"x": XSPF_NAMESPACE}
    return root, root.findall("x:trackList/x:track", ns)


def test_m3u8_entries_resolve_to_the_real_files_through_relative_paths(tmp_path, music):
    playlists = tmp_path / "Playlists"
    playlists.mkdir()
    tracks = [candidate(i, path) for i, path in enumerate(music)]
    out = write_m3u8(playlists / "Odd names.m3u8", tracks, "Odd & #names")
    text = out.read_text(encoding="utf-8")
    assert "#PLAYLIST:Odd & #names" in text
    entries = m3u_entries(out)
    assert len(entries) == len(music)
    for (extinf, location), original in zip(entries, music):
        assert not os.path.isabs(location), "music beside the playlists is referenced relatively"
        assert location.startswith(os.pardir + os.sep)
        resolved = resolve_m3u_location(out, location)
        assert os.path.samefile(resolved, original)
    assert entries[1][0] == "#EXTINF:188,Artist 1 - Title 1"


def test_m3u8_in_the_music_folder_uses_plain_file_names(music):
    out = write_m3u8(music[0].parent / "here.m3u8", [candidate(1, music[1])])
    assert m3u_entries(out)[0][1] == music[1].name


@posix_only
def test_m3u8_uses_absolute_paths_when_only_the_root_is_shared():
    assert m3u_location("/mnt/music/a.mp3", "/home/me/lists") == "/mnt/music/a.mp3"
    assert m3u_location("/home/me/Music/a.mp3", "/home/me/lists") == "../Music/a.mp3"
    assert m3u_location("/home/me/Music/a.mp3", "/home/me/lists", relative=False) == "/home/me/Music/a.mp3"


def test_m3u8_extinf_copes_with_missing_tags_and_line_breaks(tmp_path, music):
    tracks = [
        candidate(1, music[0], title=None, artist=None, duration=None),
        candidate(2, music[1], title="Two\nlines", artist=None),
        candidate(3, music[2], title=None, artist="Only Artist"),
    ]
    entries = m3u_entries(write_m3u8(tmp_path / "tags.m3u8", tracks))
    assert [e[0] for e in entries] == [
        f"#EXTINF:-1,{music[0].stem}",
        "#EXTINF:188,Two lines",
        "#EXTINF:188,Only Artist",
    ]


def test_m3u8_writes_undecodable_names_as_file_uris(tmp_path, music, undecodable_file):
    tracks = [candidate(1, undecodable_file, title=os.fsdecode(b"caf\xe9")), candidate(2, music[0])]
    out = write_m3u8(tmp_path / "mixed.m3u8", tracks)
    entries = m3u_entries(out)  # still strict UTF-8
    assert entries[0][1].startswith("file:///")
    assert "%E9" in entries[0][1] and "%FF" in entries[0][1]
    assert entries[0][0] == "#EXTINF:188,Artist 1 - caf\ufffd"
    for (_, location), original in zip(entries, [undecodable_file, music[0]]):
        assert os.path.samefile(resolve_m3u_location(out, location), original)


def test_xspf_is_valid_and_every_location_is_a_file_uri_to_the_real_file(tmp_path, music):
    tracks = [candidate(i, path, album="Live <at> Café & Bar") for i, path in enumerate(music)]
    tracks[0] = candidate(0, music[0], duration=None, album=None, artist="")
    out = write_xspf(tmp_path / "odd.xspf", tracks, "Jazz & <Blues> #1")
    assert out.read_bytes().startswith(b"<?xml")
    root, items = xspf_tracks(out)
    assert root.tag == f"{{{XSPF_NAMESPACE}}}playlist"
    assert root.get("version") == "1"
    assert root.find(f"{{{XSPF_NAMESPACE}}}title").text == "Jazz & <Blues> #1"
    assert len(items) == len(music)
    ns = {"x": XSPF_NAMESPACE}
    for item, original in zip(items, music):
        uri = item.find("x:location", ns).text
        assert uri.startswith("file:///")
        assert " " not in uri and "#" not in uri and "&" not in uri and "?" not in uri
        assert os.path.samefile(uri_to_path(uri), original)
    first, second = items[0], items[1]
    assert first.find("x:creator", ns) is None and first.find("x:duration", ns) is None
    assert second.find("x:title", ns).text == "Title 1"
    assert second.find("x:creator", ns).text == "Artist 1"
    assert second.find("x:album", ns).text == "Live <at> Café & Bar"
    assert second.find("x:duration", ns).text == "187600"
    children = [child.tag.split("}")[1] for child in second]
    assert children == ["location", "title", "creator", "album", "duration"]


def test_xspf_handles_undecodable_names_and_control_characters(tmp_path, undecodable_file):
    track = candidate(1, undecodable_file, title="bell\x07 and " + os.fsdecode(b"\xe9"))
    out = write_xspf(tmp_path / "bytes.xspf", [track])
    _, items = xspf_tracks(out)
    ns = {"x": XSPF_NAMESPACE}
    uri = items[0].find("x:location", ns).text
    assert os.path.samefile(uri_to_path(uri), undecodable_file)
    assert items[0].find("x:title", ns).text == "bell and \ufffd"


def test_empty_playlists_are_still_valid(tmp_path):
    root, items = xspf_tracks(write_xspf(tmp_path / "empty.xspf", []))
    assert items == [] and root.find(f"{{{XSPF_NAMESPACE}}}trackList") is not None
    assert m3u_entries(write_m3u8(tmp_path / "empty.m3u8", [])) == []


def test_export_picks_the_format_from_the_extension(tmp_path, music):
    tracks = [candidate(1, music[0])]
    assert m3u_entries(export_playlist(tmp_path / "a.M3U8", tracks))
    assert m3u_entries(export_playlist(tmp_path / "a.m3u", tracks))
    assert xspf_tracks(export_playlist(tmp_path / "a.xspf", tracks))[1]
    for bad in ("a.pls", "a.txt", "noextension"):
        with pytest.raises(UnsupportedPlaylistFormat, match="m3u8"):
            export_playlist(tmp_path / bad, tracks)
    assert not (tmp_path / "a.pls").exists()


def test_writing_replaces_atomically_and_leaves_no_temp_files(tmp_path, music, monkeypatch):
    out = tmp_path / "list.m3u8"
    write_m3u8(out, [candidate(1, music[0])])
    write_m3u8(out, [candidate(1, music[0]), candidate(2, music[1])])
    assert len(m3u_entries(out)) == 2
    before = out.read_bytes()

    def fail(*_args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        write_m3u8(out, [candidate(3, music[2])])
    assert out.read_bytes() == before, "a failed write keeps the old playlist intact"
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["list.m3u8"]
