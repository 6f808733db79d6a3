#!/usr/bin/env bash
# Installs what is missing, then starts Genre Desktop. Extra arguments go to the app.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
install_system_packages "${DEBIAN_PACKAGES[@]}"
ensure_venv ""
exec "$VENV/bin/genre-desktop" "$@"
