"""Numbers as the book prints them: format_number, format_array, format_shape."""

import numpy as np
import pytest

import nngraph as ng
from nngraph.formatting import format_array, format_number, format_shape


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.574442516811659, "0.57444252"),
        (0.30000000000000004, "0.3"),
        (1, "1.0"),
        (0, "0.0"),
        (-0.0, "−0.0"),
        (0.5, "0.5"),
        (1 / 3, "0.33333333"),
        (np.float32(0.1), "0.1"),  # shortest repr of the float32, not 0.10000000149
        (np.float32(1 / 3), "0.33333334"),
        (np.int64(5), "5.0"),
        (123456.789, "123456.789"),
        (99999999.0, "99999999.0"),
        (1e8, "1.0e+08"),
        (1e-4, "0.0001"),
        (9.99e-5, "9.99e−05"),
        (2.06106005e-09, "2.06106005e−09"),
        (4.53978686e-05, "4.53978686e−05"),
        (-1.5e-7, "−1.5e−07"),
        (float("nan"), "nan"),
        (float("inf"), "inf"),
        (-float("inf"), "−inf"),
    ],
)
def test_format_number(value, text):
    assert format_number(value) == text


def test_every_minus_sign_is_the_typographic_one_and_pastes_back_as_the_same_number():
    expected = {-0.7: "−0.7", -1.5e-7: "−1.5e−07", -2.5e12: "−2.5e+12", 3e-9: "3.0e−09", -np.inf: "−inf"}
    for value, text in expected.items():
        assert format_number(value) == text
        assert "-" not in text and text.count("\N{MINUS SIGN}") == str(value).count("-")
        assert float(text.replace("\N{MINUS SIGN}", "-")) == value
    assert format_array(np.array([-1.0, 0.5])) == "[\N{MINUS SIGN}1.0, 0.5]"
    assert next(ng.three_layer_network().steps([-1.0, 0.5])).describe() == "x = [\N{MINUS SIGN}1.0, 0.5]"


def test_format_number_with_fewer_digits():
    assert format_number(0.574442516811659, 3) == "0.574"
    assert format_number(0.9999546, 3) == "1.0"
    assert format_number(2.06106005e-09, 3) == "2.061e−09"


def test_book_values_print_exactly():
    h = ng.get_activation
    assert format_array(h("sigmoid")(np.array([-1.0, 1.0, 2.0]))) == "[0.26894142, 0.73105858, 0.88079708]"
    assert format_array(h("softmax")(np.array([0.3, 2.9, 4.0]))) == "[0.01821127, 0.24519181, 0.73659691]"
    assert format_array(h("softmax")(np.array([1010.0, 1000.0, 990.0]))) == "[0.9999546, 4.53978686e−05, 2.06106005e−09]"
    net = ng.three_layer_network()
    outputs = {s.node: format_array(s.output) for s in net.steps([1.0, 0.5])}
    assert outputs == {
        "x": "[1.0, 0.5]",
        "a1": "[0.3, 0.7, 1.1]",
        "z1": "[0.57444252, 0.66818777, 0.75026011]",
        "a2": "[0.51615984, 1.21402696]",
        "z2": "[0.62624937, 0.7710107]",
        "a3": "[0.31682708, 0.69627909]",
        "y": "[0.31682708, 0.69627909]",
    }


def test_format_array_of_a_scalar_and_a_matrix():
    assert format_array(np.float64(3)) == "3.0"
    assert format_array(np.array([[0, 0], [1, 1]])) == "[[0.0, 0.0], [1.0, 1.0]]"
    assert format_array([0.1, 0.2]) == "[0.1, 0.2]"
    assert format_array(np.array([])) == "[]"


def test_format_array_elides_long_rows_and_appends_the_shape():
    assert format_array(np.arange(7.0)) == "[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0]"
    assert format_array(np.arange(8.0)) == "[0.0, 1.0, 2.0, …, 6.0, 7.0] (8,)"
    assert format_array(np.arange(20.0)) == "[0.0, 1.0, 2.0, …, 18.0, 19.0] (20,)"
    assert format_array(np.arange(784.0), edge=2) == "[0.0, 1.0, …, 783.0] (784,)"


def test_format_array_elides_many_rows():
    assert format_array(np.arange(24.0).reshape(8, 3)) == (
        "[[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0], …, [18.0, 19.0, 20.0], [21.0, 22.0, 23.0]] (8×3)"
    )
    text = format_array(np.zeros((100, 50), dtype=np.float32))
    assert text.endswith(" (100×50)") and text.count("…") == 1 + 5  # the rows, and each of 5 rows shown
    assert len(text) < 300


def test_format_array_flattens_higher_ranks_per_row():
    assert format_array(np.ones((2, 3, 4))) == "[[1.0, 1.0, 1.0, …, 1.0, 1.0], [1.0, 1.0, 1.0, …, 1.0, 1.0]] (2×3×4)"


def test_format_array_with_edge_one():
    assert format_array(np.arange(20.0), edge=1) == "[0.0, …] (20,)"


def test_format_array_of_an_empty_batch():
    assert format_array(np.zeros((0, 3))) == "[]"
    assert [str(s) for s in ng.three_layer_network().steps(np.zeros((0, 2)))][0] == "x = []"


def test_format_array_is_deterministic_and_one_line():
    rng = np.random.default_rng(0)
    array = rng.normal(size=(30, 30))
    assert format_array(array) == format_array(array.copy())
    assert "\n" not in format_array(array)


@pytest.mark.parametrize(
    ("shape", "batch", "text"),
    [
        ((3,), None, "(3,)"),
        ((100, 50), None, "100×50"),
        ((2, 3, 4), None, "2×3×4"),
        ((50,), "N", "N×50"),
        ((100, 784), "N", "N×784"),
    ],
)
def test_format_shape(shape, batch, text):
    assert format_shape(shape, batch=batch) == text


def test_printed_numbers_paste_back_into_the_command_line():
    from nngraph.commands import parse_input

    values = np.array([-0.7, 2.06106005e-09, -1.5e-7, 0.5])
    printed = ",".join(format_number(v) for v in values)
    assert printed == "−0.7,2.06106005e−09,−1.5e−07,0.5"
    np.testing.assert_array_equal(parse_input(printed), values)
