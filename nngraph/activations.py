"""Activation functions h(a): one explicit registry, open to users.

Every activation carries its function, its formula and the symbol diagrams
draw for it. ``step``, ``sigmoid``, ``relu``, ``identity``, ``softmax``,
``tanh`` and ``leaky_relu`` are built in; :func:`register_activation` adds more.

Example:
    >>> import numpy as np
    >>> get_activation("sigmoid")(np.array([-1.0, 1.0, 2.0])).round(8)
    array([0.26894142, 0.73105858, 0.88079708])
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .errors import GraphError, UnknownActivationError

__all__ = ["Activation", "ACTIVATIONS", "register_activation", "get_activation"]


@dataclass(frozen=True)
class Activation:
    """An activation function with what is needed to print and draw it.

    Attributes:
        name: registry key, e.g. ``"sigmoid"``.
        function: maps an array ``a`` (shape ``(K,)`` or ``(N, K)``) to ``h(a)``
            of the same shape and float dtype.
        formula: the definition in the book's notation, e.g. ``"σ(a) = 1 / (1 + exp(−a))"``.
        symbol: what a diagram writes inside the neuron, e.g. ``"σ"``.
        elementwise: False when each output depends on the whole row (softmax).
    """

    name: str
    function: Callable[[np.ndarray], np.ndarray]
    formula: str
    symbol: str
    elementwise: bool = True

    def __call__(self, a: np.ndarray) -> np.ndarray:
        return self.function(a)


ACTIVATIONS: dict[str, Activation] = {}


def register_activation(name: str, *, formula: str, symbol: str, elementwise: bool = True):
    """Decorator registering ``function`` as the activation ``name``.

    Raises:
        GraphError: if ``name`` is already registered or not an identifier.

    Example:
        >>> @register_activation("softsign", formula="a / (1 + |a|)", symbol="softsign")
        ... def softsign(a):
        ...     return a / (1 + np.abs(a))
        >>> get_activation("softsign").symbol
        'softsign'
        >>> del ACTIVATIONS["softsign"]
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise GraphError(f"activation name {name!r} must be an identifier such as 'softsign'")
    if name in ACTIVATIONS:
        raise GraphError(
            f"activation {name!r} is already registered; pick another name "
            f"or `del nngraph.ACTIVATIONS[{name!r}]` first"
        )

    def decorate(function):
        if not callable(function):
            raise GraphError(f"activation {name!r} must be registered on a function; got {function!r}")
        ACTIVATIONS[name] = Activation(name, function, formula, symbol, elementwise)
        return function

    return decorate


def get_activation(name: str | Activation) -> Activation:
    """Return the registered activation ``name`` (an :class:`Activation` passes through).

    Raises:
        UnknownActivationError: listing the known names and the closest one.

    Example:
        >>> get_activation("relu").formula
        'ReLU(a) = max(0, a)'
    """
    if isinstance(name, Activation):
        return name
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        known = sorted(ACTIVATIONS)
        close = difflib.get_close_matches(str(name), known, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise UnknownActivationError(
            f"unknown activation {name!r}; {hint}known: {', '.join(known)} "
            f"(add your own with nngraph.register_activation)"
        ) from None


@register_activation("step", formula="h(a) = 1 if a > 0 else 0", symbol="step")
def step(a):
    return np.greater(a, 0).astype(a.dtype)


@register_activation("sigmoid", formula="σ(a) = 1 / (1 + exp(−a))", symbol="σ")
def sigmoid(a):
    # σ(a) = exp(min(a, 0)) / (1 + exp(−|a|)): both exponents are ≤ 0, so nothing
    # overflows, and for a < 0 the numerator exp(a) keeps tiny results exact.
    # Computed in place in two arrays: fresh arrays cost page faults at large batches.
    a = np.asarray(a)
    if a.ndim == 0:
        return sigmoid(a.reshape(1)).reshape(())
    out = np.minimum(a, 0.0)
    d = np.abs(a, dtype=out.dtype)
    np.negative(d, out=d)
    np.exp(d, out=d)
    d += 1
    np.exp(out, out=out)
    out /= d
    return out


@register_activation("relu", formula="ReLU(a) = max(0, a)", symbol="ReLU")
def relu(a):
    return np.maximum(a, 0)


@register_activation("identity", formula="σ(a) = a", symbol="identity")
def identity(a):
    return a.copy()  # never hand the caller's own input array back as an output


@register_activation(
    "softmax", formula="yₖ = exp(aₖ) / Σᵢ exp(aᵢ)", symbol="softmax", elementwise=False
)
def softmax(a):
    # Subtracting each row's max leaves the result unchanged and keeps exp()
    # from overflowing: softmax([1010, 1000, 990]) would otherwise be nan.
    e = np.exp(a - a.max(axis=-1, keepdims=True))
    e /= e.sum(axis=-1, keepdims=True)
    return e


@register_activation("tanh", formula="tanh(a) = (exp(a) − exp(−a)) / (exp(a) + exp(−a))", symbol="tanh")
def tanh(a):
    return np.tanh(a)


@register_activation("leaky_relu", formula="h(a) = a if a > 0 else 0.01·a", symbol="LReLU")
def leaky_relu(a):
    return np.where(a > 0, a, a * 0.01)
