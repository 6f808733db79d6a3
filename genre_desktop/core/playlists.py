"""Genre playlists: which tracks go in (rules) and in what order.

Pure Python and numpy so the CLI, the GUI and tests share one engine. Export to M3U8/XSPF lives
in core/playlist_export.py and is re-exported here.

Decisions, so the results are predictable:
- Genre matching uses the track's effective genre (a user's label, which may be a custom genre,
  wins over the model) and ignores case and surrounding spaces. An empty genre list matches all.
- A confidence of None means no model score applies (the track carries a user's label), so it
  always passes `min_confidence` and ranks as 1.0.
- Which tracks are kept when a limit bites: 'confidence' and 'smooth' keep the most confident
  ones; 'shuffle' keeps a seeded random pick, so each seed gives a different mix.
- `per_artist` compares artists ignoring case; tracks without an artist are each their own group
  (untagged tracks are rarely all by one artist, so capping them together would drop them unfairly).
- `max_minutes` is never exceeded: a track that would overflow is skipped and shorter ones after
  it may still fill the time. Tracks of unknown length are skipped when `max_minutes` is set.
- `tags` and `without_tags` are Sounds-like tags ("jazz, mellow, no vocals" = genre jazz, tags
  mellow and instrumental): a track must show every tag of `tags` and none of `without_tags`. A
  track not analysed by the tagger matches no tag rule.
- "No vocals" is the tag rule `instrumental`: on GTZAN's clips it keeps 99% of classical and
  at most 6% of any sung genre, whereas leaving out female and male vocalists still keeps 93% of
  hip-hop (the tagger names a voice on few of the tracks that have one).
- 'smooth' measures nearness by the tagger's embedding (as More like this does) when every track
  has one, else by the standardized features.
"""

from __future__ import annotations

import math
import random
from dataclasses import asdict, dataclass, field, fields
from typing import Iterable, Sequence

import numpy as np

from genre_desktop.core.playlist_export import (  # noqa: F401  (public API of this module)
    SUPPORTED_EXTENSIONS,
    UnsupportedPlaylistFormat,
    export_playlist,
    write_m3u8,
    write_xspf,
)
from genre_desktop.core.sounds_like.tag_thresholds import THRESHOLDS
from genre_desktop.core.sounds_like.tags import (TAGS_END, TAGS_START, ShownTag, find_tag, name_of_key, search_key,
                                                  shown_tags)

ORDERS = ("confidence", "shuffle", "smooth")
NO_VOCALS = "instrumental"  # the tag rule that means "no vocals" (see above)


@dataclass(frozen=True)
class PlaylistCandidate:
    track_id: int
    path: str
    title: str | None
    artist: str | None
    album: str | None
    duration: float | None  # seconds
    genre: str | None  # effective genre
    confidence: float | None  # None: the genre comes from the user, not the model
    # Mean feature vector of the analysed windows; excluded from ==/hash (arrays do not compare).
    features: np.ndarray | None = field(default=None, compare=False, repr=False)
    embedding: np.ndarray | None = field(default=None, compare=False, repr=False)  # the tagger's

    @property
    def rank_confidence(self) -> float:
        return 1.0 if self.confidence is None else float(self.confidence)

    def sound_tags(self) -> set[str] | None:
        """Search keys of the Sounds-like tags it shows; None when the tagger did not analyse it."""
        shown = self.shown_sound_tags()
        return None if shown is None else {t.key for t in shown}

    def shown_sound_tags(self) -> list[ShownTag] | None:
        """Every Sounds-like tag it shows, strongest first; None when the tagger did not analyse it."""
        f = self.features
        if f is None or np.ndim(f) != 1 or len(f) != TAGS_END:
            return None
        return shown_tags(f[TAGS_START:TAGS_END], THRESHOLDS, per_group=None)


@dataclass
class PlaylistRules:
    genres: list[str]
    min_confidence: float = 0.0
    max_tracks: int | None = None
    max_minutes: float | None = None
    order: str = "confidence"
    per_artist: int | None = None
    seed: int | None = None
    tags: list[str] = field(default_factory=list)
    without_tags: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if isinstance(self.genres, str):
            self.genres = [self.genres]
        self.genres = [g.strip() for g in self.genres if g and g.strip()]
        self.tags, self.without_tags = _tag_keys(self.tags), _tag_keys(self.without_tags)
        if self.order not in ORDERS:
            raise ValueError(f"order must be one of {', '.join(ORDERS)}, not {self.order!r}")
        if not 0.0 <= self.min_confidence <= 1.0:
            raise ValueError(f"min_confidence must be between 0 and 1, not {self.min_confidence}")
        for name in ("max_tracks", "per_artist"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ValueError(f"{name} must be at least 1, not {value}")
        if self.max_minutes is not None and self.max_minutes <= 0:
            raise ValueError(f"max_minutes must be positive, not {self.max_minutes}")

    def to_dict(self) -> dict:
        """JSON-ready form, stored with a saved playlist."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "PlaylistRules":
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def suggested_name(rules: PlaylistRules) -> str:
    """The rules in words, as a playlist name: 'jazz · easy listening · no vocals'."""
    parts = []
    if rules.genres:
        parts.append(" + ".join(rules.genres[:3]) + (" …" if len(rules.genres) > 3 else ""))
    parts += ["no vocals" if key == NO_VOCALS else name_of_key(key) for key in rules.tags]
    if rules.without_tags:
        parts.append("no " + ", ".join(name_of_key(key) for key in rules.without_tags))
    return " · ".join(parts) or "All genres"


def build_playlist(
    candidates: Iterable[PlaylistCandidate], rules: PlaylistRules
) -> list[PlaylistCandidate]:
    """Filter, cap and order candidates according to the rules."""
    # Sorting by id first makes the result independent of the order the query returned.
    wanted = {g.casefold() for g in rules.genres}
    matching = sorted(
        (c for c in candidates if _matches(c, wanted, rules.min_confidence) and _tags_match(c, rules)),
        key=lambda c: c.track_id,
    )
    if rules.order == "shuffle":
        random.Random(rules.seed).shuffle(matching)
        return _apply_limits(matching, rules)
    chosen = _apply_limits(sorted(matching, key=_confidence_key), rules)
    if rules.order == "smooth":
        return smooth_order(chosen)
    return chosen


def total_seconds(tracks: Sequence[PlaylistCandidate]) -> float:
    return float(sum(t.duration or 0.0 for t in tracks))


def _matches(candidate: PlaylistCandidate, wanted: set[str], min_confidence: float) -> bool:
    """wanted: casefolded genres; empty matches any genre."""
    if wanted and (candidate.genre or "").strip().casefold() not in wanted:
        return False
    return candidate.confidence is None or candidate.confidence >= min_confidence


def _tag_keys(names: Iterable[str] | str) -> list[str]:
    keys = []
    for name in [names] if isinstance(names, str) else names:
        tag = find_tag(name)
        if tag is None:
            raise ValueError(f"{name!r} is not a Sounds-like tag")
        keys.append(search_key(tag))
    return keys


def _tags_match(candidate: PlaylistCandidate, rules: PlaylistRules) -> bool:
    if not rules.tags and not rules.without_tags:
        return True
    shown = candidate.sound_tags()
    return shown is not None and set(rules.tags) <= shown and not shown & set(rules.without_tags)


def _confidence_key(candidate: PlaylistCandidate) -> tuple[float, int]:
    # Ties (e.g. every user-labelled track at 1.0) fall back to the id: stable across runs.
    return (-candidate.rank_confidence, candidate.track_id)


def _artist_group(candidate: PlaylistCandidate) -> str | int:
    artist = (candidate.artist or "").strip().casefold()
    return artist if artist else candidate.track_id  # unknown artist: a group of one


def _apply_limits(
    ranked: Sequence[PlaylistCandidate], rules: PlaylistRules
) -> list[PlaylistCandidate]:
    """Walk the ranked list, keeping tracks while every cap still holds."""
    budget = None if rules.max_minutes is None else rules.max_minutes * 60.0
    used = 0.0
    per_artist: dict[str | int, int] = {}
    kept: list[PlaylistCandidate] = []
    for candidate in ranked:
        if rules.max_tracks is not None and len(kept) >= rules.max_tracks:
            break
        if budget is not None:
            if candidate.duration is None or candidate.duration <= 0:
                continue
            if used + candidate.duration > budget + 1e-9:
                continue
        group = _artist_group(candidate)
        if rules.per_artist is not None and per_artist.get(group, 0) >= rules.per_artist:
            continue
        per_artist[group] = per_artist.get(group, 0) + 1
        used += candidate.duration or 0.0
        kept.append(candidate)
    return kept


# --- smooth order -------------------------------------------------------------------------------

_NEIGHBOURS = 12  # nearest neighbours kept per track; the chain and 2-opt only look at these
_TWO_OPT_MAX_PASSES = 8  # a fixed count, not a time budget, so the order is reproducible


def smooth_order(tracks: Sequence[PlaylistCandidate]) -> list[PlaylistCandidate]:
    """Order tracks so that neighbours sound alike (close in standardized feature space).

    Starts at the first track (the most confident, given a confidence-ranked input), follows a
    greedy nearest-neighbour chain, then 2-opt passes undo the chain's long jumps. Both steps use
    k-nearest-neighbour lists, so 5,000 tracks take well under a second. Tracks without usable
    features keep their order at the end.
    """
    usable, rest = _split_by_features(tracks)
    if len(usable) < 3:
        return [tracks[i] for i in usable] + [tracks[i] for i in rest]
    if all(tracks[i].embedding is not None for i in usable):
        # unit vectors: Euclidean distance grows with the cosine distance More like this uses
        embedded = np.stack([tracks[i].embedding for i in usable]).astype(np.float64)
        points = embedded / np.maximum(np.linalg.norm(embedded, axis=1, keepdims=True), 1e-12)
    else:
        points = standardize(np.stack([tracks[i].features for i in usable]).astype(np.float64))
    neighbours = _nearest_neighbours(points, min(_NEIGHBOURS, len(points) - 1))
    path = _nearest_neighbour_chain(points, neighbours)
    path = _two_opt(points, path, neighbours)
    return [tracks[usable[i]] for i in path] + [tracks[i] for i in rest]


def standardize(points: np.ndarray) -> np.ndarray:
    """Z-score each column; constant columns become 0 so they do not count."""
    mean = points.mean(axis=0)
    std = points.std(axis=0)
    std[std == 0] = 1.0
    return (points - mean) / std


def path_length(points: np.ndarray, path: Sequence[int]) -> float:
    """Sum of distances between consecutive points along path."""
    ordered = points[np.asarray(path, dtype=np.intp)]
    return float(np.linalg.norm(np.diff(ordered, axis=0), axis=1).sum())


def _split_by_features(tracks: Sequence[PlaylistCandidate]) -> tuple[list[int], list[int]]:
    lengths = [
        np.shape(t.features)[0] for t in tracks if t.features is not None and np.ndim(t.features) == 1
    ]
    if not lengths:
        return [], list(range(len(tracks)))
    size = max(set(lengths), key=lengths.count)  # a different recipe's vector cannot be compared
    usable, rest = [], []
    for i, track in enumerate(tracks):
        f = track.features
        ok = f is not None and np.ndim(f) == 1 and len(f) == size and bool(np.isfinite(f).all())
        (usable if ok else rest).append(i)
    return usable, rest


def _squared_distances(block: np.ndarray, points: np.ndarray, sq_norms: np.ndarray) -> np.ndarray:
    block_sq = np.einsum("ij,ij->i", block, block)
    return np.maximum(block_sq[:, None] + sq_norms[None, :] - 2.0 * (block @ points.T), 0.0)


def _nearest_neighbours(points: np.ndarray, k: int, block: int = 1024) -> list[list[int]]:
    """For each point, the k nearest other points, nearest first.

    float32, and without each row's own constant |x|^2 term: only the ranking matters here,
    and this is the one O(n^2) step.
    """
    points32 = points.astype(np.float32)
    sq_norms = np.einsum("ij,ij->i", points32, points32)
    result: list[list[int]] = []
    for start in range(0, len(points), block):
        scores = sq_norms[None, :] - 2.0 * (points32[start : start + block] @ points32.T)
        rows = np.arange(scores.shape[0])
        scores[rows, rows + start] = np.inf  # not its own neighbour
        nearest = np.argpartition(scores, k - 1, axis=1)[:, :k]
        ranked = np.take_along_axis(scores, nearest, axis=1).argsort(axis=1, kind="stable")
        result.extend(np.take_along_axis(nearest, ranked, axis=1).tolist())
    return result


def _nearest_neighbour_chain(points: np.ndarray, neighbours: list[list[int]]) -> list[int]:
    n = len(points)
    sq_norms = np.einsum("ij,ij->i", points, points)
    visited = np.zeros(n, dtype=bool)
    remaining = np.arange(n)
    path = [0]
    visited[0] = True
    current = 0
    for _ in range(n - 1):
        # The first unvisited entry of a sorted neighbour list is the nearest unvisited point.
        nxt = next((c for c in neighbours[current] if not visited[c]), -1)
        if nxt < 0:  # all k neighbours used up: scan what is left
            remaining = remaining[~visited[remaining]]
            d2 = _squared_distances(points[current : current + 1], points[remaining], sq_norms[remaining])
            nxt = int(remaining[int(np.argmin(d2[0]))])
        visited[nxt] = True
        path.append(nxt)
        current = nxt
    return path


def _two_opt(points: np.ndarray, path: list[int], neighbours: list[list[int]]) -> list[int]:
    """Open-path 2-opt, first point fixed, trying only new edges to near neighbours.

    Reversing the stretch between edges (a,b) and (c,d) replaces them with (a,c) and (b,d); at
    the path's end there is no d, so only (a,b) is swapped for (a,c).
    """
    rows = points.tolist()  # math.dist on lists beats numpy for single pairs
    order = list(path)
    n = len(order)
    position = [0] * n
    for index, point in enumerate(order):
        position[point] = index
    for _ in range(_TWO_OPT_MAX_PASSES):
        improved = False
        for i in range(n - 1):
            a, b = order[i], order[i + 1]
            ab = math.dist(rows[a], rows[b])
            for c in neighbours[a]:
                ac = math.dist(rows[a], rows[c])
                if ac >= ab:
                    break  # neighbours are sorted: no later one can shorten this edge
                j = position[c]
                if j > i:  # reverse i+1..j: edges (a,b),(c,d) -> (a,c),(b,d)
                    d = order[j + 1] if j + 1 < n else None
                    old = ab + (math.dist(rows[c], rows[d]) if d is not None else 0.0)
                    new = ac + (math.dist(rows[b], rows[d]) if d is not None else 0.0)
                    lo, hi = i + 1, j
                else:  # c sits before a: reverse j+1..i: edges (c,e),(a,b) -> (c,a),(e,b)
                    e = order[j + 1]
                    old = ab + math.dist(rows[c], rows[e])
                    new = ac + math.dist(rows[e], rows[b])
                    lo, hi = j + 1, i
                if old - new > 1e-9:
                    order[lo : hi + 1] = order[lo : hi + 1][::-1]
                    for index in range(lo, hi + 1):
                        position[order[index]] = index
                    improved = True
                    break
        if not improved:
            break
    return order
