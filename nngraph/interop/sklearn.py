"""scikit-learn → nngraph: a fitted ``MLPClassifier`` or ``MLPRegressor``.

scikit-learn computes ``a = x·coefs_[i] + intercepts_[i]`` (the book's orientation
already), the hidden activation after every layer but the last, then the output
activation: softmax for several classes, logistic for one or several labels,
identity for a regressor. A binary classifier has one output unit p, and
``predict_proba`` answers the two columns [1 − p, p]: nngraph adds a last affine
``y = z·[[−1, 1]] + [1, 0]``, which computes exactly those two numbers.

Example:
    >>> import numpy as np
    >>> from sklearn.neural_network import MLPRegressor
    >>> X, t = np.random.default_rng(0).random((20, 3)), np.arange(20.0)
    >>> model = MLPRegressor(hidden_layer_sizes=(4,), solver="lbfgs", random_state=0).fit(X, t)
    >>> from_sklearn(model).names
    ('x', 'W1', 'b1', 'a1', 'z1', 'W2', 'b2', 'a2', 'y')
"""

from __future__ import annotations

import numpy as np

from ..errors import FormatError
from ..graph import Graph
from .layers import Activate, Affine, chain
from .packages import optional

__all__ = ["from_sklearn"]

#: scikit-learn's activation names → nngraph's.
ACTIVATIONS = {"relu": "relu", "tanh": "tanh", "logistic": "logistic", "identity": "identity", "softmax": "softmax"}


def from_sklearn(estimator, *, name: str | None = None) -> Graph:
    """The nngraph graph of a fitted ``MLPClassifier`` or ``MLPRegressor``.

    Its output equals ``predict_proba`` for a classifier (two columns for a binary
    one) and ``predict`` for a regressor (as a column: N×1 for one target).

    Raises:
        FormatError: for another estimator, an unfitted one, or an activation nngraph lacks.

    Example:
        >>> import numpy as np
        >>> from sklearn.neural_network import MLPClassifier
        >>> rng = np.random.default_rng(0)
        >>> X, labels = rng.random((30, 2)), rng.integers(0, 2, 30)
        >>> model = MLPClassifier(hidden_layer_sizes=(3,), solver="lbfgs", random_state=0).fit(X, labels)
        >>> float(abs(from_sklearn(model).forward(X) - model.predict_proba(X)).max()) < 1e-15
        True
    """
    network = optional("sklearn.neural_network", "sklearn", "from_sklearn")
    if not isinstance(estimator, (network.MLPClassifier, network.MLPRegressor)):
        hint = "; pass its last step, pipeline[-1], and apply the steps before it to the input yourself" if hasattr(estimator, "steps") else ""
        raise FormatError(f"from_sklearn reads MLPClassifier and MLPRegressor; got {type(estimator).__name__}{hint}")
    if not hasattr(estimator, "coefs_"):
        raise FormatError(f"this {type(estimator).__name__} is not fitted; call fit(X, y) first")
    hidden, output = (_activation(estimator, key) for key in ("activation", "out_activation_"))
    layers: list[Affine | Activate] = []
    for i, (W, b) in enumerate(zip(estimator.coefs_, estimator.intercepts_), start=1):
        layers.append(Affine(W, b, origin=f"layer {i}"))
        layers.append(Activate(hidden if i < len(estimator.coefs_) else output, origin=f"layer {i}"))
    if output == "logistic" and estimator.n_outputs_ == 1 and isinstance(estimator, network.MLPClassifier):
        both = np.array([[-1, 1]], dtype=estimator.coefs_[-1].dtype), np.array([1, 0], dtype=estimator.coefs_[-1].dtype)
        layers.append(Affine(*both, origin="the two columns of predict_proba", name="y"))
    return chain(name or type(estimator).__name__, estimator.coefs_[0].shape[0], layers)


def _activation(estimator, key: str) -> str:
    value = getattr(estimator, key)
    if value not in ACTIVATIONS:
        raise FormatError(f"{type(estimator).__name__}.{key} = {value!r} has no nngraph activation; nngraph reads {', '.join(ACTIVATIONS)}")
    return ACTIVATIONS[value]
