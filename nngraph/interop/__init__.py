"""Models from elsewhere: ONNX in and out, PyTorch ``nn.Sequential``, scikit-learn MLPs.

Each function imports its framework when it is called, never before, so
``import nngraph`` loads none of them. A network trained anywhere becomes a
:class:`~nngraph.graph.Graph` to run, step through and draw.

Example:
    >>> import nngraph
    >>> nngraph.from_onnx is from_onnx
    True
"""

from .onnx_read import from_onnx
from .onnx_write import to_onnx
from .sklearn import from_sklearn
from .torch import from_torch

__all__ = ["from_onnx", "to_onnx", "from_torch", "from_sklearn"]
