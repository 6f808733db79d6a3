"""PyInstaller runtime hook: runs first in the frozen app and in each of its worker processes.

librosa asks numba to cache its compiled functions (compiling them all takes tens of seconds).
In a frozen app numba ignores NUMBA_CACHE_DIR, because that locator wants the .py source files,
and falls back to its own folder (~/.cache/numba and the like). Point it at the app's cache
folder instead, so the cache follows GENRE_DESKTOP_HOME and goes away with the app's data.
numba is patched only when something imports it: the GUI starts without it.
"""

import importlib.abc
import importlib.util
import os
import sys

_CACHING_MODULE = "numba.core.caching"


def _numba_cache_dir() -> str | None:
    if os.environ.get("NUMBA_CACHE_DIR"):
        return os.environ["NUMBA_CACHE_DIR"]
    try:
        from genre_desktop.paths import AppPaths

        folder = str(AppPaths.default().cache / "numba")
    except Exception:  # noqa: BLE001 - never stop the app from starting over a cache folder
        return None
    os.environ["NUMBA_CACHE_DIR"] = folder  # inherited by worker processes
    return folder


def _redirect_frozen_cache(caching, folder: str) -> None:
    locator = caching.UserWideCacheLocator  # the one numba uses for frozen executables
    original_init = locator.__init__

    def __init__(self, py_func, py_file):
        original_init(self, py_func, py_file)
        self._cache_path = os.path.join(folder, self.get_suitable_cache_subpath(py_file))

    locator.__init__ = __init__


class _PatchAfterExec(importlib.abc.Loader):
    def __init__(self, inner, folder: str):
        self._inner = inner
        self._folder = folder

    def create_module(self, spec):
        return self._inner.create_module(spec)

    def exec_module(self, module):
        self._inner.exec_module(module)
        _redirect_frozen_cache(module, self._folder)


class _NumbaCacheFinder(importlib.abc.MetaPathFinder):
    def __init__(self, folder: str):
        self._folder = folder

    def find_spec(self, name, path, target=None):
        if name != _CACHING_MODULE:
            return None
        sys.meta_path.remove(self)  # one shot; also keeps find_spec below from recursing
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.loader is not None:
            spec.loader = _PatchAfterExec(spec.loader, self._folder)
        return spec


def _install() -> None:
    folder = _numba_cache_dir()
    if folder and getattr(sys, "frozen", False):
        sys.meta_path.insert(0, _NumbaCacheFinder(folder))


_install()
