"""The bundled model folder's checks, before anything in it is loaded: the card must fit this
version (scikit-learn, feature recipe, tagger) and every file must match its sha256.

Standard library only, so that a scan can ask whether the model is usable without paying for
numpy, scikit-learn or ONNX Runtime in its own process.
"""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path
from typing import Any

from genre_desktop.core import model_card
from genre_desktop.core.feature_schema import MODEL_FEATURE_NAMES, MODEL_RECIPE_VERSION
from genre_desktop.core.model.errors import ModelError


def read_verified_card(model_dir: Path) -> dict[str, Any]:
    try:
        card = model_card.read_card(model_dir)
    except FileNotFoundError:
        raise ModelError(f"no model card in {model_dir} (expected {model_card.CARD_FILE})") from None
    except (OSError, ValueError) as exc:
        raise ModelError(f"the model card in {model_dir} is unreadable: {exc}") from None
    for key in ("sha256", "genres", "feature_names", "sklearn_version"):
        if key not in card:
            raise ModelError(f"the model card in {model_dir} lacks '{key}'")
    installed = version("scikit-learn")  # without importing it: a scan checks before its workers load
    if card["sklearn_version"] != installed:
        raise ModelError(
            f"the model in {model_dir} was made with scikit-learn {card['sklearn_version']} but "
            f"{installed} is installed; install scikit-learn=={card['sklearn_version']} "
            "or retrain with `genre-desktop train`"
        )
    if tuple(card["feature_names"]) != MODEL_FEATURE_NAMES:
        raise ModelError(f"the model in {model_dir} expects other features than this version computes")
    recipe = card.get("feature_recipe_version")
    if recipe != MODEL_RECIPE_VERSION:
        raise ModelError(f"the model in {model_dir} was trained on feature recipe {recipe!r}, "
                         f"but this version computes {MODEL_RECIPE_VERSION!r}")
    if not isinstance(card.get("tagger"), dict) or "sha256" not in card["tagger"]:
        raise ModelError(f"the model card in {model_dir} does not describe its tagger")
    return card



def verified_path(model_dir: Path, name: str, sha256: str) -> Path:
    """The file ``name`` in ``model_dir``, once its bytes match ``sha256``."""
    if not name or Path(name).name != name:
        raise ModelError(f"the model card names an odd model file: {name!r}")
    path = model_dir / name
    try:
        actual = model_card.sha256_file(path)
    except FileNotFoundError:
        raise ModelError(f"the model file {path} is missing") from None
    except OSError as exc:
        raise ModelError(f"the model file {path} is unreadable: {exc}") from None
    if actual != sha256.lower():
        raise ModelError(f"the model file {path} does not match its card (sha256 {actual[:12]}..., "
                         f"card says {sha256[:12]}...): refusing to load it")
    return path



def model_problem(model_dir: str | Path | None = None) -> str | None:
    """Why the bundled model in ``model_dir`` cannot be used, or None when it can: the card and
    both files' sha256 are checked, nothing is loaded (a scan decides this before its workers
    load the model, without paying for the model itself)."""
    from genre_desktop.paths import models_dir

    folder = Path(model_dir) if model_dir else models_dir()
    try:
        card = read_verified_card(folder)
        verified_path(folder, str(card.get("model_file", model_card.MODEL_FILE)), str(card["sha256"]))
        verified_path(folder, str(card["tagger"].get("file", "")), str(card["tagger"]["sha256"]))
    except ModelError as exc:
        return str(exc)
    return None
