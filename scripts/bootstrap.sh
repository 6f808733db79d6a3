# Sourced by run-app.sh and run-tests.sh: makes sure this machine can run Genre Desktop.
#  1. Debian/Ubuntu: installs the system libraries PortAudio and Qt need (when root and missing).
#  2. Creates .venv/ in the repo root and installs the project with the extras asked for.
# It is quick when nothing changed: the venv is refreshed only when pyproject.toml changes.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"

# Runtime libraries: PortAudio for preview, and what Qt's xcb/offscreen/EGL platforms load.
DEBIAN_PACKAGES=(libportaudio2 libasound2 libegl1 libgl1 libglib2.0-0 libfontconfig1 libfreetype6
  libdbus-1-3 libxkbcommon0 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1
  libxcb-image0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-randr0 libxcb-xkb1
  libx11-xcb1 libxrender1 libxi6 fonts-dejavu-core)

# Only the tests need these: a virtual X server, to start the frozen app on Qt's xcb platform.
DEBIAN_TEST_PACKAGES=(xvfb xauth)

_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

# $@: the packages to make sure of.
install_system_packages() {
  command -v dpkg-query >/dev/null 2>&1 || return 0   # not Debian-like: see README
  local missing=() pkg
  for pkg in "$@"; do
    # Debian 13 renamed some libraries with a t64 suffix; either name will do.
    _installed "$pkg" || _installed "${pkg}t64" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ]; then
    echo "Missing system packages: ${missing[*]}" >&2
    echo "Install them with: sudo apt-get install ${missing[*]}" >&2
    return 0
  fi
  echo "Installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  local resolved=()
  for pkg in "${missing[@]}"; do
    if apt-cache show "${pkg}t64" >/dev/null 2>&1; then resolved+=("${pkg}t64"); else resolved+=("$pkg"); fi
  done
  apt-get install -y -q --no-install-recommends "${resolved[@]}" >/dev/null
}

find_python() {
  local candidate
  for candidate in python3.12 python3.11 python3.13 python3.10 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  echo "Genre Desktop needs Python 3.10 or newer." >&2
  return 1
}

# $1: the extras to install, e.g. "test" or "" for just the app.
ensure_venv() {
  local extras="$1" python stamp wanted
  if [ ! -x "$VENV/bin/python" ]; then
    python="$(find_python)" || return 1
    if ! "$python" -m venv "$VENV" 2>/dev/null; then
      [ "$(id -u)" = 0 ] && apt-get install -y -q python3-venv >/dev/null && "$python" -m venv "$VENV"
    fi
  fi
  stamp="$VENV/.genre-desktop-installed"
  wanted="$(cat "$ROOT/pyproject.toml" | sha256sum | cut -c1-16) [$extras]"
  if [ ! -f "$stamp" ] || ! grep -qxF "$wanted" "$stamp"; then
    echo "Installing Python packages into .venv (first run takes a few minutes)…"
    "$VENV/bin/python" -m pip install -q --upgrade pip
    if [ -n "$extras" ]; then
      "$VENV/bin/python" -m pip install -q -e "$ROOT[$extras]"
    else
      "$VENV/bin/python" -m pip install -q -e "$ROOT"
    fi
    echo "$wanted" >> "$stamp"
  fi
}
