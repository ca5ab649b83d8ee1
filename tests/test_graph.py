"""Graph: building, checks made when a node is added, the networkx view, layers."""

import networkx as nx
import numpy as np
import pytest

import nngraph as ng
from nngraph.errors import GraphError, NNGraphError, ShapeError, UnknownActivationError


@pytest.fixture
def partial():
    """x (2) → a1 = x·W1 + b1 (3) → z1 = σ(a1), plus W2 (2×2), b2 (3,) and b3 (2,) not yet used."""
    g = ng.Graph("partial")
    x = g.input("x", size=2)
    W1 = g.weight("W1", [[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]])
    b1 = g.weight("b1", [0.1, 0.2, 0.3])
    a1 = g.affine("a1", x, W1, b1)
    g.activation("z1", a1, "sigmoid")
    g.weight("W2", [[0.1, 0.4], [0.2, 0.5]])
    g.weight("b2", [0.1, 0.2, 0.3])
    g.weight("b3", [0.1, 0.2])
    return g


def unchanged(graph, before):
    """The graph has exactly the nodes it had before a failed call."""
    return graph.names == before and len(graph.dag) == len(before)


# -- building -----------------------------------------------------------------


def test_the_issue_example_builds_and_evaluates():
    g = ng.Graph()
    x = g.input("x", size=2)
    W1 = g.weight("W1", [[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]])
    b1 = g.weight("b1", [0.1, 0.2, 0.3])
    a1 = g.affine("a1", x, W1, b1)
    z1 = g.activation("z1", a1, "sigmoid")
    assert (x.kind, W1.kind, a1.kind, z1.kind) == ("input", "weight", "affine", "activation")
    assert a1.expression() == "x·W1 + b1" and z1.expression() == "σ(a1)"
    assert (a1.width, z1.width, W1.shape) == (3, 3, (2, 3))
    np.testing.assert_allclose(g.forward(np.array([1.0, 0.5])), [0.57444252, 0.66818777, 0.75026011], atol=5e-9)


def test_nodes_accept_names_or_node_objects(partial):
    W = partial.weight("W", [[1.0], [2.0], [3.0]])
    by_object = partial.affine("p", partial["z1"], W)
    by_name = partial.affine("q", "z1", "W")
    assert by_object.arguments == by_name.arguments == {"x": "z1", "W": "W"}


def test_affine_without_bias(partial):
    a = partial.affine("p", "x", partial.weight("V", [[1.0], [2.0]]))
    assert a.b is None and a.expression() == "x·V" and a.arguments == {"x": "x", "W": "V"}
    np.testing.assert_array_equal(partial.forward(x=[1.0, 1.0])["p"], [3.0])


def test_iteration_is_insertion_order(three_layer):
    assert [n.name for n in three_layer] == ["x", "W1", "b1", "a1", "z1", "W2", "b2", "a2", "z2", "W3", "b3", "a3", "y"]
    assert three_layer.names == tuple(n.name for n in three_layer)
    assert len(three_layer) == 13 and "a2" in three_layer and "a4" not in three_layer
    assert repr(three_layer) == "<Graph 'three-layer': 1 input, 6 weight, 3 affine, 3 activation>"


def test_inputs_outputs_and_consumers(three_layer):
    assert [n.name for n in three_layer.inputs] == ["x"]
    assert [n.name for n in three_layer.outputs] == ["y"]
    assert three_layer.consumers("x") == ["a1"]
    assert three_layer.consumers("z1") == ["a2"]
    assert three_layer.consumers("y") == []


def test_consumers_come_in_insertion_order():
    g = ng.Graph()
    g.input("x", 1)
    for name in ["q", "b", "z", "a"]:
        g.activation(name, "x", "relu")
    assert g.consumers("x") == ["q", "b", "z", "a"]
    assert [n.name for n in g.outputs] == ["q", "b", "z", "a"]


def test_weights_are_read_only_copies_and_integers_become_float64():
    source = np.array([[1, 2], [3, 4]])
    g = ng.Graph()
    W = g.weight("W", source)
    source[0, 0] = 100
    assert W.value[0, 0] == 1.0 and W.value.dtype == np.float64
    assert not W.value.flags.writeable
    with pytest.raises(ValueError):
        W.value[0, 0] = 5.0
    assert g.weight("F", np.ones((2, 2), dtype=np.float32)).value.dtype == np.float32


def test_unicode_and_quoted_names_are_kept_as_given():
    g = ng.Graph("«net»")
    g.input("x₁ \"in\"", 1)
    g.weight("W'1", [[2.0]])
    g.affine("a ⟨1⟩", "x₁ \"in\"", "W'1")
    assert g.names == ('x₁ "in"', "W'1", "a ⟨1⟩")
    np.testing.assert_array_equal(g.forward([3.0]), [6.0])


# -- the networkx view ----------------------------------------------------------


def test_dag_edges_carry_their_role(three_layer):
    dag = three_layer.dag
    assert isinstance(dag, nx.DiGraph)
    assert dag.edges["x", "a1"]["role"] == "x"
    assert dag.edges["W1", "a1"]["role"] == "W"
    assert dag.edges["b1", "a1"]["role"] == "b"
    assert dag.edges["a1", "z1"]["role"] == "a"
    assert dag.nodes["W1"]["kind"] == "weight"
    assert dag.number_of_edges() == 12
    assert nx.is_directed_acyclic_graph(dag)


def test_dag_is_read_only(three_layer):
    with pytest.raises(nx.NetworkXError):
        three_layer.dag.add_edge("y", "x")
    with pytest.raises(nx.NetworkXError):
        three_layer.dag.remove_node("a1")
    assert three_layer.dag.number_of_edges() == 12


# -- layers -----------------------------------------------------------------


def test_layers_of_the_three_layer_network(three_layer):
    layers = three_layer.layers()
    assert [(layer.index, layer.affine.name, layer.activation.name, layer.output) for layer in layers] == [
        (1, "a1", "z1", "z1"),
        (2, "a2", "z2", "z2"),
        (3, "a3", "y", "y"),
    ]
    assert [layer.activation.h.name for layer in layers] == ["sigmoid", "sigmoid", "identity"]


def test_layers_of_xor_and_an_affine_only_layer():
    assert [(layer.affine.width, layer.output) for layer in ng.xor_gate().layers()] == [(2, "z1"), (1, "y")]
    g = ng.Graph()
    g.input("x", 2)
    g.weight("W", [[1.0], [1.0]])
    g.affine("a", "x", "W")
    [layer] = g.layers()
    assert layer.activation is None and layer.output == "a"


def test_layers_refuse_a_branching_graph():
    g = ng.Graph("branchy")
    g.input("x", 1)
    g.activation("p", "x", "relu")
    g.activation("q", "x", "tanh")
    with pytest.raises(GraphError, match=r"'branchy' is not a chain of layers: 'x' feeds \['p', 'q'\]"):
        g.layers()


def test_layers_refuse_two_inputs():
    g = ng.Graph("two")
    g.input("x", 1)
    g.input("t", 1)
    with pytest.raises(GraphError, match=r"a chain of layers needs exactly one input; 'two' has 2; use the signal diagram"):
        g.layers()


def test_layers_refuse_stray_nodes():
    g = ng.mlp([([[1.0]], [0.0])], "relu", name="stray")
    g.weight("unused", [1.0])
    with pytest.raises(GraphError, match=r"'stray' has nodes outside its chain of layers: \['unused'\]"):
        g.layers()


class _CountingDict(dict):
    """A dict that counts the passes made over all its entries."""

    passes = 0

    def _count(self, view):
        _CountingDict.passes += 1
        return view

    def __iter__(self):
        return self._count(super().__iter__())

    def keys(self):
        return self._count(super().keys())

    def values(self):
        return self._count(super().values())

    def items(self):
        return self._count(super().items())


@pytest.mark.parametrize("size", [10, 1_000])
def test_layers_pass_over_all_nodes_a_fixed_number_of_times(size, monkeypatch):
    # Linear in the graph's size: a pass over every node per layer would be quadratic.
    g = ng.mlp([(np.eye(3), np.zeros(3))] * size, "relu")
    g._nodes = _CountingDict(g._nodes)
    monkeypatch.setattr(_CountingDict, "passes", 0)
    assert len(g.layers()) == size
    assert _CountingDict.passes <= 3
    assert g.consumers("x") == ["a1"] and _CountingDict.passes <= 3


def test_layers_of_a_chain_of_twenty_thousand_layers():
    g = ng.mlp([(np.eye(3), np.zeros(3))] * 20_000, "relu")  # iterative: no recursion limit to hit
    layers = g.layers()
    assert [layer.index for layer in layers] == list(range(1, 20_001))
    ends = [layers[0], layers[9_999], layers[-1]]
    assert [(layer.affine.name, layer.output) for layer in ends] == [("a1", "z1"), ("a10000", "z10000"), ("a20000", "y")]
    assert all(layer.affine.x == before.output for before, layer in zip(layers, layers[1:]))


def test_a_weight_shared_by_two_affines_lists_both_readers_once():
    g = ng.Graph()
    g.input("x", 2)
    g.weight("W", np.eye(2))
    g.affine("a", "x", "W")
    g.affine("c", "a", "W")
    assert g.consumers("W") == ["a", "c"] and g.consumers("a") == ["c"]

# -- errors when adding a node -----------------------------------------------------


def test_duplicate_name(partial):
    before = partial.names
    with pytest.raises(GraphError, match=r"node 'a1' already exists \(affine\); node names must be unique"):
        partial.weight("a1", [1.0])
    with pytest.raises(GraphError, match=r"node 'x' already exists \(input\)"):
        partial.input("x", 3)
    assert unchanged(partial, before)


@pytest.mark.parametrize("name", ["", None, 3, ("x",)])
def test_names_must_be_non_empty_strings(name):
    with pytest.raises(GraphError, match=r"node names must be non-empty strings; got "):
        ng.Graph().input(name, 2)


def test_unknown_source_suggests_the_closest_name(partial):
    before = partial.names
    with pytest.raises(GraphError, match=r"affine 'a2' reads its x from 'z11', which is not a node of this graph; did you mean 'z1'\?"):
        partial.affine("a2", "z11", "W2")
    assert unchanged(partial, before)


def test_unknown_source_without_a_close_name_lists_the_known(partial):
    with pytest.raises(GraphError, match=r"activation 'h' reads its a from 'hidden', which is not a node of this graph; add it first \(known: x, W1, b1, a1, z1, W2, b2, b3\)"):
        partial.activation("h", "hidden", "relu")


def test_a_node_of_another_graph_is_unknown(partial):
    other = ng.Graph()
    foreign = other.input("elsewhere", 2)
    with pytest.raises(GraphError, match=r"reads its x from 'elsewhere', which is not a node of this graph"):
        partial.affine("a2", foreign, "W2")


def test_weight_used_as_x_is_the_wrong_kind(partial):
    with pytest.raises(GraphError, match=r"affine 'a2' reads its x from 'W1', a weight; x must be a signal: an input, affine or activation node"):
        partial.affine("a2", "W1", "W2")


def test_signal_used_as_W_or_b_is_the_wrong_kind(partial):
    with pytest.raises(GraphError, match=r"affine 'a2' reads its W from 'z1', an activation; W must be a weight node \(add it with graph.weight\)"):
        partial.affine("a2", "z1", "z1")
    with pytest.raises(GraphError, match=r"affine 'a2' reads its b from 'x', .*; b must be a weight node"):
        partial.affine("a2", "x", "W2", "x")


def test_wrong_kind_message_uses_the_right_article(partial):
    with pytest.raises(GraphError, match=r"reads its W from 'z1', an activation;"):
        partial.affine("a2", "z1", "z1")


def test_activation_of_a_weight_is_the_wrong_kind(partial):
    with pytest.raises(GraphError, match=r"activation 'h' reads its a from 'W1', a weight; a must be a signal: an input, affine or activation node"):
        partial.activation("h", "W1", "relu")


def test_W_must_be_a_matrix(partial):
    before = partial.names
    with pytest.raises(ShapeError, match=r"affine 'a2' needs W as a matrix \(rows × columns\); b3 has shape \(2,\); reshape it to \(3, K\)"):
        partial.affine("a2", "z1", "b3")
    assert unchanged(partial, before)


def test_inner_sizes_must_match(partial):
    before = partial.names
    message = r"^affine 'a2' cannot multiply z1 \(N×3\) by W2 \(2×2\): inner sizes 3 ≠ 2; W2 needs 3 rows$"
    with pytest.raises(ShapeError, match=message):
        partial.affine("a2", "z1", "W2", "b3")
    assert unchanged(partial, before)


def test_bias_needs_one_entry_per_column(partial):
    W = partial.weight("W", [[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(ShapeError, match=r"affine 'p' cannot add b2 \(3,\) to x·W \(N×2\): b2 must have shape \(2,\), one entry per column of W"):
        partial.affine("p", "x", W, "b2")
    with pytest.raises(ShapeError, match=r"affine 'p' cannot add W \(2, 2\) to x·W \(N×2\): W must have shape \(2,\)"):
        partial.affine("p", "x", W, W)


def test_unknown_activation_suggests_the_closest(partial):
    before = partial.names
    with pytest.raises(UnknownActivationError, match=r"unknown activation 'sigmod'; did you mean 'sigmoid'\?"):
        partial.activation("z2", "a1", "sigmod")
    assert unchanged(partial, before)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ([["a", "b"]], r"weight 'W' must hold real numbers; got dtype <U1"),
        ([[1.0], [1.0, 2.0]], r"weight 'W' is not a rectangular array of numbers"),
        (3.0, r"weight 'W' must be an array; got the scalar 3.0; wrap it: \[3.0\]"),
        ([[1.0, np.nan]], r"weight 'W' holds .*nan.* at index \(0, 1\); weights must be finite"),
        ([np.inf], r"weight 'W' holds .*inf.* at index \(0,\)"),
        ([1 + 2j], r"weight 'W' must hold real numbers; got dtype complex128"),
        (np.array([1.0, None], dtype=object), r"weight 'W' must hold real numbers; got dtype object"),
    ],
)
def test_bad_weight_values(value, message):
    g = ng.Graph()
    with pytest.raises(GraphError, match=message):
        g.weight("W", value)
    assert len(g) == 0


@pytest.mark.parametrize("size", [0, -1, 2.0, "2", True, None])
def test_input_size_must_be_a_positive_integer(size):
    with pytest.raises(GraphError, match=r"input 'x' needs a positive integer size; got "):
        ng.Graph().input("x", size)


def test_input_size_may_be_a_numpy_integer():
    assert ng.Graph().input("x", np.int64(3)).size == 3


def test_unknown_node_lookup_suggests(three_layer):
    with pytest.raises(GraphError, match=r"graph 'three-layer' has no node 'a11'; did you mean 'a1'\?"):
        three_layer["a11"]


@pytest.mark.parametrize("error", [GraphError, ShapeError, ng.InputError, ng.FormatError])
def test_errors_are_nngraph_errors_and_value_errors(error):
    assert issubclass(error, NNGraphError) and issubclass(error, ValueError)
    assert not issubclass(error, KeyError)


def test_unknown_activation_error_is_a_lookup_error_but_not_a_key_error():
    assert issubclass(UnknownActivationError, NNGraphError) and issubclass(UnknownActivationError, LookupError)
    assert not issubclass(UnknownActivationError, KeyError)
    assert issubclass(ng.RenderError, NNGraphError)


# -- the plan is cached until the graph changes --------------------------------------


def test_plan_is_built_once_and_rebuilt_after_a_change(partial):
    plan = partial.plan()
    assert partial.plan() is plan
    partial.activation("z9", "z1", "relu")
    assert partial.plan() is not plan
    assert [node.name for node in partial.plan().outputs] == ["z9"]


def test_failed_add_keeps_the_plan(partial):
    plan = partial.plan()
    with pytest.raises(ShapeError):
        partial.affine("a2", "z1", "W2")
    assert partial.plan() is plan
