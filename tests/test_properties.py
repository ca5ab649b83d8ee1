"""Property tests: random networks equal a plain NumPy forward pass written here.

The reference below implements every activation independently of
``nngraph.activations`` and tracks a rounding-error bound per value, so the
comparison is tight (a few ulps of the computed magnitudes) without being flaky.
"""

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import nngraph as ng

# derandomize: the same examples on every run, so CI never fails on a newly drawn one
SETTINGS = settings(max_examples=50, deadline=None, database=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])


def _tanh(a):
    m = np.expm1(-2 * np.abs(a))  # exp(−2|a|) − 1 in (−1, 0]: never overflows, exact near 0
    return -np.sign(a) * m / (2 + m)


def _sigmoid(a):
    # the textbook 1 / (1 + exp(−a)); below −700 it equals exp(a) to double precision
    t = np.exp(-np.maximum(a, -700.0))
    return np.where(a < -700, np.exp(np.minimum(a, 0.0)), 1 / (1 + t))


def _gelu(a):
    return a * (1 + np.vectorize(math.erf)(a / math.sqrt(2))) / 2


def _softplus(a):
    return np.maximum(a, 0) + np.log1p(np.exp(-np.abs(a)))


def _log_softmax(a):
    m = a.max(axis=-1, keepdims=True)
    return a - m - np.log(np.exp(a - m).sum(axis=-1, keepdims=True))


def _softmax(a):
    e = np.exp(a - a.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


# name → (h, Lipschitz constant): the reference activations, in float64.
REFERENCE = {
    "identity": (lambda a: a, 1.0),
    "relu": (lambda a: np.where(a > 0, a, 0.0), 1.0),
    "leaky_relu": (lambda a: np.maximum(a, 0.01 * a), 1.0),
    "tanh": (_tanh, 1.0),
    "sigmoid": (_sigmoid, 0.25),
    "step": (lambda a: (a > 0).astype(np.float64), 0.0),
    "logistic": (_sigmoid, 0.25),
    "elu": (lambda a: np.where(a > 0, a, np.expm1(np.minimum(a, 0))), 1.0),
    "gelu": (_gelu, 1.13),
    "silu": (lambda a: a * _sigmoid(a), 1.1),
    "softplus": (_softplus, 1.0),
}
ROW_WISE = {"softmax": _softmax, "log_softmax": _log_softmax}
ELEMENTWISE = sorted(REFERENCE)
BUILTIN = sorted(name for name, h in ng.ACTIVATIONS.items() if h.builtin)


class Reference:
    """A forward pass in float64 that also bounds the engine's rounding error per value."""

    def __init__(self, dtype):
        self.eps = float(np.finfo(dtype).eps)
        self.ambiguous = False  # a step met a pre-activation too close to 0 to decide

    def affine(self, z, err, W, b):
        W = np.asarray(W, dtype=np.float64)
        a = z @ W
        magnitude = np.abs(z) @ np.abs(W)
        if b is not None:
            b = np.asarray(b, dtype=np.float64)
            a = a + b
            magnitude = magnitude + np.abs(b)
        gamma = (W.shape[0] + 2) * self.eps
        return a, err @ np.abs(W) + gamma * magnitude

    def activation(self, name, a, err):
        if name == "softmax":
            # each softmax output moves by at most max|Δa| (its Jacobian rows sum to ≤ 1 in abs)
            z = _softmax(a)
            return z, err.max(axis=-1, keepdims=True) + 8 * self.eps * (1 + err.max(axis=-1, keepdims=True)) + 16 * self.eps * z
        if name == "log_softmax":  # each output moves by at most 2·max|Δa|
            z = _log_softmax(a)
            spread = err.max(axis=-1, keepdims=True)
            return z, 2 * spread + 16 * self.eps * (1 + np.abs(z) + np.abs(a).max(axis=-1, keepdims=True))
        h, lipschitz = REFERENCE[name]
        if name == "step" and np.any((np.abs(a) <= 2 * err) & (err > 0)):
            self.ambiguous = True
        z = h(a)
        return z, lipschitz * err + 8 * self.eps * np.abs(z)


def reference_mlp(layers, activations, x, dtype):
    ref = Reference(dtype)
    z = np.asarray(x, dtype=np.float64)
    err = np.zeros_like(z)
    for (W, b), name in zip(layers, activations):
        a, err_a = ref.affine(z, err, W, b)
        z, err = ref.activation(name, a, err_a)
    return z, err, ref.ambiguous


@st.composite
def mlps(draw):
    """``(layers, activations, X, dtype)``: a random MLP and a batch for it."""
    dtype = draw(st.sampled_from([np.float64, np.float32]))
    bound = 2.0 if dtype == np.float64 else 1.0
    elements = st.floats(-bound, bound, width=np.finfo(dtype).bits, allow_subnormal=False)
    depth = draw(st.integers(1, 4))
    widths = draw(st.lists(st.integers(1, 8), min_size=depth + 1, max_size=depth + 1))
    layers = []
    for rows, columns in zip(widths, widths[1:]):
        W = draw(arrays(dtype, (rows, columns), elements=elements))
        b = draw(st.none() | arrays(dtype, (columns,), elements=elements))
        layers.append((W, b))
    activations = draw(st.lists(st.sampled_from(ELEMENTWISE), min_size=depth, max_size=depth))
    if draw(st.booleans()):
        activations[-1] = draw(st.sampled_from(sorted(ROW_WISE)))
    n = draw(st.integers(1, 5))
    X = draw(arrays(dtype, (n, widths[0]), elements=st.floats(-3.0, 3.0, width=np.finfo(dtype).bits, allow_subnormal=False)))
    return layers, activations, X, dtype


@SETTINGS
@given(mlps())
def test_random_mlp_equals_numpy_batch_and_single_sample(case):
    layers, activations, X, dtype = case
    expected, err, ambiguous = reference_mlp(layers, activations, X, dtype)
    assume(not ambiguous)
    net = ng.mlp(layers, activations)
    batch = net.forward(X)
    assert batch.dtype == dtype and batch.shape == expected.shape
    tolerance = 2 * err + np.finfo(dtype).tiny  # results below tiny may underflow to 0 in float32
    assert np.all(np.abs(batch - expected) <= tolerance), (batch, expected, tolerance)
    for i, x in enumerate(X):
        single = net.forward(x)
        assert single.dtype == dtype and single.shape == expected[i].shape
        assert np.all(np.abs(single - expected[i]) <= tolerance[i])
        # the same sample alone or in a batch: equal up to the engine's own rounding
        assert np.all(np.abs(single - batch[i]) <= 2 * tolerance[i])


@SETTINGS
@given(mlps())
def test_random_mlp_steps_agree_with_forward_and_leave_inputs_alone(case):
    layers, activations, X, dtype = case
    net = ng.mlp(layers, activations)
    X.flags.writeable = bool(len(X) % 2)  # read-only and writable callers alike
    before, writeable = X.copy(), X.flags.writeable
    steps = list(net.steps(X))
    forward = net.forward(X)
    assert [s.node for s in steps] == list(net.plan().order)
    np.testing.assert_array_equal(steps[-1].output, forward)
    assert all(not s.output.flags.writeable for s in steps)
    np.testing.assert_array_equal(X, before)
    assert X.dtype == before.dtype and X.flags.writeable == writeable
    for W, b in layers:  # the caller's weights are copied, never frozen or changed
        assert W.flags.writeable and (b is None or b.flags.writeable)


@st.composite
def dags(draw):
    """A random DAG: 1–3 inputs, then affine / activation nodes reading any earlier signal."""
    g = ng.Graph("random")
    width = {}
    for i in range(draw(st.integers(1, 3))):
        name = f"in{i}"
        width[name] = draw(st.integers(1, 4))
        g.input(name, width[name])
    for i in range(draw(st.integers(1, 8))):
        source = draw(st.sampled_from(sorted(width)))
        name = f"n{i}"
        if draw(st.booleans()):
            columns = draw(st.integers(1, 4))
            W = g.weight(f"W{i}", draw(arrays(np.float64, (width[source], columns), elements=st.floats(-2, 2))))
            b = g.weight(f"b{i}", draw(arrays(np.float64, (columns,), elements=st.floats(-2, 2)))) if draw(st.booleans()) else None
            g.affine(name, source, W, b)
            width[name] = columns
        else:
            g.activation(name, source, draw(st.sampled_from(BUILTIN)))
            width[name] = width[source]
    feeds = {node.name: draw(arrays(np.float64, (2, node.size), elements=st.floats(-3, 3))) for node in g.inputs}
    return g, feeds


def reference_dag(graph, feeds):
    """Every signal of ``graph`` evaluated by a plain recursion over its nodes."""
    values = {}

    def value(name):
        if name not in values:
            node = graph[name]
            if node.kind == "input":
                values[name] = np.asarray(feeds[name], dtype=np.float64)
            elif node.kind == "weight":
                values[name] = node.value
            elif node.kind == "affine":
                a = value(node.x) @ value(node.W)
                values[name] = a if node.b is None else a + value(node.b)
            elif node.h.name in ROW_WISE:
                values[name] = ROW_WISE[node.h.name](value(node.source))
            else:
                values[name] = REFERENCE[node.h.name][0](value(node.source))
        return values[name]

    return {name: value(name) for name in graph.names}


@SETTINGS
@given(dags())
def test_evaluation_order_respects_every_edge(case):
    graph, _ = case
    order = graph.plan().order
    position = {name: i for i, name in enumerate(order)}
    for source, target in graph.dag.edges:
        if source in position:
            assert position[source] < position[target], (source, target, order)
    assert set(order) == {n.name for n in graph if n.kind != "weight"}
    # ties are broken by insertion order, so the order is the insertion order itself
    assert order == tuple(n.name for n in graph if n.kind != "weight")


@SETTINGS
@given(dags())
def test_random_dag_equals_a_plain_recursion(case):
    graph, feeds = case
    copies = {name: value.copy() for name, value in feeds.items()}
    expected = reference_dag(graph, feeds)
    result = graph.forward(feeds)
    outputs = [n.name for n in graph.outputs]
    if len(outputs) == 1:
        result = {outputs[0]: result}
    assert list(result) == outputs
    for name in outputs:
        np.testing.assert_allclose(result[name], expected[name], rtol=1e-12, atol=1e-12)
    for step in graph.steps(**feeds):
        np.testing.assert_allclose(step.output, expected[step.node], rtol=1e-12, atol=1e-12)
    for name, value in feeds.items():
        np.testing.assert_array_equal(value, copies[name])
        assert value.flags.writeable


def test_reference_catches_a_wrong_activation():
    """The oracle is not vacuous: it tells sigmoid from tanh on the book's network."""
    layers = [(np.array([[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]]), np.array([0.1, 0.2, 0.3]))]
    expected, err, _ = reference_mlp(layers, ["sigmoid"], np.array([[1.0, 0.5]]), np.float64)
    np.testing.assert_allclose(expected[0], [0.57444252, 0.66818777, 0.75026011], atol=5e-9)
    assert err.max() < 1e-14
    wrong = ng.mlp(layers, ["tanh"]).forward(np.array([[1.0, 0.5]]))
    assert np.abs(wrong - expected).max() > 1000 * err.max()


def test_every_built_in_activation_has_a_reference():
    assert sorted(BUILTIN) == sorted([*REFERENCE, *ROW_WISE])


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_reference_activations_agree_with_the_registry(name):
    a = np.linspace(-30, 30, 601)
    np.testing.assert_allclose(ng.get_activation(name)(a), REFERENCE[name][0](a), rtol=1e-13, atol=1e-15)


@SETTINGS
@given(mlps(), st.data())
def test_a_non_finite_input_is_always_found_and_named(case, data):
    layers, activations, X, dtype = case
    layers = [(np.where(data.draw(arrays(np.bool_, W.shape)), 0, W), b) for W, b in layers]  # zeros in W too
    row, column = data.draw(st.integers(0, len(X) - 1)), data.draw(st.integers(0, X.shape[1] - 1))
    bad = data.draw(st.sampled_from([np.nan, np.inf, -np.inf]))
    X = X.copy()
    X[row, column] = bad
    net = ng.mlp(layers, activations)
    with pytest.raises(ng.InputError, match=rf"input 'x' holds {bad!r} at index \({row}, {column}\)"):
        net.forward(X)
    with pytest.raises(ng.InputError, match=rf"input 'x' holds {bad!r} at index \({column},\)"):
        net.forward(X[row])
