"""Files on disk, handled safely: only regular files are read; writes are atomic.

- :func:`regular_file` refuses, before anything opens it, a path that is not a
  regular file: a named pipe would block the open forever, a device or
  ``/dev/stdin`` would be read without end.
- :func:`write_atomically` writes beside the target and renames into place,
  keeping the mode of the file it replaces (a new file follows the umask).

Every problem raises :class:`~nngraph.errors.FormatError` naming the file the
user gave, never a temporary one.

Example:
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "note.txt"
    >>> write_atomically(path, lambda file: file.write(b"hello")).name
    'note.txt'
    >>> regular_file(path).read_bytes()
    b'hello'
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from pathlib import Path

from .errors import FormatError

__all__ = ["regular_file", "write_atomically"]

KINDS = {
    stat.S_IFIFO: "a named pipe",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a folder",
}


def regular_file(path, name: str | None = None, error: type[Exception] = FormatError) -> Path:
    """``path`` as a :class:`~pathlib.Path`, checked with ``os.stat`` to be a regular file.

    Args:
        path: the file to read.
        name: how messages refer to it (default: the path itself), e.g. ``"--input x.npy"``.
        error: the exception class to raise.

    Raises:
        FormatError: (or ``error``) for a missing file, a folder, a pipe, a device or a name
            no file can have.

    Example:
        >>> regular_file("/dev/null")
        Traceback (most recent call last):
        ...
        nngraph.errors.FormatError: /dev/null: is a character device; it must be a regular file
    """
    path = Path(path)
    name = str(path) if name is None else name
    try:
        mode = os.stat(path).st_mode  # stat never opens, so a pipe cannot block here
    except FileNotFoundError:
        raise error(f"{name}: no such file") from None
    except OSError as err:
        raise error(f"{name}: cannot be read ({err.strerror})") from None
    except ValueError:  # what os.stat raises for a NUL character, which no file name can hold
        raise error(_impossible(name)) from None
    if not stat.S_ISREG(mode):
        kind = KINDS.get(stat.S_IFMT(mode), "not a regular file")
        raise error(f"{name}: is {kind}; it must be a regular file")
    return path


def write_atomically(path, write) -> Path:
    """Call ``write(file)`` on a temporary file beside ``path``, then rename it into place.

    A reader never sees a half-written file, and a failed write leaves any old
    file untouched and no temporary behind. A replaced file keeps its mode.

    Raises:
        FormatError: naming ``path``, for a folder or a special file in its place, or
            any operating-system error (permission denied, disk full).
    """
    path = Path(path)
    old_mode = _replaced_mode(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = _create_beside(path)
    except OSError as err:
        raise FormatError(f"{path}: cannot be written ({err.strerror or err})") from err
    try:
        with os.fdopen(handle, "wb") as file:
            write(file)
            file.flush()
            os.fsync(file.fileno())
        if old_mode is not None:
            os.chmod(temporary, old_mode)
        os.replace(temporary, path)
    except BaseException as err:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        if isinstance(err, OSError):
            raise FormatError(f"{path}: cannot be written ({err.strerror or err})") from err
        raise
    return path


def _replaced_mode(path: Path) -> int | None:
    """The permission bits of the file ``path`` will replace; None when there is none."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    except ValueError:
        raise FormatError(_impossible(str(path))) from None
    if stat.S_ISDIR(mode):
        raise FormatError(f"{path}: is a folder; give a file name such as {path / 'network.npz'}")
    if not stat.S_ISREG(mode):
        kind = KINDS.get(stat.S_IFMT(mode), "not a regular file")
        raise FormatError(f"{path}: is {kind}; nngraph only writes regular files")
    return stat.S_IMODE(mode)


def _create_beside(path: Path) -> tuple[int, str]:
    """A new, empty file in ``path``'s folder, created 0o666 so the kernel applies the live umask."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0)
    for _ in range(100):
        temporary = str(path.parent / f".{path.name}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(temporary, flags, 0o666), temporary
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(path.parent))


def _impossible(name: str) -> str:
    shown = name.replace("\0", "\\x00")
    return f"{shown}: no file can have this name: it holds a NUL character"
