"""The decisions behind the PyInstaller spec: what is bundled, pruned and stripped."""

from __future__ import annotations

import importlib.util
import shutil
import struct
import sys
from pathlib import Path

import pytest

PACKAGING = Path(__file__).resolve().parents[2] / "packaging"


@pytest.fixture(scope="module")
def helpers():
    spec = importlib.util.spec_from_file_location("spec_helpers", PACKAGING / "spec_helpers.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("dest, wanted", [
    ("PySide6/Qt/lib/libQt6Widgets.so.6", True),
    ("PySide6/Qt/plugins/platforms/libqxcb.so", True),
    ("PySide6/Qt/plugins/platforms/libqoffscreen.so", True),
    ("PySide6/Qt/plugins/platforms/libqwayland.so", True),
    ("PySide6\\plugins\\platforms\\qwindows.dll", True),
    ("PySide6/Qt/plugins/platforms/libqminimalegl.so", False),
    ("PySide6/Qt/plugins/platforms/libqeglfs.so", False),
    ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", False),
    ("PySide6/Qt/plugins/platformthemes/libqxdgdesktopportal.so", True),
    ("PySide6/Qt/plugins/imageformats/libqsvg.so", True),
    ("PySide6/Qt/plugins/imageformats/libqwebp.so", False),
    ("PySide6/Qt/plugins/tls/libqopensslbackend.so", False),
    ("PySide6/Qt/plugins/egldeviceintegrations/libqeglfs-kms-integration.so", False),
    ("PySide6/Qt/translations/qtbase_de.qm", False),
    ("PySide6/translations/qtbase_de.qm", False),
    ("librosa/core/__init__.pyi", True),
])
def test_qt_files_kept_are_the_ones_a_widgets_app_loads(helpers, dest, wanted):
    assert helpers.wanted_qt_file(dest) is wanted


def test_orphan_libraries_are_pruned_but_roots_and_their_dependencies_stay(helpers):
    site = "/venv/lib/python3.11/site-packages"
    binaries = [
        ("PySide6/Qt/plugins/platforms/libqxcb.so", f"{site}/PySide6/Qt/plugins/platforms/libqxcb.so", "BINARY"),
        ("libxcb-cursor.so.0", "/usr/lib/libxcb-cursor.so.0", "BINARY"),
        ("libgtk-3.so.0", "/usr/lib/libgtk-3.so.0", "BINARY"),
        ("_soundfile_data/libsndfile.so", f"{site}/_soundfile_data/libsndfile.so", "BINARY"),
        ("libmp3lame.so.0", "/usr/lib/libmp3lame.so.0", "BINARY"),
        ("libgtk-link.so.0", "libgtk-3.so.0", "SYMLINK"),
        ("libpython3.11.so.1.0", "/usr/lib/libpython3.11.so.1.0", "BINARY"),
    ]
    links = {
        f"{site}/PySide6/Qt/plugins/platforms/libqxcb.so": [("libxcb-cursor.so.0", None)],
        f"{site}/_soundfile_data/libsndfile.so": [("libmp3lame.so.0", None)],
    }
    kept, dropped = helpers.prune_orphan_libraries(binaries, lambda path: links.get(path, []))
    kept_names = {entry[0] for entry in kept}
    assert dropped == ["libgtk-3.so.0", "libgtk-link.so.0"]
    assert {"libxcb-cursor.so.0", "libmp3lame.so.0", "_soundfile_data/libsndfile.so",
            "libpython3.11.so.1.0"} <= kept_names


def _elf_with_one_load_segment(offset: int, vaddr: int) -> bytes:
    header = bytearray(64)
    header[:6] = b"\x7fELF\x02\x01"
    struct.pack_into("<Q", header, 0x20, 64)  # program headers right after the ELF header
    struct.pack_into("<HH", header, 0x36, 56, 1)
    segment = struct.pack("<IIQQQQQQ", 1, 5, offset, vaddr, vaddr, 0x100, 0x100, 0x1000)
    return bytes(header) + segment


def test_elf_alignment_check_spots_the_segments_strip_can_break(helpers, tmp_path):
    good, bad = tmp_path / "good.so", tmp_path / "bad.so"
    good.write_bytes(_elf_with_one_load_segment(0x288000, 0x289000))
    bad.write_bytes(_elf_with_one_load_segment(0x288800, 0x289000))
    assert helpers.elf_segments_aligned(good)
    assert not helpers.elf_segments_aligned(bad)
    assert not helpers.elf_segments_aligned(Path(helpers.__file__))  # not ELF at all


@pytest.mark.skipif(not sys.platform.startswith("linux") or not shutil.which("strip"), reason="Linux strip")
def test_stripped_copy_is_smaller_loads_and_is_reused(helpers, tmp_path):
    import ctypes

    import soundfile  # ships libsndfile unstripped enough to show the difference

    library = next(Path(soundfile.__file__).parent.glob("_soundfile_data/libsndfile*.so"))
    entry = ("_soundfile_data/" + library.name, str(library), "BINARY")
    dest, src, kind = helpers.stripped(entry, tmp_path)
    assert Path(src).parent.parent == tmp_path and kind == "BINARY"
    assert Path(src).stat().st_size <= library.stat().st_size
    ctypes.CDLL(src)
    assert helpers.stripped(entry, tmp_path) == (dest, src, kind)
    assert helpers.stripped(("x.py", "x.py", "DATA"), tmp_path) == ("x.py", "x.py", "DATA")


def test_numba_compiled_modules_are_listed_by_module_name(helpers):
    names = helpers.extension_modules("numba")
    assert {"numba._devicearray", "numba._dispatcher", "numba._helperlib"} <= set(names)
    assert not any(".cuda." in name or "cpython" in name for name in names)


def test_data_tree_keeps_subfolders_and_leaves_generator_scripts_out(helpers, tmp_path):
    (tmp_path / "icons").mkdir()
    (tmp_path / "icons" / "app.svg").write_text("<svg/>")
    (tmp_path / "icons" / "make_icons.py").write_text("")
    (tmp_path / "make_sample.py").write_text("")
    pairs = helpers.data_tree(tmp_path, "resources")
    assert pairs == [(str(tmp_path / "icons" / "app.svg"), str(Path("resources") / "icons"))]
