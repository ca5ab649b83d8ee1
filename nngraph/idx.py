"""MNIST's IDX files (gzipped or not), read with every header field checked.

An IDX file is a 4-byte magic number (0, 0, type code, number of dimensions),
one big-endian uint32 per dimension, then the data. The size the header
declares is checked against ``NNGRAPH_MAX_BYTES`` (see :mod:`nngraph.limits`)
before any memory is taken for it, and a gzip stream is inflated no further
than that size.

Example:
    >>> import gzip, io, tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "labels.idx1-ubyte"
    >>> _ = path.write_bytes(bytes([0, 0, 8, 1, 0, 0, 0, 3, 7, 2, 1]))
    >>> read_idx(path)
    array([7, 2, 1], dtype=uint8)
"""

from __future__ import annotations

import gzip
import math
import os
import zlib

import numpy as np

from .errors import FormatError
from .files import regular_file
from .limits import check_size, read_into

__all__ = ["read_idx", "load_mnist"]

TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_idx(path) -> np.ndarray:
    """The array stored in the IDX file ``path``.

    Raises:
        FormatError: not a regular file, bad magic number, unknown type, a
            size that does not match the header (truncated or padded file), or
            one over the limit.
    """
    path = regular_file(path)
    try:
        with open(path, "rb") as raw:
            gzipped = raw.read(2) == b"\x1f\x8b"
        opener = gzip.open if gzipped else open
        with opener(path, "rb") as file:
            magic = file.read(4)
            if len(magic) < 4 or magic[:2] != b"\x00\x00":
                raise FormatError(f"{path}: not an IDX file (magic number {magic.hex() or 'missing'}, expected 0000xxxx)")
            dtype, ndim = TYPES.get(magic[2]), magic[3]
            if dtype is None:
                raise FormatError(f"{path}: unknown IDX data type code 0x{magic[2]:02x}")
            if not 1 <= ndim <= 16:
                raise FormatError(f"{path}: IDX header declares {ndim} dimensions; expected 1 to 16")
            header = file.read(4 * ndim)
            if len(header) < 4 * ndim:
                raise FormatError(f"{path}: truncated IDX header ({ndim} dimensions declared)")
            shape = tuple(int(d) for d in np.frombuffer(header, ">u4"))
            expected = math.prod(shape) * np.dtype(dtype).itemsize
            if not gzipped:  # the file's size shows a truncated file before anything is read
                available = os.fstat(file.fileno()).st_size - 4 - 4 * ndim
                if available < expected:
                    _check_found(path, shape, expected, available)
            check_size(expected, str(path), f"IDX header shape {shape} declares", " of data")
            data = np.empty(expected, np.uint8)
            found: int | str = read_into(file, data)
            if found == expected and file.read(1):  # one byte more reveals trailing garbage
                found = f"{expected + 1}+"
    except FileNotFoundError:
        raise FormatError(f"{path}: no such file") from None
    except (OSError, EOFError, zlib.error) as err:
        raise FormatError(f"{path}: cannot be read ({err})") from err
    _check_found(path, shape, expected, found)
    return data.view(dtype).astype(np.dtype(dtype).newbyteorder("="), copy=False).reshape(shape)


def _check_found(path, shape: tuple[int, ...], expected: int, found: int | str) -> None:
    """Refuse data of ``found`` bytes (``"N+"``: more than N) where the header says ``expected``."""
    if found != expected:
        problem = "longer than its header says" if isinstance(found, str) or found > expected else "truncated"
        raise FormatError(f"{path}: {problem}: header shape {shape} needs {expected} bytes of data, found {found}")


def load_mnist(images_path, labels_path) -> tuple[np.ndarray, np.ndarray]:
    """MNIST images as float32 ``(N, 784)`` scaled to [0, 1], and labels ``(N,)`` int64.

    Raises:
        FormatError: if either file is damaged or they do not match.

    Example:
        >>> import tempfile, pathlib
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (folder / "images").write_bytes(bytes([0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 0, 255]))
        >>> _ = (folder / "labels").write_bytes(bytes([0, 0, 8, 1, 0, 0, 0, 1, 7]))
        >>> load_mnist(folder / "images", folder / "labels")
        (array([[0., 1.]], dtype=float32), array([7]))
    """
    images, labels = read_idx(images_path), read_idx(labels_path)
    if images.ndim != 3 or images.dtype != np.uint8:
        raise FormatError(f"{images_path}: expected uint8 images (N, rows, columns); got {images.dtype} {images.shape}")
    if labels.ndim != 1:
        raise FormatError(f"{labels_path}: expected labels (N,); got shape {labels.shape}")
    if len(images) != len(labels):
        raise FormatError(f"{images_path} has {len(images)} images but {labels_path} has {len(labels)} labels")
    check_size(images.size * 4, str(images_path), f"{len(images)} images as float32 take", noun="them")
    flat = images.reshape(len(images), -1).astype(np.float32)
    flat /= 255.0
    return flat, labels.astype(np.int64)
