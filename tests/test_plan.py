"""Evaluation: the plan's order, forward and steps, the book's numbers, input checks."""

import warnings

import numpy as np
import pytest

import nngraph as ng
from conftest import BOOK_VALUES, assert_book_values
from nngraph.errors import GraphError, InputError
from nngraph.plan import Step


@pytest.fixture
def two_inputs():
    """x (2) and t (1) → a = x·W, c = t·V + d, s = relu(c): two inputs, two outputs."""
    g = ng.Graph("two")
    g.input("x", 2)
    g.input("t", 1)
    g.weight("W", [[1.0], [2.0]])
    g.affine("a", "x", "W")
    g.weight("V", [[3.0]])
    g.weight("d", [-1.0])
    g.affine("c", "t", "V", "d")
    g.activation("s", "c", "relu")
    return g


# -- the book's 3-layer network, every intermediate -------------------------------


def test_plan_order_of_the_three_layer_network(three_layer):
    plan = three_layer.plan()
    assert plan.order == ("x", "a1", "z1", "a2", "z2", "a3", "y")
    assert plan.inputs == three_layer.inputs and plan.outputs == three_layer.outputs
    assert [node.name for node in plan.outputs] == ["y"] and plan.inputs[0].size == 2
    assert repr(plan) == "<Plan 'three-layer': x → a1 → z1 → a2 → z2 → a3 → y>"


def test_forward_gives_the_books_y(three_layer, book_x):
    y = three_layer.forward(book_x)
    assert y.shape == (2,) and y.dtype == np.float64
    assert_book_values(y, BOOK_VALUES["y"])


def test_steps_give_every_intermediate_of_the_book(three_layer, book_x):
    steps = list(three_layer.steps(book_x))
    assert [s.node for s in steps] == ["x", "a1", "z1", "a2", "z2", "a3", "y"]
    assert [s.index for s in steps] == list(range(7))
    assert [s.kind for s in steps] == ["input", "affine", "activation", "affine", "activation", "affine", "activation"]
    for step in steps:
        assert_book_values(step.output, BOOK_VALUES[step.node])


def test_step_formulas_print_the_books_numbers(three_layer, book_x):
    assert [str(s) for s in three_layer.steps(book_x)] == [
        "x = [1.0, 0.5]",
        "a1 = x·W1 + b1 = [0.3, 0.7, 1.1]",
        "z1 = σ(a1) = [0.57444252, 0.66818777, 0.75026011]",
        "a2 = z1·W2 + b2 = [0.51615984, 1.21402696]",
        "z2 = σ(a2) = [0.62624937, 0.7710107]",
        "a3 = z2·W3 + b3 = [0.31682708, 0.69627909]",
        "y = identity(a3) = [0.31682708, 0.69627909]",
    ]


def test_step_records_what_each_node_read(three_layer, book_x):
    steps = {s.node: s for s in three_layer.steps(book_x)}
    assert steps["x"].inputs == {} and steps["x"].expression is None
    a1 = steps["a1"]
    assert list(a1.inputs) == ["x", "W1", "b1"] and a1.expression == "x·W1 + b1"
    np.testing.assert_array_equal(a1.inputs["x"], book_x)
    np.testing.assert_array_equal(a1.inputs["W1"], three_layer["W1"].value)
    assert list(steps["z1"].inputs) == ["a1"]
    np.testing.assert_array_equal(steps["z1"].inputs["a1"], a1.output)
    assert str(a1) == a1.describe() == "a1 = x·W1 + b1 = [0.3, 0.7, 1.1]"
    assert a1.describe(3) == "a1 = x·W1 + b1 = [0.3, 0.7, 1.1]"
    assert steps["z1"].describe(3) == "z1 = σ(a1) = [0.574, 0.668, 0.75]"


def test_step_outputs_are_read_only(three_layer, book_x):
    for step in three_layer.steps(book_x):
        assert not step.output.flags.writeable, step.node
        with pytest.raises(ValueError):
            step.output[0] = 0.0
    assert book_x.flags.writeable


def test_steps_and_forward_agree_on_a_batch(three_layer):
    X = np.array([[1.0, 0.5], [0.0, 0.0], [-2.0, 3.0]])
    steps = list(three_layer.steps(X))
    assert steps[-1].output.shape == (3, 2)
    np.testing.assert_array_equal(steps[-1].output, three_layer.forward(X))
    assert_book_values(steps[2].output[0], BOOK_VALUES["z1"])


def test_step_is_a_frozen_record(three_layer, book_x):
    step = next(iter(three_layer.steps(book_x)))
    assert isinstance(step, Step)
    with pytest.raises(AttributeError):
        step.node = "other"


# -- forward: calling conventions -------------------------------------------------


def test_batch_rows_equal_single_samples(three_layer):
    X = np.array([[1.0, 0.5], [0.1, -0.2], [5.0, 5.0]])
    batch = three_layer.forward(X)
    assert batch.shape == (3, 2)
    for row, x in zip(batch, X):
        np.testing.assert_allclose(row, three_layer.forward(x), rtol=1e-15)


def test_lists_and_integers_are_accepted_and_computed_in_float64(three_layer):
    y = three_layer.forward([1, 0])
    assert y.dtype == np.float64
    np.testing.assert_array_equal(y, three_layer.forward(np.array([1.0, 0.0])))


def test_float32_stays_float32():
    W = np.array([[0.5, -1.0], [2.0, 0.25]], dtype=np.float32)
    b = np.array([0.1, 0.2], dtype=np.float32)
    net = ng.mlp([(W, b), (W, b)], ["sigmoid", "softmax"])
    y = net.forward(np.array([[1.0, 2.0]], dtype=np.float32))
    assert y.dtype == np.float32
    assert all(s.output.dtype == np.float32 for s in net.steps(np.array([1.0, 2.0], dtype=np.float32)))


def test_an_empty_batch_gives_an_empty_result(three_layer):
    assert three_layer.forward(np.zeros((0, 2))).shape == (0, 2)


def test_two_inputs_by_keyword_or_dict_and_two_outputs(two_inputs):
    by_keyword = two_inputs.forward(x=[1.0, 1.0], t=[2.0])
    by_dict = two_inputs.forward({"x": [1.0, 1.0], "t": [2.0]})
    assert list(by_keyword) == ["a", "s"]
    for result in (by_keyword, by_dict):
        np.testing.assert_array_equal(result["a"], [3.0])
        np.testing.assert_array_equal(result["s"], [5.0])
    assert two_inputs.plan().order == ("x", "t", "a", "c", "s")


def test_steps_with_two_inputs(two_inputs):
    steps = list(two_inputs.steps(x=[1.0, 1.0], t=[-1.0]))
    assert [str(s) for s in steps] == [
        "x = [1.0, 1.0]",
        "t = [−1.0]",
        "a = x·W = [3.0]",
        "c = t·V + d = [−4.0]",
        "s = ReLU(c) = [0.0]",
    ]


def test_caller_arrays_are_never_modified(three_layer):
    for x in (np.array([1.0, 0.5]), np.array([[1.0, 0.5]], dtype=np.float32), np.array([1, 2])):
        before = x.copy()
        three_layer.forward(x)
        list(three_layer.steps(x))
        np.testing.assert_array_equal(x, before)
        assert x.dtype == before.dtype and x.flags.writeable


def test_read_only_input_is_accepted(three_layer, book_x):
    book_x.flags.writeable = False
    assert_book_values(three_layer.forward(book_x), BOOK_VALUES["y"])
    assert not book_x.flags.writeable


def test_evaluation_order_breaks_ties_by_insertion():
    g = ng.Graph()
    g.input("x", 1)
    g.activation("late", "x", "relu")
    g.activation("early", "x", "relu")
    g.activation("after_late", "late", "relu")
    assert g.plan().order == ("x", "late", "early", "after_late")


def test_large_finite_inputs_pass_the_check(three_layer):
    y = three_layer.forward(np.array([1e300, -1e300]))
    assert np.isfinite(y).all()


def test_large_finite_inputs_give_no_warning(three_layer):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        three_layer.forward(np.array([1e308, 1e308]))


# -- input errors, raised before any work ---------------------------------------------


def test_missing_input(three_layer, two_inputs):
    with pytest.raises(InputError, match=r"missing input 'x'; the inputs of 'three-layer' are \['x'\]"):
        three_layer.forward()
    with pytest.raises(InputError, match=r"missing input 't'; the inputs of 'two' are \['x', 't'\]"):
        two_inputs.forward(x=[1.0, 1.0])


def test_extra_input(three_layer, two_inputs):
    with pytest.raises(InputError, match=r"unknown input 'label'; the inputs of 'three-layer' are \['x'\]"):
        three_layer.forward(x=[1.0, 0.5], label=[1.0])
    with pytest.raises(InputError, match=r"unknown input 'z'; the inputs of 'two' are \['x', 't'\]"):
        two_inputs.forward({"x": [1.0, 1.0], "t": [1.0], "z": [0.0]})


def test_wrong_width(three_layer):
    with pytest.raises(InputError, match=r"input 'x' needs 2 values per sample; got shape \(3,\) \(3 per sample\)"):
        three_layer.forward([1.0, 2.0, 3.0])
    with pytest.raises(InputError, match=r"input 'x' needs 2 values per sample; got shape \(4, 3\)"):
        three_layer.forward(np.ones((4, 3)))


def test_wrong_rank(three_layer):
    with pytest.raises(InputError, match=r"input 'x' must be one sample \(2,\) or a batch \(N, 2\); got shape \(\)$"):
        three_layer.forward(1.0)
    with pytest.raises(InputError, match=r"got shape \(5, 1, 2\); flatten each sample, e.g. x.reshape\(len\(x\), -1\)"):
        three_layer.forward(np.ones((5, 1, 2)))


@pytest.mark.parametrize(
    ("value", "dtype"),
    [
        (["a", "b"], "<U1"),
        (["1.0", "2.0"], "<U3"),
        (np.array([1.0, 2.0], dtype=object), "object"),
        (None, "object"),
        (np.array([1 + 1j, 2]), "complex128"),
    ],
)
def test_non_numeric_input(three_layer, value, dtype):
    with pytest.raises(InputError, match=rf"input 'x' must hold real numbers; got dtype {dtype}"):
        three_layer.forward(value)


def test_ragged_input(three_layer):
    with pytest.raises(InputError, match=r"input 'x' is not a rectangular array of numbers"):
        three_layer.forward([[1.0, 2.0], [3.0]])


@pytest.mark.parametrize(
    ("value", "where", "count"),
    [
        ([np.nan, 1.0], r"\(0,\)", "1 non-finite value"),
        ([[1.0, 2.0], [3.0, np.inf]], r"\(1, 1\)", "1 non-finite value"),
        ([[1.0, -np.inf], [np.nan, np.nan]], r"\(0, 1\)", "3 non-finite values"),
    ],
)
def test_non_finite_input_is_rejected_with_its_position(three_layer, value, where, count):
    with pytest.raises(InputError, match=rf"input 'x' holds .* at index {where} \({count}\); clean the data or pass allow_nonfinite=True"):
        three_layer.forward(value)


def test_non_finite_message_shows_the_plain_value(three_layer):
    with pytest.raises(InputError, match=r"input 'x' holds nan at index \(0,\)"):
        three_layer.forward([np.nan, 1.0])


def test_non_finite_input_is_allowed_on_request(three_layer):
    with np.errstate(invalid="ignore"):
        y = three_layer.forward(np.array([[np.nan, 1.0], [1.0, 0.5]]), allow_nonfinite=True)
        assert np.isnan(y[0]).all()
        assert_book_values(y[1], BOOK_VALUES["y"])
        steps = list(three_layer.steps([np.inf, 0.0], allow_nonfinite=True))
    assert np.isinf(steps[1].output).all()


def test_positional_array_for_a_two_input_graph(two_inputs):
    with pytest.raises(InputError, match=r"graph 'two' has 2 inputs \(x, t\); pass them by name: forward\(x=\.\.\., t=\.\.\.\)"):
        two_inputs.forward([1.0, 1.0])


def test_two_positional_arguments_or_both_kinds(three_layer):
    with pytest.raises(InputError, match=r"forward takes the input array or a dict of inputs; got 2 positional arguments"):
        three_layer.forward([1.0, 0.5], [1.0, 0.5])
    with pytest.raises(InputError, match=r"pass the inputs either positionally or by name, not both"):
        three_layer.forward([1.0, 0.5], x=[1.0, 0.5])


def test_steps_checks_inputs_at_the_call_before_iterating(three_layer):
    with pytest.raises(InputError, match=r"input 'x' needs 2 values per sample"):
        three_layer.steps([1.0, 2.0, 3.0])
    with pytest.raises(InputError, match=r"missing input 'x'"):
        three_layer.steps()
    with pytest.raises(InputError, match=r"holds .* at index \(1,\)"):
        three_layer.steps([1.0, np.nan])


def test_a_graph_that_computes_nothing():
    g = ng.Graph("idle")
    g.input("x", 2)
    g.weight("W", [[1.0], [1.0]])
    with pytest.raises(GraphError, match=r"graph 'idle' computes nothing; add an affine or activation node"):
        g.forward([1.0, 2.0])
    with pytest.raises(GraphError, match=r"graph 'idle' computes nothing"):
        g.steps([1.0, 2.0])


def test_forward_never_hands_back_the_callers_own_array():
    g = ng.Graph()
    g.activation("y", g.input("x", 2), "identity")
    x = np.array([1.0, 2.0])
    y = g.forward(x)
    y[0] = 99.0
    np.testing.assert_array_equal(x, [1.0, 2.0])


def test_step_inputs_are_read_only(three_layer, book_x):
    for step in three_layer.steps(book_x):
        for value in step.inputs.values():
            assert not value.flags.writeable
    assert book_x.flags.writeable


def test_an_in_place_activation_changes_neither_the_callers_input_nor_earlier_steps():
    import nngraph as ng

    name = "in_place_test_double"

    @ng.register_activation(name, definition="h(a) = 2a", symbol="double")
    def double(a):
        a *= 2.0  # in place, as a careless user might write it
        return a

    try:
        g = ng.Graph("careless")
        z = g.activation("z", g.input("x", 2), name)
        g.activation("y", z, name)
        x = np.array([1.0, 2.0])
        steps = list(g.steps(x))
        assert x.tolist() == [1.0, 2.0]
        assert [s.output.tolist() for s in steps] == [[1.0, 2.0], [2.0, 4.0], [4.0, 8.0]]
        assert not np.shares_memory(steps[0].output, x)
    finally:
        ng.unregister_activation(name)  # the registry is shared: leave it as found


# -- what mutants of the engine must not get past ----------------------------------


def test_a_non_finite_value_deep_in_a_large_batch_is_found():
    x = np.zeros((20_000, 2))
    x[-1, 1] = np.nan
    with pytest.raises(InputError, match=r"input 'x' holds nan at index \(19999, 1\) \(1 non-finite value\)"):
        ng.three_layer_network().forward(x)
    x[-1, 1] = np.inf
    x[5, 0] = -np.inf
    with pytest.raises(InputError, match=r"holds -inf at index \(5, 0\) \(2 non-finite values\)"):
        list(ng.three_layer_network().steps(x))


def test_float32_weights_with_a_float64_bias_promote_to_float64():
    g = ng.Graph()
    g.affine("a", g.input("x", 2), g.weight("W", np.float32([[1.0], [3.0]])), g.weight("b", np.float64([1e-9])))
    for x in (np.float32([1.0, 1.0]), np.float32([[1.0, 1.0]] * 3)):
        y = g.forward(x)
        assert y.dtype == np.float64 and y.ravel()[0] == 4.0 + 1e-9
        assert next(s for s in g.steps(x) if s.node == "a").output.dtype == np.float64


def test_float32_throughout_stays_float32():
    g = ng.Graph()
    g.affine("a", g.input("x", 2), g.weight("W", np.float32([[1.0], [3.0]])), g.weight("b", np.float32([0.5])))
    assert g.forward(np.float32([1.0, 1.0])).dtype == np.float32


def test_an_overflow_inside_the_network_is_reported_naming_the_node():
    g = ng.mlp([([[1e200, 1.0]], None), ([[1e200], [1.0]], None)], ["identity", "identity"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # NumPy's own overflow warning, before nngraph's error
        with pytest.raises(InputError, match=r"node 'a2' = z1·W2 gives inf at index \(0,\) from finite inputs and weights: the numbers overflow"):
            g.forward([1e10])
        assert g.forward([1e10], allow_nonfinite=True).tolist() == [np.inf]


def test_a_nan_from_an_overflowing_softmax_is_reported_at_the_weighted_sum():
    g = ng.mlp([([[1e300, -1e300]], None)], "softmax")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(InputError, match=r"node 'a1' = x·W1 gives inf at index \(1, 0\)"):
            g.forward([[1.0], [1e10]])
    np.testing.assert_array_equal(g.forward([[1.0]]), [[1.0, 0.0]])


def test_a_registered_activation_failing_at_run_time_is_named_with_its_node():
    @ng.register_activation("positive_only_test", definition="h(a) = √a", symbol="√")
    def root(a):
        if (a < 0).any():
            raise ValueError("negative input")
        return np.sqrt(a)

    try:
        g = ng.mlp([([[1.0]], [0.0])], "positive_only_test")
        assert g.forward([4.0]).tolist() == [2.0]
        with pytest.raises(GraphError, match=r"activation 'y': positive_only_test\(\) failed: ValueError\('negative input'\)"):
            g.forward([-1.0])
        with pytest.raises(GraphError, match=r"activation 'y': positive_only_test\(\) failed"):
            list(g.steps([-1.0]))
    finally:
        ng.unregister_activation("positive_only_test")


def test_a_registered_activation_that_changes_its_argument_changes_nothing_of_the_callers():
    @ng.register_activation("in_place_test", definition="h(a) = 2a, in place", symbol="2·")
    def doubled(a):
        a *= 2
        return a

    try:
        g = ng.Graph()
        g.activation("z", g.input("x", 2), "in_place_test")
        x = np.array([1.0, 2.0])
        assert g.forward(x).tolist() == [2.0, 4.0] and x.tolist() == [1.0, 2.0]
        steps = list(g.steps(x))
        assert steps[0].output.tolist() == [1.0, 2.0] and steps[1].inputs["x"].tolist() == [1.0, 2.0]
    finally:
        ng.unregister_activation("in_place_test")
