"""The ONNX operators nngraph reads and writes, in one table.

An affine ``a = x·W + b`` is a ``Gemm`` (or a ``MatMul`` followed by an ``Add``);
each activation below is one ONNX operator. ``fixed`` lists the values an
attribute may take (Softmax over the last axis only; the erf-exact Gelu only).

Example:
    >>> ACTIVATION_OPS["LeakyRelu"].parameters
    {'alpha': 0.01}
    >>> OP_OF_ACTIVATION["logistic"]
    'Sigmoid'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["ActivationOp", "ACTIVATION_OPS", "OP_OF_ACTIVATION", "AFFINE_OPS", "INPUT_OPS", "OPSET", "GELU_OPSET"]

#: The opset nngraph writes, and the one a model with Gelu needs (Gelu joined ONNX in opset 20).
OPSET = 13
GELU_OPSET = 20


@dataclass(frozen=True)
class ActivationOp:
    """An ONNX operator that is one nngraph activation.

    Attributes:
        activation: the registry name, e.g. ``"leaky_relu"``.
        parameters: ONNX attribute → its default; the nngraph parameter has the same name.
        fixed: attribute → the values nngraph can follow (the first is what it writes).
        opset: the first opset with this operator.
    """

    activation: str
    parameters: Mapping[str, float] = field(default_factory=dict)
    fixed: Mapping[str, tuple] = field(default_factory=dict)
    opset: int = 1


ACTIVATION_OPS = {
    "Relu": ActivationOp("relu"),
    "Sigmoid": ActivationOp("sigmoid"),
    "Tanh": ActivationOp("tanh"),
    "Softmax": ActivationOp("softmax", fixed={"axis": (-1, 1)}),
    "LogSoftmax": ActivationOp("log_softmax", fixed={"axis": (-1, 1)}),
    "LeakyRelu": ActivationOp("leaky_relu", parameters={"alpha": 0.01}),
    "Elu": ActivationOp("elu", parameters={"alpha": 1.0}),
    "Gelu": ActivationOp("gelu", fixed={"approximate": ("none",)}, opset=GELU_OPSET),
    "Identity": ActivationOp("identity"),
}

#: activation name → the ONNX operator written for it (``logistic`` is another name of the sigmoid).
OP_OF_ACTIVATION = {op.activation: op_type for op_type, op in ACTIVATION_OPS.items()} | {"logistic": "Sigmoid"}

#: Operators that make an affine, and those allowed only on a model's input, with their attributes.
AFFINE_OPS = {"Gemm": {"alpha", "beta", "transA", "transB"}, "MatMul": set(), "Add": set()}
INPUT_OPS = {"Flatten": {"axis"}, "Reshape": {"allowzero"}}
