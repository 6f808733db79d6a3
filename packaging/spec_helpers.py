"""What genre_desktop.spec decides, as plain functions: versions, hidden imports, data files,
and which collected files to keep. Kept apart from the spec so that tests can call them.

TOC entries are PyInstaller's (destination, source, typecode) tuples.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Qt plugin folders a desktop QtWidgets app needs. Dropped: eglfs/evdev (embedded devices),
# tls/networkinformation (no networking), and the GTK3 theme, which drags in GTK, cairo and pango.
KEEP_QT_PLUGINS = {
    "platforms", "platformthemes", "platforminputcontexts", "imageformats", "iconengines",
    "styles", "xcbglintegrations", "wayland-shell-integration", "wayland-decoration-client",
    "wayland-graphics-integration-client",
}
# Platform plugins: offscreen/minimal for headless runs, xcb + wayland on Linux, the native ones.
KEEP_PLATFORMS = ("qoffscreen", "qminimal.", "qxcb", "qwayland", "qwindows", "qdirect2d", "qcocoa")
KEEP_THEMES = ("qxdgdesktopportal",)
KEEP_IMAGE_FORMATS = ("qsvg", "qico", "qicns", "qjpeg", "qgif")
PT_LOAD = 1


def read_version(root: Path = ROOT) -> str:
    """The single version source, read as text so that nothing heavy is imported."""
    text = (root / "genre_desktop" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__\s*=\s*["\']([^"\']+)["\']', text, re.MULTILINE)
    if not match:
        raise SystemExit("genre_desktop/__init__.py has no __version__")
    return match.group(1)


def data_tree(folder: Path, target: str, skip_suffixes=(".py", ".pyc")) -> list[tuple[str, str]]:
    """(source, destination folder) pairs for every file under `folder`, keeping sub-folders.
    Scripts that generate the resources stay behind."""
    pairs = []
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix not in skip_suffixes and "__pycache__" not in path.parts:
            pairs.append((str(path), str(Path(target) / path.parent.relative_to(folder))))
    return pairs


def model_modules(root: Path = ROOT) -> list[str]:
    """The modules that loading the bundled model needs (PyInstaller cannot see what unpickling
    and ONNX Runtime import).

    The model is the project's own and GenreClassifier.load() checks its sha256 first, so it is
    safe to load it here, in a child process, and ask which modules that pulled in.
    """
    probe = (
        "import sys\n"
        "from genre_desktop.core.model.classifier import GenreClassifier\n"
        "GenreClassifier.load()\n"
        "print('\\n'.join(name for name, module in list(sys.modules.items())\n"
        "                 if name.split('.')[0] in ('sklearn', 'scipy', 'joblib', 'onnxruntime', 'genre_desktop')\n"
        "                 and getattr(module, '__file__', None)))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=root, capture_output=True, text=True)
    if done.returncode != 0:
        print(f"WARNING: could not load the model to list its modules:\n{done.stderr[-2000:]}")
        return []
    return [name for name in done.stdout.split() if ".tests" not in name]


def extension_modules(package: str, skip=("tests", "cuda")) -> list[str]:
    """Every compiled module of a package: numba's import each other from C, out of sight."""
    root = Path(importlib.util.find_spec(package).submodule_search_locations[0])
    suffixes = sorted(importlib.machinery.EXTENSION_SUFFIXES, key=len, reverse=True)
    names = set()
    for path in root.rglob("*"):
        suffix = next((s for s in suffixes if path.name.endswith(s)), None)
        if suffix is None or not path.is_file():
            continue
        parts = list(path.relative_to(root.parent).parts)
        parts[-1] = path.name[: -len(suffix)]
        if not set(parts) & set(skip):
            names.add(".".join(parts))
    return sorted(names)


def wanted_qt_file(dest: str) -> bool:
    """False for Qt translations and for plugins the app never loads; True for anything else."""
    parts = Path(dest.replace("\\", "/")).parts
    if "PySide6" not in parts:
        return True
    if "translations" in parts:
        return False  # the UI is English and installs no Qt translator
    if "plugins" not in parts:
        return True
    sub = parts[parts.index("plugins") + 1 :]
    if not sub or sub[0] not in KEEP_QT_PLUGINS:
        return False
    name = sub[-1].lower()
    wanted = {"platforms": KEEP_PLATFORMS, "platformthemes": KEEP_THEMES,
              "imageformats": KEEP_IMAGE_FORMATS}.get(sub[0])
    return wanted is None or any(w in name for w in wanted)


def is_prunable_library(dest: str, src: str) -> bool:
    """Linux shared libraries that are only collected because some other binary links to them."""
    name = Path(dest).name
    if name.startswith("libpython") or ".cpython-" in name or name.endswith(".abi3.so"):
        return False  # the interpreter and extension modules: Python loads these itself
    if "/plugins/" in dest.replace("\\", "/"):
        return False  # Qt loads these at run time
    src = Path(src).as_posix()
    return "/site-packages/" not in src or "/PySide6/Qt/lib/" in src or ".libs/" in src


def prune_orphan_libraries(binaries, get_imports) -> tuple[list, list[str]]:
    """Drop linked libraries that nothing kept links to any more (e.g. GTK, once the GTK theme
    plugin is gone). Extension modules, plugins and libraries loaded with ctypes (libsndfile,
    libllvmlite) are roots; a library reachable from a root stays.

    `get_imports(path)` lists (name, resolved path) of a binary's link-time dependencies.
    Returns the kept entries and the destinations dropped."""
    by_name: dict[str, list] = {}
    for entry in binaries:
        by_name.setdefault(Path(entry[0]).name, []).append(entry)
    stack = [e[1] for e in binaries if e[2] != "SYMLINK" and not is_prunable_library(e[0], e[1])]
    needed: set[str] = set()
    while stack:
        for imported, _path in get_imports(stack.pop()):
            base = Path(imported).name
            if base in by_name and base not in needed:
                needed.add(base)
                stack += [e[1] for e in by_name[base] if e[2] != "SYMLINK"]
    kept, dropped = [], []
    for dest, src, kind in binaries:
        if kind == "SYMLINK":  # src is the link's target inside the bundle
            ok = Path(src).name in needed or not is_prunable_library(src, src)
        else:
            ok = not is_prunable_library(dest, src) or Path(dest).name in needed
        if ok:
            kept.append((dest, src, kind))
        else:
            dropped.append(dest)
    return kept, dropped


def elf_segments_aligned(path: Path) -> bool:
    """True if every loadable segment of a 64-bit little-endian ELF file is page-aligned.

    `strip` rewrites files that patchelf (auditwheel) has already rearranged, and for a few of
    them (numpy's OpenBLAS, libgfortran) the result no longer loads: "ELF load command
    address/offset not page-aligned".
    """
    data = path.read_bytes()
    if data[:4] != b"\x7fELF" or len(data) < 64 or data[4] != 2 or data[5] != 1:
        return False
    (phoff,) = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    for i in range(phnum):
        p_type, _flags, offset, vaddr, _paddr, _filesz, _memsz, align = struct.unpack_from(
            "<IIQQQQQQ", data, phoff + i * phentsize
        )
        if p_type == PT_LOAD and align > 1 and (offset - vaddr) % align:
            return False
    return True


def stripped(entry, cache_dir: Path):
    """Linux: the entry pointing at a copy without symbols (cached in `cache_dir`) when that is
    safe, else the entry unchanged. Wheels ship many libraries unstripped (llvmlite ~19 MB of
    symbols, PyAV and libpython ~40 MB together); PyInstaller's own strip option also rewrites
    the patchelf'd ones and breaks them."""
    dest, src, kind = entry
    if kind not in ("BINARY", "EXTENSION"):
        return entry
    target = cache_dir / dest
    unsafe_marker = target.with_name(target.name + ".keep-original")
    source_mtime = Path(src).stat().st_mtime
    if unsafe_marker.exists() and unsafe_marker.stat().st_mtime >= source_mtime:
        return entry
    if target.exists() and target.stat().st_mtime >= source_mtime:
        return (dest, str(target), kind)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(src, target)
    target.chmod(0o755)
    done = subprocess.run(["strip", "--strip-unneeded", str(target)], capture_output=True)
    if done.returncode != 0 or not elf_segments_aligned(target):
        target.unlink()
        unsafe_marker.touch()
        return entry
    os.utime(target, (source_mtime, source_mtime + 1))
    return (dest, str(target), kind)
