"""One genre vocabulary: how a file's genre tag ("Alt. Rock", "Hip-Hop") maps to a canonical genre.

A tag is looked up by its key (lower case, letters and digits only), first in the user's own
mapping, then in the model's genres, then in the default mapping below. A tag none of them knows
is "unmapped": it is shown as typed, and listed so the user can map it.
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


def genre_key(text: str) -> str:
    """'Alt. Rock' -> 'altrock': what two spellings of one genre have in common."""
    return _NOT_ALNUM.sub("", text.lower())


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
    the model's spelling and the user's own mapping, never the defaults."""
    text = tidy(text)
    if text is None:
        return None, "unmapped"
    key = genre_key(text)
    if user_mapping and key in user_mapping:
        return _spelled_like(user_mapping[key], known), "you"
    for name in known:
        if genre_key(name) == key:
            return name, "model"
    if key in DEFAULT_MAPPING and not typed:
        return _spelled_like(DEFAULT_MAPPING[key], known), "default"
    return text, "unmapped"


def canonical(
    text: str | None, known: Sequence[str], user_mapping: Mapping[str, str] | None = None,
    typed: bool = False,
) -> str | None:
    """The canonical genre of a tagged or typed genre (see map_genre)."""
    return map_genre(text, known, user_mapping, typed)[0]
