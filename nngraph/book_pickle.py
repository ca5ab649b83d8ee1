"""The book's weights file, read without a general unpickler: only NumPy arrays in a plain dict.

*Deep Learning from Scratch* publishes its trained MNIST weights as
``sample_weight.pkl``, a pickle of ``{"W1": array, …, "b3": array}``. A pickle
is a program: an ordinary ``pickle.load`` runs whatever functions it names. This
module's :class:`Unpickler` answers only the three names a NumPy array pickle
uses (``numpy.core.multiarray._reconstruct`` or ``numpy._core.multiarray._reconstruct``,
``numpy.ndarray``, ``numpy.dtype``), and not with NumPy's own functions but with
inert stand-ins that record their arguments. Nothing is built until the whole
file has been read and every record checked: a dict of names to arrays of real
numbers (bool, integers, floats) whose bytes match their declared shape. Any
other global, an object array, a list, a persistent id or any other type is a
:class:`~nngraph.errors.FormatError` before anything runs.

Example:
    >>> import io, pickle, numpy as np
    >>> data = pickle.dumps({"W1": np.eye(2, dtype=np.float32)}, protocol=3)
    >>> read_book_pickle(data, "weights.pkl")["W1"]
    array([[1., 0.],
           [0., 1.]], dtype=float32)
"""

from __future__ import annotations

import io
import os
import pickle
import pickletools
import re
import warnings

import numpy as np

from .errors import FormatError
from .files import regular_file

__all__ = ["load_book_pickle", "read_book_pickle", "Unpickler", "MAX_BYTES"]

#: The largest weights pickle read (the book's is 0.18 MB).
MAX_BYTES = 256 * 1024 * 1024
#: Dtype codes a weights array may have: bool, signed and unsigned integers, floats.
DTYPE_CODE = re.compile(r"b1|[iu][1248]|f[248]")
BYTE_ORDERS = {"<", ">", "|", "="}
MAX_DIMENSIONS = 32
RECONSTRUCT = {("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct")}
HOW_TO_SAVE = "save the arrays with numpy.savez instead, or pickle a dict of arrays with protocol 3 or 4"


class _Refused(Exception):
    """Raised inside the unpickler; becomes a FormatError naming the file."""


class _NdarrayClass:
    """Stands for ``numpy.ndarray``: only ever passed to ``_reconstruct``, never called or changed."""

    __slots__ = ()

    def __call__(self, *args):
        raise _Refused("it calls numpy.ndarray directly; an array pickle only passes it to _reconstruct")

    def __setstate__(self, state):
        raise _Refused("it gives numpy.ndarray itself a state")


NDARRAY = _NdarrayClass()


class _DtypeRecord:
    """What ``numpy.dtype(code, 0, 1)`` (not aligned, a copy) and its state declare, checked, not yet built."""

    def __init__(self, code, align, copy):
        flags = (align, copy)
        if not (isinstance(code, str) and DTYPE_CODE.fullmatch(code)) or flags not in ((0, 1), (False, True)) or {type(f) for f in flags} - {bool, int}:
            raise _Refused(f"it declares dtype {code!r}; only bool, integer and float arrays are read (no objects, strings or records)")
        self.code, self.byte_order = code, None

    def __setstate__(self, state):
        if not (isinstance(state, tuple) and len(state) == 8 and state[0] == 3 and state[1] in BYTE_ORDERS and state[2:] == (None, None, None, -1, -1, 0)):
            raise _Refused(f"dtype {self.code!r} has the state {state!r}, not that of a plain number type")
        self.byte_order = state[1]

    def build(self) -> np.dtype:
        if self.byte_order is None:
            raise _Refused(f"dtype {self.code!r} is never given its byte order")
        return np.dtype(("=" if self.byte_order == "|" else self.byte_order) + self.code)


class _ArrayRecord:
    """What ``_reconstruct(ndarray, (0,), b'b')`` and its state declare, checked, not yet built."""

    def __init__(self, cls, shape, typecode):
        if cls is not NDARRAY or shape != (0,) or typecode != b"b":
            raise _Refused("it calls _reconstruct with arguments other than those of a plain array: (ndarray, (0,), b'b')")
        self.state = None

    def __setstate__(self, state):
        if not (isinstance(state, tuple) and len(state) == 5 and state[0] == 1):
            raise _Refused(f"an array has a state of type {type(state).__name__}, not (1, shape, dtype, fortran, bytes)")
        _, shape, dtype, fortran, data = state
        if not isinstance(dtype, _DtypeRecord):
            raise _Refused(f"an array's dtype is a {type(dtype).__name__}, not a numpy.dtype")
        if not isinstance(data, bytes):
            kind = "a list of Python objects (an object array)" if isinstance(data, list) else f"a {type(data).__name__}"
            raise _Refused(f"an array's data is {kind}, not raw bytes; object arrays are never read")
        if not (isinstance(shape, tuple) and len(shape) <= MAX_DIMENSIONS and all(type(n) is int and n >= 0 for n in shape)):
            raise _Refused(f"an array declares the shape {shape!r}; a shape is a tuple of at most {MAX_DIMENSIONS} whole numbers ≥ 0")
        if type(fortran) is not bool:
            raise _Refused(f"an array's memory order is {fortran!r}, not True or False")
        count = 1
        for n in shape:
            count *= n  # Python integers: a huge declared shape cannot overflow, it just fails the size check
        expected = count * int(dtype.code[1])
        if expected != len(data):
            raise _Refused(f"an array declares shape {shape} of {dtype.code} ({expected:,} bytes) but holds {len(data):,} bytes")
        self.state = shape, dtype, fortran, data

    def build(self) -> np.ndarray:
        if self.state is None:
            raise _Refused("an array is never given its shape, dtype and data")
        shape, dtype, fortran, data = self.state
        flat = np.frombuffer(data, dtype=dtype.build())
        array = flat.reshape(shape, order="F" if fortran else "C")
        return array.astype(array.dtype.newbyteorder("="), order="C")


def _reconstruct(cls, shape, typecode) -> _ArrayRecord:
    return _ArrayRecord(cls, shape, typecode)


def _dtype(code, align, copy) -> _DtypeRecord:
    return _DtypeRecord(code, align, copy)


class Unpickler(pickle.Unpickler):
    """An unpickler that knows three names and hands out inert stand-ins for them.

    Use it through :func:`read_book_pickle`, which turns its refusals into FormatError.

    Example:
        >>> read_book_pickle(b"cos\\nsystem\\n(S'touch hacked'\\ntR.", "evil.pkl")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        nngraph.errors.FormatError: evil.pkl: refused: it names the global os.system; ...
    """

    def find_class(self, module, name):
        # Functions, not the classes: NEWOBJ needs a class, so no record is made without its checks.
        if (module, name) in RECONSTRUCT:
            return _reconstruct
        if (module, name) == ("numpy", "ndarray"):
            return NDARRAY
        if (module, name) == ("numpy", "dtype"):
            return _dtype
        raise _Refused(f"it names the global {module}.{name}; a weights file may only name numpy's _reconstruct, ndarray and dtype")

    def persistent_load(self, pid):
        raise _Refused("it refers to a persistent object, which only a program's own unpickler can supply")


def load_book_pickle(path) -> dict[str, np.ndarray]:
    """The arrays of a weights pickle such as the book's ``sample_weight.pkl``.

    Raises:
        FormatError: naming the file, for anything but a dict of names to arrays of real numbers.

    Example:
        >>> import pathlib, pickle, tempfile
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "w.pkl"
        >>> _ = path.write_bytes(pickle.dumps({"b1": np.zeros(3)}, protocol=4))
        >>> load_book_pickle(path)["b1"]
        array([0., 0., 0.])
    """
    path = regular_file(path)
    size = os.stat(path).st_size
    if size > MAX_BYTES:
        raise FormatError(f"{path}: {size:,} bytes, more than the {MAX_BYTES:,} a weights pickle may have")
    with open(path, "rb") as file:
        return read_book_pickle(file.read(MAX_BYTES + 1), str(path))


def read_book_pickle(data: bytes, where: str) -> dict[str, np.ndarray]:
    """The arrays of the weights pickle ``data``; ``where`` names it in messages.

    Example:
        >>> read_book_pickle(b"not a pickle", "w.pkl")
        Traceback (most recent call last):
        ...
        nngraph.errors.FormatError: w.pkl: not a readable pickle (at position 0, opcode b'n' unknown); save the arrays with numpy.savez instead, or pickle a dict of arrays with protocol 3 or 4
    """
    _scan(data, where)  # every declared length is checked against the bytes there, before anything is unpickled
    try:
        loaded = Unpickler(io.BytesIO(data)).load()
        return _arrays(loaded)
    except _Refused as err:
        raise FormatError(f"{where}: refused: {err}; {HOW_TO_SAVE}") from None
    except Exception as err:  # the unpickler's own complaints about a damaged stream, whatever their type
        raise FormatError(f"{where}: not a readable pickle ({type(err).__name__}: {err}); {HOW_TO_SAVE}") from None


def _scan(data: bytes, where: str) -> None:
    """Walk the opcodes without running any: lengths that overrun the file, a bad opcode, trailing bytes.

    Memo indices are bounded by the opcodes before them and frames by the bytes left,
    since the unpickler would allocate room for them before noticing they are false.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # pickletools decoding a protocol-0 string with a stray backslash
            end = _last_opcode_end(data)
        if end != len(data):
            raise ValueError(f"{len(data) - end:,} bytes after the end of the pickle")
    except ValueError as err:
        raise FormatError(f"{where}: not a readable pickle ({err}); {HOW_TO_SAVE}") from None


def _last_opcode_end(data: bytes) -> int:
    end = 0
    for count, (opcode, argument, position) in enumerate(pickletools.genops(data)):
        position = position or 0  # genops gives a position for every opcode of bytes it was given
        if opcode.name in ("PUT", "BINPUT", "LONG_BINPUT") and int(argument or 0) > count:
            raise ValueError(f"memo index {argument:,} at byte {position:,}, beyond the {count:,} opcodes before it")
        if opcode.name == "FRAME" and int(argument or 0) > len(data) - position:
            raise ValueError(f"a frame of {argument:,} bytes at byte {position:,}, beyond the end of the file")
        end = position + 1
    return end


def _arrays(loaded) -> dict[str, np.ndarray]:
    if type(loaded) is not dict:
        raise _Refused(f"it holds a {type(loaded).__name__}, not a dict of names to arrays")
    arrays = {}
    for key, value in loaded.items():
        if type(key) is not str:
            raise _Refused(f"it has the key {key!r}; keys must be names such as 'W1'")
        if not isinstance(value, _ArrayRecord):
            raise _Refused(f"{key!r} holds a {type(value).__name__}, not a NumPy array")
        arrays[key] = value.build()
    return arrays
