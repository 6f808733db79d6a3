"""Reading the personal model's weights file (.npz) defensively: its layout, array shapes,
types and sizes are checked from the headers before any array data is decompressed, and the
numbers must be finite. A file that fails any check is refused with a reason (WeightsError);
nothing in it can make the reader run code (no pickles) or allocate more than MAX_BYTES.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

MAX_BYTES = 32 << 20  # the whole file and all arrays together; a real model is a few hundred KB
MAX_GENRES = 1000
MAX_FEATURES = 4096
MAX_GENRE_CHARS = 256
MEMBERS = ("genres", "coef", "intercept", "taught", "examples", "reach")


class WeightsError(Exception):
    """The weights file is not one this version reads; str(e) says why."""


def read_weights(path: Path) -> dict[str, np.ndarray]:
    """{'genres': (G,) str, 'coef': (G, F) float64, 'intercept': (G,) float64, 'taught': (T,) str,
    'examples': (N, F) float32, 'reach': () float64}."""
    if Path(path).stat().st_size > MAX_BYTES:
        raise WeightsError(f"the file is larger than {MAX_BYTES >> 20} MB")
    try:
        with zipfile.ZipFile(path) as archive:
            names = sorted(info.filename for info in archive.infolist())
            if names != sorted(f"{m}.npy" for m in MEMBERS):
                raise WeightsError(f"unexpected contents {names}")
            if sum(info.file_size for info in archive.infolist()) > MAX_BYTES:
                raise WeightsError(f"its arrays would take more than {MAX_BYTES >> 20} MB")
            arrays = {m: _read_member(archive, f"{m}.npy") for m in MEMBERS}
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise WeightsError(f"it is damaged ({exc})") from None
    _check_shapes(arrays)
    for name in ("coef", "intercept", "examples", "reach"):
        if not np.all(np.isfinite(arrays[name])):
            raise WeightsError(f"its {name} holds numbers that are not finite (NaN or infinity)")
    return arrays


def _read_member(archive: zipfile.ZipFile, name: str) -> np.ndarray:
    """One array, its header checked before its data is read (and so decompressed)."""
    with archive.open(name) as member:
        version = np.lib.format.read_magic(member)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(member)
        elif version == (2, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(member)
        else:
            raise WeightsError(f"{name} has an array format this version does not read")
        if dtype.hasobject or dtype.kind not in "fU" or len(shape) > 2:
            raise WeightsError(f"{name} holds an unexpected kind of array ({dtype}, {shape})")
        size = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
        if size > MAX_BYTES:
            raise WeightsError(f"{name} would take more than {MAX_BYTES >> 20} MB")
        data = member.read(size)
        if len(data) != size:
            raise WeightsError(f"{name} is shorter than its header says")
    return np.frombuffer(data, dtype=dtype).reshape(shape, order="F" if fortran else "C")


def _check_shapes(arrays: dict[str, np.ndarray]) -> None:
    genres, coef, intercept, taught, examples, reach = (arrays[m] for m in MEMBERS)
    for names in (genres, taught):
        if names.dtype.kind != "U" or names.ndim != 1 or not 0 < len(names) <= MAX_GENRES:
            raise WeightsError("its genre list is not a list of up to 1000 names")
        if names.dtype.itemsize > 4 * MAX_GENRE_CHARS:
            raise WeightsError("its genre names are too long")
    if not set(taught.tolist()) <= set(genres.tolist()):
        raise WeightsError("it was taught genres it has no weights for")
    if any(a.dtype != np.float64 for a in (coef, intercept, reach)) or examples.dtype != np.float32:
        raise WeightsError("its numbers are not of the expected float types")
    if coef.ndim != 2 or coef.shape[0] != len(genres) or not 0 < coef.shape[1] <= MAX_FEATURES:
        raise WeightsError(f"its weight matrix has the wrong shape {coef.shape}")
    if intercept.shape != (len(genres),) or reach.shape != ():
        raise WeightsError("its intercept or reach has the wrong shape")
    if examples.ndim != 2 or examples.shape[1] != coef.shape[1] or len(examples) == 0:
        raise WeightsError(f"its examples have the wrong shape {examples.shape}")
    if not float(reach) > 0.0:
        raise WeightsError(f"its reach {float(reach)} is not positive")
