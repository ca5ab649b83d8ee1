"""Neuron diagrams and neuron details: exact DOT for small graphs, parsed SVG, options, errors."""

import re
import warnings
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import nngraph as ng
from conftest import book_run, check_golden
from nngraph.notation import (
    Notation,
    bias_symbol,
    indexed,
    signed,
    subscript,
    superscript,
    weight_symbol,
)
from nngraph.render.detail import neuron_detail
from nngraph.render.dot import quote
from nngraph.render.neuron import neuron_diagram, shown_indices
from nngraph.render.style import FAINT, HIGHLIGHT

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = ['a"]; x -> y; ["', "<script>alert(1)</script>", "back\\N\\G end\\", "&amp; &lt;"]




class Drawing:
    """A rendered SVG, parsed: circles, arrows (with their colours) and texts."""

    def __init__(self, diagram):
        self.root = ET.fromstring(diagram.render("svg"))
        groups = self.root.iter(f"{SVG}g")
        self.nodes, self.edges = [], []
        for group in groups:
            kind = group.get("class")
            if kind == "node":
                self.nodes.append(group)
            elif kind == "edge":
                self.edges.append(group)
        self.circles = [e for node in self.nodes for e in node.iter(f"{SVG}ellipse")]
        self.texts = ["".join(t.itertext()) for t in self.root.iter(f"{SVG}text")]

    def has_text(self, text: str) -> bool:
        return any(text in t for t in self.texts)

    def edge_colors(self) -> list[str]:
        return [edge.find(f"{SVG}path").get("stroke") for edge in self.edges]


# -- notation -------------------------------------------------------------------------


def test_notation_helpers():
    assert subscript(12) == "₁₂"
    assert superscript("(3)") == "⁽³⁾"
    assert indexed("x", 1) == "x₁"
    assert indexed("a", 1, layer=1) == "a₁⁽¹⁾"
    assert weight_symbol(1, 1, 2) == "w₁₂⁽¹⁾"  # into neuron 1 of layer 1, from neuron 2
    assert indexed("w", 12, 3, layer=2) == "w₁₂,₃⁽²⁾"  # multi-digit indices stay unambiguous
    assert bias_symbol(2, 1) == "b₁⁽²⁾"
    assert signed("-0.7") == "−0.7"


def test_notation_of_a_network(three_layer):
    n = Notation(three_layer.layers())
    assert [n.signal(0, 0), n.pre(1, 0), n.signal(1, 0), n.signal(3, 1)] == ["x₁", "a₁⁽¹⁾", "z₁⁽¹⁾", "y₂"]
    assert n.weight(2, 0, 2) == "w₁₃⁽²⁾" and n.bias(3, 1) == "b₂⁽³⁾"
    perceptron = Notation(ng.and_gate().layers())
    assert [perceptron.weight(1, 0, 1), perceptron.bias(1, 0), perceptron.signal(1, 0)] == ["w₂", "b", "y"]
    xor = Notation(ng.xor_gate().layers(), names={1: "s"})
    assert [xor.signal(1, 0), xor.signal(1, 1), xor.signal(2, 0)] == ["s₁", "s₂", "y"]


def test_shown_indices_keep_first_last_and_the_chosen_neuron():
    assert shown_indices(3, 10) == [0, 1, 2]
    assert shown_indices(784, 10) == [0, 1, 2, 3, 4, None, 779, 780, 781, 782, 783]
    assert shown_indices(100, 4, keep=29) == [0, 1, None, 29, None, 98, 99]
    assert shown_indices(100, 4, keep=1) == [0, 1, None, 98, 99]


def test_quote_escapes_for_dot():
    assert quote('a"b') == '"a\\"b"'
    assert quote("\\N") == '"\\\\N"'
    assert quote("&lt;") == '"&amp;lt;"'
    assert quote("two\nlines") == '"two\\nlines"'


# -- golden DOT ----------------------------------------------------------------------------


def test_and_gate_golden():
    check_golden("neuron_and.dot", neuron_diagram(ng.and_gate(), weights="values").source)


def test_three_layer_golden(three_layer):
    check_golden("neuron_three_layer.dot", neuron_diagram(three_layer).source)


def test_three_layer_values_golden(three_layer):
    diagram = neuron_diagram(three_layer, values=book_run(three_layer), weights="values")
    check_golden("neuron_three_layer_values.dot", diagram.source)


def test_three_layer_stepping_golden(three_layer):
    values = {k: v for k, v in book_run(three_layer).items() if k in ("x", "a1")}
    check_golden("neuron_three_layer_a1.dot", neuron_diagram(three_layer, values=values, current="a1", neuron=1).source)


def test_neuron_detail_golden(three_layer):
    diagram = neuron_detail(three_layer, 1, 1, values=book_run(three_layer))
    check_golden("neuron_detail_three_layer.dot", diagram.source)


def test_deterministic(three_layer):
    values = book_run(three_layer)
    first = neuron_diagram(three_layer, values=values, current="z1", edge_style="signed").source
    again = neuron_diagram(ng.three_layer_network(), values=book_run(ng.three_layer_network()), current="z1", edge_style="signed").source
    assert first == again
    assert neuron_detail(three_layer, 2, 1).source == neuron_detail(ng.three_layer_network(), 2, 1).source


# -- what the DOT says --------------------------------------------------------------------


def test_perceptron_looks_like_figure_2_2():
    source = neuron_diagram(ng.and_gate(), weights="values").source
    for text in ('"x₁"', '"x₂"', '"y"', '"1"', '"0.5"', '"−0.7"'):
        assert text in source
    notation = neuron_diagram(ng.and_gate()).source
    assert '"w₁"' in notation and '"w₂"' in notation and '"b"' in notation


def test_xor_with_names_looks_like_figure_2_13():
    source = neuron_diagram(ng.xor_gate(), names={1: "s"}, bias=False).source
    assert '"s₁"' in source and '"s₂"' in source and '"y"' in source
    assert "B1" not in source and "B2" not in source
    assert source.count(" -> ") == 4 + 2


def test_values_are_shown_in_neurons(three_layer):
    source = neuron_diagram(three_layer, values=book_run(three_layer)).source
    assert '"x₁ = 1.0"' in source and '"x₂ = 0.5"' in source
    assert '"a₁⁽¹⁾ = 0.3\\nz₁⁽¹⁾ = 0.5744"' in source
    assert '"a₂⁽³⁾ = 0.6963\\ny₂ = 0.6963"' in source


def test_batch_values_need_a_sample(three_layer):
    batch = {s.node: s.output for s in three_layer.steps(np.array([[1.0, 0.5], [0.0, 0.0]]))}
    with pytest.raises(ng.InputError, match=r"values\['x'\] holds a batch of 2 samples; pass sample=i"):
        neuron_diagram(three_layer, values=batch)
    source = neuron_diagram(three_layer, values=batch, sample=0).source
    assert '"a₁⁽¹⁾ = 0.3\\nz₁⁽¹⁾ = 0.5744"' in source


def test_languages(three_layer):
    zh = neuron_diagram(three_layer, language="zh").source
    assert "輸入層 (第 0 層)" in zh and "隱藏層 (第 1 層)" in zh and "輸出層 (第 3 層)" in zh and "3 個神經元" in zh
    en = neuron_diagram(three_layer).source
    assert "input layer (layer 0)" in en and "hidden layer (layer 2)" in en and "output layer (layer 3)" in en
    assert "a⁽²⁾ = z⁽¹⁾·W⁽²⁾ + b⁽²⁾\\nz⁽²⁾ = σ(a⁽²⁾)" in en  # the book's notation, not the code's names


def test_layers_wider_than_max_neurons_are_elided():
    rng = np.random.default_rng(0)
    wide = ng.mlp([(rng.normal(size=(20, 30)), np.zeros(30)), (rng.normal(size=(30, 10)), np.zeros(10))], ["relu", "softmax"])
    full = neuron_diagram(wide, max_neurons=None)
    assert "⁝" not in full.source
    assert full.notes == ("940 arrows into layers 1, 2 are drawn without labels (more than 60 into one layer); lower max_neurons (--max-neurons) to see them labelled",)
    assert full.source.count(" -> ") == 20 * 30 + 30 * 10 + 30 + 10
    assert neuron_diagram(wide).source.count("⁝") == 2  # 20 and 30 neurons, 10 shown each
    elided = neuron_diagram(wide, max_neurons=6)
    assert elided.source.count("⁝") == 3  # 20, 30 and 10 neurons, 6 shown each
    assert elided.source.count(" -> ") == 6 * 6 + 6 + 6 * 6 + 6


def test_too_big_needs_force():
    rng = np.random.default_rng(0)
    big = ng.mlp([(rng.normal(size=(200, 120)), None)], "sigmoid", name="big")
    with pytest.raises(ng.RenderError, match=r"24,000 arrows and up to \d+ neurons a column \(limits 20,000 and 300\).*force=True"):
        neuron_diagram(big, max_neurons=None)
    with pytest.warns(UserWarning, match="drawing 24,000 arrows; rendering will be slow") as record:
        diagram = neuron_diagram(big, max_neurons=None, force=True, weights="none")
    assert record[0].filename == __file__  # points at the caller's line
    assert diagram.source.count(" -> ") == 24_000
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert "⁝" in neuron_diagram(big).source  # elided by default: no warning


def test_current_highlights_neuron_and_incoming_arrows(three_layer):
    values = {k: v for k, v in book_run(three_layer).items() if k in ("x", "a1")}
    source = neuron_diagram(three_layer, values=values, current="a1", neuron=1).source
    assert source.count(f'color="{HIGHLIGHT}"') == 1 + 3  # the neuron, two weights and the bias
    lines = [line for line in source.splitlines() if HIGHLIGHT in line and " -> " in line]
    assert sorted(line.split(" [")[0].strip() for line in lines) == ["B1 -> N1_0", "N0_0 -> N1_0", "N0_1 -> N1_0"]
    assert '"a₁⁽¹⁾ = 0.3\\nz₁⁽¹⁾"' in source  # z not computed yet
    assert '"a₁⁽²⁾\\nz₁⁽²⁾", pos="' in source and 'color="#a0a0a0", fontcolor="#a0a0a0"' in source
    assert '"w₁₂⁽¹⁾"' in source and '"w₂₁⁽¹⁾"' not in source  # only the highlighted arrows are labelled


def test_current_activation_highlights_without_arrows(three_layer):
    values = {k: v for k, v in book_run(three_layer).items() if k in ("x", "a1", "z1")}
    source = neuron_diagram(three_layer, values=values, current="z1").source
    assert source.count(f'color="{HIGHLIGHT}"') == 3


def test_focus_fades_the_other_layers(three_layer):
    source = neuron_diagram(three_layer, focus=2).source
    faint = [line for line in source.splitlines() if " -> " in line and FAINT in line]
    assert len(faint) == 9 + 6 + 4  # layers 1 and 3, and the arrows into a₂⁽²⁾
    labels = re.findall(r'label="([wb][^"]*)"', source)
    assert labels == ["b₁⁽²⁾", "w₁₁⁽²⁾", "w₁₂⁽²⁾", "w₁₃⁽²⁾"]  # the arrows into a₁⁽²⁾, as figure 3-19


def test_output_activation_identity_and_softmax(three_layer):
    identity = neuron_diagram(three_layer, output_activation=True).source
    assert identity.count("N3_0 -> N4_") == 1 and identity.count("N3_1 -> N4_") == 1
    assert '"a₁⁽³⁾"' in identity and '"y₁"' in identity and '"identity()"' in identity
    W = [node.value for node in three_layer if node.kind == "weight"]
    softmax = ng.mlp([(W[0], W[1]), (W[2], W[3]), (W[4], W[5])], ["sigmoid", "sigmoid", "softmax"])
    source = neuron_diagram(softmax, output_activation=True).source
    assert source.count("N3_0 -> N4_") == 2 and source.count("N3_1 -> N4_") == 2


def test_signed_edges(three_layer):
    gate = neuron_diagram(ng.nand_gate(), edge_style="signed").source
    assert gate.count('color="#b2182b"') == 2 and gate.count('color="#2166ac"') == 1  # w = −0.5, −0.5; b = 0.7


def test_errors(three_layer):
    with pytest.raises(ng.OptionError, match="language must be one of 'en', 'zh'; got 'fr'"):
        neuron_diagram(three_layer, language="fr")
    with pytest.raises(ng.OptionError, match="weights must be one of 'both', 'none', 'notation', 'values'; got 'numbers'"):
        neuron_diagram(three_layer, weights="numbers")
    with pytest.raises(ng.OptionError, match="edge_style must be one of 'plain', 'signed'"):
        neuron_diagram(three_layer, edge_style="bold")
    with pytest.raises(ng.GraphError, match=r"neuron must be from 1 to 3 for 'a1' \(it has 3 neurons, numbered from 1 as in a₁⁽¹⁾\); got 4"):
        neuron_diagram(three_layer, current="a1", neuron=4)
    with pytest.raises(ng.GraphError, match="pass current= too"):
        neuron_diagram(three_layer, neuron=1)
    with pytest.raises(ng.GraphError, match="did you mean 'a1'"):
        neuron_diagram(three_layer, current="a11")
    with pytest.raises(ng.GraphError, match="'W1' is a weight"):
        neuron_diagram(three_layer, current="W1")
    with pytest.raises(ng.OptionError, match="focus must be a whole number from 1 to 3"):
        neuron_diagram(three_layer, focus=0)
    with pytest.raises(ng.ShapeError, match=r"values\['a1'\] must have shape \(3,\)"):
        neuron_diagram(three_layer, values={"a1": np.zeros(2)})
    with pytest.raises(ng.OptionError, match="max_neurons must be a whole number ≥ 2"):
        neuron_diagram(three_layer, max_neurons=1)


def test_not_a_chain_points_to_the_signal_diagram():
    g = ng.Graph("two inputs")
    g.input("u", 2)
    g.input("v", 2)
    g.weight("W", [[1.0], [1.0]])
    g.affine("p", "u", "W")
    g.affine("q", "v", "W")
    with pytest.raises(ng.GraphError, match="use the signal diagram|draw this graph with the signal diagram"):
        neuron_diagram(g)
    with pytest.raises(ng.GraphError, match="signal diagram"):
        neuron_detail(g, 1, 1)


def test_neuron_detail_formula(three_layer):
    source = neuron_detail(three_layer, 1, 1).source
    assert "a₁⁽¹⁾ = b₁⁽¹⁾ + w₁₁⁽¹⁾x₁ + w₁₂⁽¹⁾x₂" in source and "z₁⁽¹⁾ = σ(a₁⁽¹⁾)" in source
    values = neuron_detail(three_layer, 2, 2, values=book_run(three_layer)).source
    assert "= 0.2 + 0.4×0.5744 + 0.5×0.6682 + 0.6×0.7503 = 1.214" in values
    assert "z₂⁽²⁾ = σ(a₂⁽²⁾) = 0.771" in values
    assert '"w₂₃⁽²⁾ = 0.6"' in values and '"z₃⁽¹⁾\\n0.7503"' in values
    output = neuron_detail(three_layer, 3, 1).source
    assert "y₁ = identity(a₁⁽³⁾)" in output and "output layer (layer 3) · a₁⁽³⁾ → y₁" in output


def test_neuron_detail_errors(three_layer):
    with pytest.raises(ng.GraphError, match=r"layer must be from 1 to 3 \('three-layer' has 3 layers\); got 4"):
        neuron_detail(three_layer, 4, 1)
    with pytest.raises(ng.GraphError, match=r"neuron must be from 1 to 2 \(layer 2 of 'three-layer' has 2 neurons, numbered from 1 as in a₁⁽¹⁾\); got 3"):
        neuron_detail(three_layer, 2, 3)
    with pytest.raises(ng.OptionError, match="language must be one of 'en', 'zh'; got 'de'"):
        neuron_detail(three_layer, 1, 1, language="de")


# -- rendered SVG -----------------------------------------------------------------------------


@pytest.mark.renderer
def test_three_layer_svg(three_layer):
    drawing = Drawing(neuron_diagram(three_layer))
    assert len(drawing.circles) == 2 + 3 + 2 + 2 + 3  # neurons and the three bias neurons
    assert len(drawing.edges) == (6 + 3) + (6 + 2) + (4 + 2)
    for text in ("x₁", "x₂", "a₁⁽¹⁾", "z₃⁽¹⁾", "w₁₂⁽¹⁾", "b₁⁽¹⁾", "w₂₃⁽²⁾", "y₁", "y₂", "hidden layer (layer 1)"):
        assert drawing.has_text(text), text


@pytest.mark.renderer
def test_three_layer_stepping_svg(three_layer):
    values = {k: v for k, v in book_run(three_layer).items() if k in ("x", "a1")}
    drawing = Drawing(neuron_diagram(three_layer, values=values, current="a1", neuron=1))
    colors = drawing.edge_colors()
    assert colors.count(HIGHLIGHT) == 3
    assert colors.count(FAINT) == (6 + 2) + (4 + 2)  # not reached yet
    assert drawing.has_text("a₁⁽¹⁾ = 0.3") and drawing.has_text("x₂ = 0.5")


@pytest.mark.renderer
def test_mnist_elided_svg_shows_true_sizes(mnist_net):
    # Speed is measured by benchmarks/bench.py, never asserted in tests.
    diagram = neuron_diagram(mnist_net)
    drawing = Drawing(diagram)
    assert len(drawing.circles) == 10 + 10 + 10 + 10 + 3
    assert len(drawing.edges) == 10 * 10 * 3 + 10 * 3
    assert sum(t == "⁝" for t in drawing.texts) == 3
    for text in ("784 neurons", "50 neurons", "100 neurons", "10 neurons", "x₇₈₄", "a₁₀₀⁽²⁾"):
        assert drawing.has_text(text), text
    assert "elided" in diagram.notes[0] and "45,200 weights" in diagram.notes[0]


@pytest.mark.renderer
def test_mnist_current_neuron_inside_the_elided_part_is_shown(mnist_net):
    drawing = Drawing(neuron_diagram(mnist_net, current="a2", neuron=30))
    assert sum(t == "⁝" for t in drawing.texts) == 4
    assert drawing.has_text("a₃₀⁽²⁾") and drawing.has_text("w₃₀,₅₀⁽²⁾")


@pytest.mark.renderer
def test_neuron_detail_svg(three_layer, mnist_net):
    drawing = Drawing(neuron_detail(three_layer, 1, 1, values=book_run(three_layer)))
    assert len(drawing.circles) == 3 + 3  # 1, x₁, x₂; the neuron with a and z inside
    assert len(drawing.edges) == 3 + 1
    assert drawing.has_text("a₁⁽¹⁾ = b₁⁽¹⁾ + w₁₁⁽¹⁾x₁ + w₁₂⁽¹⁾x₂") and drawing.has_text("σ()")
    wide = neuron_detail(mnist_net, 1, 5)
    drawing = Drawing(wide)
    assert sum(t == "⁝" for t in drawing.texts) == 1 and len(drawing.edges) == 8 + 1 + 1
    assert "784 inputs" in wide.notes[0]


@pytest.mark.renderer
@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_names_stay_text(hostile):
    g = ng.Graph(hostile)
    g.input(hostile, 2)
    g.weight("W", [[1.0], [2.0]])
    g.affine("a", hostile, "W")
    g.activation(hostile + "!", "a", "sigmoid")
    diagram = neuron_diagram(g, title=hostile, names={1: hostile})
    drawing = Drawing(diagram)
    assert drawing.has_text(hostile) and drawing.has_text(f"{hostile} = σ(w₁x₁ + w₂x₂)")  # the title and the caption
    assert len(drawing.circles) == 3 and len(drawing.edges) == 2
    assert drawing.root.find(f".//{SVG}script") is None
    assert "/" not in diagram.name and '"' not in diagram.name
    detail = Drawing(neuron_detail(g, 1, 1))
    assert detail.has_text("x₁") and len(detail.edges) == 2 + 1


def test_stepping_frames_keep_their_geometry(three_layer):
    steps = list(three_layer.steps(np.array([1.0, 0.5])))
    layouts = set()
    for count, step in enumerate(steps, start=1):
        values = {s.node: s.output for s in steps[:count]}
        source = neuron_diagram(three_layer, values=values, current=step.node).source
        layouts.add(tuple(re.findall(r'^  (N\d+_\d+) \[shape="circle", width=([\d.]+),.*pos="([^"]+)"', source, re.M)))
    assert len(layouts) == 1 and len(next(iter(layouts))) == 9


def test_neuron_detail_of_a_perceptron_is_figure_3_4():
    net = ng.mlp([([[1.0], [2.0]], [0.5])], "relu")
    source = neuron_detail(net, 1, 1, values=book_run(net, (-1.0, 2.0))).source
    assert "a = b + w₁x₁ + w₂x₂" in source
    assert "= 0.5 + 1.0×(−1.0) + 2.0×2.0 = 3.5" in source  # negative factors in parentheses
    assert "y = ReLU(a) = 3.5" in source


def test_a_very_tall_column_needs_force_too():
    tall = ng.perceptron([1.0] * 1000, 0.0)
    with pytest.raises(ng.RenderError, match=r"1,000 arrows and up to 1,000 neurons a column"):
        neuron_diagram(tall, max_neurons=None)
    assert "⁝" in neuron_diagram(tall).source  # elided by default


def test_softmax_neuron_detail_says_it_depends_on_every_weighted_sum():
    net = ng.mlp([([[1.0, 2.0, 0.5], [3.0, 4.0, -1.0]], [0.0, 0.0, 0.1])], "softmax")
    source = neuron_detail(net, 1, 2, values=book_run(net, [0.1, 0.2])).source
    assert "y₂ = softmax(a⁽¹⁾)₂ = 0.4783\\n(y₂ depends on every aᵢ⁽¹⁾ of the layer, not only on a₂⁽¹⁾)" in source


def test_a_long_chain_is_drawn_without_labels_rather_than_slowly():
    chain = ng.mlp([(np.eye(3) * 0.5, np.full(3, 0.1))] * 200, "relu", name="chain")  # 2,400 arrows of 12 a layer
    diagram = neuron_diagram(chain, weights="values")
    assert diagram.notes == ("2400 arrows are drawn without labels (more than 2,000 in one drawing); lower max_neurons (--max-neurons) to see them labelled",)
    assert "\n  LN" not in diagram.source
    short = neuron_diagram(ng.mlp([(np.eye(3) * 0.5, np.full(3, 0.1))] * 20, "relu"), weights="values")
    assert short.notes == () and short.source.count("\n  LN") == 20 * 9  # a short one is labelled layer by layer
