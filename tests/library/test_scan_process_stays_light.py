"""The scanning process itself stays light: the analysis stack (librosa, numba, the decoders,
mutagen) is imported only by the workers, and the model only once they are done, so the
scan's memory is the workers' plus a small coordinator (benchmarks/bench_scan_memory.py
measures the whole tree)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
HEAVY = ["librosa", "numba", "av", "soundfile", "soxr", "mutagen", "genre_desktop.library.analysis"]


def test_the_scanning_process_never_imports_the_analysis_stack(tmp_path, gtzan_clips):
    music = tmp_path / "Music"
    music.mkdir()
    for clip in gtzan_clips[:4]:
        os.symlink(clip, music / clip.name)
    code = (
        "import json, sys\n"
        "from genre_desktop.library.scanner import scan_folders\n"
        f"report = scan_folders({str(tmp_path / 'lib.sqlite3')!r}, [{str(music)!r}], jobs=2, use_model=False)\n"
        f"print(json.dumps([report.added, [m for m in {HEAVY!r} if m in sys.modules]]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                          cwd=PROJECT_ROOT, env=dict(os.environ, PYTHONPATH=str(PROJECT_ROOT)))
    assert done.returncode == 0, done.stderr
    added, imported = json.loads(done.stdout)
    assert added == 4
    assert imported == []
