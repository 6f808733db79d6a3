"""Metrics of a genre model's probabilities: accuracy, F1, confusion, calibration, coverage."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support

ECE_BINS = 15
# Thresholds whose coverage/accuracy the card records (confidence = top-class probability).
CANDIDATE_THRESHOLDS = (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9)


def top_class(probabilities: np.ndarray, genres: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Predicted genre and its probability (the confidence) per row."""
    index = np.argmax(probabilities, axis=1)
    return np.asarray(genres)[index], probabilities[np.arange(len(index)), index]


def expected_calibration_error(
    probabilities: np.ndarray, y: np.ndarray, genres: Sequence[str], bins: int = ECE_BINS
) -> float:
    """ECE of the top-class probability, equal-width bins, weighted by bin size."""
    return float(sum(b["count"] * b["gap"] for b in reliability_bins(probabilities, y, genres, bins)) / len(y))


def reliability_bins(
    probabilities: np.ndarray, y: np.ndarray, genres: Sequence[str], bins: int = ECE_BINS
) -> list[dict[str, float]]:
    predicted, confidence = top_class(probabilities, genres)
    correct = predicted == y
    edges = np.linspace(0.0, 1.0, bins + 1)
    # Bin i holds (edge_i, edge_i+1]; a confidence of exactly 0 cannot happen (top of >= 2).
    which = np.clip(np.searchsorted(edges, confidence, side="left") - 1, 0, bins - 1)
    out = []
    for i in range(bins):
        members = which == i
        if not members.any():
            continue
        acc, conf = float(correct[members].mean()), float(confidence[members].mean())
        out.append({"low": float(edges[i]), "high": float(edges[i + 1]), "count": int(members.sum()),
                    "accuracy": acc, "confidence": conf, "gap": abs(acc - conf)})
    return out


def coverage_table(
    probabilities: np.ndarray,
    y: np.ndarray,
    genres: Sequence[str],
    thresholds: Sequence[float] = CANDIDATE_THRESHOLDS,
) -> list[dict[str, float]]:
    """For each threshold: the share labelled (confidence >= t) and how many of those are right."""
    predicted, confidence = top_class(probabilities, genres)
    correct = predicted == y
    rows = []
    for t in thresholds:
        labelled = confidence >= t
        rows.append({
            "threshold": float(t),
            "coverage": round(float(labelled.mean()), 4),
            "accuracy": round(float(correct[labelled].mean()), 4) if labelled.any() else None,
            "labelled": int(labelled.sum()),
        })
    return rows


def classification_metrics(
    probabilities: np.ndarray, y: np.ndarray, genres: Sequence[str]
) -> dict[str, Any]:
    """Accuracy, macro-F1, per-genre precision/recall/F1, confusion (rows = truth), ECE."""
    predicted, confidence = top_class(probabilities, genres)
    labels = list(genres)
    precision, recall, f1, support = precision_recall_fscore_support(
        y, predicted, labels=labels, zero_division=0
    )
    correct = predicted == y
    return {
        "n": int(len(y)),
        "accuracy": round(float(correct.mean()), 4),
        "macro_f1": round(float(f1_score(y, predicted, labels=labels, average="macro", zero_division=0)), 4),
        "ece": round(expected_calibration_error(probabilities, y, genres), 4),
        "mean_confidence_right": round(float(confidence[correct].mean()), 4) if correct.any() else None,
        "mean_confidence_wrong": round(float(confidence[~correct].mean()), 4) if (~correct).any() else None,
        "per_genre": {
            genre: {"precision": round(float(p), 4), "recall": round(float(r), 4),
                    "f1": round(float(f), 4), "support": int(s)}
            for genre, p, r, f, s in zip(labels, precision, recall, f1, support)
        },
        "confusion": confusion_matrix(y, predicted, labels=labels).tolist(),
    }
