"""Limits on what a file can make nngraph allocate, checked before the memory is taken.

=========================================================  ==============  ==========================
what                                                       default         environment variable
=========================================================  ==============  ==========================
bytes of data from one file (``.npz`` arrays read, in       1 GiB           ``NNGRAPH_MAX_BYTES``
total; IDX data; MNIST images as float32)
members of one ``.npz``                                     100,000         ``NNGRAPH_MAX_MEMBERS``
=========================================================  ==============  ==========================

Sizes are bytes, optionally with a binary unit: ``NNGRAPH_MAX_BYTES=4GiB``.
Every refusal is a :class:`~nngraph.errors.FormatError` naming the file, what it
declares, the limit and the variable that raises it.

:class:`NpzArchive` reads a ``.npz`` without ``numpy.load``: every size it
declares is checked first, a member is read only when asked for, and no stream
yields more bytes than its header declared.

Example:
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "w.npz"
    >>> np.savez(path, W1=np.eye(2), b1=np.zeros(2))
    >>> arrays = NpzArchive(path)          # reads the directory and the .npy headers only
    >>> sorted(arrays), arrays["W1"].shape
    (['W1', 'b1'], (2, 2))
"""

from __future__ import annotations

import io
import math
import os
import re
import struct
import tokenize
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import FormatError
from .files import regular_file

__all__ = [
    "MAX_BYTES",
    "MAX_MEMBERS",
    "limit",
    "check_size",
    "read_into",
    "NpzArchive",
    "strings_in",
]

MAX_BYTES = 1 << 30
MAX_MEMBERS = 100_000

# Each variable: the module constant it overrides, and an example value for messages.
VARIABLES = {
    "NNGRAPH_MAX_BYTES": ("MAX_BYTES", "2GiB"),
    "NNGRAPH_MAX_MEMBERS": ("MAX_MEMBERS", "200000"),
}
UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}
SIZE = re.compile(r"\s*(\d+)\s*(?:([kmgt])(?:i?b)?|b)?\s*", re.IGNORECASE)
CHUNK = 1 << 20


# -- the limits -----------------------------------------------------------------------------


def limit(variable: str) -> int:
    """The limit named ``variable``: its environment variable if set, else the module's default.

    Example:
        >>> limit("NNGRAPH_MAX_MEMBERS")
        100000
    """
    constant, example = VARIABLES[variable]
    value = os.environ.get(variable, "").strip()
    if not value:
        return globals()[constant]
    match = SIZE.fullmatch(value)
    if not match:
        kind = "a size; give a number of bytes," if variable.endswith("BYTES") else "a number; give"
        raise FormatError(f"{variable}={value!r} is not {kind} e.g. {variable}={example}")
    number = int(match.group(1)) * UNITS[(match.group(2) or "").lower()]
    return number


def short_size(amount: int) -> str:
    """``amount`` bytes in the largest binary unit that keeps it above 1: ``'7.8 KiB'``."""
    value, unit = float(amount), "bytes"
    for bigger in ("KiB", "MiB", "GiB", "TiB"):
        if value < 1024:
            break
        value, unit = value / 1024, bigger
    return f"{amount} bytes" if unit == "bytes" else f"{value:.1f} {unit}"


def size_text(amount: int) -> str:
    """``amount`` bytes for a reader: ``'7.8 KiB (8000 bytes)'``, or ``'1000 bytes'`` when small."""
    short = short_size(amount)
    return short if amount < 1024 else f"{short} ({amount} bytes)"


def check_size(amount: int, where: str, claim: str, after: str = "", *, variable: str = "NNGRAPH_MAX_BYTES", noun: str = "it") -> None:
    """Refuse ``amount`` when over the limit ``variable``, saying ``where: claim amount after, over the limit of …``.

    Example:
        >>> check_size(200_000, "w.npz", "holds", " members", variable="NNGRAPH_MAX_MEMBERS")
        Traceback (most recent call last):
        ...
        nngraph.errors.FormatError: w.npz: holds 200000 members, over the limit of 100000; to read it, set NNGRAPH_MAX_MEMBERS=200000 (or more)
    """
    allowed = limit(variable)
    if amount > allowed:
        show = size_text if variable.endswith("BYTES") else str
        raise FormatError(
            f"{where}: {claim} {show(amount)}{after}, over the limit of {show(allowed)}; "
            f"to read {noun}, set {variable}={amount} (or more)"
        )


def read_into(stream, buffer: np.ndarray) -> int:
    """Fill the bytes of ``buffer`` from ``stream`` a chunk at a time; how many bytes it got.

    The stream is asked for no more than ``buffer`` holds, so a compressed stream
    is inflated only that far.
    """
    view = memoryview(buffer).cast("B")
    done = 0
    while done < len(view):
        got = stream.readinto(view[done : done + CHUNK])
        if not got:
            break
        done += got
    return done


# -- .npz archives ------------------------------------------------------------------------------

NPY_MAGIC = b"\x93NUMPY"
# As numpy.load without allow_pickle: a longer header is refused before it is parsed.
MAX_HEADER = 10_000
# Deflate turns one byte into at most 1,032; a member declaring more than this cannot be honest.
DEFLATE_RATIO = 1032
HEADER_READERS = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}
# What zipfile and zlib raise for damaged data (encrypted members and other methods are refused first).
DAMAGE = (OSError, EOFError, zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, struct.error, NotImplementedError, UnicodeDecodeError)


@dataclass(frozen=True)
class NpyHeader:
    """What a member's ``.npy`` header declares; ``offset`` is where its data starts."""

    shape: tuple[int, ...]
    fortran_order: bool
    dtype: np.dtype
    offset: int

    @property
    def nbytes(self) -> int:
        return math.prod(self.shape) * self.dtype.itemsize


class NpzArchive(Mapping):
    """The arrays of a ``.npz`` file, each read the first time it is asked for, within the limits.

    Opening reads the zip's directory and every member's ``.npy`` header, never
    their data: object arrays, damaged headers and sizes that disagree are
    refused at once, wherever they are. Reading an array checks its size against
    ``NNGRAPH_MAX_BYTES`` (together with the arrays read before it) first.

    Raises:
        FormatError: naming the file (and the member) and what is wrong.
    """

    def __init__(self, path):
        self.path = regular_file(path)
        self._zip = _open_zip(self.path)
        infos = self._zip.infolist()
        check_size(len(infos), str(self.path), "holds", " members", variable="NNGRAPH_MAX_MEMBERS")
        self._members = {info.filename.removesuffix(".npy"): (info, self._header(info)) for info in infos}
        self._arrays: dict[str, np.ndarray] = {}
        self._bytes_read = 0

    def __getitem__(self, key: str) -> np.ndarray:
        if key not in self._arrays:
            info, header = self._members[key]
            self._arrays[key] = self._read(key, info, header)
        return self._arrays[key]

    def __contains__(self, key) -> bool:
        return key in self._members  # never reads the member, unlike Mapping's own

    def __iter__(self) -> Iterator[str]:
        return iter(self._members)

    def __len__(self) -> int:
        return len(self._members)

    def pop(self, key: str) -> np.ndarray:
        """The array ``key``, which the archive then no longer lists."""
        array = self[key]
        del self._members[key], self._arrays[key]
        return array

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> NpzArchive:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _damaged(self, info: zipfile.ZipInfo, problem: str) -> FormatError:
        return FormatError(f"{self.path}: member {info.filename!r} is damaged: {problem}")

    def _header(self, info: zipfile.ZipInfo) -> NpyHeader | None:
        """The member's ``.npy`` header, checked against what the zip declares; None when it is no array."""
        if info.flag_bits & 1:
            raise FormatError(f"{self.path}: member {info.filename!r} is encrypted; nngraph reads plain .npz files")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise FormatError(
                f"{self.path}: member {info.filename!r} is compressed with zip method {info.compress_type}; "
                f"nngraph reads stored or deflated members, as numpy.savez writes them"
            )
        try:
            with self._zip.open(info) as stream:
                header = self._parse_header(info, stream)
        except DAMAGE as err:
            raise _unreadable(self.path, err) from err
        self._check_sizes(info, header)
        return header

    def _check_sizes(self, info: zipfile.ZipInfo, header: NpyHeader | None) -> None:
        """Refuse a member whose sizes disagree: no honest writer makes one, and a dishonest one would have memory taken for nothing."""
        if header is not None and info.file_size - header.offset != header.nbytes:
            raise self._damaged(
                info,
                f"its .npy header declares shape {header.shape} of {header.dtype} ({header.nbytes} bytes of data) "
                f"but the zip member holds {info.file_size - header.offset} bytes of data",
            )
        stored = info.compress_type == zipfile.ZIP_STORED
        if (stored and info.file_size != info.compress_size) or info.file_size > DEFLATE_RATIO * info.compress_size + 64:
            raise self._damaged(
                info,
                f"it declares {info.file_size} bytes uncompressed from {info.compress_size} compressed, "
                f"more than {'storing' if stored else 'deflate'} can produce",
            )

    def _parse_header(self, info: zipfile.ZipInfo, stream) -> NpyHeader | None:
        magic = stream.read(8)
        if magic[:6] != NPY_MAGIC:
            return None
        version = tuple(magic[6:8])
        if version not in HEADER_READERS:
            raise self._damaged(info, f"its .npy format version {version} is not 1.0 or 2.0, what numpy.save writes for numbers")
        length_bytes = stream.read(2 if version == (1, 0) else 4)
        length = int.from_bytes(length_bytes, "little")
        if length > MAX_HEADER:
            raise self._damaged(info, f"its .npy header claims {length} bytes; a header holds at most {MAX_HEADER}")
        text = stream.read(length)
        try:
            shape, fortran_order, dtype = HEADER_READERS[version](io.BytesIO(length_bytes + text))
        except (ValueError, SyntaxError, tokenize.TokenError) as err:  # NumPy lets tokenize's error through
            raise self._damaged(info, f"damaged .npy header ({_shorten(err)})") from err
        if dtype.hasobject:
            raise FormatError(f"{self.path}: holds object arrays, which only pickle can read and nngraph never loads; save plain numeric arrays")
        if any(d < 0 for d in shape):
            raise self._damaged(info, f"its .npy header declares a negative shape {shape}")
        return NpyHeader(shape, fortran_order, dtype, 8 + len(length_bytes) + length)

    def _read(self, key: str, info: zipfile.ZipInfo, header: NpyHeader | None) -> np.ndarray:
        if header is None:
            raise FormatError(f"{self.path}: member {info.filename!r} is not a .npy array; nngraph reads only arrays from a .npz")
        where = str(self.path)
        check_size(header.nbytes, where, f"array {key!r} declares")
        total = self._bytes_read + header.nbytes
        check_size(total, where, f"array {key!r} ({short_size(header.nbytes)}) brings the arrays read from this file to", noun="them")
        buffer = np.empty(header.nbytes, np.uint8)
        try:
            with self._zip.open(info) as stream:
                stream.read(header.offset)
                got = read_into(stream, buffer)
                stream.read(1)  # reaching the end makes zipfile check the CRC
        except DAMAGE as err:
            raise _unreadable(self.path, err) from err
        if got < header.nbytes:
            raise self._damaged(info, f"it ends after {got} of the {header.nbytes} bytes its .npy header declares")
        self._bytes_read = total
        return _as_array(buffer, header, lambda problem: self._damaged(info, problem))


def _open_zip(path: Path) -> zipfile.ZipFile:
    """``path`` as a zip file, refused (as NumPy would refuse it) when it is a lone ``.npy`` or anything else."""
    with open(path, "rb") as file:
        start = file.read(6)
    if start.startswith(NPY_MAGIC):
        raise FormatError(f"{path}: holds a single array, not a .npz archive of named arrays")
    if not start:
        raise FormatError(f"{path}: not a readable .npz archive (the file is empty)")
    if not start.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        raise FormatError(f"{path}: not an .npz archive (NumPy could only read it as a pickle, which nngraph never loads)")
    try:
        return zipfile.ZipFile(path)
    except (*DAMAGE, ValueError) as err:
        raise _unreadable(path, err) from err


def _unreadable(path: Path, err: Exception) -> FormatError:
    return FormatError(f"{path}: not a readable .npz archive ({type(err).__name__}: {_shorten(err)})")


def _as_array(buffer: np.ndarray, header: NpyHeader, damaged) -> np.ndarray:
    """The bytes of ``buffer`` seen as the array ``header`` declares."""
    try:
        if header.dtype.itemsize == 0:
            return np.empty(header.shape, header.dtype)
        return buffer.view(header.dtype).reshape(header.shape, order="F" if header.fortran_order else "C")
    except (ValueError, TypeError) as err:
        raise damaged(f"its .npy header declares shape {header.shape} of {header.dtype}, which NumPy cannot make ({err})") from err


def _shorten(err: Exception, length: int = 120) -> str:
    text = " ".join(str(err).split())
    return text if len(text) <= length else text[: length - 1] + "…"


def strings_in(value) -> set[str]:
    """Every string in the lists and dict values of ``value``, a parsed JSON document.

    Example:
        >>> sorted(strings_in({"nodes": [{"name": "W", "array": "w0"}], "version": 1}))
        ['W', 'w0']
    """
    found, pending = set(), [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            found.add(item)
        elif isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return found
