"""Audio generated once per session from the real clips (nothing is committed)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.corpus import EXTENSIONS, FORMATS, BadInput, load_clip, make_bad_inputs, write_audio


@pytest.fixture(scope="session")
def reference_clip(gtzan_dir) -> tuple[np.ndarray, int]:
    """A real GTZAN clip: float32 mono, 22050 Hz, 30 s."""
    return load_clip("blues", 3)


@pytest.fixture(scope="session")
def encoded_clips(tmp_path_factory, reference_clip) -> dict[str, Path]:
    """The reference clip in every supported format, keyed by format name."""
    folder = tmp_path_factory.mktemp("encoded")
    y, sr = reference_clip
    return {fmt: write_audio(folder / f"clip-{fmt}{EXTENSIONS[fmt]}", y, sr, fmt) for fmt in FORMATS}


@pytest.fixture(scope="session")
def bad_inputs(tmp_path_factory, gtzan_dir) -> dict[Path, BadInput]:
    return make_bad_inputs(tmp_path_factory.mktemp("bad-inputs"))
