"""Fuzzing the file readers: whatever the bytes, only an NNGraphError comes out, in bounded memory.

Every case starts from a valid file (a saved network, a TOML network, small IDX
files, gzipped or not) and damages it: random bytes, fields set to extreme
values, truncation, headers declaring huge sizes, deep nesting, zip and gzip
bombs. The cases run in a subprocess whose address space is capped with
``RLIMIT_AS`` (its size after start-up plus ``MEMORY``), so a MemoryError, a
crash or a hang fails the test as surely as a stray exception does.

``NNGRAPH_FUZZ_CASES`` sets how many cases run (default ``CASES``, a few seconds),
``NNGRAPH_FUZZ_SEED`` the seed (default 0); ``make fuzz`` runs a long one. A
case is reproducible from the seed and its number alone; the files that let
something escape are kept in the test's temporary folder.

Run by hand::

    python tests/test_fuzz.py --cases 20000 --seed 7 --folder /tmp/fuzz
"""

from __future__ import annotations

import argparse
import functools
import gzip
import io
import json
import os
import random
import re
import resource
import signal
import struct
import subprocess
import sys
import time
import traceback
import warnings
import zipfile
import zlib
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

import nngraph as ng

CASES = 800
MEMORY = 1 << 30  # address space the cases may take beyond the worker's own after start-up
DATA_LIMIT = "4MiB"  # NNGRAPH_MAX_BYTES inside the worker: sizes on either side of it stay cheap to try
CASE_SECONDS = 10

# Escapes found by fuzzing and not yet fixed: (exception, file, function) -> what triggers it.
# Each gets a strict xfail test below, which starts passing, and so fails, once it is fixed.
KNOWN_ESCAPES: dict[tuple[str, str, str], str] = {}

INTERESTING = [0, 1, 2, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0xFFFF, 0x10000, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 1 << 32, (1 << 63) - 1, (1 << 64) - 1]

THREE_LAYER_TOML = """\
name = "three-layer"
weights = "w.npz"

[[layers]]
W = [[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]]
b = [0.1, 0.2, 0.3]
activation = "sigmoid"

[[layers]]
W = [[0.1, 0.4], [0.2, 0.5], [0.3, 0.6]]
b = [0.1, 0.2]
activation = "sigmoid"

[[layers]]
W = "W3"
b = "b3"
activation = "identity"
"""

# Pieces spliced into descriptions: structure, extreme numbers, strings that are not what they seem.
JSON_TOKENS = ['[', ']', '{', '}', '"', ',', ':', '\\', '"\\u0000"', '1e999', '-1', '0', '1' * 5000, 'NaN', 'Infinity', 'null', 'true',
               '"weight_0"', '"graph.json"', '"x"', '"kind"', '{"name": "q", "kind": "weight", "array": "weight_0"}', '"\\ud800"', '\x1b[31m']
TOML_TOKENS = ['[', ']', '[[', ']]', '{', '}', '"', "'", '"""', "'''", '#', '=', '.', ',', '\n', '\\', '1e999', 'nan', '-inf', '0x7fffffff',
               '1' * 5000, '1979-05-27T07:32:00Z', 'true', 'a.b.c', '[[layers]]', '[input]', 'weights = "w.npz"', 'weights = "/dev/zero"',
               'weights = "../w.npz"', 'W = "W3"', 'W = [[1e308, 1e308]]', 'activation = "softmax"', '\ud7ff', '\x00', '\x1b']
NPY_DESCRS = ["'<f8'", "'>f4'", "'|u1'", "'<i8'", "'|b1'", "'<c16'", "'<U5'", "'|S3'", "'|S0'", "'<U0'", "'|V0'", "'|V8'", "'|O'",
              "'<M8[s]'", "'<f2'", "[('a', '<f8'), ('b', '|O')]", "[('a', '<f8', (3,))]", "('<f8', (1000000000,))", "[('', '<f8')]",
              "'garbage'", "'", "[]", "{}", "[('a',)]", "'<f8' 'x'"]
NPY_SHAPES = ["()", "(0,)", "(3,)", "(2, 3)", "(3, 2)", "(2147483648,)", "(1099511627776,)", "(4611686018427387904, 4611686018427387904)",
              "(-1,)", "(0, 9223372036854775808)", "(" + "1, " * 65 + ")", "'x'", "(1.5,)", "(True,)", "None", "(2, 3"]
MEMBER_NAMES = ["weight_0.npy", "weight_1.npy", "graph.json.npy", "extra", "../../outside.npy", "\x1b[2J.npy", "a/b.npy", ".npy", "{0}{amount}.npy"]


# -- making valid files --------------------------------------------------------------------


def valid_files(folder: Path) -> dict[str, bytes]:
    """The valid files every case starts from, by name."""
    ng.save(ng.three_layer_network(), folder / "three.npz")
    with np.load(folder / "three.npz", allow_pickle=False) as archive:
        arrays = {key: archive[key] for key in archive.files}
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    weights = io.BytesIO()
    np.savez(weights, W3=np.array([[0.1, 0.3], [0.2, 0.4]]), b3=np.array([0.1, 0.2]))
    labels = np.arange(20, dtype=np.uint8) % 10
    images = np.arange(4 * 3 * 3, dtype=np.uint8).reshape(4, 3, 3)
    floats = np.linspace(-1, 1, 6, dtype=">f4").reshape(2, 3)
    return {
        "npz": (folder / "three.npz").read_bytes(),
        "npz-deflated": buffer.getvalue(),
        "weights": weights.getvalue(),
        "description": str(arrays["graph.json"]).encode(),
        "toml": THREE_LAYER_TOML.encode(),
        "labels": idx_bytes(labels, 0x08),
        "images": idx_bytes(images, 0x08),
        "floats": idx_bytes(floats, 0x0D),
        "mnist-labels": idx_bytes(labels[:4], 0x08),
    }


def idx_bytes(array, code: int) -> bytes:
    return bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape) + array.tobytes()


# -- damaging them ------------------------------------------------------------------------------


def mutate_bytes(rng: random.Random, data: bytes, rounds: int | None = None) -> bytes:
    """``data`` after a few random byte-level changes."""
    data = bytearray(data)
    for _ in range(rounds or rng.randint(1, 4)):
        rng.choice(BYTE_MUTATIONS)(rng, data)
    return bytes(data)


def _flip(rng, data):
    for _ in range(rng.randint(1, 8)):
        if data:
            data[rng.randrange(len(data))] = rng.randrange(256)


def _interesting(rng, data):
    width = rng.choice([1, 2, 4, 8])
    if len(data) >= width:
        at = rng.randrange(len(data) - width + 1)
        data[at : at + width] = (rng.choice(INTERESTING) % (1 << 8 * width)).to_bytes(width, rng.choice(["little", "big"]))


def _truncate(rng, data):
    del data[rng.randrange(len(data) + 1) :]


def _insert(rng, data):
    at = rng.randrange(len(data) + 1)
    data[at:at] = rng.randbytes(rng.choice([1, 4, 100, 5000]))


def _delete(rng, data):
    if data:
        at = rng.randrange(len(data))
        del data[at : at + rng.randint(1, 64)]


def _duplicate(rng, data):
    if data:
        at = rng.randrange(len(data))
        data[at:at] = data[at : at + rng.randint(1, 256)] * rng.randint(1, 50)


BYTE_MUTATIONS = [_flip, _interesting, _truncate, _insert, _delete, _duplicate]

# Fields of a zip's local header (PK 3 4), central directory entry (PK 1 2) and end record
# (PK 5 6) as (offset, width): versions, flags, method, CRC, sizes, name/extra/comment lengths, offsets.
ZIP_FIELDS = {
    b"PK\x03\x04": [(4, 2), (6, 2), (8, 2), (14, 4), (18, 4), (22, 4), (26, 2), (28, 2)],
    b"PK\x01\x02": [(6, 2), (8, 2), (10, 2), (16, 4), (20, 4), (24, 4), (28, 2), (30, 2), (32, 2), (42, 4)],
    b"PK\x05\x06": [(4, 2), (8, 2), (10, 2), (12, 4), (16, 4), (20, 2)],
}


def mutate_zip_fields(rng: random.Random, data: bytes) -> bytes:
    """``data``, a zip, with one to three header fields set to extreme values."""
    data = bytearray(data)
    places = [(start, field) for signature, fields in ZIP_FIELDS.items() for start in _find_all(data, signature) for field in fields]
    for start, (offset, width) in rng.sample(places, min(len(places), rng.randint(1, 3))):
        value = rng.choice(INTERESTING + [rng.randrange(1 << 8 * width)]) % (1 << 8 * width)
        data[start + offset : start + offset + width] = value.to_bytes(width, "little")
    return bytes(data)


def _find_all(data: bytes, signature: bytes) -> list[int]:
    found, start = [], 0
    while (start := data.find(signature, start)) >= 0:
        found.append(start)
        start += 1
    return found


def mutate_text(rng: random.Random, text: str, tokens: list[str]) -> str:
    """``text`` with a value replaced, tokens spliced in, spans deleted or repeated, or wrapped in deep nesting."""
    for _ in range(rng.choice([1, 1, 2, 4])):
        at = rng.randrange(len(text) + 1)
        choice = rng.random()
        if choice < 0.3:
            text = replace_value(rng, text)
        elif choice < 0.55:
            text = text[:at] + rng.choice(tokens) + text[at:]
        elif choice < 0.65:
            text = text[:at] + text[at + rng.randint(1, 40) :]
        elif choice < 0.8:
            text = text[:at] + text[at : at + rng.randint(1, 200)] * rng.randint(2, 30) + text[at:]
        else:
            depth = rng.choice([10, 63, 64, 65, 300, 3000])
            opening, closing = rng.choice([("[", "]"), ("{", "}"), ('{"a":', "}"), ("{a=", "}"), ("a.", "")])
            text = text[:at] + opening * depth + text[at:] + closing * depth * rng.randint(0, 1)
    return text


VALUE = re.compile(r'-?\d+(?:\.\d+)?(?:e-?\d+)?|"[^"\n]*"')
REPLACEMENTS = ["0", "-1", "1.5", "1e999", "-1e999", "nan", "NaN", "2147483648", "18446744073709551616", "1" * 400, '"x"', '"weight_0"',
                '"graph.json"', '""', '"\\u0000"', "[]", "{}", "null", "true", '"relu"', '"softmax"', '"__class__"']


def replace_value(rng: random.Random, text: str) -> str:
    """``text`` with one number or string in it replaced: the syntax stays valid more often than not."""
    values = list(VALUE.finditer(text))
    if not values:
        return text
    value = rng.choice(values)
    return text[: value.start()] + rng.choice(REPLACEMENTS) + text[value.end() :]


def npy_member(rng: random.Random) -> bytes:
    """A ``.npy`` file with a header assembled from odd pieces, its data consistent with it or not."""
    descr, shape = rng.choice(NPY_DESCRS), rng.choice(NPY_SHAPES)
    fortran = rng.choice(["False", "True", "1", "'yes'"])
    text = f"{{'descr': {descr}, 'fortran_order': {fortran}, 'shape': {shape}, }}"
    if rng.random() < 0.1:
        text = text[:-1] + "'extra': 1, }"
    version = rng.choice([(1, 0), (1, 0), (2, 0), (3, 0), (9, 9)])
    encoded = text.encode("latin1")
    prefix = 10 if version == (1, 0) else 12
    encoded += b" " * (-(prefix + len(encoded) + 1) % 64) + b"\n"
    length = len(encoded) if rng.random() < 0.9 else rng.choice(INTERESTING)
    size = struct.pack("<H", length % (1 << 16)) if version == (1, 0) else struct.pack("<I", length % (1 << 32))
    return b"\x93NUMPY" + bytes(version) + size + encoded + rng.randbytes(rng.choice([0, 1, 8, 24, 48, 4096]))


def crafted_npz(rng: random.Random, files: dict[str, bytes]) -> bytes:
    """A ``.npz`` holding the saved network's members, some replaced or joined by crafted ones."""
    with zipfile.ZipFile(io.BytesIO(files[rng.choice(["npz", "npz-deflated"])])) as source:
        members = {info.filename: (source.read(info), info.compress_type) for info in source.infolist()}
    method = rng.choice([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
    for _ in range(rng.randint(1, 3)):
        name = rng.choice(MEMBER_NAMES)
        if rng.random() < 0.9:
            members[name] = (npy_member(rng), method)
        else:  # a bomb: honestly declared, tiny once deflated
            count = rng.choice([1 << 16, 1 << 20, 5 << 20])
            members[name] = (npy_header(f"{{'descr': '|u1', 'fortran_order': False, 'shape': ({count},), }}") + bytes(count), zipfile.ZIP_DEFLATED)
    if rng.random() < 0.2:
        members["graph.json.npy"] = (npy_text(mutate_text(rng, files["description"].decode(), JSON_TOKENS)), method)
    return zip_bytes(members)


def zip_bytes(members: dict[str, tuple[bytes, int]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compresslevel=1) as archive:
        for name, (data, method) in members.items():
            archive.writestr(name, data, compress_type=method)
    return buffer.getvalue()


def npy_text(text: str) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, np.array(text), allow_pickle=False)
    return buffer.getvalue()


def npy_header(text: str) -> bytes:
    encoded = text.encode("latin1")
    encoded += b" " * (-(10 + len(encoded) + 1) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(encoded)) + encoded


def npz_with_description(rng: random.Random, files: dict[str, bytes]) -> bytes:
    """The saved network with its JSON description damaged."""
    with zipfile.ZipFile(io.BytesIO(files["npz"])) as source:
        members = {info.filename: (source.read(info), zipfile.ZIP_STORED) for info in source.infolist()}
    members["graph.json.npy"] = (npy_text(mutate_text(rng, files["description"].decode(), JSON_TOKENS)), zipfile.ZIP_STORED)
    return zip_bytes(members)


def idx_case(rng: random.Random, data: bytes) -> bytes:
    """``data``, an IDX file, damaged: header fields set to extreme values, bytes changed; maybe gzipped."""
    data = bytearray(data)
    choice = rng.random()
    if choice < 0.25:
        data[2] = rng.choice([0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E, rng.randrange(256)])
        data[3] = rng.choice([0, 1, 2, 3, 16, 17, 255, data[3]])
    elif choice < 0.6:
        ndim = data[3]
        dims = [rng.choice(INTERESTING + [rng.randrange(1 << 32)]) % (1 << 32) for _ in range(ndim)]
        data[4 : 4 + 4 * ndim] = struct.pack(f">{ndim}I", *dims)
    data = mutate_bytes(rng, bytes(data)) if rng.random() < 0.5 else bytes(data)
    return gzip_case(rng, data) if rng.random() < 0.5 else data


def gzip_case(rng: random.Random, data: bytes) -> bytes:
    """``data`` gzipped, perhaps damaged, twice over, followed by garbage, or a header before many zeros."""
    choice = rng.random()
    if choice < 0.2:  # a bomb: the header declares much or little, the stream goes on with zeros
        mebibytes = rng.choice([1, 3, 8])
        declared = rng.choice([mebibytes << 20, rng.randrange(1 << 32)])
        return gzip.compress(bytes([0, 0, 8, 1]) + struct.pack(">I", declared), mtime=0) + gzipped_zeros(mebibytes)
    packed = gzip.compress(data, mtime=0)
    if choice < 0.4:
        return packed + packed
    if choice < 0.5:
        return packed + rng.randbytes(rng.randint(1, 20))
    return mutate_bytes(rng, packed) if choice < 0.9 else packed


@functools.cache
def gzipped_zeros(mebibytes: int) -> bytes:
    """A gzip member of ``mebibytes`` MiB of zeros (joined to another, it continues the same stream)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = bytes(1 << 20)
    return b"".join(compressor.compress(chunk) for _ in range(mebibytes)) + compressor.flush()


# -- one case -------------------------------------------------------------------------------------


def case(number: int, seed: int) -> tuple[str, random.Random]:
    """The kind of case ``number`` and the generator that makes it: the same for the same seed."""
    rng = random.Random(seed * 1_000_003 + number)
    kind = rng.choices(list(KINDS), weights=[weight for weight, _ in KINDS.values()])[0]
    return kind, rng


def _npz_bytes(rng, files, folder):
    source = files[rng.choice(["npz", "npz-deflated"])]
    data = mutate_zip_fields(rng, source) if rng.random() < 0.5 else source
    (folder / "case.npz").write_bytes(mutate_bytes(rng, data) if rng.random() < 0.7 else data)
    _read_npz(rng, folder / "case.npz")


def _npz_crafted(rng, files, folder):
    data = crafted_npz(rng, files)
    if rng.random() < 0.3:
        data = mutate_zip_fields(rng, data)
    (folder / "case.npz").write_bytes(data)
    _read_npz(rng, folder / "case.npz")


def _npz_description(rng, files, folder):
    (folder / "case.npz").write_bytes(npz_with_description(rng, files))
    ng.load(folder / "case.npz")


def _read_npz(rng, path):
    reader = rng.choice(["load", "load", "all weights", "one weight"])
    if reader == "load":
        ng.load(path)
    else:
        ng.load_weights(path, None if reader == "all weights" else ["weight_0"])


def _toml(rng, files, folder):
    text = mutate_text(rng, files["toml"].decode(), TOML_TOKENS)
    data = text.encode("utf-8", "surrogatepass")
    (folder / "case.toml").write_bytes(mutate_bytes(rng, data) if rng.random() < 0.3 else data)
    weights = files["weights"]
    if rng.random() < 0.3:
        weights = mutate_bytes(rng, mutate_zip_fields(rng, weights))
    (folder / "w.npz").write_bytes(weights)
    ng.load(folder / "case.toml")


def _idx(rng, files, folder):
    (folder / "case-idx").write_bytes(idx_case(rng, files[rng.choice(["labels", "images", "floats"])]))
    ng.read_idx(folder / "case-idx")


def _gzip(rng, files, folder):
    (folder / "case.gz").write_bytes(gzip_case(rng, files[rng.choice(["labels", "images"])]))
    ng.read_idx(folder / "case.gz")


def _mnist(rng, files, folder):
    images, labels = files["images"], files["mnist-labels"]
    if rng.random() < 0.5:
        images = idx_case(rng, images)
    else:
        labels = idx_case(rng, labels)
    (folder / "images").write_bytes(images)
    (folder / "labels").write_bytes(labels)
    ng.load_mnist(folder / "images", folder / "labels")


# kind: (weight, make and read one case)
KINDS = {
    "npz bytes": (15, _npz_bytes),
    "npz crafted": (20, _npz_crafted),
    "npz description": (10, _npz_description),
    "toml": (25, _toml),
    "idx": (15, _idx),
    "gzip": (10, _gzip),
    "mnist": (5, _mnist),
}


# -- the worker: many cases under an address-space limit ------------------------------------------


class TooSlow(BaseException):
    """A case that ran longer than ``CASE_SECONDS`` (a BaseException, so that no reader can swallow it)."""


def _alarm(signum, frame):
    raise TooSlow(f"took more than {CASE_SECONDS} s")


def memory(field: str) -> int:
    """A size from /proc/self/status in bytes: ``VmSize`` (address space), ``VmHWM`` (peak resident memory)."""
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) * 1024 for line in status if line.startswith(f"{field}:"))


def limit_memory() -> int:
    """Cap this process's address space at its size now plus ``MEMORY``; the cap in bytes."""
    cap = memory("VmSize") + MEMORY
    resource.setrlimit(resource.RLIMIT_AS, (cap, resource.getrlimit(resource.RLIMIT_AS)[1]))
    try:
        bytearray(2 * MEMORY)
    except MemoryError:
        return cap
    raise SystemExit("RLIMIT_AS is not enforced here: memory would not be bounded")


def work(cases: int, seed: int, folder: Path) -> dict:
    """Run ``cases`` cases; a report of what was read, refused or escaped."""
    warnings.simplefilter("ignore")  # e.g. NumPy on a header from Python 2: not what is looked for
    files = valid_files(folder)
    cap = limit_memory()
    signal.signal(signal.SIGALRM, _alarm)
    outcomes, escapes, slowest = Counter(), [], (0.0, -1, "")
    start = time.perf_counter()
    for number in range(cases):
        kind, rng = case(number, seed)
        began = time.perf_counter()
        signal.alarm(CASE_SECONDS)
        try:
            KINDS[kind][1](rng, files, folder)
            outcome = "read"
        except ng.NNGraphError:
            outcome = "refused"
        except (Exception, TooSlow) as err:  # anything else is what the fuzzing looks for
            escapes.append(_escape(number, kind, err, folder))
            outcome = "escaped (known)" if escapes[-1]["known"] else "escaped"
        finally:
            signal.alarm(0)
        outcomes[f"{kind}: {outcome}"] += 1
        slowest = max(slowest, (time.perf_counter() - began, number, kind))
    return {
        "cases": cases,
        "seed": seed,
        "seconds": round(time.perf_counter() - start, 2),
        "outcomes": dict(sorted(outcomes.items())),
        "escaped": sum(not e["known"] for e in escapes),
        "known": sum(bool(e["known"]) for e in escapes),
        "escapes": [e for e in escapes if not e["known"]][:20] + [e for e in escapes if e["known"]][:5],
        "slowest": {"seconds": round(slowest[0], 3), "case": slowest[1], "kind": slowest[2]},
        "peak_rss_mib": memory("VmHWM") >> 20,  # not ru_maxrss: that keeps the peak of the pytest it was forked from
        "address_space_cap_mib": cap >> 20,
        "open_files": len(os.listdir("/proc/self/fd")),
    }


def _escape(number: int, kind: str, err: BaseException, folder: Path) -> dict:
    """What escaped, where from, and a copy of the files of the case."""
    keep = folder / "escaped" / str(number)
    keep.mkdir(parents=True, exist_ok=True)
    for name in ("case.npz", "case.toml", "w.npz", "case-idx", "case.gz", "images", "labels"):
        if (folder / name).exists():
            (keep / name).write_bytes((folder / name).read_bytes())
    frames = [f for f in traceback.extract_tb(err.__traceback__) if "nngraph" in Path(f.filename).parts[-3:-1]]
    where = f"{Path(frames[-1].filename).name}:{frames[-1].lineno} in {frames[-1].name}" if frames else "?"
    known = KNOWN_ESCAPES.get((type(err).__name__, where.split(":")[0], where.rpartition(" in ")[2]))
    return {"case": number, "kind": kind, "error": f"{type(err).__name__}: {str(err)[:200]}", "where": where, "files": str(keep), "known": known}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=int(os.environ.get("NNGRAPH_FUZZ_CASES") or CASES))
    parser.add_argument("--seed", type=int, default=int(os.environ.get("NNGRAPH_FUZZ_SEED") or 0))
    parser.add_argument("--folder", type=Path, required=True)
    args = parser.parse_args(argv)
    args.folder.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("NNGRAPH_MAX_BYTES", DATA_LIMIT)
    print(json.dumps(work(args.cases, args.seed, args.folder)))


# -- the tests ----------------------------------------------------------------------------------------


def summary(report: dict) -> str:
    """One line: how many cases ran, how they ended, how long and how much memory it took."""
    read = sum(n for k, n in report["outcomes"].items() if k.endswith(": read"))
    refused = sum(n for k, n in report["outcomes"].items() if k.endswith(": refused"))
    slowest = report["slowest"]
    return (
        f"fuzz: {report['cases']} cases (seed {report['seed']}) in {report['seconds']} s: {read} read, "
        f"{refused} refused with an NNGraphError, {report['escaped']} escaped (and {report['known']} known, "
        f"see KNOWN_ESCAPES); slowest case {slowest['case']} ({slowest['kind']}) {slowest['seconds']} s; "
        f"peak RSS {report['peak_rss_mib']} MiB under an address-space cap of {report['address_space_cap_mib']} MiB"
    )


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the address-space limit (RLIMIT_AS) and /proc are Linux's")
def test_file_readers_under_fuzzing(tmp_path, capsys):
    cases = int(os.environ.get("NNGRAPH_FUZZ_CASES") or CASES)
    seed = int(os.environ.get("NNGRAPH_FUZZ_SEED") or 0)
    # One BLAS thread: a steady, small address space to measure the cap from.
    env = {**os.environ, "NNGRAPH_MAX_BYTES": DATA_LIMIT, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    command = [sys.executable, __file__, "--cases", str(cases), "--seed", str(seed), "--folder", str(tmp_path)]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60 + cases * CASE_SECONDS / 100)
    assert done.returncode == 0, f"the fuzzing worker died (exit {done.returncode}); the last case's files are in {tmp_path}\n{done.stderr[-3000:]}"
    report = json.loads(done.stdout.splitlines()[-1])
    with capsys.disabled():
        print(f"\n{summary(report)}")
    assert report["escaped"] == 0, json.dumps(report["escapes"], indent=1)
    assert report["open_files"] < 20, "archives left open"


# What the fuzzing found, kept as tests.


@pytest.mark.parametrize("read", [ng.load, ng.read_idx, ng.load_weights])
def test_a_file_name_holding_a_nul_character_is_refused(read):
    with pytest.raises(ng.FormatError, match=r"^net\\x00.npz: no file can have this name: it holds a NUL character$"):
        read("net\x00.npz")


@pytest.mark.parametrize("kind", [[], {}])
def test_a_node_kind_that_is_not_a_string(tmp_path, kind):
    description = {"format": "nngraph", "version": 1, "nodes": [{"name": "x", "kind": kind}]}
    np.savez(tmp_path / "net.npz", **{"graph.json": np.array(json.dumps(description))})
    with pytest.raises(ng.FormatError, match=r"node 'x' has unknown kind"):
        ng.load(tmp_path / "net.npz")


def test_a_weights_name_holding_a_nul_character(tmp_path):
    (tmp_path / "net.toml").write_text('weights = "w\\u0000.npz"\n[[layers]]\nW = "W1"\nactivation = "relu"\n', encoding="utf-8")
    with pytest.raises(ng.FormatError, match=r"weights must name a .npz file beside it"):
        ng.load(tmp_path / "net.toml")


if __name__ == "__main__":
    main()
