"""PyInstaller runtime hook: runs in the frozen app (and each of its worker processes) first.

numba caches librosa's compiled functions next to their source files, which a frozen app does
not have (and an installed bundle is read-only). Point the cache at the app's own cache folder
so it persists between runs and is removed with the rest of the user's app data.
"""

import os


def _use_app_cache_for_numba() -> None:
    if os.environ.get("NUMBA_CACHE_DIR"):
        return
    try:
        from genre_desktop.paths import AppPaths

        os.environ["NUMBA_CACHE_DIR"] = str(AppPaths.default().cache / "numba")
    except Exception:  # noqa: BLE001 - never stop the app from starting over a cache folder
        pass


_use_app_cache_for_numba()
