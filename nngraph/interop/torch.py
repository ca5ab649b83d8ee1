"""PyTorch → nngraph: an ``nn.Sequential`` of Flatten, Linear and activation modules.

``Linear`` stores ``weight`` as (outputs × inputs) and computes x·weightᵀ + bias;
nngraph writes the book's x·W + b, so W is ``weight`` transposed. float32 stays
float32. Torch is imported only when :func:`from_torch` is called.

Example:
    >>> import torch
    >>> module = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.LeakyReLU(0.2))
    >>> from_torch(module).names
    ('x', 'W1', 'b1', 'a1', 'y')
"""

from __future__ import annotations

from ..errors import FormatError
from ..graph import Graph
from .layers import Activate, Affine, chain
from .packages import optional

__all__ = ["from_torch", "TORCH_ACTIVATIONS"]

#: torch.nn class name → how it becomes an nngraph activation (the module → (name, parameters)).
TORCH_ACTIVATIONS = {
    "ReLU": lambda m: ("relu", {}),
    "Sigmoid": lambda m: ("sigmoid", {}),
    "Tanh": lambda m: ("tanh", {}),
    "LeakyReLU": lambda m: ("leaky_relu", {"alpha": m.negative_slope}),
    "ELU": lambda m: ("elu", {"alpha": m.alpha}),
    "GELU": lambda m: ("gelu", {}),
    "SiLU": lambda m: ("silu", {}),
    "Softplus": lambda m: ("softplus", {"beta": m.beta}),
    "Softmax": lambda m: ("softmax", {}),
    "LogSoftmax": lambda m: ("log_softmax", {}),
    "Identity": lambda m: ("identity", {}),
}
HINTS = {
    "Dropout": "in eval mode it does nothing: build the Sequential without it",
    "BatchNorm1d": "fold it into the Linear before it",
    "Conv2d": "nngraph reads multilayer perceptrons only",
}


def from_torch(module, *, name: str | None = None) -> Graph:
    """The nngraph graph of an ``nn.Sequential`` (nested Sequentials are read in order).

    Reads Flatten (at the input: the graph's input takes the flattened width), Linear,
    ReLU, Sigmoid, Tanh, LeakyReLU, ELU, GELU, SiLU, Softplus, Softmax and LogSoftmax
    (over the last dimension) and Identity. nngraph's softplus is exact: torch's
    returns x itself once β·x exceeds ``threshold`` (20), which differs by at most
    exp(−threshold)/β (2.1e-9).

    Raises:
        FormatError: naming the module, for anything else.

    Example:
        >>> import torch
        >>> torch.manual_seed(0) and None
        >>> module = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(4, 2), torch.nn.Softmax(dim=-1))
        >>> x = torch.rand(3, 2, 2)
        >>> net = from_torch(module)
        >>> float(abs(net.forward(x.reshape(3, 4).numpy()) - module(x).detach().numpy()).max()) < 1e-6
        True
    """
    torch = optional("torch", "torch", "from_torch")
    nn = torch.nn
    if not isinstance(module, nn.Sequential) or type(module).forward is not nn.Sequential.forward:
        raise FormatError(f"from_torch reads an nn.Sequential (of Flatten, Linear and activations); got {type(module).__name__}, whose forward nngraph cannot read")
    layers: list[Affine | Activate] = []
    size = None
    for label, child in _children(nn, module):
        where = f"module {label!r} ({type(child).__name__})"
        kind = type(child).__name__ if type(child).__module__.startswith("torch.nn") else None
        if kind == "Flatten":
            _flatten(child, where, layers)
        elif kind == "Linear":
            layers.append(_linear(torch, child, where))
            size = size or child.in_features
        elif kind in TORCH_ACTIVATIONS:
            _check_activation(child, kind, where)
            activation, parameters = TORCH_ACTIVATIONS[kind](child)
            layers.append(Activate(activation, parameters, origin=where))
        else:
            hint = HINTS.get(type(child).__name__, "from_torch reads Flatten, Linear and " + ", ".join(TORCH_ACTIVATIONS))
            raise FormatError(f"{where} is not something nngraph reads; {hint}")
    if size is None:
        raise FormatError("the Sequential has no Linear layer, so the size of its input is unknown; nngraph networks start with a Linear")
    return chain(name or type(module).__name__, size, layers)


def _children(nn, module, prefix: str = ""):
    """(dotted name, module) of every module in the order forward() runs them, nested Sequentials opened.

    Sequential.forward runs ``self._modules.values()``, a module used twice included;
    ``named_children()`` would skip the repeat.
    """
    for label, child in module._modules.items():
        if type(child) is nn.Sequential:
            yield from _children(nn, child, f"{prefix}{label}.")
        else:
            yield f"{prefix}{label}", child


def _flatten(child, where: str, layers: list) -> None:
    if layers:
        raise FormatError(f"{where} comes after a layer; nngraph flattens only at the input (put Flatten first)")
    if (child.start_dim, child.end_dim) != (1, -1):
        raise FormatError(f"{where} has start_dim={child.start_dim}, end_dim={child.end_dim}; nngraph reads Flatten() (start_dim=1, end_dim=-1), one row per sample")


def _linear(torch, child, where: str) -> Affine:
    weight = child.weight.detach()
    if weight.dtype not in (torch.float32, torch.float64):
        raise FormatError(f"{where} holds {weight.dtype} weights; nngraph reads float32 or float64 (call module.float())")
    W = weight.cpu().numpy().T.copy()  # (outputs × inputs) → the book's (inputs × outputs), C-contiguous
    b = None if child.bias is None else child.bias.detach().cpu().numpy().copy()
    return Affine(W, b, origin=where)


def _check_activation(child, kind: str, where: str) -> None:
    if kind in ("Softmax", "LogSoftmax") and child.dim not in (-1, 1):
        raise FormatError(f"{where} has dim={child.dim}; nngraph's {kind.lower()} runs over the last dimension: use dim=-1")
    if kind == "GELU" and child.approximate != "none":
        raise FormatError(f"{where} uses approximate={child.approximate!r}; nngraph's gelu is the exact erf form: use GELU()")
