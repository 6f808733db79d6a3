"""The project's own plumbing: version, paths, settings and logging."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import tomllib
from pathlib import Path

import genre_desktop
from genre_desktop.core.settings import SETTINGS_VERSION, Settings
from genre_desktop.log import setup_logging
from genre_desktop.paths import AppPaths

ROOT = Path(__file__).resolve().parent.parent


def test_version_has_one_source():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert pyproject["project"]["dynamic"] == ["version"]
    assert pyproject["tool"]["setuptools"]["dynamic"]["version"]["attr"] == "genre_desktop.__version__"
    out = subprocess.run(
        [sys.executable, "-m", "genre_desktop", "--version"], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == f"genre-desktop {genre_desktop.__version__}"


def test_version_does_not_load_the_heavy_stack():
    code = (
        "import sys; from genre_desktop.cli import main\n"
        "try:\n    main(['--version'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('librosa', 'sklearn', 'PySide6') if m in sys.modules]\n"
        "print('heavy=' + ','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "heavy="


def test_home_override_puts_everything_in_one_folder(isolated_home):
    paths = AppPaths.default().ensure()
    for folder in (paths.data, paths.config, paths.cache, paths.logs):
        assert folder.is_dir() and folder.parent == isolated_home
    assert paths.library_db.parent == paths.data


def test_settings_round_trip_and_defaults(tmp_path):
    path = tmp_path / "settings.json"
    assert Settings.load(path) == Settings()
    settings = Settings(music_folders=["/music"], workers=3, uncertainty_threshold=0.55)
    settings.save(path)
    assert Settings.load(path) == settings
    assert json.loads(path.read_text())["version"] == SETTINGS_VERSION


def test_settings_survive_a_corrupt_or_foreign_file(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text("{not json")
    assert Settings.load(path) == Settings()
    path.write_text(json.dumps({"version": 99, "values": {"workers": 2, "unknown_key": 1}}))
    assert Settings.load(path).workers == 2


def test_logging_writes_a_rotating_file(tmp_path):
    root = logging.getLogger()
    before = list(root.handlers)
    try:
        log_file = setup_logging(tmp_path)
        logging.getLogger("genre_desktop.test").warning("hello from the test")
        for handler in root.handlers:
            handler.flush()
        assert "hello from the test" in log_file.read_text()
    finally:
        for handler in set(root.handlers) - set(before):
            root.removeHandler(handler)
            handler.close()
