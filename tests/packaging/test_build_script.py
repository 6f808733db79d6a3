"""packaging/build.py and the installer scripts read the version from its single source."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

from genre_desktop import __version__

PACKAGING = Path(__file__).resolve().parents[2] / "packaging"


def load_build_module():
    spec = importlib.util.spec_from_file_location("genre_desktop_build", PACKAGING / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_build_script_reads_the_package_version_without_importing_it():
    assert load_build_module().read_version() == __version__


def test_platform_tag_names_system_and_machine():
    assert re.fullmatch(r"(linux|windows|macos)-[a-z0-9_]+", load_build_module().platform_tag())


def test_spec_and_installer_take_the_version_from_outside():
    spec = (PACKAGING / "genre_desktop.spec").read_text(encoding="utf-8")
    assert "CFBundleShortVersionString" in spec and '"CFBundleShortVersionString": VERSION' in spec
    iss = (PACKAGING / "windows" / "genre_desktop.iss").read_text(encoding="utf-8")
    assert "AppVersion={#AppVersion}" in iss
    assert __version__ not in iss  # build.py passes it in with /DAppVersion


def test_spec_has_no_machine_specific_paths():
    spec = (PACKAGING / "genre_desktop.spec").read_text(encoding="utf-8")
    for fragment in ("/usr/", "/home/", "/work/", "C:\\", ".venv"):
        assert fragment not in spec


def test_spec_is_valid_python_on_every_platform_branch():
    # The Windows and macOS branches only run there; at least make sure they parse.
    source = (PACKAGING / "genre_desktop.spec").read_text(encoding="utf-8")
    compile(source, "genre_desktop.spec", "exec")
    assert "BUNDLE(" in source and 'name="genre-desktop", console=True' in source


def test_largest_parts_ranks_the_library_folder_by_size(tmp_path):
    internal = tmp_path / "App" / "_internal"
    (internal / "big").mkdir(parents=True)
    (internal / "big" / "lib.so").write_bytes(b"x" * 3_000_000)
    (internal / "small.so").write_bytes(b"x" * 1_000_000)
    (internal / "link.so").symlink_to(internal / "small.so")
    assert load_build_module().largest_parts(tmp_path / "App") == {"big": 3.0, "small.so": 1.0}


def test_stack_floor_entry_imports_the_stack_but_no_app_code():
    entry = (PACKAGING / "stack_floor.py").read_text(encoding="utf-8")
    for library in ("librosa", "sklearn", "PySide6", "soundfile", "sounddevice", "mutagen", "joblib"):
        assert library in entry
    assert "genre_desktop" not in entry
