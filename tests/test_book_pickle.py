"""The book's sample_weight.pkl, read by an allow-list unpickler; hostile pickles run nothing."""

import builtins
import io
import os
import pickle
import struct
import subprocess

import numpy as np
import pytest

import nngraph as ng
from nngraph.book_pickle import MAX_BYTES, Unpickler, load_book_pickle, read_book_pickle
from nngraph.errors import FormatError

BOOK_KEYS = ["W1", "b1", "W2", "b2", "W3", "b3"]


@pytest.fixture(scope="session")
def book_pickle_path(data_dir):
    path = data_dir / "sample_weight.pkl"
    if not path.is_file():
        pytest.skip(f"no {path.name} in {data_dir}")
    return path


def pickled(value, protocol=3) -> bytes:
    return pickle.dumps(value, protocol=protocol)


def refused(data: bytes, match: str):
    with pytest.raises(FormatError, match=match):
        read_book_pickle(data, "hostile.pkl")


class Payload:
    """Unpickling this calls ``function(*arguments)``: what an attacker's pickle does."""

    def __init__(self, function, *arguments):
        self.function, self.arguments = function, arguments

    def __reduce__(self):
        return self.function, self.arguments


# -- the book's own file ----------------------------------------------------------


def test_the_books_pickle_holds_the_same_arrays_as_the_npz(book_pickle_path, mnist_weights_path):
    from_pickle = ng.load_weights(book_pickle_path)
    from_npz = ng.load_weights(mnist_weights_path)
    assert sorted(from_pickle) == sorted(BOOK_KEYS)
    for key in BOOK_KEYS:
        assert from_pickle[key].dtype == np.float32 and from_pickle[key].shape == from_npz[key].shape
        assert from_pickle[key].tobytes() == from_npz[key].tobytes()


def test_the_books_pickle_names_only_the_old_numpy_globals(book_pickle_path):
    import pickletools

    names = [argument for opcode, argument, _ in pickletools.genops(book_pickle_path.read_bytes()) if opcode.name == "GLOBAL"]
    assert names == ["numpy.core.multiarray _reconstruct", "numpy ndarray", "numpy dtype"]


def test_mnist_network_from_the_books_pickle_gives_the_books_accuracy(book_pickle_path, mnist_test_set):
    images, labels = mnist_test_set
    net = ng.mnist_network(ng.load_weights(book_pickle_path))
    predicted = np.argmax(net.forward(images), axis=1)
    assert np.mean(predicted == labels) == 0.9352


@pytest.mark.parametrize("protocol", [3, 4])
@pytest.mark.parametrize("dtype", ["float32", "float64", ">f8", "float16", "int8", "<i4", ">u2", "uint64", "bool"])
def test_arrays_of_real_dtypes_come_back_exactly_in_native_byte_order(protocol, dtype):
    value = np.arange(12).reshape(3, 4).astype(dtype)
    arrays = read_book_pickle(pickled({"W": value, "F": np.asfortranarray(value), "s": np.array(value[0, 0])}, protocol), "w.pkl")
    for key in ("W", "F"):
        assert arrays[key].dtype == value.dtype.newbyteorder("=") and arrays[key].dtype.isnative
        assert np.array_equal(arrays[key], value) and arrays[key].flags.c_contiguous
    assert arrays["s"].shape == ()


def test_an_empty_dict_is_no_arrays():
    assert read_book_pickle(pickled({}), "w.pkl") == {}


# -- hostile pickles: refused, and nothing runs -------------------------------------


@pytest.mark.parametrize("protocol", range(0, pickle.HIGHEST_PROTOCOL + 1))
def test_a_payload_that_would_create_a_file_creates_nothing(tmp_path, protocol):
    target = tmp_path / "pwned"
    payloads = [
        Payload(os.system, f"touch {target}"),
        Payload(builtins.open, str(target), "w"),
        Payload(subprocess.call, ["touch", str(target)]),
        Payload(builtins.exec, f"open({str(target)!r}, 'w')"),
    ]
    for payload in payloads:
        data = pickled({"W1": np.zeros(2), "evil": payload}, protocol)
        with pytest.raises(FormatError, match="refused: it names the global"):
            read_book_pickle(data, "hostile.pkl")
        path = tmp_path / f"hostile{protocol}.pkl"
        path.write_bytes(data)
        with pytest.raises(FormatError, match=f"{path}: refused"):
            ng.load_weights(path)
        assert not target.exists()


@pytest.mark.parametrize(
    "payload, name",
    [(Payload(os.system, "true"), "posix.system"), (Payload(builtins.eval, "1"), "builtins.eval"), (Payload(getattr, "text", "upper"), "builtins.getattr")],
)
def test_globals_other_than_numpys_three_are_named_and_refused(payload, name):
    refused(pickled(payload), f"it names the global {name}; a weights file may only name numpy's _reconstruct, ndarray and dtype")


def test_other_numpy_globals_are_refused_too():
    refused(pickled({"W": np.ma.masked_array([1.0, 2.0])}), "it names the global numpy.ma.core")
    refused(pickled({"W": np.zeros(2)}, protocol=5), r"it names the global numpy._core.numeric._frombuffer")
    refused(pickled({"W": np.zeros(2)}, protocol=2), r"it names the global _codecs.encode.*protocol 3 or 4")


@pytest.mark.parametrize(
    "value, match",
    [
        (np.array([1, "a", None], dtype=object), "it declares dtype 'O8'"),
        (np.array(["ab", "c"]), "it declares dtype 'U2'"),
        (np.zeros(2, dtype=[("a", "f4"), ("b", "i4")]), "it declares dtype 'V8'"),
        (np.array(["2024-01-01"], dtype="datetime64[D]"), "it declares dtype 'M8'"),
        (np.zeros(2, dtype=complex), "it declares dtype 'c16'"),
    ],
)
def test_arrays_that_are_not_of_real_numbers_are_refused(value, match):
    refused(pickled({"W": value}), match)


@pytest.mark.parametrize(
    "value, match",
    [
        ([np.zeros(2)], "it holds a list, not a dict"),
        (np.zeros(2), "it holds a _ArrayRecord, not a dict"),
        (42, "it holds a int, not a dict"),
        ({"W": [[1.0, 2.0], [3.0, 4.0]]}, "'W' holds a list, not a NumPy array"),
        ({"W": {"inner": np.zeros(2)}}, "'W' holds a dict, not a NumPy array"),
        ({"W": "weights"}, "'W' holds a str, not a NumPy array"),
        ({"W": {1, 2}}, "it names the global builtins.set"),
        ({1: np.zeros(2)}, "it has the key 1; keys must be names"),
        ({("W",): np.zeros(2)}, r"it has the key \('W',\)"),
    ],
)
def test_anything_but_a_dict_of_names_to_arrays_is_refused(value, match):
    refused(pickled(value), match)


def test_a_set_made_without_a_global_is_refused():
    refused(pickled({"W": {1, 2}}, protocol=4), "'W' holds a set, not a NumPy array")


def array_pickle(data: bytes) -> bytes:
    """{"W": a float64 array of shape (2,)} in protocol 3, with ``data`` (opcodes) as its contents."""
    dtype = b"cnumpy\ndtype\nX\x02\x00\x00\x00f8K\x00K\x01\x87R(K\x03X\x01\x00\x00\x00<NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb"
    array = b"cnumpy.core.multiarray\n_reconstruct\ncnumpy\nndarray\nK\x00\x85C\x01b\x87R(K\x01K\x02\x85" + dtype + b"\x89" + data + b"tb"
    return b"\x80\x03}(X\x01\x00\x00\x00W" + array + b"u."


def test_an_array_whose_data_is_a_list_of_objects_is_refused():
    raw = np.array([1.0, 2.0]).tobytes()
    assert np.array_equal(read_book_pickle(array_pickle(b"C\x10" + raw), "w.pkl")["W"], [1.0, 2.0])
    as_list = b"]G?\xf0\x00\x00\x00\x00\x00\x00aG@\x00\x00\x00\x00\x00\x00\x00a"
    refused(array_pickle(as_list), r"an array's data is a list of Python objects \(an object array\), not raw bytes")


def test_a_huge_declared_shape_allocates_nothing():
    data = pickled({"W": np.zeros(1)})
    huge = data.replace(b"K\x01\x85", b"\x8a\x08" + (10**18).to_bytes(8, "little") + b"\x85")  # shape (1,) → (10**18,)
    assert huge != data
    refused(huge, r"declares shape \(1000000000000000000,\) of f8 \(8,000,000,000,000,000,000 bytes\) but holds 8 bytes")


def test_declared_lengths_beyond_the_end_of_the_file_are_refused_before_unpickling():
    refused(b"\x80\x04\x8e" + struct.pack("<Q", 2**62) + b"xx.", "expected 4611686018427387904 bytes in a bytes8, but only 3 remain")
    refused(b"\x80\x04\x95" + struct.pack("<Q", 2**40) + b"}.", "a frame of 1,099,511,627,776 bytes")
    refused(b"\x80\x03}r" + struct.pack("<I", 2**31) + b".", "memo index 2,147,483,648")
    refused(pickled({}) + b"extra", "5 bytes after the end of the pickle")


def test_a_file_bigger_than_the_limit_is_refused_unread(tmp_path):
    path = tmp_path / "big.pkl"
    with open(path, "wb") as file:
        file.truncate(MAX_BYTES + 1)
    with pytest.raises(FormatError, match="more than the 268,435,456 a weights pickle may have"):
        load_book_pickle(path)


def test_persistent_ids_are_refused():
    class WithIds(pickle.Pickler):
        def persistent_id(self, obj):
            return "secret" if isinstance(obj, str) and obj == "W" else None

    buffer = io.BytesIO()
    WithIds(buffer, protocol=3).dump({"W": np.zeros(1)})
    refused(buffer.getvalue(), "refers to a persistent object")


def test_numpy_names_used_other_than_an_array_pickle_uses_them_are_refused():
    refused(b"cnumpy\nndarray\n(K\x02tR.", "calls numpy.ndarray directly")
    refused(b"cnumpy.core.multiarray\n_reconstruct\n(K\x01K\x02K\x03tR.", "arguments other than those of a plain array")
    refused(b"cnumpy\ndtype\n(S'f8'\nI0\nI1\ntR(I3\nS'<'\ntb.", "not that of a plain number type")
    refused(b"cnumpy\nndarray\n}b.", "gives numpy.ndarray itself a state")
    refused(b"\x80\x02cnumpy\ndtype\n)\x81.", "NEWOBJ class argument must be a type")


def test_damaged_pickles_are_format_errors():
    refused(b"", "not a readable pickle")
    refused(pickled({"W": np.zeros(3)})[:-10], "not a readable pickle")
    refused(b"\x80\x03]q\x00.", "it holds a list")


def test_the_unpickler_refuses_by_overriding_find_class():
    assert Unpickler.find_class is not pickle.Unpickler.find_class
    assert Unpickler.persistent_load is not getattr(pickle.Unpickler, "persistent_load", None)


# -- converting and the command line -----------------------------------------------


def test_convert_writes_an_npz_the_mnist_network_reads(book_pickle_path, mnist_weights_path, tmp_path, capsys):
    from nngraph.cli import main

    target = tmp_path / "book.npz"
    assert main(["convert", str(book_pickle_path), str(target)]) == 0
    assert capsys.readouterr().out == f"wrote {target} (W1, W2, W3, b1, b2, b3)\n"
    converted, original = np.load(target, allow_pickle=False), np.load(mnist_weights_path, allow_pickle=False)
    assert sorted(converted.files) == sorted(original.files)
    assert all(converted[key].tobytes() == original[key].tobytes() and converted[key].dtype == original[key].dtype for key in BOOK_KEYS)


def test_convert_refuses_a_hostile_pickle_and_writes_nothing(tmp_path, capsys):
    from nngraph.cli import main

    source, target = tmp_path / "evil.pkl", tmp_path / "out.npz"
    source.write_bytes(pickled({"W": Payload(os.system, f"touch {tmp_path / 'pwned'}")}))
    assert main(["convert", str(source), str(target)]) == 1
    assert "refused: it names the global posix.system" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["evil.pkl"]


def test_convert_needs_an_npz_target(tmp_path, capsys):
    from nngraph.cli import main

    assert main(["convert", "w.pkl", str(tmp_path / "w.onnx")]) == 1
    assert "weights are written as .npz; name it w.npz" in capsys.readouterr().err


def test_convert_refuses_a_network_file(tmp_path, capsys, three_layer):
    from nngraph.cli import main

    ng.save(three_layer, tmp_path / "net.npz")
    assert main(["convert", str(tmp_path / "net.npz"), str(tmp_path / "out.npz")]) == 1
    assert "net.npz: an nngraph network, not a weights file" in capsys.readouterr().err
    assert not (tmp_path / "out.npz").exists()


def test_load_points_a_pickle_to_load_weights(tmp_path):
    path = tmp_path / "w.pkl"
    path.write_bytes(pickled({"W": np.zeros(1)}))
    with pytest.raises(FormatError, match=r"w.pkl: a pickle of weights, not a network; read it with nngraph.load_weights\(path\)"):
        ng.load(path)


def test_the_cli_runs_the_books_network_from_its_pickle_at_accuracy_0_9352(book_pickle_path, data_dir, capsys):
    from nngraph.cli import main

    images, labels = data_dir / "t10k-images-idx3-ubyte.gz", data_dir / "t10k-labels-idx1-ubyte.gz"
    if not (images.is_file() and labels.is_file()):
        pytest.skip(f"no MNIST test set in {data_dir}")
    argv = ["run", "mnist", "--weights", str(book_pickle_path), "--input", str(images), "--labels", str(labels)]
    assert main(argv) == 0
    assert capsys.readouterr().out == "accuracy: 0.9352 (10,000 samples)\n"


@pytest.mark.filterwarnings("error")
def test_a_stray_backslash_in_an_old_string_is_refused_even_when_warnings_are_errors():
    refused(b"S'\\|'\np0\n.", "it holds a str|not a readable pickle")  # found by the fuzzer: pickletools warns on '\|'
