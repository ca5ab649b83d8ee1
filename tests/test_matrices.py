"""Matrix-product figures 3-10..3-12 and the shape rows: numbers, shapes, brackets, errors, SVG."""

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import nngraph as ng
from nngraph.errors import GraphError, InputError, OptionError, ShapeError
from nngraph.render.diagram import Diagram
from nngraph.render.dot import document, graph_attributes
from nngraph.render.matrices import (
    INNER,
    OUTER,
    Match,
    matrix_product,
    matrix_shapes,
    shape_chain,
    shape_row,
    shape_row_nodes,
    shape_row_text,
)

SVG = "{http://www.w3.org/2000/svg}"
BOOK_A, BOOK_B = [[1, 2], [3, 4]], [[5, 6], [7, 8]]
W1 = [[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]]  # section 3.4.3
STATEMENT = re.compile(r"^  (\w+) \[(.*)\];$")
ATTRIBUTE = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|[^,]+)')


def nodes_of(source: str) -> dict[str, dict[str, str]]:
    """Node id → attributes (strings unquoted) of every pinned node statement."""
    nodes = {}
    for line in source.splitlines():
        match = STATEMENT.match(line)
        if match and match.group(1) not in ("graph", "node", "edge"):
            attrs = {key: value[1:-1] if value.startswith('"') else value for key, value in ATTRIBUTE.findall(match.group(2))}
            nodes[match.group(1)] = attrs
    return nodes


def xy(attrs) -> tuple[float, float]:
    x, y = attrs["pos"].split(",")
    return float(x), float(y)


def drawn_grid(nodes, m: int) -> list[list[str]]:
    """The numbers drawn in grid ``m`` (0 = A, 1 = B, 2 = the result), row by row."""
    cells = {}
    for node_id, attrs in nodes.items():
        found = re.fullmatch(rf"M{m}_(\d+)_(\d+)", node_id)
        if found:
            cells[int(found.group(1)), int(found.group(2))] = attrs["label"]
    rows = 1 + max(r for r, _ in cells)
    columns = 1 + max(c for _, c in cells)
    return [[cells[r, c] for c in range(columns)] for r in range(rows)]


def as_numbers(grid: list[list[str]]) -> np.ndarray:
    return np.array([[float(text.replace("−", "-")) for text in row] for row in grid])


def mnist_shapes() -> ng.Graph:
    sizes = [784, 50, 100, 10]
    layers = [(np.zeros((m, n), np.float32), np.zeros(n, np.float32)) for m, n in zip(sizes, sizes[1:])]
    return ng.mlp(layers, ["sigmoid", "sigmoid", "softmax"], name="mnist")


# -- figure 3-10: the numbers ------------------------------------------------------


def test_the_books_product_is_drawn_with_numpys_numbers():
    nodes = nodes_of(matrix_product(BOOK_A, BOOK_B).source)
    assert drawn_grid(nodes, 0) == [["1", "2"], ["3", "4"]]
    assert drawn_grid(nodes, 1) == [["5", "6"], ["7", "8"]]
    np.testing.assert_array_equal(as_numbers(drawn_grid(nodes, 2)), np.array(BOOK_A) @ np.array(BOOK_B))
    assert drawn_grid(nodes, 2) == [["19", "22"], ["43", "50"]]  # as the book prints it
    assert [nodes[f"name{m}"]["label"] for m in range(3)] == ["A", "B", "A·B"]
    assert [nodes[f"shape{m}"]["label"] for m in range(3)] == ["2×2"] * 3


@pytest.mark.parametrize("i, j", [(0, 0), (0, 1), (1, 0), (1, 1)])
def test_each_entry_is_its_row_times_its_column(i, j):
    nodes = nodes_of(matrix_product(BOOK_A, BOOK_B, highlight=(i, j)).source)
    a, b = np.array(BOOK_A), np.array(BOOK_B)
    terms = " + ".join(f"{a[i, k]}×{b[k, j]}" for k in range(2))
    assert nodes["sum"]["label"] == f"{terms} = {a[i] @ b[:, j]}"
    assert nodes["about"]["label"] == f"row {i + 1} of A · column {j + 1} of B"


def test_the_highlights_cover_the_row_the_column_and_the_entry():
    nodes = nodes_of(matrix_product(BOOK_A, BOOK_B, highlight=(1, 0)).source)
    row_x, row_y = xy(nodes["row"])
    column_x, column_y = xy(nodes["column"])
    entry_x, entry_y = xy(nodes["entry"])
    assert row_y == xy(nodes["M0_1_0"])[1] == xy(nodes["M0_1_1"])[1]  # row 2 of A
    assert xy(nodes["M0_1_0"])[0] < row_x < xy(nodes["M0_1_1"])[0]
    assert column_x == xy(nodes["M1_0_0"])[0] == xy(nodes["M1_1_0"])[0]  # column 1 of B
    assert xy(nodes["M1_1_0"])[1] < column_y < xy(nodes["M1_0_0"])[1]
    assert (entry_x, entry_y) == xy(nodes["M2_1_0"])
    assert nodes["M2_1_0"]["label"] == "43"
    source = matrix_product(BOOK_A, BOOK_B, highlight=(1, 0)).source
    assert source.index("  row [") < source.index("  M0_0_0 [")  # drawn under the numbers


def test_no_highlight_draws_no_sum():
    nodes = nodes_of(matrix_product(BOOK_A, BOOK_B, highlight=None).source)
    assert not {"row", "column", "entry", "sum", "about"} & set(nodes)
    assert drawn_grid(nodes, 2) == [["19", "22"], ["43", "50"]]


def test_matrix_times_vector_draws_the_vector_as_a_column():
    A, b = np.array([[1, 2], [3, 4], [5, 6]]), np.array([7, 8])
    nodes = nodes_of(matrix_product(A, b, highlight=(2, 0)).source)
    assert drawn_grid(nodes, 1) == [["7"], ["8"]]
    np.testing.assert_array_equal(as_numbers(drawn_grid(nodes, 2))[:, 0], A @ b)
    assert [nodes[f"shape{m}"]["label"] for m in range(3)] == ["3×2", "2", "3"]
    assert nodes["about"]["label"] == "row 3 of A · B"
    assert nodes["sum"]["label"] == "5×7 + 6×8 = 83"


def test_vector_times_matrix_is_the_books_x_w1():
    nodes = nodes_of(matrix_product([1.0, 0.5], W1, highlight=(0, 2), names=("x", "W1", "x·W1")).source)
    assert drawn_grid(nodes, 0) == [["1.0", "0.5"]]
    # a1 − b1 of section 3.4.3: [0.3, 0.7, 1.1] − [0.1, 0.2, 0.3]
    np.testing.assert_allclose(as_numbers(drawn_grid(nodes, 2))[0], [0.2, 0.5, 0.8])
    assert nodes["about"]["label"] == "x · column 3 of W1"
    assert nodes["sum"]["label"] == "1.0×0.5 + 0.5×0.6 = 0.8"
    assert nodes["name2"]["label"] == "x·W1"


def test_negative_numbers_use_the_minus_sign_and_parentheses():
    nodes = nodes_of(matrix_product([[1.5, -2.0]], [[-5], [7]]).source)
    assert drawn_grid(nodes, 0) == [["1.5", "−2.0"]]
    assert nodes["sum"]["label"] == "1.5×(−5) + (−2.0)×7 = −21.5"  # B holds integers
    assert "-" not in "".join(attrs["label"] for attrs in nodes.values() if "label" in attrs)


def test_the_callers_arrays_are_not_changed():
    A, B = np.array(BOOK_A), np.array(BOOK_B)
    A.flags.writeable = False
    matrix_product(A, B)
    np.testing.assert_array_equal(A, BOOK_A)
    np.testing.assert_array_equal(B, BOOK_B)


def test_a_title_goes_on_top_quoted():
    source = matrix_product(BOOK_A, BOOK_B, title='Figure "3-10"').source
    assert 'label="Figure \\"3-10\\"", labelloc="t"' in source


# -- errors --------------------------------------------------------------------


@pytest.mark.parametrize(
    "A, B, message",
    [
        ([[1, 2, 3], [4, 5, 6]], [[1, 2], [3, 4]], r"cannot multiply A \(2×3\) by B \(2×2\): inner sizes 3 ≠ 2; B needs 3 rows"),
        ([[1, 2], [3, 4]], [1, 2, 3], r"inner sizes 2 ≠ 3; B needs 2 entries"),
    ],
)
def test_mismatched_inner_sizes_state_the_books_rule(A, B, message):
    with pytest.raises(ShapeError, match=message):
        matrix_product(A, B)


@pytest.mark.parametrize(
    "A, message",
    [
        ([["a", "b"]], r"A must hold numbers .*got dtype <U1"),
        ([[1, 2], [3]], r"A is not a rectangular array of numbers"),
        ([[True, False]], r"A must hold numbers"),
        ([[1.0, float("nan")]], r"A holds nan at index \(0, 1\); the numbers must be finite"),
        (np.zeros((2, 2, 2)), r"A must be a vector or a matrix .*shape \(2, 2, 2\)"),
        (np.zeros((0, 2)), r"A must be a vector or a matrix with at least one entry"),
        (np.ones((7, 2)), r"A is 7×2, but matrix_product draws at most 6×6 .*matrix_shapes"),
    ],
)
def test_bad_arrays_say_what_is_wrong(A, message):
    with pytest.raises(InputError, match=message):
        matrix_product(A, [[1, 2], [3, 4]])


@pytest.mark.parametrize(
    "options, message",
    [
        ({"highlight": (2, 0)}, r"highlight row must be a whole number from 0 to 1 \(the result has 2 row"),
        ({"highlight": (0, -1)}, r"highlight column must be a whole number from 0 to 1"),
        ({"highlight": 3}, r"highlight must be None or \(row, column\)"),
        ({"highlight": (0.5, 0)}, r"highlight row must be a whole number"),
        ({"names": ("A",)}, r"names must be 2 strings \(A, B\) or 3"),
        ({"names": ("A", 2)}, r"names must be strings"),
    ],
)
def test_bad_options_raise_option_errors(options, message):
    with pytest.raises(OptionError, match=message):
        matrix_product(BOOK_A, BOOK_B, **options)


@pytest.mark.parametrize(
    "shapes, error, message",
    [
        ([(2, 3), (2, 2)], ShapeError, r"cannot multiply A \(2×3\) by B \(2×2\): inner sizes 3 ≠ 2"),
        ([(2, 3), (3, 2), (3, 1)], ShapeError, r"cannot multiply A·B \(2×2\) by C \(3×1\): inner sizes 2 ≠ 3; C needs 2 rows"),
        ([(3,), (3,), (3, 2)], ShapeError, r"A·B is a number"),
        ([(2, 3)], InputError, r"a product needs at least two shapes"),
        ([(2, 3), (3, 2, 1)], InputError, r"shape 2 must have one or two sizes"),
        ([(2, 0), (0, 2)], InputError, r"size 2 of shape 1 must be a positive whole number"),
        ("2x3", InputError, r"shapes must be a list of shapes"),
    ],
)
def test_bad_shapes(shapes, error, message):
    with pytest.raises(error, match=message):
        matrix_shapes(shapes)


def test_names_of_matrix_shapes_count_the_result():
    with pytest.raises(OptionError, match=r"names must be 3 strings, one per shape and one for the result"):
        matrix_shapes([(2, 3), (3, 2)], names=("A", "B"))
    with pytest.raises(OptionError, match=r"relation must be one of '=', '→'; got '->'"):
        shape_chain([(2, 3), (3, 2)], relation="->")


# -- figures 3-11, 3-12: shapes --------------------------------------------------


def test_the_inner_sizes_must_be_equal_and_the_outer_ones_make_the_result():
    row = shape_chain([(2, 3), (3, 2)])
    assert row.items == (("A", (2, 3)), ("B", (3, 2)), ("C", (2, 2)))
    assert row.matches == (
        Match((0, 1), (1, 0), "inner"),  # A's columns, B's rows
        Match((0, 0), (2, 0), "outer"),  # A's rows are C's rows
        Match((1, 1), (2, 1), "outer"),  # B's columns are C's columns
    )


def test_matrix_times_vector_shapes():
    row = shape_chain([(3, 2), (2,)])
    assert row.items[-1] == ("C", (3,))
    assert row.matches == (Match((0, 1), (1, 0), "inner"), Match((0, 0), (2, 0), "outer"))


@pytest.mark.parametrize("shapes", [[(2, 3), (3, 2)], [(3, 2), (2,)], [(2,), (2, 3)], [(4, 2), (2, 5), (5, 3)], [("N", 784), (784, 50)]])
def test_every_match_joins_equal_sizes_and_the_result_is_numpys(shapes):
    row = shape_chain(shapes)
    size = {(i, axis): value for i, (_, shape) in enumerate(row.items) for axis, value in enumerate(shape)}
    assert all(size[m.first] == size[m.second] for m in row.matches)
    if all(isinstance(v, int) for shape in shapes for v in shape):
        product = np.ones(shapes[0])
        for shape in shapes[1:]:
            product = product @ np.ones(shape)
        assert row.items[-1][1] == product.shape


def brackets(nodes) -> list[tuple[str, str, str]]:
    """(label at one end, label at the other, colour) of every bracket, by the sizes drawn under its legs."""
    found = []
    legs = sorted({node_id.rsplit("_", 1)[0] for node_id in nodes if re.fullmatch(r"shapes_p\d+_\d", node_id)})
    for leg in legs:
        ends = [xy(nodes[f"{leg}_0"])[0], xy(nodes[f"{leg}_3"])[0]]
        texts = [
            next(a for node_id, a in nodes.items() if re.fullmatch(r"shapes_t\d+", node_id) and abs(xy(a)[0] - x) < 0.05)
            for x in ends
        ]
        found.append((texts[0]["label"], texts[1]["label"], texts[0]["fontcolor"]))
        assert texts[0]["fontcolor"] == texts[1]["fontcolor"]
    return found


def test_figure_3_11_brackets_the_equal_sizes():
    nodes = nodes_of(matrix_shapes([(2, 3), (3, 2)]).source)
    assert sorted(brackets(nodes)) == sorted([("3", "3", INNER), ("2", "2", OUTER), ("2", "2", OUTER)])
    labels = {a["label"]: a["fontcolor"] for node_id, a in nodes.items() if node_id.startswith("shapes_l")}
    assert labels == {"must be equal": INNER, "rows of C": OUTER, "columns of C": OUTER}


def test_figure_3_12_marks_the_vectors_one_size():
    nodes = nodes_of(matrix_shapes([(3, 2), (2,)]).source)
    assert sorted(brackets(nodes)) == [("2", "2", INNER), ("3", "3", OUTER)]
    texts = [a["label"] for node_id, a in sorted(nodes.items(), key=lambda item: xy(item[1])[0]) if re.fullmatch(r"shapes_t\d+", node_id)]
    assert "".join(texts) == "A(3×2)·B(2)=C(3)"


# -- the shape row of a network (3-14, 3-26, 3-27) -----------------------------------


def test_mnist_shape_row_for_one_image():
    row = shape_row(mnist_shapes())
    assert row.items == (("x", (784,)), ("W1", (784, 50)), ("W2", (50, 100)), ("W3", (100, 10)), ("y", (10,)))
    assert row.matches == (
        Match((0, 0), (1, 0), "inner"),  # 784 = 784
        Match((1, 1), (2, 0), "inner"),  # 50 = 50
        Match((2, 1), (3, 0), "inner"),  # 100 = 100
        Match((3, 1), (4, 0), "outer"),  # 10 → y's 10
    )
    assert row.relation == "→"


def test_mnist_shape_row_for_a_batch_of_100():
    row = shape_row(mnist_shapes(), batch=100)
    assert row.items[0] == ("x", (100, 784)) and row.items[-1] == ("y", (100, 10))
    assert row.matches == (
        Match((0, 1), (1, 0), "inner"),
        Match((1, 1), (2, 0), "inner"),
        Match((2, 1), (3, 0), "inner"),
        Match((0, 0), (4, 0), "outer"),  # the batch's 100 → y's 100
        Match((3, 1), (4, 1), "outer"),
    )


def test_the_trained_mnist_network_has_the_same_row(mnist_net):
    assert shape_row(mnist_net, batch=100) == shape_row(mnist_shapes(), batch=100)


def test_shape_row_text_names_the_inner_sizes_that_must_be_equal():
    assert shape_row_text(shape_row(mnist_shapes())) == (
        "x (784) · W1 (784×50) · W2 (50×100) · W3 (100×10) → y (10)\ninner sizes equal: 784 = 784, 50 = 50, 100 = 100"
    )
    assert shape_row_text(shape_row(mnist_shapes(), batch=100)).split("\n")[0] == (
        "x (100×784) · W1 (784×50) · W2 (50×100) · W3 (100×10) → y (100×10)"
    )
    assert shape_row_text(shape_row(mnist_shapes(), batch="N")).startswith("x (N×784) · W1 (784×50)")


def test_figure_3_14_row():
    graph = ng.Graph("matrix product")
    graph.affine("y", graph.input("x", 2), graph.weight("W", [[1, 3, 5], [2, 4, 6]]))
    assert shape_row_text(shape_row(graph)) == "x (2) · W (2×3) → y (3)\ninner sizes equal: 2 = 2"


@pytest.mark.parametrize("batch", [0, -1, True, 2.5, "", [100]])
def test_bad_batch(batch):
    with pytest.raises(OptionError, match=r"batch must be None \(one sample\), a positive number of samples or a name"):
        shape_row(mnist_shapes(), batch=batch)


def test_a_graph_that_is_not_a_chain():
    graph = ng.Graph("two inputs")
    graph.input("u", 2)
    graph.input("v", 2)
    with pytest.raises(GraphError, match=r"a chain of layers needs exactly one input"):
        shape_row(graph)


def test_shape_row_nodes_fit_under_y_top_and_join_equal_sizes():
    statements, height = shape_row_nodes(shape_row(mnist_shapes(), batch=100), 300, -500, prefix="row")
    nodes = nodes_of("\n".join(statements))
    assert all(node_id.startswith("row_") for node_id in nodes)
    tops = [xy(a)[1] + float(a.get("height", 0)) * 36 for a in nodes.values()]
    bottoms = [xy(a)[1] - float(a.get("height", 0)) * 36 for a in nodes.values()]
    assert max(tops) == pytest.approx(-500, abs=0.2)
    assert min(bottoms) == pytest.approx(-500 - height, abs=0.2)
    renamed = {node_id.replace("row_", "shapes_", 1): a for node_id, a in nodes.items()}
    assert sorted(brackets(renamed)) == sorted(
        [("784", "784", INNER), ("50", "50", INNER), ("100", "100", INNER), ("100", "100", OUTER), ("10", "10", OUTER)]
    )
    centres = [xy(a)[0] for node_id, a in nodes.items() if re.fullmatch(r"row_t\d+", node_id)]
    assert (min(centres) + max(centres)) / 2 == pytest.approx(300, abs=15)


def test_shape_row_nodes_without_labels_and_bad_prefix():
    row = shape_row(mnist_shapes())
    statements, height = shape_row_nodes(row, 0, 0, labels=False)
    assert not any("must be equal" in s for s in statements)
    assert height < shape_row_nodes(row, 0, 0)[1]
    with pytest.raises(OptionError, match=r"prefix must be letters, digits and '_'"):
        shape_row_nodes(row, 0, 0, prefix="a b")


def test_hostile_names_are_quoted():
    hostile = 'W"]; x -> y; ["'
    source = matrix_shapes([(2, 3), (3, 2)], names=("A", hostile, "C")).source
    assert '"W\\"]; x -> y; [\\""' in source
    assert not any(line.strip().startswith("x ->") for line in source.splitlines())


# -- deterministic, and rendered ----------------------------------------------------


def _sources() -> str:
    return "".join(
        [
            matrix_product(BOOK_A, BOOK_B).source,
            matrix_shapes([(2, 3), (3, 2)]).source,
            "\n".join(shape_row_nodes(shape_row(mnist_shapes(), batch=100), 0, 0)[0]),
        ]
    )


def test_the_dot_is_the_same_every_run():
    code = "import sys; sys.path.insert(0, 'tests'); import test_matrices as t; print(t._sources(), end='')"
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    runs = {
        subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True, env={**os.environ, "PYTHONHASHSEED": seed}).stdout
        for seed in ("1", "2")
    }
    assert runs == {_sources()}


def texts_of(diagram) -> list[str]:
    root = ET.fromstring(diagram.render("svg"))
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


@pytest.mark.renderer
def test_figure_3_10_renders():
    texts = texts_of(matrix_product(BOOK_A, BOOK_B))
    for text in ["19", "22", "43", "50", "1×5 + 2×7 = 19", "row 1 of A · column 1 of B"]:
        assert text in texts


@pytest.mark.renderer
def test_figures_3_11_and_3_12_render():
    assert {"must be equal", "rows of C", "columns of C"} <= set(texts_of(matrix_shapes([(2, 3), (3, 2)])))
    assert {"must be equal", "size of C"} <= set(texts_of(matrix_shapes([(3, 2), (2,)])))


@pytest.mark.renderer
def test_a_shape_row_renders_inside_a_pinned_diagram():
    statements, _ = shape_row_nodes(shape_row(mnist_shapes()), 0, 0)
    nodes = [s for s in statements if " -> " not in s]
    edges = [s for s in statements if " -> " in s]
    diagram = Diagram(document(graph_attributes("shapes"), nodes, edges), engine="nop2")
    texts = texts_of(diagram)
    assert texts.count("784") == 2 and texts.count("must be equal") == 3
