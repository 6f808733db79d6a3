"""One genre vocabulary: how a file's genre tag ("Alt. Rock", "Hip-Hop") maps to a canonical genre.

A tag is looked up by its key (lower case, letters and digits only), first in the user's own
mapping, then in the model's genres and the canonical genres below, then in the default mapping.
A tag none of them knows is "unmapped": it is shown as typed, and listed so the user can map it.

A genre the user types is one genre whatever its case, spacing or punctuation ('Lo-Fi',
' lo fi ', 'LOFI'): `label_key` is what its spellings have in common.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")

# Common spellings and subgenres, by key. Targets are spelled like the bundled model spells its
# genres where it has them ("hiphop"); "electronic" is a genre of its own even for a model that
# does not predict it, so that electronic music is counted in one place.
_DEFAULTS: dict[str, tuple[str, ...]] = {
    "rock": ("altrock", "alternative", "alternativerock", "indie", "indierock", "hardrock",
             "classicrock", "softrock", "punk", "punkrock", "grunge", "electrorock",
             "progressiverock", "progrock", "psychedelicrock", "garagerock", "rockandroll",
             "rocknroll", "poprock", "postrock", "britpop", "emo", "rockabilly"),
    "electronic": ("electronic", "electro", "electronica", "house", "techno", "trance",
                   "edm", "dance", "dubstep", "drumandbass", "drumnbass", "dnb", "ambient",
                   "idm", "electropop", "synthpop", "downtempo", "triphop", "chillout",
                   "electronicdance", "deephouse", "breakbeat"),
    "hiphop": ("hiphop", "rap", "hiphoprap", "trap", "gangstarap", "rapandhiphop"),
    "pop": ("pop", "dancepop", "teenpop", "indiepop", "kpop", "jpop", "europop", "popmusic"),
    "metal": ("metal", "heavymetal", "deathmetal", "blackmetal", "thrashmetal", "numetal",
              "metalcore", "doommetal", "powermetal", "speedmetal", "progressivemetal"),
    "jazz": ("jazz", "smoothjazz", "bebop", "swing", "fusion", "jazzfusion", "acidjazz",
             "bigband", "cooljazz", "freejazz", "latinjazz", "vocaljazz"),
    "blues": ("blues", "deltablues", "chicagoblues", "electricblues", "bluesrock"),
    "classical": ("classical", "baroque", "romantic", "opera", "orchestral",
                  "symphony", "chambermusic", "contemporaryclassical", "classicalmusic"),
    "country": ("country", "bluegrass", "countryandwestern", "americana", "altcountry",
                "countryrock", "honkytonk", "western"),
    "disco": ("disco", "nudisco", "eurodisco"),
    "reggae": ("reggae", "ska", "dub", "dancehall", "rocksteady", "rootsreggae"),
    "rnb": ("rnb", "randb", "rhythmandblues", "soul", "neosoul", "contemporaryrnb"),
}

DEFAULT_MAPPING: dict[str, str] = {key: genre for genre, keys in _DEFAULTS.items() for key in keys}
CANONICAL_GENRES: tuple[str, ...] = tuple(_DEFAULTS)
_NOT_WORD = re.compile(r"[\W_]+")


def genre_key(text: str) -> str:
    """'Alt. Rock' -> 'altrock': what two spellings of one genre have in common."""
    return _NOT_ALNUM.sub("", text.lower())


def label_key(text: str) -> str:
    """'Lo-Fi', ' lo  fi ', 'LOFI' -> 'lofi': what the spellings of one typed genre have in common.
    Like genre_key for ASCII, but letters of any script count ('Música' is not 'Musica'); a name
    of symbols only is its own key."""
    folded = " ".join(text.split()).casefold()
    return _NOT_WORD.sub("", folded) or folded


def tidy(text: str | None) -> str | None:
    """Trim and collapse whitespace; None for nothing."""
    if text is None:
        return None
    cleaned = " ".join(text.split())
    return cleaned or None


def _spelled_like(genre: str, known: Sequence[str]) -> str:
    key = genre_key(genre)
    for name in known:
        if genre_key(name) == key:
            return name
    return genre


def map_genre(
    text: str | None, known: Sequence[str], user_mapping: Mapping[str, str] | None = None,
    typed: bool = False,
) -> tuple[str | None, str]:
    """(canonical genre, where the mapping came from): 'you', 'model', 'default' or 'unmapped'.

    An unmapped genre comes back as typed (tidied), so nothing the user wrote is lost. A
    `typed` genre (the user's correction: "Post-Rock" may be meant apart from rock) follows only
    the user's own mapping and the names of the model's and the canonical genres, never the
    default mapping of subgenres."""
    text = tidy(text)
    if text is None:
        return None, "unmapped"
    key = genre_key(text)
    if user_mapping and key in user_mapping:
        return _spelled_like(user_mapping[key], known), "you"
    for name in known:
        if genre_key(name) == key:
            return name, "model"
    if key in CANONICAL_GENRES:
        return key, "default"
    if key in DEFAULT_MAPPING and not typed:
        return _spelled_like(DEFAULT_MAPPING[key], known), "default"
    return text, "unmapped"


def canonical(
    text: str | None, known: Sequence[str], user_mapping: Mapping[str, str] | None = None,
    typed: bool = False,
) -> str | None:
    """The canonical genre of a tagged or typed genre (see map_genre)."""
    return map_genre(text, known, user_mapping, typed)[0]


def spelled_as(text: str | None, names: Sequence[str]) -> str | None:
    """A typed genre as one of `names` spells it ('lo fi' -> 'Lo-Fi'), as the canonical genre the
    vocabulary knows, or else tidied: how a correction will be stored (library.writes.typed_genre)."""
    genre, origin = map_genre(text, names, typed=True)
    if genre is None or origin != "unmapped":
        return genre
    key = label_key(genre)
    return next((name for name in names if label_key(name) == key), genre)
