"""Activation functions: the book's numbers, overflow safety, dtypes, the registry."""

import math
import warnings
from decimal import Decimal, localcontext

import numpy as np
import pytest

import nngraph as ng
from conftest import assert_book_values
from nngraph.activations import ACTIVATIONS, Activation, get_activation, register_activation, unregister_activation


def h(name):
    return get_activation(name)


@pytest.fixture
def strict_floats():
    """Any NumPy warning or overflow / invalid / divide-by-zero becomes an error."""
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        yield


def exact_sigmoid(a: float) -> float:
    """1 / (1 + exp(−a)) in 60-digit decimal arithmetic, correctly rounded to float."""
    with localcontext() as context:
        context.prec = 60
        return float(1 / (1 + (-Decimal(a)).exp()))


# -- the book's numbers ---------------------------------------------------------


def test_softmax_of_the_book():
    assert_book_values(h("softmax")(np.array([0.3, 2.9, 4.0])), [0.01821127, 0.24519181, 0.73659691])


def test_softmax_subtracts_the_max_so_large_inputs_do_not_overflow(strict_floats):
    y = h("softmax")(np.array([1010.0, 1000.0, 990.0]))
    assert not np.isnan(y).any()
    np.testing.assert_allclose(y, [9.99954600e-01, 4.53978686e-05, 2.06106005e-09], rtol=1e-7, atol=0)


def test_softmax_works_per_row_of_a_batch(strict_floats):
    batch = np.array([[1010.0, 1000.0, 990.0], [0.3, 2.9, 4.0], [-1000.0, 0.0, 1000.0], [5.0, 5.0, 5.0]])
    y = h("softmax")(batch)
    assert y.shape == batch.shape
    np.testing.assert_allclose(y.sum(axis=1), 1.0, rtol=0, atol=1e-15)
    np.testing.assert_allclose(y[0], [9.99954600e-01, 4.53978686e-05, 2.06106005e-09], rtol=1e-7)
    assert_book_values(y[1], [0.01821127, 0.24519181, 0.73659691])
    np.testing.assert_array_equal(y[2], [0.0, 0.0, 1.0])
    np.testing.assert_allclose(y[3], [1 / 3] * 3, rtol=1e-15)


def test_softmax_does_not_modify_its_input():
    a = np.array([[1010.0, 1000.0, 990.0]])
    h("softmax")(a)
    np.testing.assert_array_equal(a, [[1010.0, 1000.0, 990.0]])


def test_sigmoid_of_the_book():
    assert_book_values(h("sigmoid")(np.array([-1.0, 1.0, 2.0])), [0.26894142, 0.73105858, 0.88079708])


def test_step_of_zero_is_zero():
    np.testing.assert_array_equal(h("step")(np.array([-1.0, -0.0, 0.0, 1e-300, 2.0])), [0, 0, 0, 1, 1])


def test_relu_identity_tanh_leaky_relu():
    a = np.array([-2.0, 0.0, 3.0])
    np.testing.assert_array_equal(h("relu")(a), [0.0, 0.0, 3.0])
    np.testing.assert_array_equal(h("identity")(a), a)
    np.testing.assert_allclose(h("tanh")(a), [math.tanh(-2.0), 0.0, math.tanh(3.0)], rtol=1e-15)
    np.testing.assert_allclose(h("leaky_relu")(a), [-0.02, 0.0, 3.0], rtol=1e-15)


# -- sigmoid: no overflow, exact ----------------------------------------------


def test_sigmoid_at_plus_minus_1e4_gives_no_warning(strict_floats):
    y = h("sigmoid")(np.array([-1e4, -800.0, 0.0, 800.0, 1e4]))
    np.testing.assert_array_equal(y, [0.0, 0.0, 0.5, 1.0, 1.0])


def test_sigmoid_is_exact_to_two_ulp_up_to_1e4():
    rng = np.random.default_rng(3)
    a = np.concatenate([
        rng.uniform(-1e4, 1e4, 200),
        rng.uniform(-700, 700, 500),
        rng.uniform(-40, 40, 500),
        [-1e4, -745.0, -700.0, -36.7, -1.0, -1e-300, 0.0, 1e-300, 1.0, 36.7, 700.0, 1e4],
    ])
    expected = np.array([exact_sigmoid(v) for v in a])
    got = h("sigmoid")(a)
    ulps = np.abs(got - expected) / np.spacing(np.abs(expected))
    assert ulps.max() <= 2, f"sigmoid({a[ulps.argmax()]!r}) is {ulps.max()} ulp off"


def test_sigmoid_equals_the_textbook_formula_where_it_does_not_overflow():
    a = np.linspace(-700, 700, 4001)
    reference = np.array([1 / (1 + math.exp(-v)) for v in a])
    np.testing.assert_allclose(h("sigmoid")(a), reference, rtol=1e-15, atol=0)


def test_sigmoid_keeps_tiny_results_precise_for_negative_inputs():
    # 1 − σ(−a) would lose every digit here; σ(−50) ≈ 1.9e-22 must keep all of them.
    assert h("sigmoid")(np.array([-50.0]))[0] == pytest.approx(exact_sigmoid(-50.0), rel=1e-15)


# -- dtypes -----------------------------------------------------------------


@pytest.mark.parametrize("name", ["step", "sigmoid", "relu", "identity", "softmax", "tanh", "leaky_relu"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(5,), (3, 5)])
def test_activations_keep_dtype_and_shape(name, dtype, shape):
    a = np.linspace(-3, 3, int(np.prod(shape))).reshape(shape).astype(dtype)
    y = h(name)(a)
    assert y.dtype == dtype
    assert y.shape == shape


def test_float32_sigmoid_and_softmax_are_accurate_to_float32():
    a = np.linspace(-20, 20, 101, dtype=np.float32)
    expected = np.array([exact_sigmoid(float(v)) for v in a])
    np.testing.assert_allclose(h("sigmoid")(a), expected, rtol=4e-7)
    soft = h("softmax")(np.array([1010.0, 1000.0, 990.0], dtype=np.float32))
    np.testing.assert_allclose(soft, [9.99954600e-01, 4.53978686e-05, 2.06106005e-09], rtol=1e-6)


# -- the registry -------------------------------------------------------------


def test_builtins_carry_formula_and_symbol():
    sigmoid = get_activation("sigmoid")
    assert isinstance(sigmoid, Activation)
    assert sigmoid.symbol == "σ"
    assert sigmoid.definition == "σ(a) = 1 / (1 + exp(−a))"
    assert get_activation("relu").definition == "ReLU(a) = max(0, a)"
    assert get_activation("softmax").elementwise is False
    assert all(ACTIVATIONS[n].elementwise for n in ("step", "sigmoid", "relu", "identity", "tanh", "leaky_relu"))
    assert get_activation(sigmoid) is sigmoid


def test_unknown_activation_suggests_the_closest_and_lists_the_known():
    with pytest.raises(ng.UnknownActivationError, match=r"unknown activation 'sigmod'; did you mean 'sigmoid'\?") as info:
        get_activation("sigmod")
    assert "elu, gelu, identity, leaky_relu, log_softmax, logistic, relu, sigmoid, silu, softmax, softplus, step, tanh" in str(info.value)
    assert isinstance(info.value, LookupError) and isinstance(info.value, ng.NNGraphError)
    assert not isinstance(info.value, KeyError)


def test_unknown_activation_without_close_match_lists_the_known():
    with pytest.raises(ng.UnknownActivationError, match=r"unknown activation 'xyzzy'; known: elu, gelu, identity, ") as info:
        get_activation("xyzzy")
    assert "did you mean" not in str(info.value)


def test_unhashable_activation_name_is_an_unknown_activation():
    with pytest.raises(ng.UnknownActivationError, match=r"unknown activation \['relu'\]"):
        get_activation(["relu"])


@pytest.fixture
def softsign():
    @register_activation("softsign_test", definition="a / (1 + |a|)", symbol="ss")
    def function(a):
        return a / (1 + np.abs(a))

    yield "softsign_test"
    unregister_activation("softsign_test")


def test_registered_activation_is_usable_in_a_graph(softsign):
    spec = get_activation(softsign)
    assert (spec.definition, spec.symbol, spec.elementwise) == ("a / (1 + |a|)", "ss", True)
    g = ng.mlp([([[1.0, -3.0]], None)], activations=softsign)
    np.testing.assert_allclose(g.forward([1.0]), [0.5, -0.75])
    assert g["y"].expression() == "ss(a1)"


def test_registering_a_name_twice_is_an_error(softsign):
    with pytest.raises(ng.NNGraphError, match=r"activation 'softsign_test' is already registered; pick another name"):
        register_activation(softsign, definition="f", symbol="f")
    with pytest.raises(ng.NNGraphError, match=r"activation 'sigmoid' is already registered"):
        register_activation("sigmoid", definition="f", symbol="f")
    assert get_activation("sigmoid").symbol == "σ"


def test_registering_a_name_twice_is_a_value_error():
    with pytest.raises(ValueError, match="already registered"):
        register_activation("sigmoid", definition="f", symbol="f")


def test_registering_a_non_identifier_name_is_an_error():
    with pytest.raises(ng.NNGraphError, match=r"activation name '1x' must be an identifier"):
        register_activation("1x", definition="f", symbol="f")
    assert "1x" not in ACTIVATIONS


def _halves(a):
    return a[..., ::2].copy()


def _rounds(a):
    return np.floor(a).astype(np.int64)


def _one_sample_only(a):
    if a.ndim != 1:
        raise ValueError("only one sample")
    return a.copy()


@pytest.mark.parametrize(
    "compute, width, error, message",
    [
        (_halves, 4, ng.ShapeError, r"activation 'z': broken_test\(\) must return an array of its input's shape \(4,\); got \(2,\)"),
        (_rounds, 3, ng.GraphError, r"activation 'z': broken_test\(\) must return floats; got dtype int64"),
        (_one_sample_only, 3, ng.GraphError, r"broken_test\(\) fails on a test batch of shape \(2, 3\): ValueError\('only one sample'\)"),
    ],
)
def test_a_broken_registered_activation_is_refused_when_added(compute, width, error, message):
    register_activation("broken_test", definition="h(a) = …", symbol="?")(compute)
    try:
        with pytest.raises(error, match=message):
            _add_activation("broken_test", width)
    finally:
        unregister_activation("broken_test")


def _add_activation(name: str, width: int):
    g = ng.Graph()
    return g.activation("z", g.input("x", width), name)


def test_calling_an_activation_works_on_a_float_copy():
    np.testing.assert_allclose(get_activation("gelu")([1, -1]), [0.8413447460685429, -0.15865525393145707], rtol=1e-15)
    assert get_activation("step")([1, -1]).dtype == np.float64
    a = np.array([1.0, -2.0])
    get_activation("relu")(a)
    assert a.tolist() == [1.0, -2.0]
