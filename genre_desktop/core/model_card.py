"""The model card: what a model file is, how it was made and measured, and how to trust it.

Light on purpose (stdlib only): the app reads the card before it loads anything heavy, and the
sha256 in it is checked before the model file is unpickled, because unpickling runs code.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

MODEL_FILE = "genre_stack.joblib"
CARD_FILE = "model_card.json"
CARD_FORMAT = 1


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def model_version(sha256: str) -> str:
    """A short id that changes whenever the model file does (predictions record it)."""
    return f"genre-stack-{sha256[:12]}"


def read_card(model_dir: Path) -> dict[str, Any]:
    """The parsed card; raises OSError/ValueError (the classifier turns them into ModelError)."""
    with open(Path(model_dir) / CARD_FILE, encoding="utf-8") as handle:
        card = json.load(handle)
    if not isinstance(card, dict):
        raise ValueError("the model card is not a JSON object")
    return card


def write_card(model_dir: Path, card: dict[str, Any]) -> Path:
    path = Path(model_dir) / CARD_FILE
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(card, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path
