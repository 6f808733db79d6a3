"""PNG plots of an evaluation. matplotlib is a training extra: imported only in here."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")  # no display, no Qt
    import matplotlib.pyplot as plt

    return plt


def plot_confusion(matrix: Sequence[Sequence[int]], genres: Sequence[str], title: str, path: Path) -> None:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7.5, 6.5), dpi=100)
    image = ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(genres)), genres, rotation=45, ha="right")
    ax.set_yticks(range(len(genres)), genres)
    ax.set_xlabel("predicted genre")
    ax.set_ylabel("true genre")
    ax.set_title(title)
    peak = max(max(row) for row in matrix) or 1
    for i, row in enumerate(matrix):
        for j, count in enumerate(row):
            if count:
                color = "white" if count > peak / 2 else "black"
                ax.text(j, i, str(count), ha="center", va="center", color=color, fontsize=8)
    fig.colorbar(image, ax=ax, fraction=0.046)
    fig.tight_layout()
    fig.savefig(path, metadata={"Software": None})
    plt.close(fig)


def plot_reliability(curves: dict[str, list[dict[str, float]]], title: str, path: Path,
                     threshold: float | None = None) -> None:
    """Accuracy against mean confidence per confidence bin; one line per curve."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 6), dpi=100)
    ax.plot([0, 1], [0, 1], color="grey", linestyle=":", label="perfectly calibrated")
    for label, bins in curves.items():
        xs = [b["confidence"] for b in bins]
        ys = [b["accuracy"] for b in bins]
        sizes = [12 + 2 * b["count"] for b in bins]
        (line,) = ax.plot(xs, ys, marker="", label=label)
        ax.scatter(xs, ys, s=sizes, color=line.get_color(), alpha=0.6)
    if threshold is not None:
        ax.axvline(threshold, color="red", linestyle="--", label=f"recommended threshold {threshold:.2f}")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("confidence (top-class probability)")
    ax.set_ylabel("accuracy")
    ax.set_title(title)
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, metadata={"Software": None})
    plt.close(fig)


def plot_coverage(rows: list[dict[str, float]], title: str, path: Path, threshold: float | None) -> None:
    """Share of tracks labelled and accuracy among them, against the uncertainty threshold."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 4.5), dpi=100)
    ts = [r["threshold"] for r in rows]
    ax.plot(ts, [r["coverage"] for r in rows], marker="o", label="coverage (labelled share)")
    ax.plot(ts, [r["accuracy"] if r["accuracy"] is not None else float("nan") for r in rows],
            marker="s", label="accuracy of labelled")
    if threshold is not None:
        ax.axvline(threshold, color="red", linestyle="--", label=f"recommended {threshold:.2f}")
    ax.set_xlabel("uncertainty threshold")
    ax.set_ylim(0, 1.02)
    ax.set_title(title)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, metadata={"Software": None})
    plt.close(fig)
