"""Decision regions (figures 2-6, 2-7, 2-8): the drawing agrees with the network, point by point."""

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from importlib.util import find_spec

import numpy as np
import pytest

import nngraph as ng
from nngraph.render.regions import _equation, _evaluate, _half_plane, plot_regions

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"
needs_matplotlib = pytest.mark.skipif(find_spec("matplotlib") is None, reason="matplotlib missing: pip install 'nngraph[plot]'")
VIEW = (-0.5, 1.5)


def group(svg: bytes, gid: str):
    element = ET.fromstring(svg).find(f".//{SVG}g[@id='{gid}']")
    assert element is not None, f"no <g id={gid!r}>"
    return element


def polygons(d: str) -> list[np.ndarray]:
    """The closed polygons of an SVG path made of M, L and z commands."""
    shapes = []
    for part in re.split(r"M", d)[1:]:
        numbers = [float(v) for v in part.replace("L", " ").replace("z", " ").split()]
        shapes.append(np.array(numbers).reshape(-1, 2))
    return shapes


class Plane:
    """Data (x₁, x₂) ↔ SVG coordinates, read from the plot area's rectangle."""

    def __init__(self, svg: bytes):
        corners = polygons(group(svg, "plot-area").find(f"{SVG}path").get("d"))[0]
        self.left, self.top = corners.min(axis=0)
        self.right, self.bottom = corners.max(axis=0)

    def to_svg(self, xy):
        xy = np.asarray(xy, dtype=float)
        sx = self.left + (xy[:, 0] - VIEW[0]) / (VIEW[1] - VIEW[0]) * (self.right - self.left)
        sy = self.bottom - (xy[:, 1] - VIEW[0]) / (VIEW[1] - VIEW[0]) * (self.bottom - self.top)
        return np.column_stack([sx, sy])

    def to_data(self, sxy):
        sxy = np.asarray(sxy, dtype=float)
        x = VIEW[0] + (sxy[:, 0] - self.left) / (self.right - self.left) * (VIEW[1] - VIEW[0])
        y = VIEW[0] + (self.bottom - sxy[:, 1]) / (self.bottom - self.top) * (VIEW[1] - VIEW[0])
        return np.column_stack([x, y])


def shaded(svg: bytes, xy) -> np.ndarray:
    """Whether each point lies in the grey region (output 0) of the drawing."""
    from matplotlib.path import Path

    shapes = [Path(shape) for path in group(svg, "region-0").iter(f"{SVG}path") for shape in polygons(path.get("d"))]
    inside = np.zeros(len(xy), dtype=int)
    for shape in shapes:
        inside += shape.contains_points(Plane(svg).to_svg(xy))
    return inside % 2 == 1  # even-odd, so that a hole would count as outside


def marked(svg: bytes, k: int) -> np.ndarray:
    """The data coordinates of the markers of class ``k``, sorted."""
    uses = group(svg, f"points-{k}").iter(f"{SVG}use")
    xy = Plane(svg).to_data([(float(u.get("x")), float(u.get("y"))) for u in uses])
    return xy[np.lexsort((xy[:, 1], xy[:, 0]))].round(6)


def sample(count=400, seed=0):
    return np.random.default_rng(seed).uniform(VIEW[0], VIEW[1], size=(count, 2))


# -- what is computed (no matplotlib needed) ------------------------------------------


def test_or_is_a_step_neuron_with_its_exact_line():
    found = _evaluate(ng.or_gate(), None, None, "auto", VIEW, VIEW, 101, None)
    assert found.kind == "binary" and found.line == (0.5, 0.5, -0.2)
    X, Y = np.meshgrid(found.xs, found.ys)
    np.testing.assert_array_equal(found.grid, (0.5 * X + 0.5 * Y - 0.2 > 0).astype(float))
    assert found.point_classes.tolist() == [0, 1, 1, 1]  # (0,0) (1,0) (0,1) (1,1)
    assert found.axis_names == ("x₁", "x₂") and found.symbols == ("y",)


def test_xor_is_a_band_between_two_lines():
    found = _evaluate(ng.xor_gate(), None, None, "auto", VIEW, VIEW, 101, None)
    X, Y = np.meshgrid(found.xs, found.ys)
    s = X + Y  # NAND: s < 1.4, OR: s > 0.4, AND of both
    np.testing.assert_array_equal(found.grid, ((s > 0.4) & (s < 1.4)).astype(float))
    assert found.line is None  # two layers: no single line
    assert found.point_classes.tolist() == [0, 1, 1, 0]


@needs_matplotlib
def test_an_uneven_perceptron_gets_its_own_line_and_side():
    net = ng.perceptron([1.0, -0.5], -0.2)
    found = _evaluate(net, None, None, "auto", VIEW, VIEW, 11, None)
    assert found.line == (1.0, -0.5, -0.2) and found.point_classes.tolist() == [0, 1, 0, 1]
    svg = plot_regions(net)
    xy = sample(seed=2)
    side = xy[:, 0] - 0.5 * xy[:, 1] - 0.2
    away = np.abs(side) > 0.01
    np.testing.assert_array_equal(shaded(svg, xy[away]), side[away] <= 0)
    line = polygons(group(svg, "boundary").find(f"{SVG}path").get("d"))[0]
    ends = Plane(svg).to_data(line)
    np.testing.assert_allclose(ends[:, 0] - 0.5 * ends[:, 1] - 0.2, 0, atol=1e-3)  # both ends on the line


def test_a_hidden_neuron_has_its_own_line():
    found = _evaluate(ng.xor_gate(), "z1", 0, "auto", VIEW, VIEW, 11, None)
    assert found.line == (-0.5, -0.5, 0.7) and found.symbols == ("z₁⁽¹⁾",)
    assert found.point_classes.tolist() == [1, 1, 1, 0]  # NAND


def test_sigmoid_is_split_at_one_half():
    net = ng.mlp([([[2.0], [3.0]], [-2.5])], "sigmoid")
    found = _evaluate(net, None, None, "auto", VIEW, VIEW, 21, None)
    assert found.kind == "values" and found.threshold == 0.5 and found.line is None
    X, Y = np.meshgrid(found.xs, found.ys)
    np.testing.assert_allclose(found.grid, 1 / (1 + np.exp(-(2 * X + 3 * Y - 2.5))))
    assert found.point_classes.tolist() == [0, 0, 1, 1]  # 2x₁ + 3x₂ > 2.5 only where x₂ = 1


def test_several_columns_become_classes_by_argmax():
    net = ng.mlp([([[1.0, -1.0, 0.0], [0.0, 1.0, -1.0]], [0.0, 0.0, 0.3])], "softmax")
    found = _evaluate(net, None, None, [[1, 0], [-0.4, 1.4], [0, 0]], VIEW, VIEW, 21, None)
    assert found.kind == "classes" and found.classes == (0, 1, 2)
    # the largest of a = (x₁, −x₁ + x₂, −x₂ + 0.3) at each point
    assert found.point_classes.tolist() == [0, 1, 2]
    assert found.symbols == ("y₁", "y₂", "y₃")


def test_two_inputs_of_width_one():
    g = ng.Graph("two")
    g.input("x1", 1)
    g.input("x2", 1)
    g.affine("a1", "x2", g.weight("W1", [[1.0]]), g.weight("b1", [-0.5]))
    found = _evaluate(g, "a1", None, None, VIEW, VIEW, 11, None)
    assert found.axis_names == ("x₁", "x₂") and found.threshold == 0.0
    np.testing.assert_allclose(found.grid[:, 0], found.ys - 0.5)  # a depends on x₂ only


def test_the_callers_points_are_not_changed():
    points = np.array([[0.25, 0.75]])
    _evaluate(ng.and_gate(), None, None, points, VIEW, VIEW, 11, None)
    assert points.tolist() == [[0.25, 0.75]] and points.flags.writeable


def test_half_plane_of_the_or_line():
    polygon, segment = _half_plane((0.5, 0.5, -0.2), VIEW, VIEW)
    # 0.5x₁ + 0.5x₂ = 0.2 meets x₂ = −0.5 at x₁ = 0.9 and x₁ = −0.5 at x₂ = 0.9
    assert np.allclose(polygon, [(-0.5, -0.5), (0.9, -0.5), (-0.5, 0.9)])
    assert np.allclose(segment, [(0.9, -0.5), (-0.5, 0.9)])
    assert _half_plane((0.0, 0.0, 1.0), VIEW, VIEW) == ([], [])  # always 1: nothing shaded
    assert len(_half_plane((0.0, 0.0, -1.0), VIEW, VIEW)[0]) == 4  # always 0: all shaded


def test_equation_in_the_books_notation():
    names = ("x₁", "x₂")
    assert _equation((0.5, 0.5, -0.2), names) == "0.5x₁ + 0.5x₂ − 0.2 = 0"
    assert _equation((-0.5, -0.5, 0.7), names) == "−0.5x₁ − 0.5x₂ + 0.7 = 0"
    assert _equation((1.0, 0.0, 0.0), names) == "1.0x₁ = 0"


# -- what is drawn ------------------------------------------------------------------------------


@needs_matplotlib
def test_or_shading_agrees_with_the_weights():
    svg = plot_regions(ng.or_gate())
    xy = sample()
    side = 0.5 * xy[:, 0] + 0.5 * xy[:, 1] - 0.2
    away = np.abs(side) > 0.01
    np.testing.assert_array_equal(shaded(svg, xy[away]), side[away] <= 0)


@needs_matplotlib
def test_xor_shading_agrees_with_the_band():
    svg = plot_regions(ng.xor_gate())
    xy = sample(seed=1)
    s = xy.sum(axis=1)
    away = (np.abs(s - 0.4) > 0.02) & (np.abs(s - 1.4) > 0.02)
    np.testing.assert_array_equal(shaded(svg, xy[away]), ~((s[away] > 0.4) & (s[away] < 1.4)))


@needs_matplotlib
def test_points_are_marked_by_class():
    svg = plot_regions(ng.xor_gate())
    np.testing.assert_allclose(marked(svg, 0), [[0, 0], [1, 1]], atol=1e-3)  # ○
    np.testing.assert_allclose(marked(svg, 1), [[0, 1], [1, 0]], atol=1e-3)  # △
    svg = plot_regions(ng.or_gate())
    np.testing.assert_allclose(marked(svg, 0), [[0, 0]], atol=1e-3)
    np.testing.assert_allclose(marked(svg, 1), [[0, 1], [1, 0], [1, 1]], atol=1e-3)


@needs_matplotlib
def test_circle_for_zero_triangle_for_one():
    root = ET.fromstring(plot_regions(ng.or_gate()))
    circle = root.find(f".//{SVG}g[@id='points-0']/{SVG}defs/{SVG}path").get("d")
    triangle = root.find(f".//{SVG}g[@id='points-1']/{SVG}defs/{SVG}path").get("d")
    assert "C" in circle  # drawn with curves
    assert len(polygons(triangle)[0]) == 3


@needs_matplotlib
def test_or_line_is_drawn_where_the_weights_put_it():
    svg = plot_regions(ng.or_gate())
    line = polygons(group(svg, "boundary").find(f"{SVG}path").get("d"))[0]
    np.testing.assert_allclose(Plane(svg).to_data(line), [(0.9, -0.5), (-0.5, 0.9)], atol=1e-3)
    assert "0.5x₁ + 0.5x₂ − 0.2 = 0" in svg.decode()  # the legend names the line (as a comment of the glyphs)


@needs_matplotlib
def test_points_only_for_figure_2_7():
    svg = plot_regions(ng.xor_gate(), regions=False, boundary=False).decode()
    assert 'id="points-0"' in svg and 'id="points-1"' in svg
    assert 'id="region-0"' not in svg and 'id="boundary"' not in svg


@needs_matplotlib
def test_sigmoid_has_a_colour_bar_and_its_half_contour():
    svg = plot_regions(ng.mlp([([[2.0], [3.0]], [-2.5])], "sigmoid")).decode()
    assert 'id="region-values"' in svg and 'id="boundary"' in svg and "y = 0.5" in svg


@needs_matplotlib
def test_same_bytes_every_run_and_in_a_fresh_process():
    first = plot_regions(ng.xor_gate(), title="XOR")
    assert first == plot_regions(ng.xor_gate(), title="XOR")
    program = (
        "import sys, nngraph; from nngraph.render.regions import plot_regions;"
        "sys.stdout.buffer.write(plot_regions(nngraph.xor_gate(), title='XOR'))"
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, check=True)
    assert done.stdout == first
    assert b"<dc:date>" not in first


@needs_matplotlib
@pytest.mark.parametrize(("suffix", "magic"), [("svg", b"<?xml"), ("png", b"\x89PNG\r\n\x1a\n"), ("pdf", b"%PDF")])
def test_the_suffix_picks_the_format(tmp_path, suffix, magic):
    path = tmp_path / f"or.{suffix}"
    data = plot_regions(ng.or_gate(), path)
    assert data.startswith(magic) and path.read_bytes() == data
    assert list(tmp_path.iterdir()) == [path]  # written atomically: no temporary left
    assert plot_regions(ng.or_gate(), tmp_path / f"again.{suffix}") == data


@needs_matplotlib
def test_user_strings_are_not_mathtext():
    svg = plot_regions(ng.or_gate(), title="a $x$ & <b>").decode()
    assert "DejaVuSans-Oblique" not in svg  # mathtext would set $x$ as an italic x
    assert "a $x$ &amp; &lt;b&gt;" in svg  # drawn as typed, escaped in the glyphs' comment


def test_three_inputs_are_refused():
    net = ng.mlp([(np.ones((3, 1)), [0.0])], "step", name="three")
    with pytest.raises(ng.ShapeError, match=r"2 inputs \(x₁, x₂\) in the plane; network 'three' has 3 \(inputs: 'x' of width 3\)"):
        plot_regions(net)


def test_not_a_graph():
    with pytest.raises(ng.InputError, match="needs an nngraph Graph .* got list"):
        plot_regions([[0.5], [0.5]])


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"node": "a9"}, r"node must be one of 'a1', 'y'; got 'a9'"),
        ({"output": 1}, r"output must be a whole number from 0 to 0 \(a column of 'y', or 'argmax'\); got 1"),
        ({"output": "max"}, r"output must be a column of 'y' from 0 to 0 or 'argmax'; got 'max'"),
        ({"points": "all"}, r"points must be one of 'auto'; got 'all'"),
        ({"x_range": (1, 0)}, r"x_range must be two finite numbers with low < high"),
        ({"y_range": "wide"}, r"y_range must be two numbers \(low, high\)"),
        ({"regions": "yes"}, r"regions must be True or False; got 'yes'"),
        ({"boundary": 1}, r"boundary must be True or False; got 1"),
        ({"resolution": 5}, r"resolution must be a whole number from 10 to 2000"),
        ({"threshold": "half"}, r"threshold must be a finite number such as 0.5; got 'half'"),
        ({"language": "fr"}, r"language must be one of 'en', 'zh'; got 'fr'"),
        ({"format": "gif"}, r"format must be one of 'pdf', 'png', 'svg'; got 'gif'"),
        ({"path": "or.dot"}, r"path must end in .pdf, .png or .svg .*; got 'or.dot'"),
        ({"path": "or.svg", "format": "png"}, r"format 'png' does not match the file 'or.svg'"),
    ],
)
def test_bad_options(options, message):
    with pytest.raises(ng.OptionError, match=message):
        plot_regions(ng.or_gate(), **options)


def test_a_network_with_several_outputs_needs_node():
    g = ng.Graph("fork")
    x = g.input("x", 2)
    g.affine("p", x, g.weight("Wp", [[1.0], [0.0]]))
    g.affine("q", x, g.weight("Wq", [[0.0], [1.0]]))
    with pytest.raises(ng.OptionError, match=r"network 'fork' has outputs \['p', 'q'\]; pick one with node="):
        plot_regions(g)


@pytest.mark.parametrize(
    ("points", "message"),
    [
        ([[0, 0, 0]], r"points must be \(x₁, x₂\) pairs, an array of shape \(N, 2\); got shape \(1, 3\)"),
        ([["a", "b"]], r"points must hold real numbers"),
        ([[0, float("nan")]], r"points must be finite"),
        ([[3, 0]], r"point \(3.0, 0.0\) lies outside x_range"),
    ],
)
def test_bad_points(points, message):
    with pytest.raises(ng.InputError, match=message):
        plot_regions(ng.or_gate(), points=points)


def test_without_matplotlib(monkeypatch):
    for module in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, module)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ng.RenderError, match=r"pip install 'nngraph\[plot\]'"):
        plot_regions(ng.or_gate())
