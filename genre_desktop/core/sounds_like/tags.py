"""The tagger's tags as a listener reads them: grouped, named plainly, shown above a threshold."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

import numpy as np

from genre_desktop.core.feature_schema import FEATURE_NAMES, TAGGER_TAGS

TAGS_START = len(FEATURE_NAMES)  # a window's features row: 57 audio features, then the 50 tags
TAGS_END = TAGS_START + len(TAGGER_TAGS)


class TagGroup(str, Enum):
    """Stored and compared by value; the value is also the display word."""

    STYLE = "style"
    MOOD = "mood"
    ERA = "era"
    VOICE = "voice & instruments"


_GROUP_OF: dict[str, TagGroup] = {
    **{t: TagGroup.MOOD for t in ("beautiful", "chillout", "Mellow", "chill", "party",
                                  "easy listening", "sexy", "catchy", "sad", "happy")},
    **{t: TagGroup.ERA for t in ("60s", "70s", "80s", "90s", "00s", "oldies")},
    **{t: TagGroup.VOICE for t in ("female vocalists", "female vocalist", "male vocalists",
                                   "instrumental", "acoustic", "guitar")},
}
# "female vocalist" is the same tag as "female vocalists" spelled another way: one is shown.
_SAME_AS = {"female vocalist": "female vocalists"}
PER_GROUP = 3  # tags shown per group in the Track panel (and written into a file's fields)
# The groups written into files (optionally), by the name of the file's field.
FILE_FIELDS: dict[str, TagGroup] = {"mood": TagGroup.MOOD, "style": TagGroup.STYLE}
_FILE_NAMES = {"rnb": "R&B", "Hip-Hop": "Hip-Hop"}


def group_of(tag: str) -> TagGroup:
    return _GROUP_OF.get(tag, TagGroup.STYLE)


def display_name(tag: str) -> str:
    """'Hip-Hop' -> 'hip-hop', 'female vocalist' -> 'female vocalists'."""
    return _SAME_AS.get(tag, tag).lower()


def search_key(tag: str) -> str:
    """One word for a search box or a command line: 'female vocalists' -> 'female-vocalists'."""
    return display_name(tag).replace(" ", "-")


def name_of_key(key: str) -> str:
    """'female-vocalists' -> 'female vocalists' (a stored search key back to its display name)."""
    tag = find_tag(key)
    return display_name(tag) if tag else key


def find_tag(text: str) -> str | None:
    """The tagger's tag a user means by ``text`` ('chill', 'Hip hop', 'female-vocalists'),
    or None."""
    wanted = text.strip().lower().replace(" ", "-").replace("_", "-")
    for tag in TAGGER_TAGS:
        own = tag.lower().replace(" ", "-")  # 'female vocalist' itself, before the alias
        if wanted in (search_key(tag), search_key(tag).replace("-", ""), own):
            return _SAME_AS.get(tag, tag)
    return None


def showable_tags(thresholds: dict[str, float]) -> list[str]:
    """The tags that can be shown at all (a threshold of 1 or more never is), each once, by group
    in TagGroup's order, then by name: what a tag rule can ask for."""
    tags = {_SAME_AS.get(tag, tag) for tag, threshold in thresholds.items() if threshold < 1.0}
    groups = list(TagGroup)
    return sorted(tags, key=lambda tag: (groups.index(group_of(tag)), display_name(tag)))


@dataclass(frozen=True)
class ShownTag:
    tag: str  # the tagger's own name (TAGGER_TAGS)
    group: TagGroup
    probability: float
    threshold: float

    @property
    def name(self) -> str:
        return display_name(self.tag)

    @property
    def key(self) -> str:
        return search_key(self.tag)

    @property
    def strength(self) -> float:
        """How far the probability clears the threshold (1 = just at it)."""
        return self.probability / self.threshold if self.threshold > 0 else self.probability


def track_tags(window_features: np.ndarray) -> np.ndarray:
    """(50,) a track's tag probabilities: the mean over its windows' stored tag columns."""
    rows = np.atleast_2d(np.asarray(window_features, dtype=np.float64))
    if rows.shape[1] < TAGS_END:
        raise ValueError(f"window features have {rows.shape[1]} columns; tags need {TAGS_END}")
    return rows[:, TAGS_START:TAGS_END].mean(axis=0)


def shown_tags(probabilities: np.ndarray, thresholds: dict[str, float],
               per_group: int | None = PER_GROUP) -> list[ShownTag]:
    """The tags at or above their threshold, strongest first (by how far they clear it), at most
    ``per_group`` per group (None: all). Aliases count once, with the higher probability."""
    best: dict[str, ShownTag] = {}
    for tag, p in zip(TAGGER_TAGS, np.asarray(probabilities, dtype=np.float64)):
        threshold = thresholds.get(tag)
        if threshold is None or p < threshold:
            continue
        key = _SAME_AS.get(tag, tag)
        shown = ShownTag(key, group_of(key), float(p), float(threshold))
        if key not in best or _strength(shown) > _strength(best[key]):
            best[key] = shown
    ordered = sorted(best.values(), key=_strength, reverse=True)
    if per_group is None:
        return ordered
    counts: dict[TagGroup, int] = {}
    kept = []
    for shown in ordered:
        counts[shown.group] = counts.get(shown.group, 0) + 1
        if counts[shown.group] <= per_group:
            kept.append(shown)
    return kept


def _strength(shown: ShownTag) -> float:
    return shown.strength


def thresholds_version(thresholds: dict[str, float]) -> str:
    """Changes whenever a threshold does: stored tags made with other thresholds are redone."""
    import hashlib

    text = ";".join(f"{tag}={thresholds[tag]!r}" for tag in sorted(thresholds))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def tag_summary(tags: list[ShownTag]) -> str:
    """'chill, mellow, 80s' for a table cell."""
    return ", ".join(t.name for t in tags)


def file_name(tag: str) -> str:
    """How a tag is written into a file's mood or style field, capitalised as players list
    styles: 'easy listening' -> 'Easy Listening', 'Hip-Hop', 'rnb' -> 'R&B'."""
    tag = _SAME_AS.get(tag, tag)
    return _FILE_NAMES.get(tag) or " ".join(word[:1].upper() + word[1:] for word in tag.lower().split())


def file_fields(tags: Iterable[str]) -> dict[str, list[str]]:
    """{"mood": [...], "style": [...]}: the file values of these tagger tags (given strongest
    first), at most PER_GROUP a field, as the Track panel shows them; a field with none is left out."""
    fields: dict[str, list[str]] = {field: [] for field in FILE_FIELDS}
    for tag in tags:
        for field, group in FILE_FIELDS.items():
            values = fields[field]
            if group_of(tag) == group and len(values) < PER_GROUP and file_name(tag) not in values:
                values.append(file_name(tag))
    return {field: values for field, values in fields.items() if values}
