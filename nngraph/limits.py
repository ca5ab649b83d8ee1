"""Limits on what a file can make nngraph allocate, checked before the memory is taken.

=========================================================  ==============  ==========================
what                                                       default         environment variable
=========================================================  ==============  ==========================
bytes of data from one file (``.npz`` arrays read, in       1 GiB           ``NNGRAPH_MAX_BYTES``
total; IDX data; MNIST images as float32)
members of one ``.npz``                                     100,000         ``NNGRAPH_MAX_MEMBERS``
text of one description (a ``.toml`` file, ``graph.json``)  16 MiB          ``NNGRAPH_MAX_TEXT_BYTES``
nesting of a description (brackets, dotted keys)            64 (up to 200)  ``NNGRAPH_MAX_DEPTH``
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
    >>> nesting_depth('{"a": [1, "]]"]}', "json")
    2
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
    "MAX_TEXT_BYTES",
    "MAX_DEPTH",
    "limit",
    "check_size",
    "read_into",
    "NpzArchive",
    "strings_in",
    "nesting_depth",
    "check_text",
    "read_toml_text",
    "check_nesting",
]

MAX_BYTES = 1 << 30
MAX_MEMBERS = 100_000
MAX_TEXT_BYTES = 16 << 20
MAX_DEPTH = 64
# Python's own parsers recurse once or twice per level (json, tomllib, repr):
# deeper than this they would hit the interpreter's recursion limit.
DEPTH_CEILING = 200

# Each variable: the module constant it overrides, and an example value for messages.
VARIABLES = {
    "NNGRAPH_MAX_BYTES": ("MAX_BYTES", "2GiB"),
    "NNGRAPH_MAX_MEMBERS": ("MAX_MEMBERS", "200000"),
    "NNGRAPH_MAX_TEXT_BYTES": ("MAX_TEXT_BYTES", "64MiB"),
    "NNGRAPH_MAX_DEPTH": ("MAX_DEPTH", "100"),
}
UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}
SIZE = re.compile(r"\s*(\d+)\s*(?:([kmgt])(?:i?b)?|b)?\s*", re.IGNORECASE)
CHUNK = 1 << 20


# -- the limits -----------------------------------------------------------------------------


def limit(variable: str) -> int:
    """The limit named ``variable``: its environment variable if set, else the module's default.

    Example:
        >>> limit("NNGRAPH_MAX_DEPTH")
        64
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
    if variable == "NNGRAPH_MAX_DEPTH" and number > DEPTH_CEILING:
        raise FormatError(f"{variable}={value!r} is more than {DEPTH_CEILING}, as deep as Python's parsers safely go")
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
    view = memoryview(buffer.data).cast("B")
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
        if dtype.itemsize == 0:  # NumPy would make each element a byte: memory the sizes never declared
            raise self._damaged(info, f"its .npy header declares elements of {dtype}, which hold nothing")
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


# -- descriptions: size and nesting ----------------------------------------------------------

# Outside strings and comments, what the nesting depends on. In TOML a dot outside
# a string nests a dotted key one level deeper (a number holds at most one dot),
# until a comma or the end of the line.
CODE = {"json": re.compile(r'["\[\]{}]'), "toml": re.compile(r'"""|\'\'\'|["\'#\[\]{}.,\n]')}
# Where a string or comment that starts with the key ends (a backslash skips the next character).
ENDS = {
    '"': re.compile(r'["\\\n]'),
    "'": re.compile(r"['\n]"),
    '"""': re.compile(r'"""|\\'),
    "'''": re.compile(r"'''"),
    "#": re.compile(r"\n"),
}


def nesting_depth(text: str, syntax: str) -> int:
    """How deep ``text`` (``"json"`` or ``"toml"``) nests brackets and dotted keys, read without recursion.

    Example:
        >>> nesting_depth('a.b.c = [[1], "]]]"]  # ]]', "toml")
        4
    """
    code = CODE[syntax]
    levels: list[int] = []
    depth = deepest = dots = position = 0
    while match := code.search(text, position):
        token, position = match.group(), match.end()
        if token in "[{":
            levels.append(depth)
            depth, dots = depth + dots + 1, 0
        elif token in "]}":
            depth, dots = (levels.pop() if levels else 0), 0
        elif token == ".":
            dots += 1
        elif token in ",\n":
            dots = 0
        else:
            position = _end_of(token, text, position)
        deepest = max(deepest, depth + dots)
    return deepest


def _end_of(opening: str, text: str, position: int) -> int:
    """Where the string or comment begun by ``opening`` just before ``position`` ends."""
    end = ENDS[opening]
    while match := end.search(text, position):
        if match.group() == "\\":
            position = match.end() + 1
            continue
        position = match.end()
        if len(opening) == 3:  # a multi-line string may end in up to two more quotes
            while position < len(text) and text[position] == opening[0] and position < match.end() + 2:
                position += 1
        return position
    return len(text)


def check_text(text: str, where: str, syntax: str, what: str = "") -> str:
    """``text``, once checked against the size and nesting limits for a description.

    Messages read ``where: what is …``, e.g. ``net.npz: its graph description nests …``.
    """
    subject = f"{what} " if what else ""
    check_size(len(text.encode("utf-8", "surrogatepass")), where, f"{subject}is", " of text", variable="NNGRAPH_MAX_TEXT_BYTES")
    _check_depth(nesting_depth(text, syntax), where, subject)
    return text


def read_toml_text(path: Path) -> str:
    """The text of the TOML file ``path``, its size checked before it is read and its nesting before it is parsed."""
    size = os.stat(path).st_size
    check_size(size, str(path), "is", " of text", variable="NNGRAPH_MAX_TEXT_BYTES")
    with open(path, "rb") as file:
        data = file.read(size + 1)  # a file that grows meanwhile is read no further
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise FormatError(f"{path}: not valid TOML: {err}") from err
    return check_text(text, str(path), "toml")


def check_nesting(value, where: str):
    """``value``, a parsed document, once checked to nest no deeper than the limit; walked without recursion."""
    deepest, pending = 0, [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            item = item.values()
        elif not isinstance(item, list):
            continue
        deepest = max(deepest, depth)
        pending.extend((child, depth + 1) for child in item)
    _check_depth(deepest, where)
    return value


def _check_depth(depth: int, where: str, subject: str = "") -> None:
    allowed = limit("NNGRAPH_MAX_DEPTH")
    if depth > allowed:
        raise FormatError(
            f"{where}: {subject}nests {depth} levels deep, over the limit of {allowed}; a network needs only a few levels "
            f"(set NNGRAPH_MAX_DEPTH, up to {DEPTH_CEILING}, to read deeper ones)"
        )
