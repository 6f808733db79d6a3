"""Build the standalone Genre Desktop app for this platform and archive it.

    python packaging/build.py                 # dist/GenreDesktop/ + an archive in dist/
    python packaging/build.py --clean         # throw away PyInstaller's cache first
    python packaging/build.py --appimage      # Linux: also an AppImage (needs appimagetool on PATH)
    python packaging/build.py --stack-floor   # the libraries alone, same choices: the size floor

Linux  : dist/GenreDesktop/GenreDesktop and dist/GenreDesktop-<version>-linux-<arch>.tar.gz
Windows: dist/GenreDesktop/GenreDesktop.exe (+ genre-desktop.exe for the console), a .zip and,
         when Inno Setup's ISCC.exe is found, dist/GenreDesktop-<version>-setup.exe
macOS  : dist/GenreDesktop.app and dist/GenreDesktop-<version>-macos-<arch>.dmg

Prints a JSON report (build time, sizes, archive paths) and writes it to dist/build-report.json.
Needs the `package` extra: pip install -e ".[package]".
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from spec_helpers import ROOT, read_version  # noqa: E402

SPEC = ROOT / "packaging" / "genre_desktop.spec"
ISS = ROOT / "packaging" / "windows" / "genre_desktop.iss"
APP_NAME = "GenreDesktop"
FLOOR_NAME = "StackFloor"


def platform_tag() -> str:
    system = {"win32": "windows", "darwin": "macos"}.get(sys.platform, "linux")
    machine = platform.machine().lower().replace("amd64", "x86_64").replace("aarch64", "arm64")
    return f"{system}-{machine}"


def folder_size(path: Path) -> int:
    """Bytes on disk as a user would count them: regular files, symlinks not followed."""
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            file = Path(root) / name
            if not file.is_symlink():
                total += file.stat().st_size
    return total


def largest_parts(app_dir: Path, count: int = 8) -> dict[str, float]:
    """The biggest top-level items of the app's library folder, in MB."""
    internal = app_dir / "_internal" if (app_dir / "_internal").is_dir() else app_dir
    sizes = {p.name: folder_size(p) if p.is_dir() else p.stat().st_size
             for p in internal.iterdir() if not p.is_symlink()}
    return {name: round(size / 1e6, 1) for name, size in sorted(sizes.items(), key=lambda kv: -kv[1])[:count]}


def run_pyinstaller(dist: Path, work: Path, clean: bool, env: dict | None = None) -> float:
    command = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
               "--distpath", str(dist), "--workpath", str(work)]
    if clean:
        command.append("--clean")
    command.append(str(SPEC))
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, env=env)
    return time.perf_counter() - started


def archive_linux(app_dir: Path, out: Path) -> Path:
    archive = out / f"{APP_NAME}-{read_version()}-{platform_tag()}.tar.gz"
    with tarfile.open(archive, "w:gz", compresslevel=6) as tar:
        tar.add(app_dir, arcname=app_dir.name)
    return archive


def archive_windows(app_dir: Path, out: Path) -> Path:
    base = out / f"{APP_NAME}-{read_version()}-{platform_tag()}"
    return Path(shutil.make_archive(str(base), "zip", root_dir=app_dir.parent, base_dir=app_dir.name))


def archive_macos(app_bundle: Path, out: Path) -> Path:
    # hdiutil keeps the framework symlinks and signatures that a plain zip would break.
    dmg = out / f"{APP_NAME}-{read_version()}-{platform_tag()}.dmg"
    dmg.unlink(missing_ok=True)
    subprocess.run(["hdiutil", "create", "-volname", "Genre Desktop", "-srcfolder", str(app_bundle),
                    "-ov", "-format", "UDZO", str(dmg)], check=True)
    return dmg


def find_iscc() -> str | None:
    found = shutil.which("iscc") or shutil.which("ISCC")
    if found:
        return found
    for base in (os.environ.get("ProgramFiles(x86)"), os.environ.get("ProgramFiles")):
        candidate = Path(base or "") / "Inno Setup 6" / "ISCC.exe"
        if base and candidate.is_file():
            return str(candidate)
    return None


def windows_installer(app_dir: Path, out: Path) -> Path | None:
    iscc = find_iscc()
    if not iscc:
        print("Inno Setup (ISCC.exe) not found: skipping the installer", file=sys.stderr)
        return None
    subprocess.run([iscc, f"/DAppVersion={read_version()}", f"/DAppSourceDir={app_dir}",
                    f"/O{out}", str(ISS)], check=True)
    return out / f"{APP_NAME}-{read_version()}-setup.exe"


DESKTOP_ENTRY = """[Desktop Entry]
Type=Application
Name=Genre Desktop
Comment=Sort your music collection by genre
Exec=GenreDesktop %F
Icon=genre-desktop
Categories=AudioVideo;Audio;Player;
Terminal=false
"""


def appimage(app_dir: Path, out: Path) -> Path | None:
    tool = shutil.which("appimagetool")
    if not tool:
        print("appimagetool not on PATH: skipping the AppImage", file=sys.stderr)
        return None
    appdir = out / f"{APP_NAME}.AppDir"
    shutil.rmtree(appdir, ignore_errors=True)
    shutil.copytree(app_dir, appdir / "usr" / "lib" / APP_NAME, symlinks=True)
    (appdir / "genre-desktop.desktop").write_text(DESKTOP_ENTRY, encoding="utf-8")
    shutil.copy(ROOT / "resources" / "icons" / "genre-desktop.png", appdir / "genre-desktop.png")
    apprun = appdir / "AppRun"
    apprun.write_text('#!/bin/sh\nHERE="$(dirname "$(readlink -f "$0")")"\n'
                      f'exec "$HERE/usr/lib/{APP_NAME}/{APP_NAME}" "$@"\n', encoding="utf-8")
    apprun.chmod(0o755)
    target = out / f"{APP_NAME}-{read_version()}-{platform.machine()}.AppImage"
    subprocess.run([tool, str(appdir), str(target)], check=True, env={**os.environ, "ARCH": platform.machine()})
    return target


def build(dist: Path, work: Path, clean: bool, archive: bool, want_appimage: bool) -> dict:
    build_seconds = run_pyinstaller(dist, work, clean)
    app_dir = dist / APP_NAME
    shipped = dist / f"{APP_NAME}.app" if sys.platform == "darwin" else app_dir
    report: dict = {
        "version": read_version(),
        "platform": platform_tag(),
        "build_seconds": round(build_seconds, 1),
        "app": str(shipped),
        "unpacked_bytes": folder_size(shipped),
        "largest_mb": largest_parts(app_dir),
        "archives": {},
    }
    if archive:
        started = time.perf_counter()
        artifacts: list[Path | None]
        if sys.platform == "win32":
            artifacts = [archive_windows(app_dir, dist), windows_installer(app_dir, dist)]
        elif sys.platform == "darwin":
            artifacts = [archive_macos(shipped, dist)]
        else:
            artifacts = [archive_linux(app_dir, dist)]
            if want_appimage:
                artifacts.append(appimage(app_dir, dist))
        report["archive_seconds"] = round(time.perf_counter() - started, 1)
        report["archives"] = {str(p): p.stat().st_size for p in artifacts if p and p.exists()}
    report["unpacked_mb"] = round(report["unpacked_bytes"] / 1e6, 1)
    report["archive_mb"] = {Path(p).name: round(size / 1e6, 1) for p, size in report["archives"].items()}
    return report


def stack_floor(dist: Path, work: Path) -> dict:
    """Freeze packaging/stack_floor.py (the libraries, no app) with the app's spec choices, check
    that it starts, and report its size: no trimming of the app can go below it."""
    build_seconds = run_pyinstaller(dist, work, clean=False, env={**os.environ, "GENRE_DESKTOP_STACK_FLOOR": "1"})
    floor = dist / FLOOR_NAME
    executable = floor / (FLOOR_NAME + (".exe" if sys.platform == "win32" else ""))
    started = subprocess.run([str(executable)], env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
                             capture_output=True, text=True, timeout=120)
    return {"stack_floor": str(floor), "build_seconds": round(build_seconds, 1),
            "starts": started.returncode == 0, "unpacked_mb": round(folder_size(floor) / 1e6, 1),
            "largest_mb": largest_parts(floor)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="output folder (default: dist/)")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "pyinstaller",
                        help="PyInstaller's work folder (default: build/pyinstaller)")
    parser.add_argument("--clean", action="store_true", help="clear PyInstaller's cache first")
    parser.add_argument("--no-archive", action="store_true", help="only build the app folder")
    parser.add_argument("--appimage", action="store_true", help="Linux: also build an AppImage")
    parser.add_argument("--stack-floor", action="store_true",
                        help="instead: freeze the libraries alone and report their size")
    args = parser.parse_args(argv)
    args.dist.mkdir(parents=True, exist_ok=True)
    if args.stack_floor:
        report = stack_floor(args.dist.resolve(), args.work.resolve())
    else:
        report = build(args.dist.resolve(), args.work.resolve(), args.clean, not args.no_archive,
                       args.appimage)
    text = json.dumps(report, indent=2)
    name = "stack-floor-report.json" if args.stack_floor else "build-report.json"
    (args.dist / name).write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
