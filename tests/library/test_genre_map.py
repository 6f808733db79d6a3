"""One genre vocabulary: tag genres count as canonical genres, and the user's mapping wins."""

from __future__ import annotations

import pytest

from genre_desktop.core.genre_vocabulary import map_genre, spelled_as
from genre_desktop.library.genre_map import restore_mapping, set_mapping, tag_genres
from genre_desktop.library.repository import UNCERTAIN, LibraryReader, set_labels
from genre_desktop.library.writes import refresh_derived, set_model_info
from tests.library.conftest import GENRES

TAGS = ("Alt. Rock", "Alternative Rock", "Electro Rock", "Electronic", "Hip-Hop", "Rap",
        "Chillwave Nonsense")


@pytest.fixture
def lib(writer, reader_conn, synthetic):
    def build(conn):
        synthetic(conn, 70)
        # Every track's model is unsure (10%), so each shows its file tag.
        conn.execute("UPDATE predictions SET confidence = 0.1")
        for track_id in range(1, 71):
            conn.execute("UPDATE tracks SET tag_genre = ? WHERE id = ?", (TAGS[track_id % len(TAGS)], track_id))
        refresh_derived(conn)
        set_model_info(conn, "m1", GENRES, 0.5)

    writer.call(build)
    return writer, LibraryReader(reader_conn)


def test_default_mapping_folds_spellings_and_subgenres():
    assert map_genre("Alt. Rock", GENRES) == ("rock", "default")
    assert map_genre("Hip-Hop", GENRES) == ("hiphop", "model")
    assert map_genre("rap", GENRES) == ("hiphop", "default")
    assert map_genre("Electronica", GENRES) == ("electronic", "default")
    assert map_genre("House", [*GENRES, "electronic"]) == ("electronic", "default")
    assert map_genre(" Chillwave  Nonsense ", GENRES) == ("Chillwave Nonsense", "unmapped")
    assert map_genre("Alt. Rock", GENRES, {"altrock": "metal"}) == ("metal", "you")


def test_counts_are_of_canonical_genres_and_unmapped_tags_are_listed(lib):
    writer, reader = lib
    counts = reader.genre_counts()
    assert counts["rock"] == 30  # Alt. Rock, Alternative Rock and Electro Rock are one genre
    assert counts["hiphop"] == 20
    assert counts["electronic"] == 10
    assert not {"Alt. Rock", "Alternative Rock", "Electronic", "Hip-Hop"} & set(counts)
    assert counts[UNCERTAIN] == 70
    listed = writer.call(tag_genres)
    assert sum(t.tracks for t in listed) == 70
    assert [t.tag for t in listed if t.unmapped] == ["Chillwave Nonsense"]
    row = reader.row(6)  # tagged "Chillwave Nonsense": the raw tag stays on the row
    assert row.tag_genre == "Chillwave Nonsense" and row.genre == "Chillwave Nonsense"


def test_user_mapping_recounts_and_undoes(lib):
    writer, reader = lib
    previous = writer.call(lambda c: set_mapping(c, ["Chillwave Nonsense", "electro rock"], "electronic"))
    assert previous == {"chillwavenonsense": None, "electrorock": None}
    counts = reader.genre_counts()
    assert (counts["electronic"], counts["rock"]) == (30, 20)
    assert "Chillwave Nonsense" not in counts
    assert not any(t.unmapped for t in writer.call(tag_genres))
    writer.call(lambda c: restore_mapping(c, previous))
    counts = reader.genre_counts()
    assert (counts["electronic"], counts["rock"], counts["Chillwave Nonsense"]) == (10, 30, 10)


def test_typed_corrections_follow_only_the_users_mapping(lib):
    writer, reader = lib
    writer.call(lambda c: set_labels(c, [1], "Post-Rock"))
    assert reader.row(1).genre == "Post-Rock"  # meant apart from rock: kept as typed
    writer.call(lambda c: set_mapping(c, ["Alternative Rock"], "metal"))
    writer.call(lambda c: set_labels(c, [2], "alternative rock"))
    assert (reader.row(1).genre, reader.row(2).genre) == ("Post-Rock", "metal")


def test_a_typed_genre_is_one_genre_in_any_spelling(lib):
    writer, reader = lib
    for track_id, typed in ((1, " Lo-Fi "), (2, "lo  fi"), (3, "LOFI"), (4, "Música"), (5, "MÚSICA"),
                            (7, "Electronic"), (8, "Hip Hop"), (9, "musica")):
        writer.call(lambda c, t=track_id, g=typed: set_labels(c, [t], g))
    shown = {track_id: reader.row(track_id).genre for track_id in (1, 2, 3, 4, 5, 7, 8, 9)}
    assert shown == {1: "Lo-Fi", 2: "Lo-Fi", 3: "Lo-Fi", 4: "Música", 5: "Música",
                     7: "electronic", 8: "hiphop", 9: "musica"}  # an accent makes another word
    # A mapping typed in another spelling counts its tag as the same genre.
    writer.call(lambda c: set_mapping(c, ["Chillwave Nonsense"], "lofi"))
    assert reader.row(6).genre == "Lo-Fi" and reader.genre_counts()["Lo-Fi"] == 3 + 10
    # The window spells a typed genre as the genres on show before it stores it.
    assert spelled_as("  lo FI ", [*GENRES, "Lo-Fi"]) == "Lo-Fi"
    assert spelled_as("Hip Hop", GENRES) == "hiphop" and spelled_as("ELECTRONIC", GENRES) == "electronic"
    assert spelled_as("Shoe  gaze", GENRES) == "Shoe gaze" and spelled_as("   ", GENRES) is None
