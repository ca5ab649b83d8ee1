"""Activation functions h(a): one explicit registry, open to users, with parameters.

Every activation carries its computation, its definition in the book's
notation, the symbol diagrams draw for it and its parameters with their
defaults. :func:`register_activation` adds more; :data:`ACTIVATIONS` is the
registry, read-only; :func:`unregister_activation` removes what a user added.

Example:
    >>> import numpy as np
    >>> get_activation("sigmoid")(np.array([-1.0, 1.0, 2.0])).round(8)
    array([0.26894142, 0.73105858, 0.88079708])
    >>> get_activation("leaky_relu")(np.array([-1.0, 2.0]), alpha=0.2)
    array([-0.2,  2. ])
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from types import MappingProxyType

import numpy as np

from .checks import did_you_mean, real_number
from .errors import GraphError, UnknownActivationError

__all__ = ["Activation", "ACTIVATIONS", "register_activation", "unregister_activation", "get_activation"]

#: How formulas write a parameter: ``alpha`` is the book's α.
PARAMETER_SYMBOLS = {"alpha": "α", "beta": "β", "gamma": "γ", "lambda_": "λ"}


@dataclass(frozen=True, kw_only=True)
class Activation:
    """An activation function with what is needed to print and draw it.

    Attributes:
        name: registry key, e.g. ``"sigmoid"``.
        compute: maps an array ``a`` (shape ``(K,)`` or ``(N, K)``) and the
            parameters, as keywords, to ``h(a)`` of the same shape and float dtype.
        definition: in the book's notation, e.g. ``"σ(a) = 1 / (1 + exp(−a))"``.
        symbol: what a diagram writes inside the neuron, e.g. ``"σ"``.
        elementwise: False when each output depends on the whole row (softmax).
        parameters: each parameter's default, e.g. ``{"alpha": 0.01}``.
        positive: the parameters that must be greater than 0 (softplus's β divides).
        builtin: True for nngraph's own, which never change their argument; a
            user's activation is handed a copy and its results are checked.
    """

    name: str
    compute: Callable[..., np.ndarray]
    definition: str
    symbol: str
    elementwise: bool = True
    parameters: Mapping[str, float] = field(default_factory=dict)
    positive: frozenset[str] = frozenset()
    builtin: bool = False

    def __call__(self, a, **parameters) -> np.ndarray:
        """``h(a)`` on a float copy of ``a``, as a graph would run it."""
        array = np.asarray(a)
        array = array.astype(np.float64) if array.dtype.kind != "f" else array.copy()
        return self.compute(array, **self.bind(parameters))

    def bind(self, given: Mapping, where: str = "") -> dict[str, float]:
        """Every parameter's value: ``given`` checked, the rest at their defaults.

        Raises:
            GraphError: for an unknown parameter or one that is not a finite number.

        Example:
            >>> get_activation("elu").bind({"alpha": 2})
            {'alpha': 2.0}
        """
        where = where or f"activation {self.name!r}"
        unknown = [key for key in given if key not in self.parameters]
        if unknown:
            takes = f"takes {', '.join(self.parameters)}" if self.parameters else "takes no parameters"
            raise GraphError(f"{where}: {self.name} {takes}; got {', '.join(map(repr, unknown))}{did_you_mean(unknown[0], self.parameters)}")
        values = {key: real_number(given.get(key, default), f"{where}: {key}") for key, default in self.parameters.items()}
        for key in sorted(self.positive):
            if values[key] <= 0:
                raise GraphError(f"{where}: {key} must be greater than 0; got {values[key]:g}")
        return values

    def settings(self, values: Mapping[str, float]) -> str:
        """The parameters that differ from their defaults, as the book would write them.

        Example:
            >>> get_activation("leaky_relu").settings({"alpha": 0.2})
            'α = 0.2'
            >>> get_activation("leaky_relu").settings({"alpha": 0.01})
            ''
        """
        changed = [(key, value) for key, value in values.items() if value != self.parameters.get(key)]
        return ", ".join(f"{PARAMETER_SYMBOLS.get(key, key)} = {value:g}" for key, value in changed)


_REGISTRY: dict[str, Activation] = {}
ACTIVATIONS: Mapping[str, Activation] = MappingProxyType(_REGISTRY)


def register_activation(
    name: str, *, definition: str, symbol: str, elementwise: bool = True, parameters: Mapping | None = None, positive=(),
):
    """Decorator registering ``compute`` as the activation ``name``.

    ``compute(a, **parameters)`` receives its own copy of ``a``; ``parameters``
    maps each keyword it takes to its default.

    Raises:
        GraphError: for a name already registered or not an identifier, or
            parameters ``compute`` does not take.

    Example:
        >>> @register_activation("scaled", definition="h(a) = β·a", symbol="β·", parameters={"beta": 2.0})
        ... def scaled(a, beta):
        ...     return a * beta
        >>> get_activation("scaled")(np.array([1.0, 2.0]), beta=3)
        array([3., 6.])
        >>> unregister_activation("scaled")
    """
    return _registrar(name, definition, symbol, elementwise, parameters, positive, builtin=False)


def _registrar(name, definition, symbol, elementwise, parameters, positive=(), *, builtin: bool):
    if not isinstance(name, str) or not name.isidentifier():
        raise GraphError(f"activation name {name!r} must be an identifier such as 'softsign'")
    if name in _REGISTRY:
        raise GraphError(f"activation {name!r} is already registered; pick another name or unregister_activation({name!r}) first")
    defaults = {key: real_number(value, f"activation {name!r}: default of {key!r}") for key, value in dict(parameters or {}).items()}

    def decorate(compute):
        if not callable(compute):
            raise GraphError(f"activation {name!r} must be registered on a function; got {compute!r}")
        try:
            inspect.signature(compute).bind(np.zeros(1), **defaults)
        except TypeError as err:
            raise GraphError(f"activation {name!r}: {getattr(compute, '__name__', compute)}() must take the array and {sorted(defaults) or 'nothing else'}: {err}") from None
        except ValueError:  # a builtin without a signature: the probe on first use tells
            pass
        _REGISTRY[name] = Activation(
            name=name, compute=compute, definition=definition, symbol=symbol, elementwise=elementwise,
            parameters=MappingProxyType(defaults), positive=frozenset(positive), builtin=builtin,
        )
        return compute

    return decorate


def unregister_activation(name: str) -> None:
    """Remove the activation ``name`` that a user registered.

    Raises:
        GraphError: for a built-in activation; UnknownActivationError for an unknown name.
    """
    if get_activation(name).builtin:
        raise GraphError(f"{name!r} is one of nngraph's own activations and cannot be unregistered")
    del _REGISTRY[name]


def get_activation(name: str | Activation) -> Activation:
    """Return the registered activation ``name`` (an :class:`Activation` passes through).

    Raises:
        UnknownActivationError: listing the known names and the closest one.

    Example:
        >>> get_activation("relu").definition
        'ReLU(a) = max(0, a)'
    """
    if isinstance(name, Activation):
        return name
    try:
        return _REGISTRY[name]
    except (KeyError, TypeError):
        known = sorted(_REGISTRY)
        hint = did_you_mean(name, known).removeprefix("; ")
        raise UnknownActivationError(
            f"unknown activation {name!r}; {hint + ' ' if hint else ''}known: {', '.join(known)} "
            f"(add your own with nngraph.register_activation)"
        ) from None


def _builtin(name: str, definition: str, symbol: str, elementwise: bool = True, positive=(), **parameters):
    return _registrar(name, definition, symbol, elementwise, parameters, positive, builtin=True)


@_builtin("step", "h(a) = 1 if a > 0 else 0", "step")
def step(a):
    return np.greater(a, 0).astype(a.dtype)


#: Below −LIMIT, exp(−a) overflows: 709 for float64, 88 for float32 and 11 for float16.
_EXP_LIMIT = {np.dtype(t): float(np.log(np.finfo(t).max)) - 1 for t in (np.float16, np.float32, np.float64)}


@_builtin("sigmoid", "σ(a) = 1 / (1 + exp(−a))", "σ")
def sigmoid(a):
    limit = _EXP_LIMIT.get(a.dtype)
    if limit is None or not a.ndim or np.count_nonzero(a < -limit):  # a far tail, or ints: the careful form
        return _sigmoid_tails(a)
    # The book's formula, in place in one array: exp(−a) cannot overflow here.
    out = np.negative(a)
    np.exp(out, out=out)
    out += 1
    np.reciprocal(out, out=out)
    return out


def _sigmoid_tails(a):
    # σ(a) = exp(min(a, 0)) / (1 + exp(−|a|)): both exponents are ≤ 0, so nothing
    # overflows, and for a < 0 the numerator exp(a) keeps tiny results exact.
    if a.ndim == 0:
        return _sigmoid_tails(a.reshape(1)).reshape(())
    out = np.minimum(a, 0.0)
    d = np.abs(a, dtype=out.dtype)
    np.negative(d, out=d)
    np.exp(d, out=d)
    d += 1
    np.exp(out, out=out)
    out /= d
    return out


_builtin("logistic", "σ(a) = 1 / (1 + exp(−a))", "σ")(sigmoid)


# The ufunc itself, not a function around it: one Python call fewer per layer.
relu = _builtin("relu", "ReLU(a) = max(0, a)", "ReLU")(partial(np.maximum, 0))


@_builtin("identity", "σ(a) = a", "identity")
def identity(a):
    return a.copy()  # never hand the caller's own input array back as an output


@_builtin("softmax", "yₖ = exp(aₖ) / Σᵢ exp(aᵢ)", "softmax", elementwise=False)
def softmax(a):
    # Subtracting each row's max leaves the result unchanged and keeps exp()
    # from overflowing: softmax([1010, 1000, 990]) would otherwise be nan.
    if a.ndim == 2 and a.shape[0] > 64 and a.shape[1] <= 64:
        # Many short rows: NumPy reduces a short axis slowly, so work on a copy with
        # one row per class, where each max and sum runs across all samples at once.
        t = np.ascontiguousarray(a.T)
        t -= t.max(axis=0)
        np.exp(t, out=t)
        t /= t.sum(axis=0)
        return t.T
    e = np.exp(a - a.max(axis=-1, keepdims=True))
    e /= e.sum(axis=-1, keepdims=True)
    return e


@_builtin("log_softmax", "yₖ = aₖ − log Σᵢ exp(aᵢ)", "log softmax", elementwise=False)
def log_softmax(a):
    shifted = a - a.max(axis=-1, keepdims=True)
    shifted -= np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    return shifted


@_builtin("tanh", "tanh(a) = (exp(a) − exp(−a)) / (exp(a) + exp(−a))", "tanh")
def tanh(a):
    return np.tanh(a)


@_builtin("leaky_relu", "h(a) = a if a > 0 else α·a", "LReLU", alpha=0.01)
def leaky_relu(a, alpha):
    return np.where(a > 0, a, a * alpha)


@_builtin("elu", "ELU(a) = a if a > 0 else α·(exp(a) − 1)", "ELU", alpha=1.0)
def elu(a, alpha):
    return np.where(a > 0, a, alpha * np.expm1(np.minimum(a, 0)))


# NumPy has no erf; math.erf per element is exact and fast enough for a teaching network.
_erf = np.frompyfunc(math.erf, 1, 1)


@_builtin("gelu", "GELU(a) = a·Φ(a) = a·(1 + erf(a / √2)) / 2", "GELU")
def gelu(a):
    return (a * (1 + _erf(a / math.sqrt(2)).astype(a.dtype)) / 2).astype(a.dtype)


@_builtin("silu", "SiLU(a) = a·σ(a)", "SiLU")
def silu(a):
    return a * sigmoid(a)


@_builtin("softplus", "softplus(a) = log(1 + exp(β·a)) / β", "softplus", positive={"beta"}, beta=1.0)
def softplus(a, beta):
    return np.logaddexp(0, a * beta) / beta
