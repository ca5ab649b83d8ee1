"""nngraph → ONNX: every affine a ``Gemm``, every activation its one ONNX operator.

The model keeps the graph's names (inputs, initializers, nodes and their output
tensors), so :func:`~nngraph.interop.onnx_read.from_onnx` reads it back to the same
graph. All tensors share one type: float32 when every weight is float32, else
float64. The opset is 13, or 20 when a ``gelu`` needs ONNX's ``Gelu``.

onnxruntime runs every such model in float32; in float64 it has no kernels for
LeakyRelu, Elu and Gelu (onnx's ``ReferenceEvaluator`` runs them).

Example:
    >>> import nngraph
    >>> model = onnx_model(nngraph.mlp([([[1.0, -1.0]], [0.0, 0.5])], ("leaky_relu", {"alpha": 0.2})))
    >>> [(node.op_type, [a.f for a in node.attribute]) for node in model.graph.node]
    [('Gemm', []), ('LeakyRelu', [0.20000000298023224])]
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import FormatError
from ..files import write_atomically
from ..graph import Graph
from ..nodes import ActivationNode, AffineNode, InputNode, WeightNode
from ..version import __version__
from .onnx_ops import ACTIVATION_OPS, GELU_OPSET, OP_OF_ACTIVATION, OPSET
from .packages import optional

__all__ = ["to_onnx"]

#: The IR version written: the oldest that carries opset 20, so older runtimes load the file too.
IR_VERSION = 9


def to_onnx(graph: Graph, path) -> Path:
    """Write ``graph`` as an ONNX model to ``path`` (atomically); returns the path.

    Raises:
        FormatError: for a node ONNX cannot express the way nngraph reads it back
            (a step, SiLU or softplus activation, your own activation or node kind),
            naming the node; or a path not ending in ``.onnx``.

    Example:
        >>> import tempfile, pathlib, nngraph
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "three_layer.onnx"
        >>> to_onnx(nngraph.three_layer_network(), path).name
        'three_layer.onnx'
        >>> nngraph.from_onnx(path).names == nngraph.three_layer_network().names
        True
    """
    if not isinstance(graph, Graph):
        raise FormatError(f"to_onnx needs a Graph as its first argument; got {type(graph).__name__}")
    if Path(path).suffix.lower() != ".onnx":
        raise FormatError(f"{path}: to_onnx writes .onnx files; name it {Path(path).with_suffix('.onnx').name}")
    model = onnx_model(graph)
    return write_atomically(path, lambda file: file.write(model.SerializeToString()))


def onnx_model(graph: Graph):
    """``graph`` as an ``onnx.ModelProto``, checked by onnx's checker.

    Example:
        >>> import nngraph
        >>> [node.op_type for node in onnx_model(nngraph.three_layer_network()).graph.node]
        ['Gemm', 'Sigmoid', 'Gemm', 'Sigmoid', 'Gemm', 'Identity']
    """
    onnx = optional("onnx", "onnx", "to_onnx")
    helper = onnx.helper
    dtype = _dtype(graph)
    element = helper.np_dtype_to_tensor_dtype(dtype)
    inputs, initializers, nodes = [], [], []
    for node in graph:
        if isinstance(node, InputNode):
            inputs.append(helper.make_tensor_value_info(node.name, element, ["N", node.size]))
        elif isinstance(node, WeightNode):
            initializers.append(onnx.numpy_helper.from_array(node.value.astype(dtype), node.name))
        elif isinstance(node, AffineNode):
            nodes.append(helper.make_node("Gemm", list(node.arguments.values()), [node.name], name=node.name))
        elif isinstance(node, ActivationNode):
            nodes.append(_activation(helper, node))
        else:
            raise FormatError(f"{node.kind} {node.name!r}: node kind {node.kind!r} has no ONNX form; to_onnx writes inputs, weights, affines and activations")
    outputs = [helper.make_tensor_value_info(node.name, element, ["N", node.width]) for node in graph.outputs]
    opset = GELU_OPSET if any(node.op_type == "Gelu" for node in nodes) else OPSET
    onnx_graph = helper.make_graph(nodes, graph.name, inputs, outputs, initializer=initializers)
    model = helper.make_model(onnx_graph, opset_imports=[helper.make_opsetid("", opset)], producer_name="nngraph", producer_version=__version__)
    model.ir_version = IR_VERSION
    onnx.checker.check_model(model)
    return model


def _dtype(graph: Graph) -> np.dtype:
    weights = [node.value.dtype for node in graph if isinstance(node, WeightNode)]
    dtype = np.result_type(*weights) if weights else np.dtype(np.float64)
    if dtype not in (np.float32, np.float64):
        raise FormatError(f"graph {graph.name!r} has {dtype} weights; ONNX models from nngraph are float32 or float64: cast the weights")
    return np.dtype(dtype)


def _activation(helper, node: ActivationNode):
    op_type = OP_OF_ACTIVATION.get(node.h.name)
    if op_type is None:
        known = ", ".join(sorted(OP_OF_ACTIVATION))
        raise FormatError(f"activation {node.name!r}: {node.h.name} has no ONNX operator that nngraph reads back; to_onnx writes {known}")
    op = ACTIVATION_OPS[op_type]
    attributes = {key: node.parameters[key] for key in op.parameters}
    attributes.update({key: values[0] for key, values in op.fixed.items() if key != "approximate"})
    # ONNX attributes are float32: the doc string keeps nngraph's float64 value for from_onnx.
    exact = ", ".join(f"{key} = {value!r}" for key, value in attributes.items() if key in op.parameters)
    return helper.make_node(op_type, [node.source], [node.name], name=node.name, doc_string=exact or None, **attributes)
