"""MNIST figures 3-23 and 3-24: the PNG encoder, the digit grid and the output layer as digits 0–9."""

import base64
import os
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
import zlib

import numpy as np
import pytest

import nngraph as ng
from nngraph.cli import main
from nngraph.errors import InputError, OptionError, RenderError, ShapeError
from nngraph.notation import indexed
from nngraph.render.digits import SvgDrawing, digit_data_uri, digit_grid, digit_png, output_digits

SVG = "{http://www.w3.org/2000/svg}"


def decode_png(data: bytes) -> np.ndarray:
    """A grayscale 8-bit PNG (filter type 0 on every row) decoded by hand: rows × columns grey levels."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, offset = {}, 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind, body = data[offset + 4 : offset + 8], data[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length : offset + 12 + length])
        assert crc == zlib.crc32(kind + body), f"bad CRC in {kind!r}"
        chunks[kind] = chunks.get(kind, b"") + body
        offset += 12 + length
    assert list(chunks)[0] == b"IHDR" and list(chunks)[-1] == b"IEND"
    width, height, depth, colour, compression, filtering, interlace = struct.unpack(">IIBBBBB", chunks[b"IHDR"])
    assert (depth, colour, compression, filtering, interlace) == (8, 0, 0, 0, 0)
    raw = np.frombuffer(zlib.decompress(chunks[b"IDAT"]), np.uint8).reshape(height, width + 1)
    assert np.all(raw[:, 0] == 0)
    return raw[:, 1:]


def decode_uri(uri: str) -> np.ndarray:
    prefix = "data:image/png;base64,"
    assert uri.startswith(prefix)
    return decode_png(base64.b64decode(uri[len(prefix) :]))


def parse(drawing) -> ET.Element:
    return ET.fromstring(drawing.svg().encode("utf-8"))


def texts(element) -> list[str]:
    return [t.text for t in element.iter(f"{SVG}text")]


def group(root, id_: str) -> ET.Element:
    found = root.find(f".//{SVG}g[@id='{id_}']")
    assert found is not None, f"no group {id_!r}"
    return found


def one_hot(k: int, p: float = 0.91) -> np.ndarray:
    probabilities = np.full(10, (1 - p) / 9)
    probabilities[k] = p
    return probabilities


@pytest.fixture(scope="module")
def raw_test_images(data_dir):
    """The test images as stored in the IDX file: uint8 ink 0–255, (10000, 28, 28)."""
    return ng.read_idx(data_dir / "t10k-images-idx3-ubyte.gz")


# -- the PNG encoder ------------------------------------------------------------


def test_png_pixels_decode_to_255_minus_the_ink():
    ink = np.random.default_rng(3).integers(0, 256, size=(28, 28), dtype=np.uint8)
    assert np.array_equal(decode_png(digit_png(ink)), 255 - ink)


def test_float_pixels_scale_by_255_zero_white_one_black():
    levels = np.arange(784) % 256
    grey = decode_png(digit_png(levels / 255.0))
    assert np.array_equal(grey.reshape(-1), 255 - levels)
    assert decode_png(digit_png(np.zeros(784)))[0, 0] == 255  # background white
    assert decode_png(digit_png(np.ones(784)))[0, 0] == 0  # full ink black
    near = np.array([0.4, 0.6, 100.4, 100.6] * 196) / 255.0  # rounded to the nearest level
    assert list(decode_png(digit_png(near)).reshape(-1)[:4]) == [255, 254, 155, 154]


def test_flat_and_row_images_give_the_same_png_and_the_uri_holds_it():
    ink = np.random.default_rng(4).integers(0, 256, size=784, dtype=np.uint8)
    assert digit_png(ink) == digit_png(ink.reshape(28, 28))
    assert np.array_equal(decode_uri(digit_data_uri(ink)), 255 - ink.reshape(28, 28))


def test_mnist_images_round_trip_through_the_png(mnist_test_set, raw_test_images):
    images, _ = mnist_test_set  # read-only float32 k/255
    for i in (0, 1, 8):
        assert np.array_equal(decode_png(digit_png(images[i])), 255 - raw_test_images[i])


def test_the_caller_array_is_never_changed():
    image = np.linspace(0, 1, 784)
    before = image.copy()
    digit_png(image)
    digit_grid(image[None], [3])
    output_digits(one_hot(3), image=image)
    assert np.array_equal(image, before)


# -- figure 3-24: digit_grid ----------------------------------------------------


def test_grid_shows_each_mnist_image_with_its_label(mnist_test_set, raw_test_images):
    images, labels = mnist_test_set
    root = parse(digit_grid(images[:20], labels[:20]))
    for i in range(20):
        cell = group(root, f"digit-{i}")
        assert texts(cell) == [str(labels[i])]
        (picture,) = cell.iter(f"{SVG}image")
        assert np.array_equal(decode_uri(picture.get("href")), 255 - raw_test_images[i])
        assert picture.get("{http://www.w3.org/1999/xlink}href") == picture.get("href")
        assert "image-rendering:pixelated" in picture.get("style")
    assert [group(root, f"digit-{i}").get("data-label") for i in range(3)] == ["7", "2", "1"]


def test_grid_rows_follow_columns():
    images = np.zeros((7, 784))
    root = parse(digit_grid(images, columns=3))
    positions = [(float(image.get("x")), float(image.get("y"))) for image in root.iter(f"{SVG}image")]
    xs = sorted({x for x, _ in positions})
    ys = sorted({y for _, y in positions})
    assert len(xs) == 3 and len(ys) == 3  # 7 images in rows of 3: 3, 3, 1
    assert positions[3] == (xs[0], ys[1]) and positions[6] == (xs[0], ys[2])
    assert not texts(root)  # no labels given, no text


def test_grid_marks_misclassified_images_in_red(mnist_test_set, mnist_net):
    images, labels = mnist_test_set
    outputs = mnist_net.forward(images[:20])
    predicted = np.argmax(outputs, axis=1)
    wrong = [i for i in range(20) if predicted[i] != labels[i]]
    assert wrong == [8]  # the book's network calls test image 8 (a 5) a 6
    for given in (outputs, predicted):
        root = parse(digit_grid(images[:20], labels[:20], predictions=given))
        assert [int(g.get("id").split("-")[1]) for g in root.iter(f"{SVG}g") if g.get("class") == "digit wrong"] == wrong
        cell = group(root, "digit-8")
        assert texts(cell) == ["label 5", "predicted 6"]
        assert cell.find(f"{SVG}text[2]").get("fill") == cell.find(f"{SVG}rect").get("stroke") != "#8a8a8a"
        assert texts(group(root, "digit-0")) == ["label 7", "predicted 7"]
        assert "1 of 20 misclassified (in red: the prediction differs from the label)" in texts(root)


def test_grid_title_is_escaped():
    title = 'digits <script>alert("x")</script> & more'
    root = parse(digit_grid(np.zeros((2, 28, 28), np.uint8), title=title))
    assert title in texts(root) and root.find(f"{SVG}title").text == title
    assert root.find(f".//{SVG}script") is None


# -- figure 3-23: output_digits -------------------------------------------------


def test_outputs_are_the_digits_0_to_9():
    root = parse(output_digits(np.full(10, 0.1)))
    rows = [g for g in root.iter(f"{SVG}g") if g.get("class", "").startswith("output")]
    assert [row.get("data-digit") for row in rows] == [str(k) for k in range(10)]
    for k, row in enumerate(rows):
        assert texts(row)[:3] == [indexed("y", k + 1), str(k), "0.100"]  # neurons as the book numbers them, digits 0–9
    numbers = [t for t in texts(root) if t.isdigit()]
    assert numbers == [str(k) for k in range(10)]  # never 1–10


@pytest.mark.parametrize("k", [0, 3, 9])
def test_the_most_probable_digit_is_marked(k):
    p = np.random.default_rng(k).dirichlet(np.ones(10))
    p[k] += 1.0
    p /= p.sum()
    root = parse(output_digits(p))
    marked = [g.get("data-digit") for g in root.iter(f"{SVG}g") if g.get("class") == "output most-probable"]
    assert marked == [str(np.argmax(p))] == [str(k)]
    assert "← most probable" in texts(group(root, f"y{k}"))
    assert f"predicted {k} (p = {p[k]:.3f})" in texts(root)


def test_bars_are_as_long_as_the_probabilities():
    p = np.array([0.05, 0.05, 0.1, 0.0, 0.4, 0.1, 0.1, 0.1, 0.05, 0.05])
    root = parse(output_digits(p))
    for k in range(10):
        track, bar = group(root, f"y{k}").findall(f"{SVG}rect")
        assert float(bar.get("width")) == pytest.approx(p[k] * float(track.get("width")), abs=0.05)


def test_mnist_test_image_0_is_predicted_a_7(mnist_test_set, mnist_net, raw_test_images):
    images, labels = mnist_test_set
    y = mnist_net.forward(images[0])
    root = parse(output_digits(y, label=labels[0], image=images[0]))
    lines = texts(root)
    assert f"predicted 7 (p = {y[7]:.3f})" in lines and "label 7" in lines
    assert y[7] > 0.99
    (picture,) = root.iter(f"{SVG}image")
    assert np.array_equal(decode_uri(picture.get("href")), 255 - raw_test_images[0])


def test_a_wrong_prediction_is_said_in_red():
    root = parse(output_digits(one_hot(6), label=5))
    line = next(t for t in root.iter(f"{SVG}text") if t.text.startswith("label 5"))
    assert line.text == "label 5: the network is wrong (it predicts 6)"
    assert line.get("fill") == "#c81e1e"


def test_a_batch_of_one_row_is_accepted():
    assert output_digits(one_hot(2)[None]).svg() == output_digits(one_hot(2)).svg()


# -- the drawing object and determinism -----------------------------------------


def test_same_input_gives_the_same_bytes_in_another_process(tmp_path):
    code = (
        "import numpy as np, sys\n"
        "from nngraph.render.digits import digit_grid, output_digits\n"
        "ink = (np.arange(3 * 784).reshape(3, 784) % 256).astype(np.uint8)\n"
        "p = np.full(10, 0.05); p[4] = 0.55\n"
        "sys.stdout.buffer.write(digit_grid(ink, [1, 2, 3], predictions=[1, 2, 4]).render() + output_digits(p, label=4, image=ink[0]).render())\n"
    )
    runs = [
        subprocess.run([sys.executable, "-c", code], capture_output=True, check=True, env={**os.environ, "PYTHONHASHSEED": seed}).stdout
        for seed in ("1", "2")
    ]
    assert runs[0] == runs[1] and runs[0].count(b"<svg") == 2


def test_svg_drawing_saves_svg_and_refuses_png(tmp_path):
    drawing = output_digits(one_hot(1))
    path = drawing.save(tmp_path / "out.svg")
    assert path.read_bytes() == drawing.render() == drawing.svg().encode("utf-8")
    assert drawing._repr_mimebundle_() == {"image/svg+xml": drawing.svg()}
    with pytest.raises(RenderError, match=r"cannot be written as 'png'; save it as \.svg"):
        drawing.save(tmp_path / "out.png")
    assert not (tmp_path / "out.png").exists()
    assert repr(SvgDrawing("<svg/>", name="x")) == "<SvgDrawing 'x': 6 characters of SVG>"


# -- errors ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("image", "error", "message"),
    [
        (np.zeros(783), ShapeError, r"784 pixels, shape \(784,\) or \(28, 28\); got shape \(783,\)"),
        (np.zeros((1, 784)), ShapeError, r"got shape \(1, 784\)"),
        (np.full(784, 255.0), InputError, r"float pixels must lie in \[0, 1\] .* divide by 255"),
        (np.full(784, -0.5), InputError, r"got values from -0\.5 to -0\.5$"),
        (np.full(784, np.nan), InputError, "nan or inf"),
        (np.full(784, 256), InputError, "whole-number pixels must lie in 0–255"),
        (["a"] * 784, InputError, "must hold numbers"),
    ],
)
def test_bad_images(image, error, message):
    with pytest.raises(error, match=message):
        digit_png(image)
    with pytest.raises(error, match=message):
        output_digits(one_hot(0), image=image)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"images": np.zeros((2, 783))}, ShapeError, r"shape \(N, 784\) or \(N, 28, 28\); got shape \(2, 783\)$"),
        ({"images": np.zeros(784)}, ShapeError, r"for one image write images\[None\]"),
        ({"images": np.zeros((0, 784))}, InputError, "at least one image"),
        ({"labels": [1, 2]}, ShapeError, r"3 images but labels of shape \(2,\); give one label per image"),
        ({"labels": [1, 2, 10]}, InputError, r"labels must be digits 0–9; labels\[2\] is 10"),
        ({"labels": [1, -1, 0]}, InputError, r"labels\[1\] is -1"),
        ({"labels": [1.5, 2, 3]}, InputError, "labels must be whole numbers"),
        ({"predictions": [1, 2]}, ShapeError, "give one prediction per image"),
        ({"predictions": np.full((3, 10), np.nan)}, InputError, "must be finite"),
        ({"columns": 0}, OptionError, r"columns must be a whole number ≥ 1 \(images per row\); got 0"),
        ({"title": 5}, OptionError, "title must be text or None; got int"),
    ],
)
def test_bad_grid_arguments(kwargs, error, message):
    arguments = {"images": np.zeros((3, 784)), **kwargs}
    with pytest.raises(error, match=message):
        digit_grid(**arguments)


@pytest.mark.parametrize(
    ("probabilities", "error", "message"),
    [
        (np.full(9, 1 / 9), ShapeError, r"the 10 outputs y₁ … y₁₀ of one image, shape \(10,\); got shape \(9,\)$"),
        (np.full((2, 10), 0.1), ShapeError, r"for a batch, draw one row: probabilities\[i\]"),
        (np.where(np.arange(10) == 3, np.nan, 0.1), InputError, r"y₄ \(digit 3\) is nan"),
        (np.where(np.arange(10) == 0, -0.1, 1.1 / 9), InputError, r"in \[0, 1\] \(the softmax output\); y₁ \(digit 0\) is -0\.1"),
        (np.full(10, 0.2), InputError, "must sum to 1 .* these sum to 2$"),
        ("0.1", InputError, "must hold numbers"),
    ],
)
def test_bad_probabilities(probabilities, error, message):
    with pytest.raises(error, match=message):
        output_digits(probabilities)


@pytest.mark.parametrize("label", [10, -1, 7.0, True, "7"])
def test_bad_label(label):
    with pytest.raises(InputError, match=r"label must be one of the digits 0–9 \(a whole number\); got"):
        output_digits(one_hot(7), label=label)


# -- the demo -------------------------------------------------------------------


@pytest.mark.renderer
def test_demo_writes_both_mnist_figures(tmp_path, data_dir, mnist_weights_path, capsys):
    assert main(["demo", "-o", str(tmp_path), "--mnist", str(data_dir), "--weights", str(mnist_weights_path)]) == 0
    out = capsys.readouterr().out
    assert "accuracy: 0.9352" in out
    index = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert "## 3-23 · " in index and "(mnist_samples.svg)" in index
    samples = ET.parse(tmp_path / "mnist_samples.svg").getroot()
    assert len(list(samples.iter(f"{SVG}image"))) == 20
    assert texts(group(samples, "digit-8")) == ["label 5", "predicted 6"]
    output = ET.parse(tmp_path / "mnist_output.svg").getroot()
    assert any(t.startswith("predicted 7 (p = 0.99") for t in texts(output)) and "label 7" in texts(output)
