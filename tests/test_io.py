"""Files without pickle: save/load round trips, the TOML format, damaged and hostile files."""

import json
import os
import stat
import zipfile

import numpy as np
import pytest

import nngraph as ng
from conftest import BOOK_VALUES, assert_book_values
from nngraph.errors import FormatError

THREE_LAYER_TOML = """\
name = "three-layer (TOML)"

[[layers]]
W = [[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]]
b = [0.1, 0.2, 0.3]
activation = "sigmoid"

[[layers]]
W = [[0.1, 0.4], [0.2, 0.5], [0.3, 0.6]]
b = [0.1, 0.2]
activation = "sigmoid"

[[layers]]
W = [[0.1, 0.3], [0.2, 0.4]]
b = [0.1, 0.2]
activation = "identity"
"""


def write_description(path, description, arrays=None):
    """A hand-made graph .npz: ``arrays`` plus ``description`` as its JSON."""
    arrays = dict(arrays or {})
    arrays["graph.json"] = np.array(json.dumps(description))
    with open(path, "wb") as file:
        np.savez(file, **arrays)
    return path


def description(*nodes, **fields):
    return {"format": "nngraph", "version": 1, "name": "hand-made", "nodes": list(nodes), **fields}


X2 = {"name": "x", "kind": "input", "size": 2}


def same_graph(a, b):
    assert a.name == b.name
    assert a.names == b.names
    for left, right in zip(a, b):
        assert (left.kind, left.arguments) == (right.kind, right.arguments)
        if left.kind == "weight":
            assert left.value.dtype == right.value.dtype and left.value.shape == right.value.shape
            assert left.value.tobytes() == right.value.tobytes()
            assert not right.value.flags.writeable
        elif left.kind == "activation":
            assert left.h.name == right.h.name
        elif left.kind == "input":
            assert left.size == right.size
    return True


# -- save / load ------------------------------------------------------------------


def test_round_trip_of_the_three_layer_network(tmp_path, three_layer, book_x):
    path = tmp_path / "net.npz"
    assert ng.save(three_layer, path) is None
    loaded = ng.load(path)
    assert same_graph(three_layer, loaded)
    assert_book_values(loaded.forward(book_x), BOOK_VALUES["y"])
    assert [str(s) for s in loaded.steps(book_x)] == [str(s) for s in three_layer.steps(book_x)]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_round_trip_is_bit_exact(tmp_path, dtype):
    rng = np.random.default_rng(7)
    layers = [(rng.normal(size=(5, 4)).astype(dtype), rng.normal(size=4).astype(dtype)), (rng.normal(size=(4, 3)).astype(dtype), None)]
    layers[0][0][0, 0] = np.nextafter(dtype(1), dtype(2))  # one ulp above 1: survives only a bit-exact format
    net = ng.mlp(layers, ["tanh", "softmax"], name="bits")
    ng.save(net, tmp_path / "bits.npz")
    loaded = ng.load(tmp_path / "bits.npz")
    assert same_graph(net, loaded)
    X = rng.normal(size=(6, 5)).astype(dtype)
    out = loaded.forward(X)
    assert out.dtype == dtype
    np.testing.assert_array_equal(out, net.forward(X))


def test_round_trip_of_unicode_and_quoted_names(tmp_path):
    g = ng.Graph('网络 "q" \'s\'')
    g.input("x₁", 1)
    g.input('t"', 1)
    g.weight("W'1", [[2.0, -1.0]])
    g.weight("b\\1", [0.5, 0.5])
    g.affine("a⁽¹⁾", "x₁", "W'1", "b\\1")
    g.activation("σ{z}", "a⁽¹⁾", "leaky_relu")
    g.weight("V", [[3.0]])
    g.affine("c", 't"', "V")
    ng.save(g, tmp_path / "names.npz")
    loaded = ng.load(tmp_path / "names.npz")
    assert same_graph(g, loaded)
    result = loaded.forward({"x₁": [1.0], 't"': [2.0]})
    np.testing.assert_allclose(result["σ{z}"], [2.5, -0.005])
    np.testing.assert_array_equal(result["c"], [6.0])


def test_round_trip_of_a_custom_activation(tmp_path):
    @ng.register_activation("cube_io_test", definition="a³", symbol="³")
    def cube(a):
        return a**3

    try:
        net = ng.mlp([([[2.0]], None)], "cube_io_test")
        ng.save(net, tmp_path / "cube.npz")
        np.testing.assert_array_equal(ng.load(tmp_path / "cube.npz").forward([1.5]), [27.0])
    finally:
        ng.unregister_activation("cube_io_test")
    with pytest.raises(FormatError, match=r"cube.npz: unknown activation 'cube_io_test'"):
        ng.load(tmp_path / "cube.npz")


def test_saved_file_is_an_ordinary_npz_without_pickles(tmp_path, three_layer):
    path = tmp_path / "net.npz"
    ng.save(three_layer, path)
    with np.load(path, allow_pickle=False) as archive:
        assert sorted(archive.files) == ["graph.json", *(f"weight_{i}" for i in range(6))]
        meta = json.loads(str(archive["graph.json"]))
    assert (meta["format"], meta["version"], meta["name"]) == ("nngraph", 1, "three-layer")
    assert meta["nodes"][3] == {"name": "a1", "kind": "affine", "x": "x", "W": "W1", "b": "b1"}
    assert meta["nodes"][4] == {"name": "z1", "kind": "activation", "source": "a1", "function": "sigmoid"}
    assert sorted(os.listdir(tmp_path)) == ["net.npz"]  # no temporary file left behind


def test_save_is_deterministic(tmp_path, three_layer, monkeypatch):
    import time

    ng.save(three_layer, tmp_path / "first.npz")
    later = time.time() + 3 * 86400
    monkeypatch.setattr(time, "time", lambda: later)
    ng.save(ng.three_layer_network(), tmp_path / "second.npz")
    assert (tmp_path / "first.npz").read_bytes() == (tmp_path / "second.npz").read_bytes()


def test_save_replaces_an_existing_file(tmp_path, three_layer):
    path = tmp_path / "net.npz"
    ng.save(ng.and_gate(), path)
    ng.save(three_layer, path)
    assert ng.load(path).name == "three-layer"


def test_saved_file_respects_the_umask(tmp_path, three_layer):
    umask = os.umask(0o022)
    try:
        ng.save(three_layer, tmp_path / "net.npz")
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "net.npz").stat().st_mode) == 0o644


# -- load: damaged, truncated, hostile .npz files ----------------------------------------


def test_missing_file(tmp_path):
    with pytest.raises(FormatError, match=r"nothing.npz: no such file"):
        ng.load(tmp_path / "nothing.npz")


def test_truncated_npz(tmp_path, three_layer):
    ng.save(three_layer, tmp_path / "net.npz")
    data = (tmp_path / "net.npz").read_bytes()
    for size in (0, 10, len(data) // 2, len(data) - 1):
        (tmp_path / "cut.npz").write_bytes(data[:size])
        with pytest.raises(FormatError, match=r"cut.npz: not a readable .npz archive"):
            ng.load(tmp_path / "cut.npz")


def test_random_bytes(tmp_path):
    (tmp_path / "noise.npz").write_bytes(np.random.default_rng(0).bytes(2000))
    with pytest.raises(FormatError, match=r"noise.npz: not an .npz archive \(NumPy could only read it as a pickle, which nngraph never loads\)"):
        ng.load(tmp_path / "noise.npz")


def test_corrupted_entry_fails_its_checksum(tmp_path, three_layer):
    ng.save(three_layer, tmp_path / "net.npz")
    data = bytearray((tmp_path / "net.npz").read_bytes())
    data[100:140] = bytes(b ^ 0x55 for b in data[100:140])
    (tmp_path / "bad.npz").write_bytes(bytes(data))
    with pytest.raises(FormatError, match=r"bad.npz: not a readable .npz archive \(BadZipFile: Bad CRC-32"):
        ng.load(tmp_path / "bad.npz")


def test_corrupted_compressed_npz(tmp_path):
    np.savez_compressed(tmp_path / "w.npz", W1=np.random.default_rng(0).random((100, 100)))
    data = bytearray((tmp_path / "w.npz").read_bytes())
    data[200:400] = bytes(b ^ 0x55 for b in data[200:400])
    (tmp_path / "w.npz").write_bytes(bytes(data))
    with pytest.raises(FormatError, match=r"w.npz: not (a readable|an) \.npz archive"):
        ng.load_weights(tmp_path / "w.npz", ["W1"])


def test_object_array_is_never_unpickled(tmp_path):
    class Boom:
        def __reduce__(self):
            return (os.system, ("touch " + str(tmp_path / "pwned"),))

    np.savez(tmp_path / "evil.npz", W1=np.array([Boom()], dtype=object), **{"graph.json": np.array(json.dumps(description(X2)))})
    with pytest.raises(FormatError, match=r"evil.npz: holds object arrays, which only pickle can read and nngraph never loads"):
        ng.load(tmp_path / "evil.npz")
    with pytest.raises(FormatError, match=r"evil.npz: holds object arrays"):
        ng.load_weights(tmp_path / "evil.npz", ["W1"])
    assert not (tmp_path / "pwned").exists()


def test_pickle_file_is_refused(tmp_path):
    import pickle

    (tmp_path / "weights.npz").write_bytes(pickle.dumps({"W1": np.ones((2, 2))}))
    with pytest.raises(FormatError, match=r"weights.npz: not (a readable|an) \.npz archive"):
        ng.load(tmp_path / "weights.npz")


def test_single_npy_array_named_npz(tmp_path):
    with open(tmp_path / "single.npz", "wb") as file:
        np.save(file, np.arange(3.0))
    with pytest.raises(FormatError, match=r"single.npz: holds a single array, not a .npz archive"):
        ng.load(tmp_path / "single.npz")


def test_weights_file_without_description(tmp_path):
    np.savez(tmp_path / "weights.npz", W1=np.ones((2, 2)), b1=np.zeros(2))
    with pytest.raises(FormatError, match=r"weights.npz: holds arrays \['W1', 'b1'\] but no nngraph description; a weights file is used through a .toml network"):
        ng.load(tmp_path / "weights.npz")


def test_description_that_is_not_json(tmp_path):
    np.savez(tmp_path / "j.npz", **{"graph.json": np.array("{not json")})
    with pytest.raises(FormatError, match=r"j.npz: its graph description is not valid JSON"):
        ng.load(tmp_path / "j.npz")


@pytest.mark.parametrize(
    ("meta", "message"),
    [
        ([1, 2], r"not an nngraph file \(its description lacks format = 'nngraph'\)"),
        ({"format": "onnx", "version": 1, "nodes": []}, r"not an nngraph file"),
        (description(X2, version=2), r"format version 2 is not supported \(this nngraph reads 1\)"),
        (description(nodes="x"), r"its description has no list of nodes"),
        (description({"kind": "input", "size": 2}), r"node #0 has no name"),
        (description("x"), r"node #0 has no name"),
        (description({"name": 5, "kind": "input", "size": 2}), r"node #0 has no name"),
        (description({"name": "x", "kind": "conv", "size": 2}), r"node 'x' has unknown kind 'conv'; expected one of \[.*'activation', 'affine'.*'input'.*'weight'"),
        (description({"name": "x", "kind": "input", "size": 2, "code": "rm -rf"}), r"input 'x' has unexpected fields \['code'\]"),
        (description(X2, X2), r"node 'x' appears twice"),
        (description({"name": "x", "kind": "input", "size": "2"}), r"input 'x' needs a positive integer size; got '2'"),
        (description(X2, {"name": "W", "kind": "weight", "array": "nope"}), r"weight 'W' refers to array 'nope', which the file does not hold"),
        (description(X2, {"name": "z", "kind": "activation", "source": "q", "function": "relu"}), r"activation 'z' reads its a from 'q', which is not a node of this graph"),
        (description(X2, {"name": "z", "kind": "activation", "source": "x", "function": "sigmod"}), r"unknown activation 'sigmod'; did you mean 'sigmoid'\?"),
        (description(X2, {"name": "z", "kind": "activation", "source": "x", "function": 3}), r"unknown activation 3"),
    ],
)
def test_bad_descriptions(tmp_path, meta, message):
    path = write_description(tmp_path / "hand.npz", meta)
    with pytest.raises(FormatError, match=r"hand.npz: " + message):
        ng.load(path)


def test_shape_errors_in_a_file_name_the_file_and_the_nodes(tmp_path):
    meta = description(
        X2,
        {"name": "W", "kind": "weight", "array": "w"},
        {"name": "a", "kind": "affine", "x": "x", "W": "W", "b": None},
    )
    path = write_description(tmp_path / "shape.npz", meta, {"w": np.ones((3, 1))})
    with pytest.raises(FormatError, match=r"shape.npz: affine 'a' cannot multiply x \(N×2\) by W \(3×1\): inner sizes 2 ≠ 3"):
        ng.load(path)


def test_string_weight_array_in_a_file(tmp_path):
    meta = description(X2, {"name": "W", "kind": "weight", "array": "w"})
    path = write_description(tmp_path / "s.npz", meta, {"w": np.array(["a", "b"])})
    with pytest.raises(FormatError, match=r"s.npz: weight 'W' must hold real numbers"):
        ng.load(path)


@pytest.mark.parametrize(
    "node",
    [
        {"name": "z", "kind": "activation", "source": ["x"], "function": "relu"},
        {"name": "z", "kind": "activation", "source": {"a": "x"}, "function": "relu"},
        {"name": "W", "kind": "weight", "array": ["w"]},
    ],
)
def test_reference_of_the_wrong_json_type(tmp_path, node):
    path = write_description(tmp_path / "types.npz", description(X2, node), {"w": np.ones(2)})
    with pytest.raises(FormatError, match=r"types.npz: "):
        ng.load(path)


def test_graph_name_of_the_wrong_json_type(tmp_path):
    path = write_description(tmp_path / "name.npz", description(X2, name=["n"]))
    with pytest.raises(FormatError, match=r"name.npz: "):
        ng.load(path)


def test_cycle_in_a_file_is_named(tmp_path):
    meta = description(
        X2,
        {"name": "p", "kind": "activation", "source": "q", "function": "relu"},
        {"name": "q", "kind": "activation", "source": "p", "function": "relu"},
    )
    path = write_description(tmp_path / "loop.npz", meta)
    with pytest.raises(FormatError, match=r"loop.npz: its nodes form a cycle p → q → p; a network must be acyclic"):
        ng.load(path)


def test_longer_cycle_through_an_affine_is_named(tmp_path):
    meta = description(
        X2,
        {"name": "W", "kind": "weight", "array": "w"},
        {"name": "a", "kind": "affine", "x": "z", "W": "W", "b": None},
        {"name": "z", "kind": "activation", "source": "a", "function": "relu"},
    )
    path = write_description(tmp_path / "loop.npz", meta, {"w": np.ones((2, 2))})
    with pytest.raises(FormatError, match=r"loop.npz: its nodes form a cycle (a → z → a|z → a → z)"):
        ng.load(path)


def test_self_loop_is_named(tmp_path):
    meta = description(X2, {"name": "s", "kind": "activation", "source": "s", "function": "relu"})
    with pytest.raises(FormatError, match=r"its nodes form a cycle s → s"):
        ng.load(write_description(tmp_path / "self.npz", meta))


def test_nodes_may_be_listed_in_any_order(tmp_path, book_x):
    meta = description(
        {"name": "y", "kind": "activation", "source": "a", "function": "sigmoid"},
        {"name": "a", "kind": "affine", "x": "x", "W": "W", "b": "b"},
        {"name": "b", "kind": "weight", "array": "b"},
        {"name": "W", "kind": "weight", "array": "W"},
        X2,
    )
    arrays = {"W": np.array([[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]]), "b": np.array([0.1, 0.2, 0.3])}
    loaded = ng.load(write_description(tmp_path / "any.npz", meta, arrays))
    assert_book_values(loaded.forward(book_x), BOOK_VALUES["z1"])


# -- load_weights -------------------------------------------------------------------


def test_load_weights_from_a_file(tmp_path):
    np.savez(tmp_path / "w.npz", W1=np.ones((2, 3), dtype=np.float32), b1=np.zeros(3))
    arrays = ng.load_weights(tmp_path / "w.npz", ["W1", "b1"])
    assert list(arrays) == ["W1", "b1"] and arrays["W1"].dtype == np.float32


def test_load_weights_missing_key(tmp_path):
    np.savez(tmp_path / "w.npz", W1=np.ones((2, 3)), extra=np.zeros(1))
    with pytest.raises(FormatError, match=r"w.npz: missing b1, W2; it holds \['W1', 'extra'\]"):
        ng.load_weights(tmp_path / "w.npz", ["W1", "b1", "W2"])


def test_load_weights_missing_file(tmp_path):
    with pytest.raises(FormatError, match=r"gone.npz: no such file"):
        ng.load_weights(tmp_path / "gone.npz", ["W1"])


def test_mnist_network_from_a_damaged_file(tmp_path):
    (tmp_path / "w.npz").write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(FormatError, match=r"w.npz: not (a readable|an) \.npz archive"):
        ng.mnist_network(ng.load_weights(tmp_path / "w.npz"))


# -- TOML ---------------------------------------------------------------------------


def test_toml_with_inline_weights(tmp_path, book_x):
    path = tmp_path / "three.toml"
    path.write_text(THREE_LAYER_TOML, encoding="utf-8")
    net = ng.load(path)
    assert net.name == "three-layer (TOML)"
    assert net.names == ng.three_layer_network().names
    for step in net.steps(book_x):
        assert_book_values(step.output, BOOK_VALUES[step.node])


def test_toml_with_a_weights_file_beside_it(tmp_path):
    (tmp_path / "sub").mkdir()
    np.savez(tmp_path / "sub" / "w.npz", first=np.array([[1.0, -1.0]], dtype=np.float32), bias=np.array([0.5, 0.5], dtype=np.float32))
    path = tmp_path / "sub" / "net.toml"
    path.write_text(
        'weights = "w.npz"\n[input]\nname = "pixels"\n'
        '[[layers]]\nW = "first"\nb = "bias"\nactivation = "relu"\n'
        '[[layers]]\nW = [[1.0], [1.0]]\nactivation = "identity"\n',
        encoding="utf-8",
    )
    net = ng.load(path)
    assert net.name == "net"  # the file's stem
    assert net.names == ("pixels", "W1", "b1", "a1", "z1", "W2", "a2", "y")
    assert net["W1"].value.dtype == np.float32 and net["a2"].b is None
    np.testing.assert_allclose(net.forward([2.0]), [2.5])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name = \n", r"not valid TOML: Invalid value"),
        ("[[layers]\nW = 1\n", r"not valid TOML"),
        ('nmae = "x"\n[[layers]]\nW = [[1.0]]\nactivation = "relu"\n', r"unexpected keys \['nmae'\]; expected name, weights, input, \[\[layers\]\]"),
        ('name = "x"\n', r"no \[\[layers\]\] tables; each layer needs W, b and activation"),
        ("layers = [1, 2]\n", r"layer 1 is not a table"),
        ('[[layers]]\nW = [[1.0]]\nactivation = "relu"\nbias = [1.0]\n', r"layer 1 has unexpected keys \['bias'\]; expected W, b, activation"),
        ("[[layers]]\nW = [[1.0]]\n", r"layer 1 needs W and activation"),
        ('[[layers]]\nW = "W1"\nactivation = "relu"\n', r"layer 1 names array 'W1' but the file sets no weights"),
        ('[[layers]]\nW = [[1.0]]\nactivation = "sigmod"\n', r"unknown activation 'sigmod'; did you mean 'sigmoid'\?"),
        ('[[layers]]\nW = [[1.0, 2.0]]\nactivation = "relu"\n[[layers]]\nW = [[1.0]]\nactivation = "relu"\n', r"affine 'a2' cannot multiply z1 \(N×2\) by W2 \(1×1\)"),
        ('[[layers]]\nW = [[1.0]]\nb = [1.0, 2.0]\nactivation = "relu"\n', r"affine 'a1' cannot add b1 \(2,\) to x·W1 \(N×1\)"),
        ('[[layers]]\nW = [["a"]]\nactivation = "relu"\n', r"W1 must hold real numbers"),
    ],
)
def test_bad_toml(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FormatError, match=r"bad.toml: " + message):
        ng.load(path)


def test_toml_that_is_not_utf8(tmp_path):
    (tmp_path / "latin.toml").write_bytes(b'name = "caf\xe9"\n')
    with pytest.raises(FormatError, match=r"latin.toml: not valid TOML: 'utf-8' codec can't decode"):
        ng.load(tmp_path / "latin.toml")


def test_toml_weights_key_missing_from_the_weights_file(tmp_path):
    np.savez(tmp_path / "w.npz", W1=np.ones((1, 1)))
    (tmp_path / "net.toml").write_text('weights = "w.npz"\n[[layers]]\nW = "W9"\nactivation = "relu"\n', encoding="utf-8")
    with pytest.raises(FormatError, match=r"net.toml: layer 1 names array 'W9', not in the weights file \(it holds \['W1'\]\)"):
        ng.load(tmp_path / "net.toml")


def test_toml_weights_file_missing_or_damaged(tmp_path):
    (tmp_path / "net.toml").write_text('weights = "w.npz"\n[[layers]]\nW = "W1"\nactivation = "relu"\n', encoding="utf-8")
    with pytest.raises(FormatError, match=r"w.npz: no such file"):
        ng.load(tmp_path / "net.toml")
    (tmp_path / "w.npz").write_bytes(b"garbage")
    with pytest.raises(FormatError, match=r"w.npz: not (a readable|an) \.npz archive"):
        ng.load(tmp_path / "net.toml")


def test_toml_unknown_keys_in_the_input_table(tmp_path):
    (tmp_path / "net.toml").write_text('[input]\nnmae = "pixels"\n[[layers]]\nW = [[1.0]]\nactivation = "relu"\n', encoding="utf-8")
    with pytest.raises(FormatError, match=r"net.toml: .*nmae"):
        ng.load(tmp_path / "net.toml")


def test_toml_is_never_executed(tmp_path):
    (tmp_path / "net.toml").write_text(
        'name = "__import__(\'os\').system(\'touch pwned\')"\n[[layers]]\nW = [[1.0]]\nactivation = "identity"\n',
        encoding="utf-8",
    )
    net = ng.load(tmp_path / "net.toml")
    assert net.name.startswith("__import__")
    assert not (tmp_path / "pwned").exists() and not os.path.exists("pwned")


def test_load_of_a_zip_that_is_not_npz(tmp_path):
    with zipfile.ZipFile(tmp_path / "z.npz", "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(FormatError, match=r"z.npz: holds arrays \['readme.txt'\] but no nngraph description"):
        ng.load(tmp_path / "z.npz")


# -- files written safely, only regular files read ------------------------------------------


def test_resaving_a_private_file_keeps_it_private(tmp_path, three_layer):
    path = tmp_path / "net.npz"
    ng.save(ng.and_gate(), path)
    os.chmod(path, 0o600)
    ng.save(three_layer, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert ng.load(path).name == "three-layer"


@pytest.mark.parametrize("umask, mode", [(0o077, 0o600), (0o022, 0o644), (0o002, 0o664)])
def test_a_new_file_follows_the_live_umask(tmp_path, three_layer, umask, mode):
    previous = os.umask(umask)
    try:
        ng.save(three_layer, tmp_path / "net.npz")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "net.npz").stat().st_mode) == mode


def test_a_failing_write_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "note.txt"
    path.write_bytes(b"old")

    def fail(file):
        file.write(b"half")
        raise RuntimeError("renderer crashed")

    with pytest.raises(RuntimeError, match="renderer crashed"):
        ng.io.write_atomically(path, fail)
    assert list(tmp_path.iterdir()) == [path]
    assert path.read_bytes() == b"old"


def test_a_full_disk_names_the_target_not_the_temporary(tmp_path):
    import errno

    path = tmp_path / "note.txt"
    path.write_bytes(b"old")

    def full(file):
        raise OSError(errno.ENOSPC, "No space left on device", file.name)

    with pytest.raises(FormatError, match=r"note.txt: cannot be written \(No space left on device\)") as caught:
        ng.io.write_atomically(path, full)
    assert ".tmp" not in str(caught.value)
    assert list(tmp_path.iterdir()) == [path]
    assert path.read_bytes() == b"old"


def test_permission_denied_is_an_nngraph_error_naming_the_target(tmp_path, three_layer, monkeypatch):
    import errno

    real_open = os.open

    def denied(name, *args, **kwargs):  # root ignores folder modes, so deny as the kernel would
        if str(name).startswith(str(tmp_path)):
            raise PermissionError(errno.EACCES, "Permission denied", name)
        return real_open(name, *args, **kwargs)

    monkeypatch.setattr(os, "open", denied)
    with pytest.raises(ng.errors.NNGraphError, match=r"net.npz: cannot be written \(Permission denied\)") as caught:
        ng.save(three_layer, tmp_path / "net.npz")
    assert isinstance(caught.value, FormatError) and ".tmp" not in str(caught.value)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root may write into any folder")
def test_an_unwritable_folder_is_an_nngraph_error(tmp_path, three_layer):
    folder = tmp_path / "locked"
    folder.mkdir()
    os.chmod(folder, 0o500)
    try:
        with pytest.raises(FormatError, match=r"locked/net.npz: cannot be written \(Permission denied\)"):
            ng.save(three_layer, folder / "net.npz")
    finally:
        os.chmod(folder, 0o700)
    assert list(folder.iterdir()) == []


def test_saving_over_a_named_pipe_is_refused(tmp_path, three_layer):
    fifo = tmp_path / "net.npz"
    os.mkfifo(fifo)
    with pytest.raises(FormatError, match=r"net.npz: is a named pipe; nngraph only writes regular files"):
        ng.save(three_layer, fifo)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode) and list(tmp_path.iterdir()) == [fifo]


@pytest.mark.parametrize("name", ["net.npz", "net.toml", "net"])
def test_loading_a_named_pipe_is_refused_at_once(tmp_path, within_five_seconds, name):
    os.mkfifo(tmp_path / name)
    with pytest.raises(FormatError, match=rf"{name}: is a named pipe; it must be a regular file"):
        ng.load(tmp_path / name)


def test_weights_from_a_named_pipe_are_refused_at_once(tmp_path, within_five_seconds):
    os.mkfifo(tmp_path / "w.npz")
    (tmp_path / "net.toml").write_text('weights = "w.npz"\n[[layers]]\nW = "W1"\nactivation = "relu"\n', encoding="utf-8")
    with pytest.raises(FormatError, match=r"w.npz: is a named pipe; it must be a regular file"):
        ng.load(tmp_path / "net.toml")
    with pytest.raises(FormatError, match=r"w.npz: is a named pipe; it must be a regular file"):
        ng.load_weights(tmp_path / "w.npz")


@pytest.mark.parametrize("device", ["/dev/null", "/dev/zero"])
def test_a_device_is_not_a_network_file(device, within_five_seconds):
    with pytest.raises(FormatError, match=rf"^{device}: is a character device; it must be a regular file$"):
        ng.load(device)
    with pytest.raises(FormatError, match=rf"^{device}: is a character device; it must be a regular file$"):
        ng.load_weights(device)


@pytest.mark.parametrize("where", ["/abs", "..", "link"])
def test_a_toml_network_reads_only_files_in_its_own_folder(tmp_path, where):
    inside, outside = tmp_path / "net", tmp_path / "secret"
    inside.mkdir()
    outside.mkdir()
    np.savez(outside / "w.npz", W1=np.ones((2, 1)), private_key=np.zeros(1))
    (inside / "link.npz").symlink_to(outside / "w.npz")
    name = {"/abs": str(outside / "w.npz"), "..": "../secret/w.npz", "link": "link.npz"}[where]
    toml = inside / "net.toml"
    toml.write_text(f'weights = "{name}"\n[[layers]]\nW = "W1"\nactivation = "relu"\n', encoding="utf-8")
    with pytest.raises(ng.FormatError, match=r"lies outside the network file's folder.*allow_outside=True") as caught:
        ng.load(toml)
    assert "private_key" not in str(caught.value) and "W1" not in str(caught.value)  # nothing of the file shown
    assert ng.load(toml, allow_outside=True).forward([1.0, 2.0]).tolist() == [3.0]


def test_the_command_line_refuses_weights_outside_unless_allowed(tmp_path, capsys):
    from nngraph.cli import main

    (tmp_path / "net").mkdir()
    np.savez(tmp_path / "w.npz", W1=np.ones((2, 1)))
    toml = tmp_path / "net" / "net.toml"
    toml.write_text('weights = "../w.npz"\n[[layers]]\nW = "W1"\nactivation = "relu"\n', encoding="utf-8")
    assert main(["run", str(toml), "--input", "1,2"]) == 1
    assert "outside the network file's folder" in capsys.readouterr().err
    assert main(["run", str(toml), "--input", "1,2", "--allow-outside"]) == 0
    assert capsys.readouterr().out.strip() == "[3.0]"
