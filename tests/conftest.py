"""Shared fixtures: the book's gates, the 3-layer network and the MNIST data.

The MNIST files are read from ``../shared/data`` (beside the project, never
copied into it); tests that need them skip with a clear reason where the
folder is absent. Tests marked ``renderer`` skip when no Graphviz renderer is
installed.
"""

import os
from pathlib import Path

import numpy as np
import pytest

import nngraph as ng

# The MNIST test set and the book's weights live outside the project: ../shared/data
# beside the repository, or wherever NNGRAPH_DATA points.
DATA_DIR = Path(os.environ.get("NNGRAPH_DATA") or Path(__file__).resolve().parents[2] / "shared" / "data")
MNIST_MISSING = f"MNIST data folder {DATA_DIR} not found (set NNGRAPH_DATA to the folder)"

GATE_INPUTS = np.array([[0, 0], [1, 0], [0, 1], [1, 1]])
GATE_OUTPUTS = {
    "AND": (ng.and_gate, [0, 0, 0, 1]),
    "NAND": (ng.nand_gate, [1, 1, 1, 0]),
    "OR": (ng.or_gate, [0, 1, 1, 1]),
    "XOR": (ng.xor_gate, [0, 1, 1, 0]),
}

# Section 3.4.3: every intermediate of the 3-layer network at x = [1.0, 0.5],
# as the book prints them (8 decimals).
BOOK_X = np.array([1.0, 0.5])
BOOK_VALUES = {
    "x": [1.0, 0.5],
    "a1": [0.3, 0.7, 1.1],
    "z1": [0.57444252, 0.66818777, 0.75026011],
    "a2": [0.51615984, 1.21402696],
    "z2": [0.62624937, 0.7710107],
    "a3": [0.31682708, 0.69627909],
    "y": [0.31682708, 0.69627909],
}


GOLDEN = Path(__file__).parent / "golden"


def check_golden(name: str, source: str) -> None:
    """``source`` equals tests/golden/``name``; NNGRAPH_UPDATE_GOLDEN=1 rewrites the file instead (never in CI)."""
    path = GOLDEN / name
    if os.environ.get("NNGRAPH_UPDATE_GOLDEN") == "1":
        if os.environ.get("CI"):
            pytest.fail("NNGRAPH_UPDATE_GOLDEN is refused when CI is set: golden files are updated by hand, then reviewed")
        path.write_text(source, encoding="utf-8")
    assert source == path.read_text(encoding="utf-8")


def skip_or_fail(reason: str, required: str):
    """Skip for ``reason``, or fail when the environment variable ``required`` is set, as CI does."""
    if os.environ.get(required):
        pytest.fail(f"{reason}; {required} is set, so this must not be skipped")
    pytest.skip(reason)


def book_run(net, x=(1.0, 0.5)) -> dict:
    """Every node's value after evaluating ``net`` on ``x``: node name → array."""
    return {step.node: step.output for step in net.steps(np.asarray(x))}


def assert_book_values(actual, expected):
    """Equal to the book's 8-decimal print-out (rounding error at most 5e-9)."""
    np.testing.assert_allclose(actual, expected, rtol=1e-7, atol=5e-9)


@pytest.fixture
def within_five_seconds():
    """Turns a regression that blocks (opening a named pipe) into a failure, not a hung suite."""
    import signal

    def hung(signum, frame):
        raise TimeoutError("blocked: a named pipe was opened instead of refused")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(5)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def gate_inputs():
    return GATE_INPUTS.copy()


@pytest.fixture
def gates():
    """``{name: (graph, expected outputs for GATE_INPUTS)}`` for AND, NAND, OR and XOR."""
    return {name: (build(), expected) for name, (build, expected) in GATE_OUTPUTS.items()}


@pytest.fixture
def three_layer():
    return ng.three_layer_network()


@pytest.fixture
def book_x():
    return BOOK_X.copy()


@pytest.fixture(scope="session")
def data_dir():
    if not DATA_DIR.is_dir():
        skip_or_fail(MNIST_MISSING, "NNGRAPH_REQUIRE_DATA")
    return DATA_DIR


@pytest.fixture(scope="session")
def mnist_weights_path(data_dir):
    path = data_dir / "book_mnist_mlp.npz"
    if not path.is_file():
        skip_or_fail(f"{MNIST_MISSING} (no {path.name})", "NNGRAPH_REQUIRE_DATA")
    return path


@pytest.fixture(scope="session")
def mnist_net(mnist_weights_path):
    return ng.mnist_network(ng.load_weights(mnist_weights_path))


@pytest.fixture(scope="session")
def mnist_test_set(data_dir):
    """``(images float32 (10000, 784) in [0, 1], labels int64 (10000,))``, read-only."""
    images_path = data_dir / "t10k-images-idx3-ubyte.gz"
    labels_path = data_dir / "t10k-labels-idx1-ubyte.gz"
    if not (images_path.is_file() and labels_path.is_file()):
        skip_or_fail(f"{MNIST_MISSING} (no t10k IDX files)", "NNGRAPH_REQUIRE_DATA")
    images, labels = ng.load_mnist(images_path, labels_path)
    images.flags.writeable = False
    labels.flags.writeable = False
    return images, labels


#: Doctests of the importers need their framework; where it is not installed they are skipped (CI installs all).
FRAMEWORK_DOCTESTS = {"nngraph.interop.onnx_read": "onnx", "nngraph.interop.onnx_write": "onnx", "nngraph.interop.torch": "torch", "nngraph.interop.sklearn": "sklearn"}


def skip_doctests_without_their_framework(items):
    import importlib.util

    for item in items:
        for module, package in FRAMEWORK_DOCTESTS.items():
            needs = item.name == module or item.name.startswith(module + ".")
            if needs and type(item).__name__ == "DoctestItem" and importlib.util.find_spec(package) is None:
                item.add_marker(pytest.mark.skip(reason=f"{module} needs {package}: pip install 'nngraph[{package}]'"))


def pytest_collection_modifyitems(config, items):
    skip_doctests_without_their_framework(items)
    marked = [item for item in items if item.get_closest_marker("renderer")]
    if not marked:
        return
    from nngraph.render import available_renderers

    if available_renderers():
        return
    reason = "no Graphviz renderer: install graphviz (dot) or pip install graphviz-pure"
    if os.environ.get("NNGRAPH_REQUIRE_RENDERER"):
        raise pytest.UsageError(f"{reason}; NNGRAPH_REQUIRE_RENDERER is set, so the renderer tests must not be skipped")
    skip = pytest.mark.skip(reason=reason)
    for item in marked:
        item.add_marker(skip)
