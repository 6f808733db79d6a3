"""Fit the Sounds-like display thresholds on GTZAN's fault-filtered TRAIN clips and write them to
genre_desktop/core/sounds_like/tag_thresholds.py (see core/sounds_like/thresholds.py for how).

    python scripts/choose_tag_thresholds.py [--gtzan ../shared/data/gtzan]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from genre_desktop.core.feature_schema import FEATURE_NAMES
from genre_desktop.core.sounds_like.thresholds import choose_thresholds, tag_quality
from genre_desktop.core.training_data import load_model_table, load_split

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "genre_desktop" / "core" / "sounds_like" / "tag_thresholds.py"
HEADER = '''"""The Sounds-like display thresholds: written by scripts/choose_tag_thresholds.py from GTZAN's
fault-filtered TRAIN clips (published musicnn taggrams). Do not edit by hand."""

# tag -> lowest probability at which it is shown (above 1: never shown)
THRESHOLDS: dict[str, float] = {
'''


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gtzan", type=Path, default=ROOT.parent / "shared" / "data" / "gtzan")
    args = parser.parse_args()
    table = load_model_table(args.gtzan)
    train = table.subset(table.mask_for(load_split(args.gtzan / "splits", "train")))
    tags = train.X[:, len(FEATURE_NAMES):]
    thresholds = choose_thresholds(tags, train.y)
    body = "".join(f"    {tag!r}: {value!r},\n" for tag, value in thresholds.items())
    OUT.write_text(HEADER + body + "}\n", encoding="utf-8")
    print(f"wrote {OUT} from {len(train.y)} train clips: {tag_quality(tags, train.y, thresholds)}")


if __name__ == "__main__":
    main()
