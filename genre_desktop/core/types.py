"""Plain domain types shared by every layer."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Window:
    """A stretch of a track, in seconds from its start."""

    start: float
    end: float

    @property
    def duration(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class WindowPrediction:
    window: Window
    genre: str
    probabilities: dict[str, float]


@dataclass(frozen=True)
class TrackPrediction:
    """A track's genre distribution, aggregated over its analysed windows."""

    genre: str
    confidence: float
    probabilities: dict[str, float]
    windows: list[WindowPrediction] = field(default_factory=list)
    uncertain: bool = False
    model_version: str = ""
    decided_by: str = "model"  # a core.model.sources.DecidedBy value

    def top(self, n: int = 3) -> list[tuple[str, float]]:
        ranked = sorted(self.probabilities.items(), key=lambda kv: kv[1], reverse=True)
        return ranked[:n]
