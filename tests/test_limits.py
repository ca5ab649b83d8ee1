"""Limits checked before memory is taken: .npy and zip sizes, IDX headers, gzip streams, nesting depth.

Each refusal is one FormatError naming the file, what it declares, the limit and
the environment variable that raises it. Small limits (set per test) keep the
hostile files small; ``tracemalloc`` (which sees NumPy's buffers) shows that
memory stays bounded.
"""

import gzip
import io
import json
import struct
import tracemalloc
import zipfile
import zlib

import numpy as np
import pytest

import nngraph as ng
from nngraph.errors import FormatError

MiB = 1 << 20


def npy(array) -> bytes:
    """``array`` in the .npy format, as numpy.save writes it."""
    out = io.BytesIO()
    np.lib.format.write_array(out, np.asanyarray(array), allow_pickle=False)
    return out.getvalue()


def npy_header(header: str, version=(1, 0)) -> bytes:
    """A hand-written .npy header (the magic, the length, the dict text), padded as NumPy pads it."""
    text = header.encode("latin1")
    prefix = 10 if version == (1, 0) else 12
    text += b" " * (-(prefix + len(text) + 1) % 64) + b"\n"
    size = struct.pack("<H" if version == (1, 0) else "<I", len(text))
    return b"\x93NUMPY" + bytes(version) + size + text


def write_zip(path, members: dict[str, bytes], compress=zipfile.ZIP_STORED):
    with zipfile.ZipFile(path, "w", compression=compress) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


# Where a zip's local (PK 3 4) and central (PK 1 2) headers keep the compressed size,
# the uncompressed size and the member's name.
ZIP_HEADERS = {b"PK\x03\x04": (18, 22, 30), b"PK\x01\x02": (20, 24, 46)}


def set_declared_size(path, name: str, size: int, compressed: int | None = None):
    """Make the zip at ``path`` declare ``size`` uncompressed (and ``compressed``) bytes for member ``name``."""
    data = bytearray(path.read_bytes())
    encoded = name.encode()
    for signature, (compressed_at, size_at, name_at) in ZIP_HEADERS.items():
        start = 0
        while (start := data.find(signature, start)) >= 0:
            if data[start + name_at : start + name_at + len(encoded)] == encoded:
                data[start + size_at : start + size_at + 4] = struct.pack("<I", size)
                if compressed is not None:
                    data[start + compressed_at : start + compressed_at + 4] = struct.pack("<I", compressed)
            start += 4
    path.write_bytes(bytes(data))


def add_member(path, name: str, data: bytes):
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, data)


def peak_memory(function, *args):
    """The most memory Python and NumPy held at once while ``function(*args)`` ran, in bytes."""
    tracemalloc.start()
    try:
        function(*args)
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak


def refusal_peak(pattern: str, function, *args) -> int:
    """Check that ``function(*args)`` raises a FormatError matching ``pattern``; the peak memory it took."""

    def refused():
        with pytest.raises(FormatError, match=pattern):
            function(*args)

    return peak_memory(refused)


def idx_header(code: int, shape) -> bytes:
    return bytes([0, 0, code, len(shape)]) + struct.pack(f">{len(shape)}I", *shape)


# -- .npz: sizes declared by .npy headers and zip members -----------------------------------


def test_an_array_over_the_limit_is_refused_naming_member_size_and_variable(tmp_path, monkeypatch):
    np.savez(tmp_path / "w.npz", W1=np.zeros(1000))
    monkeypatch.setenv("NNGRAPH_MAX_BYTES", "4000")
    with pytest.raises(FormatError, match=r"^\S*w.npz: array 'W1' declares 7.8 KiB \(8000 bytes\), over the limit of 3.9 KiB \(4000 bytes\); to read it, set NNGRAPH_MAX_BYTES=8000 \(or more\)$"):
        ng.load_weights(tmp_path / "w.npz", ["W1"])
    monkeypatch.setenv("NNGRAPH_MAX_BYTES", "8000")
    assert ng.load_weights(tmp_path / "w.npz", ["W1"])["W1"].shape == (1000,)


def test_braces_in_a_member_name_are_shown_as_they_are(tmp_path, monkeypatch):
    np.savez(tmp_path / "w.npz", **{"{0}{amount}": np.zeros(1000)})
    monkeypatch.setenv("NNGRAPH_MAX_BYTES", "4000")
    with pytest.raises(FormatError, match=r"w.npz: array '\{0\}\{amount\}' declares 7.8 KiB \(8000 bytes\), over the limit"):
        ng.load_weights(tmp_path / "w.npz", ["{0}{amount}"])


def test_the_limit_takes_units(tmp_path, monkeypatch):
    np.savez(tmp_path / "w.npz", W1=np.zeros(1000))
    monkeypatch.setenv("NNGRAPH_MAX_BYTES", "7KiB")
    with pytest.raises(FormatError, match=r"over the limit of 7.0 KiB \(7168 bytes\)"):
        ng.load_weights(tmp_path / "w.npz", ["W1"])
    monkeypatch.setenv("NNGRAPH_MAX_BYTES", "1 MiB")
    assert ng.load_weights(tmp_path / "w.npz", ["W1"])["W1"].shape == (1000,)


def test_a_limit_that_is_not_a_size_is_refused(tmp_path, monkeypatch):
    np.savez(tmp_path / "w.npz", W1=np.zeros(3))
    monkeypatch.setenv("NNGRAPH_MAX_BYTES", "lots")
    with pytest.raises(FormatError, match=r"NNGRAPH_MAX_BYTES='lots' is not a size; give a number of bytes, e.g. NNGRAPH_MAX_BYTES=2GiB"):
        ng.load_weights(tmp_path / "w.npz", ["W1"])


def test_the_default_limit_is_one_gibibyte(tmp_path):
    # 2 GiB declared by the .npy header and by the zip, the data itself absent:
    # refused before anything is allocated.
    header = npy_header("{'descr': '<f8', 'fortran_order': False, 'shape': (268435456,), }")
    path = write_zip(tmp_path / "big.npz", {"W1.npy": header + bytes(64)})
    set_declared_size(path, "W1.npy", len(header) + 8 * 268435456, compressed=len(header) + 8 * 268435456)
    message = r"big.npz: array 'W1' declares 2.0 GiB \(2147483648 bytes\), over the limit of 1.0 GiB \(1073741824 bytes\); to read it, set NNGRAPH_MAX_BYTES=2147483648"
    assert refusal_peak(message, ng.load_weights, path, ["W1"]) < 4 * MiB


def test_arrays_are_limited_in_total(tmp_path, monkeypatch):
    np.savez(tmp_path / "w.npz", W1=np.zeros(400), W2=np.zeros(400))
    monkeypatch.setenv("NNGRAPH_MAX_BYTES", "5000")
    assert ng.load_weights(tmp_path / "w.npz", ["W1"])["W1"].shape == (400,)
    message = r"w.npz: array 'W2' \(3.1 KiB\) brings the arrays read from this file to 6.2 KiB \(6400 bytes\), over the limit of 4.9 KiB \(5000 bytes\)"
    with pytest.raises(FormatError, match=message + r"; to read them, set NNGRAPH_MAX_BYTES=6400 \(or more\)"):
        ng.load_weights(tmp_path / "w.npz", ["W1", "W2"])


def test_a_zip_member_declaring_more_than_its_array_is_refused(tmp_path):
    # The .npy header says 24 bytes; the zip says 4 GiB. Never mind which lies: the file is damaged.
    path = write_zip(tmp_path / "w.npz", {"W1.npy": npy(np.zeros(3))})
    set_declared_size(path, "W1.npy", 0xFFFFFFF0)
    with pytest.raises(FormatError, match=r"w.npz: member 'W1.npy' is damaged: its .npy header declares shape \(3,\) of float64 \(24 bytes of data\) but the zip member holds 4294967152 bytes of data"):
        ng.load_weights(path, ["W1"])


def test_a_compressed_member_declaring_more_than_deflate_can_make_is_refused(tmp_path):
    header = npy_header("{'descr': '|u1', 'fortran_order': False, 'shape': (100000000,), }")
    path = write_zip(tmp_path / "w.npz", {"W1.npy": header + bytes(1000)}, zipfile.ZIP_DEFLATED)
    set_declared_size(path, "W1.npy", len(header) + 100000000)
    with pytest.raises(FormatError, match=r"w.npz: member 'W1.npy' is damaged: it declares 100000128 bytes uncompressed from \d+ compressed, more than deflate can produce"):
        ng.load_weights(path, ["W1"])


def test_a_zip_bomb_is_refused_before_it_is_inflated(tmp_path, monkeypatch):
    path = tmp_path / "bomb.npz"
    np.savez_compressed(path, W1=np.zeros(16 * MiB, np.uint8))
    assert path.stat().st_size < 100_000
    monkeypatch.setenv("NNGRAPH_MAX_BYTES", "1MiB")
    assert refusal_peak(r"bomb.npz: array 'W1' declares 16.0 MiB", ng.load_weights, path, ["W1"]) < 4 * MiB


def test_a_member_whose_stream_holds_more_than_it_declares_is_read_no_further(tmp_path):
    # Declared: a 100-byte array. The deflate stream goes on for 16 MiB of zeros.
    data = npy(np.zeros(100, np.uint8))
    path = write_zip(tmp_path / "lie.npz", {"W1.npy": data + bytes(16 * MiB)}, zipfile.ZIP_DEFLATED)
    set_declared_size(path, "W1.npy", len(data))
    message = r"lie.npz: not a readable .npz archive \(BadZipFile: Bad CRC-32 for file 'W1.npy'\)"
    assert refusal_peak(message, ng.load_weights, path, ["W1"]) < 4 * MiB


def test_an_npy_header_of_absurd_length_is_refused(tmp_path):
    path = write_zip(tmp_path / "h.npz", {"W1.npy": b"\x93NUMPY\x02\x00" + struct.pack("<I", 1 << 30) + b"{"})
    with pytest.raises(FormatError, match=r"h.npz: member 'W1.npy' is damaged: its .npy header claims 1073741824 bytes; a header holds at most 10000"):
        ng.load_weights(path, ["W1"])


@pytest.mark.parametrize(
    ("header", "problem"),
    [
        ("{'descr': '<f8', 'fortran_order': False, 'shape': (-3,), }", r"its .npy header declares a negative shape \(-3,\)"),
        ("{'descr': '<f8', 'fortran_order': False, 'shape': (3, }", r"damaged .npy header"),
        ("{'descr': '|S0', 'fortran_order': False, 'shape': (1099511627776,), }", r"its .npy header declares elements of \|S0, which hold nothing"),
        ("{'descr': '<f8', 'fortran_order': False, 'shape': " + "(1," * 70 + ")" * 70 + ", }", r"damaged .npy header"),
    ],
)
def test_damaged_npy_headers(tmp_path, header, problem):
    path = write_zip(tmp_path / "d.npz", {"W1.npy": npy_header(header) + bytes(24)})
    with pytest.raises(FormatError, match=r"d.npz: member 'W1.npy' is damaged: " + problem):
        ng.load_weights(path, ["W1"])


def test_object_arrays_are_refused_even_when_never_used(tmp_path):
    ng.save(ng.three_layer_network(), tmp_path / "net.npz")
    add_member(tmp_path / "net.npz", "junk.npy", npy_header("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }") + b"\x80\x04.")
    with pytest.raises(FormatError, match=r"net.npz: holds object arrays, which only pickle can read and nngraph never loads"):
        ng.load(tmp_path / "net.npz")


def test_too_many_members(tmp_path, monkeypatch):
    np.savez(tmp_path / "many.npz", **{f"W{i}": np.zeros(1) for i in range(11)})
    monkeypatch.setenv("NNGRAPH_MAX_MEMBERS", "10")
    with pytest.raises(FormatError, match=r"many.npz: holds 11 members, over the limit of 10; to read it, set NNGRAPH_MAX_MEMBERS=11 \(or more\)"):
        ng.load_weights(tmp_path / "many.npz", ["W1"])


# -- .npz: members never referenced are never read ----------------------------------------


@pytest.fixture
def bomb(monkeypatch):
    """A deflated .npy member of 16 MiB of zeros (honestly declared), 16 KiB on disk; the limit is 1 MiB."""
    monkeypatch.setenv("NNGRAPH_MAX_BYTES", "1MiB")
    return npy(np.zeros(16 * MiB, np.uint8))


def test_load_reads_only_the_arrays_its_description_names(tmp_path, bomb):
    path = tmp_path / "net.npz"
    ng.save(ng.three_layer_network(), path)
    add_member(path, "unused.npy", bomb)
    assert peak_memory(ng.load, path) < 4 * MiB
    assert ng.load(path).forward([1.0, 0.5]).round(8).tolist() == [0.31682708, 0.69627909]


def test_load_weights_reads_only_the_keys_asked_for(tmp_path, bomb):
    np.savez(tmp_path / "w.npz", W1=np.ones((2, 2)))
    add_member(tmp_path / "w.npz", "unused.npy", bomb)
    assert peak_memory(ng.load_weights, tmp_path / "w.npz", ["W1"]) < 4 * MiB


def test_a_toml_network_reads_only_the_arrays_it_names(tmp_path, bomb):
    np.savez(tmp_path / "w.npz", W1=np.ones((2, 2)))
    add_member(tmp_path / "w.npz", "unused.npy", bomb)
    (tmp_path / "net.toml").write_text('weights = "w.npz"\n[[layers]]\nW = "W1"\nactivation = "relu"\n', encoding="utf-8")
    assert peak_memory(ng.load, tmp_path / "net.toml") < 4 * MiB
    assert ng.load(tmp_path / "net.toml").forward([1.0, 2.0]).tolist() == [3.0, 3.0]


def test_a_damaged_array_read_by_load_names_the_file_once(tmp_path):
    path = tmp_path / "net.npz"
    ng.save(ng.three_layer_network(), path)
    data = bytearray(path.read_bytes())
    data[100:140] = bytes(b ^ 0x55 for b in data[100:140])
    path.write_bytes(bytes(data))
    with pytest.raises(FormatError, match=r"^\S*net.npz: not a readable .npz archive \(BadZipFile: Bad CRC-32") as caught:
        ng.load(path)
    assert str(caught.value).count("net.npz") == 1


# -- IDX headers and gzip streams ---------------------------------------------------


def test_an_idx_file_over_the_limit_is_refused(tmp_path, monkeypatch):
    (tmp_path / "labels.idx").write_bytes(idx_header(8, (2000,)) + bytes(2000))
    monkeypatch.setenv("NNGRAPH_MAX_BYTES", "1000")
    with pytest.raises(FormatError, match=r"labels.idx: IDX header shape \(2000,\) declares 2.0 KiB \(2000 bytes\) of data, over the limit of 1000 bytes; to read it, set NNGRAPH_MAX_BYTES=2000 \(or more\)"):
        ng.read_idx(tmp_path / "labels.idx")


def test_a_gzip_bomb_is_refused_before_it_is_inflated(tmp_path):
    # 4 GiB declared, a gzip stream of zeros behind it: refused before decompressing the data.
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = bytes(MiB)
    stream = compressor.compress(idx_header(8, (1 << 16, 1 << 16))) + b"".join(compressor.compress(chunk) for _ in range(64)) + compressor.flush()
    (tmp_path / "bomb.gz").write_bytes(stream)
    message = r"bomb.gz: IDX header shape \(65536, 65536\) declares 4.0 GiB \(4294967296 bytes\) of data, over the limit of 1.0 GiB"
    assert refusal_peak(message, ng.read_idx, tmp_path / "bomb.gz") < 4 * MiB


def test_a_gzip_stream_longer_than_its_header_is_read_no_further(tmp_path):
    (tmp_path / "long.gz").write_bytes(gzip.compress(idx_header(8, (3,)) + bytes(16 * MiB), mtime=0))
    assert refusal_peak(r"long.gz: longer than its header says", ng.read_idx, tmp_path / "long.gz") < 4 * MiB


def test_load_mnist_checks_the_size_of_the_float_images(tmp_path, monkeypatch):
    (tmp_path / "images").write_bytes(idx_header(8, (10, 10, 10)) + bytes(1000))
    (tmp_path / "labels").write_bytes(idx_header(8, (10,)) + bytes(10))
    monkeypatch.setenv("NNGRAPH_MAX_BYTES", "2000")
    with pytest.raises(FormatError, match=r"images: 10 images as float32 take 3.9 KiB \(4000 bytes\), over the limit of 2.0 KiB \(2000 bytes\); to read them, set NNGRAPH_MAX_BYTES=4000 \(or more\)"):
        ng.load_mnist(tmp_path / "images", tmp_path / "labels")


# -- nesting depth and size of JSON and TOML descriptions ---------------------------------------


def npz_with_description(path, text: str):
    np.savez(path, **{"graph.json": np.array(text)})
    return path


@pytest.mark.parametrize("depth", [65, 100_000])
def test_a_deeply_nested_json_description_is_refused(tmp_path, depth):
    path = npz_with_description(tmp_path / "deep.npz", "[" * depth + "]" * depth)
    with pytest.raises(FormatError, match=rf"deep.npz: its graph description nests {depth} levels deep, over the limit of 64; a network needs only a few levels \(set NNGRAPH_MAX_DEPTH, up to 200, to read deeper ones\)"):
        ng.load(path)


def test_brackets_inside_json_strings_do_not_count(tmp_path):
    graph = ng.Graph("[" * 500 + '"\\[{')
    graph.input("x", 2)
    ng.save(graph, tmp_path / "name.npz")
    assert ng.load(tmp_path / "name.npz").name == graph.name


@pytest.mark.parametrize(
    "text",
    [
        "W = " + "[" * 100_000 + "]" * 100_000,
        "W = " + "{a = " * 100_000 + "}" * 100_000,
        "[input]\n" + "a." * 100_000 + "a = 1",
        "[" + "a." * 100_000 + "a]",
    ],
    ids=["arrays", "inline tables", "dotted keys", "table header"],
)
def test_a_deeply_nested_toml_network_is_refused(tmp_path, text):
    (tmp_path / "deep.toml").write_text(text + '\n[[layers]]\nW = [[1.0]]\nactivation = "relu"\n', encoding="utf-8")
    with pytest.raises(FormatError, match=r"deep.toml: nests \d+ levels deep, over the limit of 64"):
        ng.load(tmp_path / "deep.toml")


def test_brackets_in_toml_strings_and_comments_do_not_count(tmp_path):
    brackets = "[{" * 100
    text = (
        f'name = "{brackets}\\"{brackets}"  # {brackets}\n'
        f"[input]\nname = '{brackets}'\n"
        f'[[layers]]\nW = [[1.0]]  # {brackets}\nactivation = "relu"\n'
        f'b = [2.0]\n# """{brackets}\n'
    )
    (tmp_path / "ok.toml").write_text(text, encoding="utf-8")
    net = ng.load(tmp_path / "ok.toml")
    assert net.name.startswith("[{") and net.forward([1.0]).tolist() == [3.0]


def test_the_depth_limit_can_be_raised_up_to_200(tmp_path, monkeypatch):
    path = npz_with_description(tmp_path / "deep.npz", "[" * 100 + "]" * 100)
    monkeypatch.setenv("NNGRAPH_MAX_DEPTH", "150")
    with pytest.raises(FormatError, match=r"deep.npz: not an nngraph file"):
        ng.load(path)
    monkeypatch.setenv("NNGRAPH_MAX_DEPTH", "1000")
    with pytest.raises(FormatError, match=r"NNGRAPH_MAX_DEPTH='1000' is more than 200, as deep as Python's parsers safely go"):
        ng.load(path)


def test_a_huge_toml_file_is_refused_before_it_is_parsed(tmp_path, monkeypatch):
    (tmp_path / "big.toml").write_text("# " + "x" * 5000 + '\n[[layers]]\nW = [[1.0]]\nactivation = "relu"\n', encoding="utf-8")
    monkeypatch.setenv("NNGRAPH_MAX_TEXT_BYTES", "4KiB")
    with pytest.raises(FormatError, match=r"big.toml: is 4.9 KiB \(5046 bytes\) of text, over the limit of 4.0 KiB \(4096 bytes\); to read it, set NNGRAPH_MAX_TEXT_BYTES=5046 \(or more\)"):
        ng.load(tmp_path / "big.toml")


def test_a_toml_integer_of_more_digits_than_python_converts_is_refused(tmp_path):
    (tmp_path / "long.toml").write_text(f'[[layers]]\nW = [[{"1" * 5000}]]\nactivation = "relu"\n', encoding="utf-8")
    with pytest.raises(FormatError, match=r"long.toml: not valid TOML: Exceeds the limit \(4300 digits\)"):
        ng.load(tmp_path / "long.toml")


def test_a_huge_json_description_is_refused_before_it_is_parsed(tmp_path, monkeypatch):
    path = npz_with_description(tmp_path / "big.npz", json.dumps({"format": "nngraph", "pad": "x" * 5000}))
    monkeypatch.setenv("NNGRAPH_MAX_TEXT_BYTES", "4KiB")
    with pytest.raises(FormatError, match=r"big.npz: its graph description is 4.9 KiB \(5032 bytes\) of text, over the limit of 4.0 KiB \(4096 bytes\); to read it, set NNGRAPH_MAX_TEXT_BYTES=5032 \(or more\)"):
        ng.load(path)


@pytest.mark.parametrize(
    ("text", "syntax", "depth"),
    [
        ('{"a": [1, {"b": "]]]"}]}', "json", 3),
        ('["\\\\", ["\\"]"]]', "json", 2),
        ('a = """\n]]] "" \\""" ]"""\nb = [[1]]', "toml", 2),
        ("a = '''[[[''''\nb = [1]", "toml", 1),
        ('a = """x""""\nb = [1]', "toml", 1),
        ("[[layers]]\nW = [[1, 2], [3]] # [[[[\n", "toml", 2),
        ("a = 'C:\\' \nb = [1]", "toml", 1),
        ("]]]]]][[[", "json", 3),
    ],
)
def test_nesting_depth_follows_strings_and_comments(text, syntax, depth):
    from nngraph.limits import nesting_depth

    assert nesting_depth(text, syntax) == depth
