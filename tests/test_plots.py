"""Activation curves (figures 3-6 to 3-9): valid, deterministic SVG with the curves drawn."""

import subprocess
import sys
import xml.etree.ElementTree as ET
from importlib.util import find_spec

import numpy as np
import pytest

import nngraph as ng
from nngraph.render.plots import _y_limits, plot_activations

SVG = "{http://www.w3.org/2000/svg}"
needs_matplotlib = pytest.mark.skipif(find_spec("matplotlib") is None, reason="matplotlib missing: pip install 'nngraph[plot]'")
BOOK_POINTS = len(np.arange(-5.0, 5.0, 0.1))  # 100


def curve(svg: bytes, name: str) -> np.ndarray:
    """The (x, y) vertices of the curve drawn for ``name``, in SVG coordinates (y down)."""
    root = ET.fromstring(svg)
    group = root.find(f".//{SVG}g[@id='curve-{name}']")
    assert group is not None, f"no curve for {name!r}"
    path = group.find(f"{SVG}path")
    numbers = [float(v) for v in path.get("d").replace("M", " ").replace("L", " ").split()]
    return np.array(numbers).reshape(-1, 2)


def curve_style(svg: bytes, name: str) -> str:
    root = ET.fromstring(svg)
    return root.find(f".//{SVG}g[@id='curve-{name}']/{SVG}path").get("style")


@needs_matplotlib
@pytest.mark.parametrize("name", ["step", "sigmoid", "relu", "identity", "tanh", "leaky_relu"])
def test_each_curve_is_drawn_on_the_book_grid(name):
    svg = plot_activations(name)
    points = curve(svg, name)
    assert len(points) == BOOK_POINTS
    assert np.all(np.diff(points[:, 0]) > 0)  # x increases along the path


@needs_matplotlib
def test_sigmoid_rises_and_step_jumps_once():
    svg = plot_activations(["sigmoid", "step"])
    sigmoid = curve(svg, "sigmoid")[:, 1]
    step = curve(svg, "step")[:, 1]
    assert np.all(np.diff(sigmoid) < 0)  # SVG y points down: a rising curve
    assert len(set(step)) == 2 and np.count_nonzero(np.diff(step)) == 1
    # the jump comes after x = 0 (step(0) = 0), at point 51 of np.arange(-5, 5, 0.1)
    assert np.flatnonzero(np.diff(step))[0] == 50


@needs_matplotlib
def test_step_is_dashed_when_compared_as_in_figure_3_8():
    assert "stroke-dasharray" in curve_style(plot_activations(["sigmoid", "step"]), "step")
    assert "stroke-dasharray" not in curve_style(plot_activations(["sigmoid", "step"]), "sigmoid")
    assert "stroke-dasharray" not in curve_style(plot_activations("step"), "step")


@needs_matplotlib
def test_styles_override_the_defaults():
    svg = plot_activations(["sigmoid", "step"], styles={"step": {"linestyle": "-"}, "sigmoid": {"color": "#ff0000"}})
    assert "stroke-dasharray" not in curve_style(svg, "step")
    assert "stroke: #ff0000" in curve_style(svg, "sigmoid")


@needs_matplotlib
def test_same_bytes_every_run_and_in_a_fresh_process():
    first = plot_activations(["sigmoid", "step"], title="step and sigmoid")
    assert first == plot_activations(["sigmoid", "step"], title="step and sigmoid")
    program = (
        "import sys; from nngraph.render.plots import plot_activations;"
        "sys.stdout.buffer.write(plot_activations(['sigmoid', 'step'], title='step and sigmoid'))"
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, check=True)
    assert done.stdout == first
    assert b"<dc:date>" not in first


@needs_matplotlib
def test_written_atomically_to_path(tmp_path):
    path = tmp_path / "relu.svg"
    svg = plot_activations("relu", path)
    assert path.read_bytes() == svg
    assert list(tmp_path.iterdir()) == [path]


@needs_matplotlib
def test_png(tmp_path):
    data = plot_activations("sigmoid", tmp_path / "sigmoid.png", format="png")
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert (tmp_path / "sigmoid.png").read_bytes() == data


@needs_matplotlib
def test_a_user_registered_activation():
    @ng.register_activation("softsign_plot_test", definition="a / (1 + |a|)", symbol="softsign")
    def softsign(a):
        return a / (1 + np.abs(a))

    try:
        points = curve(plot_activations("softsign_plot_test"), "softsign_plot_test")
    finally:
        ng.unregister_activation("softsign_plot_test")
    assert len(points) == BOOK_POINTS


@needs_matplotlib
def test_other_x_range():
    wide = curve(plot_activations("relu", x_range=(-10, 10)), "relu")
    book = curve(plot_activations("relu"), "relu")
    assert wide[0, 0] == book[0, 0] and wide[-1, 0] == pytest.approx(book[-1, 0], abs=0.01)  # same axes
    assert wide[0, 1] == wide[:, 1].max() and wide[-1, 1] == wide[:, 1].min()  # y points down


def test_book_y_limits():
    x = np.arange(-5.0, 5.0, 0.1)
    assert _y_limits({"step": x}, book_range=True) == (-0.1, 1.1)
    assert _y_limits({"sigmoid": x, "step": x}, book_range=True) == (-0.1, 1.1)
    assert _y_limits({"relu": x, "sigmoid": x}, book_range=True) == (-1.0, 5.5)
    low, high = _y_limits({"relu": np.maximum(x * 2, 0)}, book_range=False)
    assert low == pytest.approx(-0.98) and high == pytest.approx(10.78)


def test_unknown_activation():
    with pytest.raises(ng.UnknownActivationError, match="unknown activation 'sigmod'; did you mean 'sigmoid'"):
        plot_activations("sigmod")


def test_softmax_has_no_curve():
    with pytest.raises(ng.RenderError, match="'softmax' is not elementwise"):
        plot_activations(["sigmoid", "softmax"])


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"x_range": (5, -5)}, r"low < high; got \(5, -5\)"),
        ({"x_range": (0, float("inf"))}, "must be finite"),
        ({"x_range": 5}, "two numbers"),
        ({"styles": {"relu": {}}}, r"styles names \['relu'\], which are not plotted"),
        ({"styles": {"sigmoid": "--"}}, "must be a dict of plot keywords"),
        ({"format": "pdf"}, "'svg' or 'png'"),
    ],
)
def test_bad_options(options, message):
    with pytest.raises(ng.RenderError, match=message):
        plot_activations("sigmoid", **options)


def test_no_names():
    with pytest.raises(ng.RenderError, match="at least one activation"):
        plot_activations([])


def test_without_matplotlib(monkeypatch):
    for module in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, module)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ng.RenderError, match=r"pip install 'nngraph\[plot\]'"):
        plot_activations("sigmoid")
