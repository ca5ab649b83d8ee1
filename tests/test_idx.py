"""MNIST's IDX reader: hand-written files, gzipped or raw, every header field checked."""

import gzip
import struct

import numpy as np
import pytest

import nngraph as ng
from nngraph.errors import FormatError


def idx_bytes(array: np.ndarray, code: int) -> bytes:
    """The IDX encoding of ``array``, written from the format's definition."""
    header = bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.tobytes()


def write(tmp_path, name, data: bytes, gz: bool = False):
    path = tmp_path / name
    path.write_bytes(gzip.compress(data, mtime=0) if gz else data)
    return path


LABELS = bytes([0, 0, 8, 1, 0, 0, 0, 3, 7, 2, 1])


@pytest.mark.parametrize("gz", [False, True])
def test_hand_written_labels(tmp_path, gz):
    array = ng.read_idx(write(tmp_path, "labels", LABELS, gz))
    assert array.dtype == np.uint8
    np.testing.assert_array_equal(array, [7, 2, 1])


@pytest.mark.parametrize("gz", [False, True])
@pytest.mark.parametrize(
    ("code", "big_endian", "values"),
    [
        (0x08, ">u1", [[0, 255, 3], [4, 5, 6]]),
        (0x09, ">i1", [[-128, 127, 0], [1, -1, 2]]),
        (0x0B, ">i2", [[-300, 300, 0], [1, -1, 32767]]),
        (0x0C, ">i4", [[-(2**31), 2**31 - 1, 0], [1, -1, 7]]),
        (0x0D, ">f4", [[1.5, -2.25, 0.0], [3.0e38, 1e-3, -0.0]]),
        (0x0E, ">f8", [[1.5, -2.25, 0.0], [1e308, np.pi, -0.0]]),
    ],
)
def test_round_trip_of_every_type(tmp_path, gz, code, big_endian, values):
    source = np.array(values, dtype=big_endian)
    array = ng.read_idx(write(tmp_path, "data.idx", idx_bytes(source, code), gz))
    assert array.shape == (2, 3)
    assert array.dtype == np.dtype(big_endian).newbyteorder("=")  # native byte order
    np.testing.assert_array_equal(array, source)
    array[0, 0] = 0  # a writable copy, not a view of the file buffer


def test_three_dimensional_images(tmp_path):
    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    np.testing.assert_array_equal(ng.read_idx(write(tmp_path, "img", idx_bytes(images, 8), gz=True)), images)


def test_empty_dimension(tmp_path):
    assert ng.read_idx(write(tmp_path, "e", bytes([0, 0, 8, 2, 0, 0, 0, 0, 0, 0, 0, 5]))).shape == (0, 5)


@pytest.mark.parametrize("gz", [False, True])
def test_bad_magic(tmp_path, gz):
    with pytest.raises(FormatError, match=r"bad: not an IDX file \(magic number 01020801, expected 0000xxxx\)"):
        ng.read_idx(write(tmp_path, "bad", b"\x01\x02" + LABELS[2:], gz))


def test_empty_file(tmp_path):
    with pytest.raises(FormatError, match=r"empty: not an IDX file \(magic number missing"):
        ng.read_idx(write(tmp_path, "empty", b""))


def test_unknown_type_code(tmp_path):
    with pytest.raises(FormatError, match=r"t: unknown IDX data type code 0x07"):
        ng.read_idx(write(tmp_path, "t", bytes([0, 0, 7, 1]) + LABELS[4:]))


def test_zero_dimensions(tmp_path):
    with pytest.raises(FormatError, match=r"z: IDX header declares 0 dimensions"):
        ng.read_idx(write(tmp_path, "z", bytes([0, 0, 8, 0, 1, 2])))


def test_truncated_header(tmp_path):
    with pytest.raises(FormatError, match=r"h: truncated IDX header \(3 dimensions declared\)"):
        ng.read_idx(write(tmp_path, "h", bytes([0, 0, 8, 3, 0, 0, 0, 1, 0, 0])))


@pytest.mark.parametrize("gz", [False, True])
def test_truncated_data(tmp_path, gz):
    with pytest.raises(FormatError, match=r"short: truncated: header shape \(3,\) needs 3 bytes of data, found 2"):
        ng.read_idx(write(tmp_path, "short", LABELS[:-1], gz))


@pytest.mark.parametrize("gz", [False, True])
def test_trailing_garbage(tmp_path, gz):
    with pytest.raises(FormatError, match=r"long: longer than its header says: header shape \(3,\) needs 3 bytes of data, found 4\+"):
        ng.read_idx(write(tmp_path, "long", LABELS + b"\x00", gz))


def test_truncated_gzip(tmp_path):
    labels = np.random.default_rng(0).integers(0, 10, 5000).astype(np.uint8)
    data = gzip.compress(idx_bytes(labels, 8), mtime=0)
    with pytest.raises(FormatError, match=r"cut.gz: cannot be read \(Compressed file ended before the end-of-stream marker"):
        ng.read_idx(write(tmp_path, "cut.gz", data[:-10]))


def test_corrupted_gzip(tmp_path):
    data = bytearray(gzip.compress(bytes(range(256)) * 40, mtime=0))
    data[20:60] = bytes(b ^ 0xFF for b in data[20:60])
    with pytest.raises(FormatError, match=r"damaged.gz: cannot be read"):
        ng.read_idx(write(tmp_path, "damaged.gz", bytes(data)))


def test_missing_file(tmp_path):
    with pytest.raises(FormatError, match=r"absent.idx: no such file"):
        ng.read_idx(tmp_path / "absent.idx")


def test_a_directory_is_not_readable(tmp_path):
    with pytest.raises(FormatError, match=r": is a folder; it must be a regular file"):
        ng.read_idx(tmp_path)


def test_header_claiming_huge_sizes(tmp_path):
    data = bytes([0, 0, 8, 3]) + b"\xff\xff\xff\xff" * 3 + b"abc"
    with pytest.raises(FormatError, match=r"huge: truncated: header shape \(4294967295, 4294967295, 4294967295\)"):
        ng.read_idx(write(tmp_path, "huge", data))


@pytest.mark.parametrize("ndim", [2, 16])
def test_header_whose_size_overflows_int64(tmp_path, ndim):
    data = bytes([0, 0, 8, ndim]) + b"\xff\xff\xff\xff" * ndim + b"abc"
    with pytest.raises(FormatError, match=r"overflow: truncated"):
        ng.read_idx(write(tmp_path, "overflow", data))


def test_header_with_too_many_dimensions(tmp_path):
    data = bytes([0, 0, 8, 255]) + b"\x00\x00\x00\x01" * 255
    with pytest.raises(FormatError, match=r"declares 255 dimensions; expected 1 to 16"):
        ng.read_idx(write(tmp_path, "many", data))


# -- load_mnist -------------------------------------------------------------------


def images_and_labels(tmp_path, n_images=2, n_labels=2, gz=True):
    images = np.array([[[0, 255], [51, 102]], [[1, 2], [3, 4]], [[5, 6], [7, 8]]], dtype=np.uint8)[:n_images]
    labels = np.array([3, 1, 4], dtype=np.uint8)[:n_labels]
    return (
        write(tmp_path, "images.gz", idx_bytes(images, 8), gz),
        write(tmp_path, "labels.gz", idx_bytes(labels, 8), gz),
    )


def test_load_mnist_scales_and_flattens(tmp_path):
    images, labels = ng.load_mnist(*images_and_labels(tmp_path))
    assert images.dtype == np.float32 and images.shape == (2, 4)
    np.testing.assert_array_equal(images[0], np.array([0, 255, 51, 102], dtype=np.float32) / np.float32(255))
    assert labels.dtype == np.int64 and labels.tolist() == [3, 1]


def test_load_mnist_mismatched_counts(tmp_path):
    images_path, labels_path = images_and_labels(tmp_path, n_images=2, n_labels=3)
    with pytest.raises(FormatError, match=r"images.gz has 2 images but .*labels.gz has 3 labels"):
        ng.load_mnist(images_path, labels_path)


def test_load_mnist_swapped_files(tmp_path):
    images_path, labels_path = images_and_labels(tmp_path)
    with pytest.raises(FormatError, match=r"labels.gz: expected uint8 images \(N, rows, columns\); got uint8 \(2,\)"):
        ng.load_mnist(labels_path, images_path)


def test_load_mnist_labels_of_the_wrong_rank(tmp_path):
    images_path, _ = images_and_labels(tmp_path)
    with pytest.raises(FormatError, match=r"images.gz: expected labels \(N,\); got shape \(2, 2, 2\)"):
        ng.load_mnist(images_path, images_path)


def test_load_mnist_images_of_the_wrong_type(tmp_path):
    _, labels_path = images_and_labels(tmp_path)
    floats = write(tmp_path, "f.idx", idx_bytes(np.zeros((2, 2, 2), ">f4"), 0x0D))
    with pytest.raises(FormatError, match=r"f.idx: expected uint8 images \(N, rows, columns\); got float32 \(2, 2, 2\)"):
        ng.load_mnist(floats, labels_path)


def test_the_real_mnist_headers(data_dir):
    labels = ng.read_idx(data_dir / "t10k-labels-idx1-ubyte.gz")
    assert labels.shape == (10000,) and labels.dtype == np.uint8
    assert np.bincount(labels).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def test_a_named_pipe_is_refused_at_once(tmp_path, within_five_seconds):
    import os

    os.mkfifo(tmp_path / "labels-idx1-ubyte")
    with pytest.raises(FormatError, match=r"labels-idx1-ubyte: is a named pipe; it must be a regular file"):
        ng.read_idx(tmp_path / "labels-idx1-ubyte")
    images = write(tmp_path, "images", bytes([0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0]))
    with pytest.raises(FormatError, match=r"labels-idx1-ubyte: is a named pipe; it must be a regular file"):
        ng.load_mnist(images, tmp_path / "labels-idx1-ubyte")


def test_a_device_is_refused(within_five_seconds):
    with pytest.raises(FormatError, match=r"^/dev/zero: is a character device; it must be a regular file$"):
        ng.read_idx("/dev/zero")
