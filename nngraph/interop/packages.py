"""The optional packages the importers need, imported only when an importer is called.

``import nngraph`` never loads onnx, torch or scikit-learn; each importer imports
its package inside the function, and a missing one is a one-line error saying
which extra to install.

Example:
    >>> optional("json", "onnx", "to_json").dumps([1])
    '[1]'
    >>> optional("no_such_package", "onnx", "from_onnx")
    Traceback (most recent call last):
    ...
    nngraph.errors.FormatError: from_onnx needs the Python package 'no_such_package', which is not installed: pip install 'nngraph[onnx]'
"""

from __future__ import annotations

import importlib

from ..errors import FormatError

__all__ = ["optional"]


def optional(package: str, extra: str, purpose: str):
    """The module ``package``, imported now for ``purpose``; a FormatError naming the extra to install if it is missing."""
    try:
        return importlib.import_module(package)
    except ImportError:
        raise FormatError(f"{purpose} needs the Python package {package!r}, which is not installed: pip install 'nngraph[{extra}]'") from None
