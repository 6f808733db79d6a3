"""Tooltips of the library table: why a genre is shown, and what else it might be."""

from __future__ import annotations

from typing import Any, Callable


def top_genres(probabilities: dict[str, float], n: int = 3) -> list[tuple[str, float]]:
    return sorted(probabilities.items(), key=lambda kv: kv[1], reverse=True)[:n]


def track_tooltip(row: Any, key: str, top_candidates: Callable[[], list[tuple[str, float]]]) -> str | None:
    """The tooltip of one cell; top_candidates is only called for uncertain genres."""
    if key == "genre":
        if row.genre_source == "you":
            return f"{row.genre}: set by you (corrections always win)"
        if row.uncertain:
            conf = f"{row.confidence:.0%}" if row.confidence is not None else "unknown"
            lines = [f"Uncertain: the model is only {conf} sure. Top candidates:"]
            lines += [f"  {genre}  {p:.0%}" for genre, p in top_candidates()]
            lines.append("Set the genre yourself if you know it (Ctrl+G).")
            return "\n".join(lines)
        if row.genre_source == "file tag":
            return f"{row.genre}: from the file's genre tag (the model was unsure)"
        return f"{row.genre}: predicted by the model"
    if key == "title":
        path = getattr(row, "display_path", row.path)
        return path if row.status != "missing" else f"{path}\n(file missing)"
    return None
