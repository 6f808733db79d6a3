"""The bundled model's card (models/model_card.json), read as plain JSON.

The window needs only the genres, the version and the recommended threshold at start-up; the
classifier itself is loaded by the scanner's worker processes, never on the GUI thread.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

GTZAN_GENRES = ("blues", "classical", "country", "disco", "hiphop", "jazz", "metal", "pop", "reggae", "rock")


@dataclass
class ModelCardInfo:
    model_dir: Path
    card: dict[str, Any] = field(default_factory=dict)
    error: str | None = None

    @classmethod
    def load(cls, model_dir: Path) -> "ModelCardInfo":
        path = Path(model_dir) / "model_card.json"
        try:
            card = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls(Path(model_dir), {}, f"No model card at {path}")
        except (OSError, ValueError) as exc:
            log.warning("Model card %s unreadable: %s", path, exc)
            return cls(Path(model_dir), {}, f"The model card {path} is unreadable: {exc}")
        return cls(Path(model_dir), card if isinstance(card, dict) else {}, None)

    @property
    def genres(self) -> list[str]:
        """The stack's genres, then the one the electronic rule adds."""
        genres = self.card.get("genres")
        known = list(genres) if isinstance(genres, list) and genres else list(GTZAN_GENRES)
        rule = self.card.get("electronic_rule")
        if isinstance(rule, dict) and isinstance(rule.get("genre"), str) and rule["genre"] not in known:
            known.append(rule["genre"])
        return known

    @property
    def version(self) -> str:
        return str(self.card.get("version") or self.card.get("model_version") or "unknown")

    @property
    def recommended_threshold(self) -> float | None:
        value = self.find("recommended_threshold")
        if isinstance(value, dict):
            value = value.get("value", value.get("threshold"))
        return float(value) if isinstance(value, (int, float)) else None

    def metric(self, *keys: str) -> Any:
        """A headline number: the card's "summary" block first, then anywhere in the card."""
        summary = self.card.get("summary")
        if isinstance(summary, dict):
            for key in keys:
                if summary.get(key) is not None:
                    return summary[key]
        return self.find(*keys)

    def find(self, *keys: str) -> Any:
        """The first value stored under any of these keys, searched breadth-first."""
        queue: list[Any] = [self.card]
        while queue:
            node = queue.pop(0)
            if isinstance(node, dict):
                for key in keys:
                    if key in node:
                        return node[key]
                queue.extend(v for v in node.values() if isinstance(v, (dict, list)))
            elif isinstance(node, list):
                queue.extend(v for v in node if isinstance(v, (dict, list)))
        return None

    def images(self) -> list[Path]:
        return sorted(self.model_dir.glob("*.png"))

    def confusion_matrix_image(self) -> Path | None:
        named = self.metric("confusion_matrix_png", "confusion_matrix_image")
        if isinstance(named, str) and (self.model_dir / named).is_file():
            return self.model_dir / named
        for image in self.images():
            if "confusion" in image.name.lower():
                return image
        images = self.images()
        return images[0] if images else None
