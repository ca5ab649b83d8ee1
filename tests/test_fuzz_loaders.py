"""Fuzzing every loader: damaged files give a FormatError (or a network), never another exception."""

import pickle

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nngraph as ng
from nngraph.book_pickle import read_book_pickle
from nngraph.errors import NNGraphError

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@st.composite
def damaged(draw, original: bytes) -> bytes:
    """``original`` with some bytes changed, inserted or cut off."""
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 4))):
        position = draw(st.integers(0, max(len(data) - 1, 0)))
        action = draw(st.sampled_from(["flip", "insert", "delete", "truncate"]))
        if action == "flip" and data:
            data[position] = draw(st.integers(0, 255))
        elif action == "insert":
            data[position:position] = draw(st.binary(min_size=1, max_size=8))
        elif action == "delete":
            del data[position : position + draw(st.integers(1, 8))]
        else:
            del data[position:]
    return bytes(data)


def book_like_pickle(protocol: int) -> bytes:
    rng = np.random.default_rng(0)
    arrays = {"W1": rng.normal(size=(3, 2)).astype(np.float32), "b1": np.zeros(2, np.float32), "W2": np.eye(2)}
    return pickle.dumps(arrays, protocol=protocol)


def loads_or_refuses(load, *arguments):
    try:
        return load(*arguments)
    except NNGraphError:
        return None


@pytest.mark.parametrize("protocol", [3, 4])
def test_damaged_weight_pickles(protocol):
    original = book_like_pickle(protocol)

    @FUZZ
    @given(damaged(original))
    def check(data):
        arrays = loads_or_refuses(read_book_pickle, data, "fuzz.pkl")
        if arrays is not None:
            assert isinstance(arrays, dict) and all(type(k) is str and isinstance(v, np.ndarray) and v.dtype.kind in "biuf" for k, v in arrays.items())

    check()


def test_damaged_onnx_models(tmp_path, three_layer):
    pytest.importorskip("onnx")
    original = ng.to_onnx(three_layer, tmp_path / "original.onnx").read_bytes()
    path = tmp_path / "fuzz.onnx"

    @FUZZ
    @given(damaged(original))
    def check(data):
        path.write_bytes(data)
        graph = loads_or_refuses(ng.from_onnx, path)
        assert graph is None or isinstance(graph, ng.Graph)

    check()


TOML_NETWORK = b'name = "n"\n[[layers]]\nW = [[0.5], [0.5]]\nb = [-0.7]\nactivation = "leaky_relu"\nparameters = { alpha = 0.2 }\n'


def graph_npz(folder) -> bytes:
    ng.save(ng.three_layer_network(), folder / "original.npz")
    return (folder / "original.npz").read_bytes()


@pytest.mark.parametrize("suffix, original", [(".npz", graph_npz), (".toml", lambda folder: TOML_NETWORK)])
def test_damaged_network_files(tmp_path, suffix, original):
    path = tmp_path / f"fuzz{suffix}"

    @FUZZ
    @given(damaged(original(tmp_path)))
    def check(data):
        path.write_bytes(data)
        graph = loads_or_refuses(ng.load, path)
        assert graph is None or isinstance(graph, ng.Graph)

    check()
