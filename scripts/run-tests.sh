#!/usr/bin/env bash
# Installs what is missing, then runs the whole test suite headless. Extra arguments go to pytest.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
install_system_packages "${DEBIAN_PACKAGES[@]}" "${DEBIAN_TEST_PACKAGES[@]}"
ensure_venv "test,package"
cd "$ROOT"
# Headless Qt, and sound into ALSA's null device (tests/conftest.py sets the same for plain pytest).
export QT_QPA_PLATFORM=offscreen
exec "$VENV/bin/python" -m pytest "$@"
