"""A real notebook, executed by a Jupyter kernel: graphs and steppers show themselves inline."""

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

CELLS = [
    "import nngraph as ng\nnet = ng.three_layer_network()\nnet",
    "from nngraph.render import Stepper\nStepper(net, [1.0, 0.5])",
    "g = ng.Graph('two heads')\nx = g.input('x', 2)\ng.affine('p', x, g.weight('Wp', [[1.0], [2.0]]))\ng.affine('q', x, g.weight('Wq', [[3.0], [4.0]]))\ng",
    "net.plan()",
]


@pytest.fixture(scope="module")
def outputs():
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code) for code in CELLS])
    nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    return [cell.outputs[0]["data"] for cell in notebook.cells]


@pytest.mark.renderer
def test_a_graph_shows_its_neuron_diagram(outputs):
    data = outputs[0]
    assert data["text/plain"] == "<Graph 'three-layer': 1 input, 6 weight, 3 affine, 3 activation>"
    assert "<svg" in data["image/svg+xml"] and "w₁₂⁽¹⁾" in data["image/svg+xml"]


@pytest.mark.renderer
def test_the_stepper_is_inline_with_a_static_drawing_for_viewers_without_scripts(outputs):
    data = outputs[1]
    assert data["text/html"].startswith('<div class="nngraph-stepper"') and "<iframe" not in data["text/html"]
    assert "<svg" in data["image/svg+xml"]  # what GitHub and nbviewer show
    assert data["text/plain"] == "<Stepper 'three-layer': 16 steps at neuron level>"


@pytest.mark.renderer
def test_a_graph_that_is_not_a_stack_of_layers_shows_its_signal_view(outputs):
    assert "Wq (2×1)" in outputs[2]["image/svg+xml"]


def test_a_plan_has_a_readable_repr(outputs):
    assert outputs[3] == {"text/plain": "<Plan 'three-layer': x → a1 → z1 → a2 → z2 → a3 → y>"}
