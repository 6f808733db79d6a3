"""How to ask for "no vocals" with Sounds-like tag rules: leave out the vocal tags, or ask for instrumental.

    python benchmarks/bench_no_vocals.py

GTZAN has no vocal labels, but its genres differ: classical is instrumental, pop, hip-hop, country,
disco, reggae, rock, metal and blues are mostly sung, jazz is mixed. For each genre, the share of the
fault-filtered clips (published musicnn taggrams) that each rule keeps, with the app's display
thresholds (fitted on the TRAIN clips: the TEST column is held out). A good "no vocals" rule keeps
classical and drops the sung genres.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
GTZAN = ROOT.parent / "shared" / "data" / "gtzan"

from genre_desktop.core.sounds_like.tag_thresholds import THRESHOLDS  # noqa: E402
from genre_desktop.core.sounds_like.tags import TAGS_START, shown_tags  # noqa: E402
from genre_desktop.core.training_data import load_model_table, load_split  # noqa: E402

VOCALS = {"female-vocalists", "male-vocalists"}
RULES = {
    "without female/male vocalists": lambda keys: not keys & VOCALS,
    "with instrumental": lambda keys: "instrumental" in keys,
}


def main() -> None:
    table = load_model_table(GTZAN)
    keys = [{t.key for t in shown_tags(row[TAGS_START:], THRESHOLDS, per_group=None)} for row in table.X]
    test = table.mask_for(load_split(GTZAN / "splits", "test"))
    print(f"{'genre':<10} {'clips':>5}  " + "  ".join(f"{name:>30}" for name in RULES) + "   (all / test)")
    for genre in sorted(set(table.y)):
        rows = np.flatnonzero(table.y == genre)
        shares = []
        for rule in RULES.values():
            kept = np.array([rule(keys[i]) for i in rows])
            shares.append(f"{kept.mean():.2f} / {kept[test[rows]].mean():.2f}")
        print(f"{genre:<10} {len(rows):>5}  " + "  ".join(f"{s:>30}" for s in shares))


if __name__ == "__main__":
    main()
