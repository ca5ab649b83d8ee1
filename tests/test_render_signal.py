"""Signal diagrams: exact DOT for small graphs, shapes, values, stepping, escaping."""

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import nngraph as ng
from conftest import book_run, check_golden
from nngraph.formatting import format_number
from nngraph.render.dot import quote
from nngraph.render.signal import CURRENT, signal_diagram, value_lines
from nngraph.render.signal import NOT_REACHED as GREY


def escape(text):
    return quote(text)[1:-1]

SVG = "{http://www.w3.org/2000/svg}"


def two_by_two() -> ng.Graph:
    """Two inputs, two outputs; one signal read by an affine without bias."""
    g = ng.Graph("two-by-two")
    g.input("u", 2)
    g.input("v", 3)
    g.weight("Wu", [[1.0, -1.0], [0.5, 2.0]])
    g.weight("bu", [0.1, -0.1])
    g.affine("h", "u", "Wu", "bu")
    g.activation("r", "h", "relu")
    g.weight("Wp", [[1.0], [1.0]])
    g.affine("p", "r", "Wp")
    g.activation("out1", "p", "sigmoid")
    g.weight("Wv", [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    g.affine("out2", "v", "Wv")
    return g




def node_attributes(source: str, name: str) -> dict[str, str]:
    """The attributes of node ``name`` (escaped as in the DOT) in ``source``."""
    match = re.search(rf'^  "{re.escape(escape(name))}" \[(.*)\];$', source, re.M)
    assert match, f"node {name!r} not in the DOT"
    return dict(re.findall(r'(\w+)="?((?<=")(?:[^"\\]|\\.)*|[\d.]+)"?', match.group(1)))


def edge_attributes(source: str, tail: str, head: str) -> dict[str, str]:
    match = re.search(rf'^  "{re.escape(escape(tail))}" -> "{re.escape(escape(head))}" \[(.*)\];$', source, re.M)
    assert match, f"edge {tail!r} -> {head!r} not in the DOT"
    return dict(re.findall(r'(\w+)="?((?<=")(?:[^"\\]|\\.)*|[\d.]+)"?', match.group(1)))


def svg_texts(diagram) -> list[str]:
    root = ET.fromstring(diagram.render("svg"))
    return [element.text for element in root.iter(f"{SVG}text")]


# -- exact DOT ---------------------------------------------------------------


def test_three_layer_golden(three_layer):
    check_golden("signal_three_layer.dot", signal_diagram(three_layer).source)


def test_two_inputs_two_outputs_golden():
    check_golden("signal_two_by_two.dot", signal_diagram(two_by_two(), batch=None).source)


def test_three_layer_stepping_golden(three_layer, book_x):
    run = book_run(three_layer, book_x)
    known = {name: run[name] for name in ("x", "a1", "z1", "a2")}
    diagram = signal_diagram(three_layer, values=known, current="a2", title="step 4: a2")
    check_golden("signal_three_layer_a2.dot", diagram.source)


def test_same_graph_same_bytes_in_fresh_processes():
    program = (
        "import nngraph as ng; from nngraph.render.signal import signal_diagram;"
        "import sys; sys.stdout.write(signal_diagram(ng.xor_gate(), values={'x': [[0.0, 1.0]]}).source)"
    )
    outputs = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-c", program], capture_output=True, env=env, check=True)
        outputs.add(done.stdout)
    assert len(outputs) == 1
    assert outputs.pop().decode("utf-8") == signal_diagram(ng.xor_gate(), values={"x": [[0.0, 1.0]]}).source


# -- shapes on the edges -----------------------------------------------------


@pytest.mark.parametrize(
    ("batch", "x_to_a1", "a1_to_z1"),
    [("N", "N×2", "N×3"), (100, "100×2", "100×3"), (None, "(2,)", "(3,)"), ("B", "B×2", "B×3")],
)
def test_edge_shapes_follow_batch(three_layer, batch, x_to_a1, a1_to_z1):
    source = signal_diagram(three_layer, batch=batch).source
    assert edge_attributes(source, "x", "a1")["label"] == x_to_a1
    assert edge_attributes(source, "a1", "z1")["label"] == a1_to_z1
    assert "label" not in edge_attributes(source, "W1", "a1")


def test_weights_show_name_and_shape(three_layer):
    source = signal_diagram(three_layer).source
    assert node_attributes(source, "W1")["label"] == "W1 (2×3)"
    assert node_attributes(source, "b1")["label"] == "b1 (3,)"
    assert node_attributes(source, "a1")["label"] == "a1 = x·W1 + b1"
    assert node_attributes(source, "z1")["label"] == "z1 = σ(a1)"


def test_inputs_of_an_affine_in_argument_order(three_layer):
    source = signal_diagram(three_layer).source
    tails = re.findall(r'^  "(\w+)" -> "a2"', source, re.M)
    assert tails == ["z1", "W2", "b2"]


def test_outputs_leave_the_diagram_with_their_shape():
    source = signal_diagram(two_by_two()).source
    assert edge_attributes(source, "out1", "out1 (out)")["label"] == "N×1"
    assert edge_attributes(source, "out2", "out2 (out)")["label"] == "N×2"
    assert "r (out)" not in source


def test_exit_node_never_clashes_with_a_node_name():
    g = ng.Graph()
    g.input("x", 1)
    g.weight("W", [[1.0]])
    g.affine("a", "x", "W")
    g.activation("y", "a", "relu")
    g.activation("y (out)", "a", "sigmoid")
    source = signal_diagram(g).source
    assert edge_attributes(source, "y", "y (out)'")["label"] == "N×1"
    assert edge_attributes(source, "y (out)", "y (out) (out)")["label"] == "N×1"


@pytest.mark.renderer
def test_mnist_shapes_for_a_batch_of_100(mnist_net):
    texts = svg_texts(signal_diagram(mnist_net, batch=100))
    for shape in ("100×784", "100×50", "100×100", "100×10"):
        assert shape in texts
    for weight in ("W1 (784×50)", "W2 (50×100)", "W3 (100×10)", "b3 (10,)"):
        assert weight in texts
    assert "y = softmax(a3)" in texts
    assert "N×784" not in texts


@pytest.mark.renderer
def test_mnist_single_sample_and_n_shapes(mnist_net):
    assert {"(784,)", "(50,)", "(100,)", "(10,)"} <= set(svg_texts(signal_diagram(mnist_net, batch=None)))
    assert {"N×784", "N×50", "N×100", "N×10"} <= set(svg_texts(signal_diagram(mnist_net)))


@pytest.mark.renderer
def test_mnist_after_a_batch_run_renders_with_real_shapes(mnist_net, mnist_test_set):
    # Speed is measured by benchmarks/bench.py, never asserted in tests.
    images, _ = mnist_test_set
    texts = set(svg_texts(signal_diagram(mnist_net, values=book_run(mnist_net, images[:100]))))
    assert {"100×784", "100×50", "100×100", "100×10"} <= texts


# -- values ------------------------------------------------------------------


@pytest.mark.renderer
def test_values_after_a_run(three_layer, book_x):
    texts = svg_texts(signal_diagram(three_layer, values=book_run(three_layer, book_x)))
    for line in ("[1.0, 0.5]", "[0.3, 0.7, 1.1]", "[0.5744, 0.6682, 0.7503]", "[0.5162, 1.214]", "[0.3168, 0.6963]"):
        assert line in texts
    assert texts.count("(2,)") == 5  # x→a1, a2→z2, z2→a3, a3→y, y→out
    assert texts.count("(3,)") == 2  # a1→z1, z1→a2


def test_precision_sets_the_decimals(three_layer, book_x):
    source = signal_diagram(three_layer, values=book_run(three_layer, book_x), precision=2).source
    assert node_attributes(source, "z1")["label"] == "z1 = σ(a1)\\n[0.57, 0.67, 0.75]"
    source = signal_diagram(three_layer, values=book_run(three_layer, book_x), precision=8).source
    assert node_attributes(source, "z2")["label"] == "z2 = σ(a2)\\n[0.62624937, 0.7710107]"


def test_value_shapes_replace_the_batch_name(gate_inputs):
    net = ng.xor_gate()
    source = signal_diagram(net, values=book_run(net, gate_inputs)).source
    assert edge_attributes(source, "x", "a1")["label"] == "4×2"
    assert edge_attributes(source, "y", "y (out)")["label"] == "4×1"
    assert node_attributes(source, "x")["label"] == "x\\n[0.0, 0.0]\\n[1.0, 0.0]\\n[0.0, 1.0]\\n[1.0, 1.0]"
    assert node_attributes(source, "y")["label"] == "y = step(a2)\\n[0.0]\\n[1.0]\\n[1.0]\\n[0.0]"


def test_big_values_are_abbreviated_with_min_and_max(mnist_net, mnist_test_set):
    images, _ = mnist_test_set
    run = book_run(mnist_net, images[:100])
    diagram = signal_diagram(mnist_net, values=run)
    label = node_attributes(diagram.source, "y")["label"].split("\\n")
    assert label[0] == "y = softmax(a3)"
    assert label[1].startswith("[[") and label[1].endswith(", …], …]")
    low, high = run["y"].min(), run["y"].max()
    assert label[2] == f"min {format_number(low, 4)}, max {format_number(high, 4)}"
    assert edge_attributes(diagram.source, "x", "a1")["label"] == "100×784"
    assert diagram.notes == ("values of x, a1, z1, a2, z2, a3, y abbreviated: first 3 entries, then min and max",)


@pytest.mark.parametrize(
    ("value", "lines", "cut"),
    [
        (np.float64(0.5), ["0.5"], False),
        (np.array([0.574442516, 1.0]), ["[0.5744, 1.0]"], False),
        (np.array([[1.0, 2.0], [3.0, 4.0]]), ["[1.0, 2.0]", "[3.0, 4.0]"], False),
        (np.arange(7.0), ["[0.0, 1.0, 2.0, …]", "min 0.0, max 6.0"], True),
        (np.arange(10.0).reshape(5, 2) - 3, ["[[−3.0, −2.0], …]", "min −3.0, max 6.0"], True),
        (np.zeros((0, 3)), ["[]"], False),
    ],
)
def test_value_lines(value, lines, cut):
    assert value_lines(value) == (lines, cut)


# -- stepping: current node, greyed nodes ------------------------------------


def test_current_node_and_its_incoming_edges_are_highlighted(three_layer, book_x):
    run = book_run(three_layer, book_x)
    known = {name: run[name] for name in ("x", "a1", "z1", "a2")}
    source = signal_diagram(three_layer, values=known, current="a2").source
    a2 = node_attributes(source, "a2")
    assert (a2["color"], a2["fillcolor"], a2["penwidth"]) == (CURRENT["color"], CURRENT["fillcolor"], "2.5")
    assert a2["label"] == "a2 = z1·W2 + b2\\n[0.5162, 1.214]"
    for tail in ("z1", "W2", "b2"):
        assert edge_attributes(source, tail, "a2")["color"] == CURRENT["color"]
    assert "color" not in edge_attributes(source, "x", "a1")
    assert "penwidth" not in node_attributes(source, "a1")


def test_nodes_not_reached_are_greyed(three_layer, book_x):
    run = book_run(three_layer, book_x)
    known = {name: run[name] for name in ("x", "a1", "z1")}
    source = signal_diagram(three_layer, values=known, current="a2", batch=None).source
    for name in ("z2", "a3", "y", "W3", "b3"):
        attributes = node_attributes(source, name)
        assert attributes["fontcolor"] == GREY["fontcolor"], name
        assert attributes["style"].endswith(",dashed")
    for name in ("x", "a1", "z1", "W1", "W2", "b2", "a2"):
        assert "dashed" not in node_attributes(source, name).get("style", ""), name
    assert node_attributes(source, "a2")["label"] == "a2 = z1·W2 + b2"  # current, not computed yet
    assert edge_attributes(source, "a2", "z2")["style"] == "dashed"
    assert edge_attributes(source, "y", "y (out)")["color"] == GREY["color"]
    assert "style" not in edge_attributes(source, "a1", "z1")
    assert node_attributes(source, "W3")["style"] == "filled,dashed"  # weights stay square


def test_without_current_nothing_is_greyed(three_layer, book_x):
    source = signal_diagram(three_layer, values={"x": book_x}).source
    assert GREY["fontcolor"] not in source
    assert CURRENT["color"] not in source
    assert edge_attributes(source, "a2", "z2")["label"] == "(2,)"  # the batch of the values


def test_edges_not_reached_use_the_batch_of_the_values(mnist_net):
    source = signal_diagram(mnist_net, values={"x": np.zeros((100, 784))}, current="a1").source
    assert edge_attributes(source, "a1", "z1")["label"] == "100×50"
    assert edge_attributes(source, "z2", "a3")["label"] == "100×100"


@pytest.mark.renderer
def test_stepping_frame_renders(three_layer, book_x):
    run = book_run(three_layer, book_x)
    texts = svg_texts(signal_diagram(three_layer, values={k: run[k] for k in ("x", "a1")}, current="z1"))
    assert "[0.3, 0.7, 1.1]" in texts
    assert "z1 = σ(a1)" in texts
    assert "[0.5744, 0.6682, 0.7503]" not in texts


# -- escaping ----------------------------------------------------------------

NASTY = {
    "input": 'a"]; x -> y; ["',
    "W": "<script>alert(1)</script>",
    "b": "b\\N &amp; \\",
    "affine": "c\\",
}


def nasty_graph() -> ng.Graph:
    g = ng.Graph('g"] { evil }')
    g.input(NASTY["input"], 2)
    g.weight(NASTY["W"], [[1.0], [2.0]])
    g.weight(NASTY["b"], [0.5])
    g.affine(NASTY["affine"], NASTY["input"], NASTY["W"], NASTY["b"])
    g.activation("out", NASTY["affine"], "step")
    return g


def test_escape():
    assert escape('a"b') == 'a\\"b'
    assert escape("\\N") == "\\\\N"
    assert escape("&lt;") == "&amp;lt;"
    assert escape("one\ntwo") == "one\\ntwo"


@pytest.mark.renderer
def test_names_show_literally():
    g = nasty_graph()
    title = 'title "\\G" <b>&amp;'
    root = ET.fromstring(signal_diagram(g, title=title, current=NASTY["affine"]).render("svg"))
    texts = [element.text for element in root.iter(f"{SVG}text")]
    assert NASTY["input"] in texts
    assert f"{NASTY['W']} (2×1)" in texts
    assert f"{NASTY['b']} (1,)" in texts
    assert f"{NASTY['affine']} = {NASTY['input']}·{NASTY['W']} + {NASTY['b']}" in texts
    assert title in texts
    assert "out = step(c\\)" in texts
    groups = [g.get("class") for g in root.iter(f"{SVG}g")]
    assert groups.count("node") == 5  # the exit point is invisible: not drawn
    assert groups.count("edge") == 5
    assert root.find(f".//{SVG}script") is None


def test_names_cannot_break_the_dot():
    source = signal_diagram(nasty_graph()).source
    quoted = r'"(?:[^"\\]|\\.)*"'
    assert len(re.findall(rf"^  {quoted} -> {quoted} \[", source, re.M)) == 5
    assert len(re.findall(rf"^  {quoted} \[", source, re.M)) == 6  # five nodes and the exit point


# -- errors ------------------------------------------------------------------


def test_unknown_current(three_layer):
    with pytest.raises(ng.GraphError, match=r"no node 'z11'; did you mean 'z1'\?"):
        signal_diagram(three_layer, current="z11")


def test_unknown_value_name(three_layer):
    with pytest.raises(ng.GraphError, match="has no node 'q'"):
        signal_diagram(three_layer, values={"q": [1.0]})


def test_value_of_the_wrong_shape(three_layer):
    with pytest.raises(ng.ShapeError, match=r"values\['a1'\] must have shape \(3,\) for one sample or \(N, 3\) for a batch; got \(2,\)"):
        signal_diagram(three_layer, values={"a1": [1.0, 2.0]})
    with pytest.raises(ng.ShapeError, match=r"values\['W1'\] must have the shape \(2, 3\) of weight 'W1'; got \(3, 2\)"):
        signal_diagram(three_layer, values={"W1": np.zeros((3, 2))})


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"batch": 0}, ng.RenderError, "batch must be a name such as 'N'"),
        ({"batch": True}, ng.RenderError, "batch must be"),
        ({"precision": -1}, ng.RenderError, "precision must be a whole number"),
        ({"precision": 2.5}, ng.RenderError, "precision must be"),
        ({"values": [1.0, 0.5]}, ng.InputError, "values must map node names to arrays"),
        ({"values": {"x": ["a", "b"]}}, ng.InputError, r"values\['x'\] must hold real numbers; got dtype <U1"),
        ({"values": {"x": [[1.0], [1.0, 2.0]]}}, ng.InputError, r"values\['x'\] is not a rectangular array"),
    ],
)
def test_bad_options(three_layer, options, error, message):
    with pytest.raises(error, match=message):
        signal_diagram(three_layer, **options)
