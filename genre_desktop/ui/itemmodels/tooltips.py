"""Tooltips of the library table: why a genre is shown, and what else it might be."""

from __future__ import annotations

from typing import Any, Callable

from genre_desktop.core.genre_vocabulary import genre_key

PERSONAL_SOURCE = "personal model"

SOURCE_TIPS: dict[str, str] = {
    "you": "You set this genre. Your corrections always win.",
    "model": "The bundled model decided (trained on the GTZAN clips).",
    PERSONAL_SOURCE: "Your model decided: it learned from your corrections "
                     "(Model → Learn from my corrections).",
    "file tag": "The file's own genre tag (as its canonical genre), shown because the model was "
                "unsure. The model's best guess is in the Genre and Confidence tooltips and "
                "the Track panel.",
}


def top_genres(probabilities: dict[str, float], n: int = 3) -> list[tuple[str, float]]:
    return sorted(probabilities.items(), key=lambda kv: kv[1], reverse=True)[:n]


def model_name(source: str | None) -> str:
    """Who made the prediction, in the words the window uses."""
    return "your model" if source == PERSONAL_SOURCE else "the model"


def tag_origin(row: Any) -> str:
    """'rock, from the file's genre tag "Alt. Rock"' (the raw tag only when it differs)."""
    raw = (row.tag_genre or "").strip()
    said = f' "{raw}"' if raw and genre_key(raw) != genre_key(row.genre or "") else ""
    return f"{row.genre}: from the file's genre tag{said}"


def models_guess(row: Any, candidates: list[tuple[str, float]]) -> str:
    """The unsure model's own best guess, which is not the tag genre shown."""
    if not candidates:
        return f"{model_name(row.genre_source).capitalize()} was unsure."
    genre, p = candidates[0]
    return f"The model was unsure: its best guess is {genre} at {p:.0%}."


def track_tooltip(row: Any, key: str, top_candidates: Callable[[], list[tuple[str, float]]]) -> str | None:
    """The tooltip of one cell; top_candidates is only called for uncertain genres."""
    if row.genre_source == "file tag" and key in ("genre", "confidence"):
        return f"{tag_origin(row)}\n{models_guess(row, top_candidates())}"
    if key == "genre":
        if row.genre_source == "you":
            return f"{row.genre}: set by you (corrections always win)"
        if row.uncertain:
            conf = f"{row.confidence:.0%}" if row.confidence is not None else "unknown"
            lines = [f"Uncertain: {model_name(row.genre_source)} is only {conf} sure. Top candidates:"]
            lines += [f"  {genre}  {p:.0%}" for genre, p in top_candidates()]
            lines.append("Set the genre yourself if you know it (Ctrl+G).")
            return "\n".join(lines)
        if row.genre_source == PERSONAL_SOURCE:
            return f"{row.genre}: predicted by your model, which learned from your corrections"
        return f"{row.genre}: predicted by the model"
    if key == "source":
        return SOURCE_TIPS.get(row.genre_source or "", "Not analysed yet")
    if key == "title":
        path = getattr(row, "display_path", row.path)
        return path if row.status != "missing" else f"{path}\n(file missing)"
    return None
