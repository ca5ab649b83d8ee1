"""Every example runs with the installed nngraph and writes what it promises."""

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import nngraph as ng

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def run(script: str, *args) -> str:
    done = subprocess.run([sys.executable, str(EXAMPLES / script), *map(str, args)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.renderer
def test_gates_example(tmp_path):
    out = run("gates.py", tmp_path)
    assert "XOR  00→0 10→1 01→1 11→0" in out
    for name in ("and", "nand", "or", "xor"):
        assert ET.parse(tmp_path / f"{name}.svg").getroot().tag.endswith("svg")


@pytest.mark.renderer
def test_three_layer_example(tmp_path):
    out = run("three_layer.py", tmp_path)
    assert "y = identity(a3) = [0.31682708, 0.69627909]" in out
    assert ET.parse(tmp_path / "neurons.svg").getroot().tag.endswith("svg")
    assert ET.parse(tmp_path / "signal.svg").getroot().tag.endswith("svg")
    assert (tmp_path / "stepper.html").read_text(encoding="utf-8").count("Step 1 / 16") == 1


def test_mnist_example(data_dir):
    assert run("mnist_accuracy.py", data_dir).strip() == "accuracy: 0.9352"


@pytest.mark.parametrize("name", ["xor.toml", "three_layer.toml"])
def test_toml_examples_are_the_books_networks(name):
    net = ng.load(EXAMPLES / name)
    builtin = {"xor.toml": ng.xor_gate, "three_layer.toml": ng.three_layer_network}[name]()
    x = [[0, 0], [1, 0], [0, 1], [1, 1]] if name == "xor.toml" else [[1.0, 0.5]]
    assert (net.forward(x) == builtin.forward(x)).all()


def test_mnist_toml_reads_weights_beside_it(tmp_path, mnist_weights_path, mnist_test_set):
    (tmp_path / "mnist.toml").write_bytes((EXAMPLES / "mnist.toml").read_bytes())
    (tmp_path / "book_mnist_mlp.npz").write_bytes(mnist_weights_path.read_bytes())  # a symlink leading out is refused
    images, labels = mnist_test_set
    assert (ng.load(tmp_path / "mnist.toml").forward(images).argmax(axis=1) == labels).mean() == 0.9352
