"""The book's networks: perceptron gates, the 3-layer network, mlp() and MNIST."""

import numpy as np
import pytest

import nngraph as ng
from conftest import BOOK_VALUES, GATE_OUTPUTS, assert_book_values
from nngraph.errors import FormatError, GraphError, ShapeError, UnknownActivationError

# -- gates (section 2.3, figure 2-13) -----------------------------------------------


@pytest.mark.parametrize("gate", sorted(GATE_OUTPUTS))
def test_gate_truth_tables_in_one_batch(gate, gates, gate_inputs):
    net, expected = gates[gate]
    y = net.forward(gate_inputs)
    assert y.shape == (4, 1)
    np.testing.assert_array_equal(y[:, 0], expected)


@pytest.mark.parametrize("gate", sorted(GATE_OUTPUTS))
def test_gate_truth_tables_one_sample_at_a_time(gate, gates, gate_inputs):
    net, expected = gates[gate]
    assert [net.forward(x).item() for x in gate_inputs] == expected


def test_gate_weights_are_the_books():
    for build, w, b in [(ng.and_gate, [0.5, 0.5], -0.7), (ng.nand_gate, [-0.5, -0.5], 0.7), (ng.or_gate, [0.5, 0.5], -0.2)]:
        net = build()
        np.testing.assert_array_equal(net["W1"].value[:, 0], w)
        np.testing.assert_array_equal(net["b1"].value, [b])
        assert net["y"].h.name == "step"
    assert [ng.and_gate().name, ng.nand_gate().name, ng.or_gate().name, ng.xor_gate().name] == ["AND", "NAND", "OR", "XOR"]


def test_xor_is_nand_and_or_feeding_and(gate_inputs):
    xor = ng.xor_gate()
    assert xor.names == ("x", "W1", "b1", "a1", "z1", "W2", "b2", "a2", "y")
    hidden = {s.node: s.output for s in xor.steps(gate_inputs)}["z1"]
    np.testing.assert_array_equal(hidden[:, 0], GATE_OUTPUTS["NAND"][1])  # s1
    np.testing.assert_array_equal(hidden[:, 1], GATE_OUTPUTS["OR"][1])  # s2


def test_step_of_exactly_zero_is_zero():
    # w·x + b = 0 exactly: the book's gates output 0 there.
    assert ng.perceptron([1.0, 1.0], -2.0).forward([1, 1]).item() == 0.0
    assert ng.perceptron([1.0, 1.0], -2.0).forward([1, 2]).item() == 1.0


# -- the 3-layer network (section 3.4.3) ----------------------------------------------


def test_three_layer_network_weights_and_names(three_layer):
    np.testing.assert_array_equal(three_layer["W1"].value, [[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]])
    np.testing.assert_array_equal(three_layer["b1"].value, [0.1, 0.2, 0.3])
    np.testing.assert_array_equal(three_layer["W2"].value, [[0.1, 0.4], [0.2, 0.5], [0.3, 0.6]])
    np.testing.assert_array_equal(three_layer["b2"].value, [0.1, 0.2])
    np.testing.assert_array_equal(three_layer["W3"].value, [[0.1, 0.3], [0.2, 0.4]])
    np.testing.assert_array_equal(three_layer["b3"].value, [0.1, 0.2])
    assert [three_layer[n].h.name for n in ("z1", "z2", "y")] == ["sigmoid", "sigmoid", "identity"]


def test_three_layer_network_gives_the_books_numbers(three_layer, book_x):
    assert_book_values(three_layer.forward(book_x), BOOK_VALUES["y"])
    for step in three_layer.steps(book_x):
        assert_book_values(step.output, BOOK_VALUES[step.node])


def test_builtin_networks_table():
    assert sorted(ng.BUILTIN_NETWORKS) == ["and", "nand", "or", "three-layer", "xor"]
    assert ng.BUILTIN_NETWORKS["three-layer"]().name == "three-layer"


# -- mlp ----------------------------------------------------------------------------


def test_mlp_names_follow_the_book():
    net = ng.mlp([(np.ones((2, 3)), np.zeros(3)), (np.ones((3, 1)), None)], ["relu", "identity"], name="n")
    assert net.names == ("x", "W1", "b1", "a1", "z1", "W2", "a2", "y")
    assert net["a2"].b is None and net.name == "n"


def test_mlp_with_one_activation_for_all_and_custom_names():
    net = ng.mlp([([[1.0, -1.0]], [0.0, 0.0]), ([[1.0], [1.0]], [0.0])], "relu", input_name="pixels", output_name="out")
    assert net.names == ("pixels", "W1", "b1", "a1", "z1", "W2", "b2", "a2", "out")
    assert [net[n].h.name for n in ("z1", "out")] == ["relu", "relu"]
    np.testing.assert_array_equal(net.forward([-3.0]), [3.0])


def test_mlp_of_depth_five_matches_numpy():
    rng = np.random.default_rng(0)
    sizes = [4, 7, 5, 3, 6, 2]
    layers = [(rng.normal(size=(m, n)), rng.normal(size=n)) for m, n in zip(sizes, sizes[1:])]
    net = ng.mlp(layers, ["tanh", "relu", "leaky_relu", "sigmoid", "softmax"])
    X = rng.normal(size=(10, 4))

    z1 = np.tanh(X @ layers[0][0] + layers[0][1])
    z2 = np.maximum(z1 @ layers[1][0] + layers[1][1], 0)
    a3 = z2 @ layers[2][0] + layers[2][1]
    z3 = np.where(a3 > 0, a3, 0.01 * a3)
    z4 = 1 / (1 + np.exp(-(z3 @ layers[3][0] + layers[3][1])))
    a5 = z4 @ layers[4][0] + layers[4][1]
    y = np.exp(a5 - a5.max(axis=1, keepdims=True))
    y /= y.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(net.forward(X), y, rtol=1e-12)


def test_mlp_errors():
    with pytest.raises(GraphError, match=r"mlp needs at least one \(W, b\) layer"):
        ng.mlp([], "relu")
    with pytest.raises(GraphError, match=r"mlp got 1 layer\(s\) but 2 activation\(s\); give one activation per layer"):
        ng.mlp([([[1.0]], None)], ["relu", "relu"])
    with pytest.raises(GraphError, match=r"layer 1 of mlp must be a pair \(W, b\); got tuple"):
        ng.mlp([([[1.0]], None, None)], "relu")
    with pytest.raises(ShapeError, match=r"W1 must be a matrix \(rows × columns\); got shape \(1,\)"):
        ng.mlp([([1.0], None)], "relu")
    with pytest.raises(ShapeError, match=r"affine 'a2' cannot multiply z1 \(N×2\) by W2 \(1×1\): inner sizes 2 ≠ 1; W2 needs 2 rows"):
        ng.mlp([([[1.0, 2.0]], None), ([[1.0]], None)], "relu")
    with pytest.raises(UnknownActivationError, match=r"unknown activation 'rleu'; did you mean 'relu'\?"):
        ng.mlp([([[1.0]], None)], "rleu")


def test_mlp_first_W_not_a_matrix_is_a_shape_error():
    with pytest.raises(ShapeError, match=r"W1"):
        ng.mlp([([1.0], None)], "relu")


def test_mnist_network_from_a_mapping_checks_the_keys():
    with pytest.raises(FormatError, match=r"the weights: missing b1, W2, b2, W3, b3; it holds \['W1'\]"):
        ng.mnist_network({"W1": np.ones((784, 50))})


# -- MNIST (section 3.6) ------------------------------------------------------------


def test_mnist_network_shapes(mnist_net):
    assert mnist_net.name == "mnist"
    assert [(layer.affine.W, mnist_net[layer.affine.W].shape) for layer in mnist_net.layers()] == [
        ("W1", (784, 50)),
        ("W2", (50, 100)),
        ("W3", (100, 10)),
    ]
    assert [layer.activation.h.name for layer in mnist_net.layers()] == ["sigmoid", "sigmoid", "softmax"]
    assert all(node.value.dtype == np.float32 for node in mnist_net if node.kind == "weight")


def test_mnist_test_set(mnist_test_set):
    images, labels = mnist_test_set
    assert images.shape == (10000, 784) and images.dtype == np.float32
    assert labels.shape == (10000,) and labels.dtype == np.int64
    assert images.min() == 0.0 and images.max() == 1.0
    assert labels[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]


def test_mnist_accuracy_in_batches_of_100(mnist_net, mnist_test_set):
    images, labels = mnist_test_set
    correct = 0
    for start in range(0, len(images), 100):
        y = mnist_net.forward(images[start : start + 100])
        assert y.shape == (100, 10) and y.dtype == np.float32
        correct += int(np.sum(np.argmax(y, axis=1) == labels[start : start + 100]))
    assert correct / len(images) == 0.9352


def test_mnist_accuracy_one_sample_at_a_time(mnist_net, mnist_test_set):
    images, labels = mnist_test_set
    correct = 0
    for x, t in zip(images, labels):
        correct += int(np.argmax(mnist_net.forward(x)) == t)
    assert correct / len(images) == 0.9352


def test_mnist_softmax_rows_sum_to_one_and_steps_match(mnist_net, mnist_test_set):
    images, _ = mnist_test_set
    y = mnist_net.forward(images[:1000])
    np.testing.assert_allclose(y.sum(axis=1), 1.0, rtol=1e-6)
    steps = list(mnist_net.steps(images[:3]))
    assert [s.output.shape for s in steps] == [(3, 784), (3, 50), (3, 50), (3, 100), (3, 100), (3, 10), (3, 10)]
    np.testing.assert_array_equal(steps[-1].output, mnist_net.forward(images[:3]))
    np.testing.assert_allclose(steps[-1].output, y[:3], rtol=1e-4, atol=1e-7)


def test_mlp_takes_any_iterable_of_layers():
    pairs = ((np.eye(2) * k, None) for k in (2.0, 3.0))
    np.testing.assert_array_equal(ng.mlp(pairs, "identity").forward([1.0, -1.0]), [6.0, -6.0])


def test_a_parameterised_activation_is_checked_saved_loaded_and_written(tmp_path):
    net = ng.mlp([([[1.0, -1.0]], None)], ("leaky_relu", {"alpha": 0.2}))
    np.testing.assert_allclose(net.forward([2.0]), [2.0, -0.4])
    assert net["y"].expression() == "LReLU(a1; α = 0.2)"
    ng.save(net, tmp_path / "net.npz")
    loaded = ng.load(tmp_path / "net.npz")
    assert loaded["y"].parameters == {"alpha": 0.2}
    np.testing.assert_array_equal(loaded.forward([2.0]), net.forward([2.0]))
    with pytest.raises(ng.GraphError, match=r"activation 'y': leaky_relu takes alpha; got 'alpah'; did you mean 'alpha'\?"):
        ng.mlp([([[1.0]], None)], ("leaky_relu", {"alpah": 0.2}))
    with pytest.raises(ng.GraphError, match=r"activation 'y': alpha must be a real number; got '0.2'"):
        ng.mlp([([[1.0]], None)], ("leaky_relu", {"alpha": "0.2"}))
    with pytest.raises(ng.GraphError, match=r"relu takes no parameters; got 'alpha'"):
        ng.mlp([([[1.0]], None)], ("relu", {"alpha": 0.2}))


def test_mlp_tells_one_activation_from_one_per_layer():
    layers = [(np.eye(2), None)] * 3
    net = ng.mlp(layers, ("relu", "identity", "relu"))
    assert [net[n].h.name for n in ("z1", "z2", "y")] == ["relu", "identity", "relu"]
    two = ng.mlp(layers[:2], ("relu", "sigmoid"))
    assert [two[n].h.name for n in ("z1", "y")] == ["relu", "sigmoid"]
    with pytest.raises(ng.GraphError, match=r"layer 1 of mlp: an activation is a name or \(name, \{parameter: value\}\); got \('relu', \{\}, 1\)"):
        ng.mlp(layers[:1], [("relu", {}, 1)])


def test_activation_parameters_out_of_range_are_refused():
    with pytest.raises(ng.GraphError, match=r"activation 'y': beta must be greater than 0; got 0"):
        ng.mlp([([[1.0]], None)], ("softplus", {"beta": 0}))
    with pytest.raises(ng.GraphError, match=r"activation 'y': alpha must be finite; got 1000000000"):
        ng.mlp([([[1.0]], None)], ("leaky_relu", {"alpha": 10**400}))
