"""Networks on disk, without pickle: a graph ``.npz``, a TOML text format, weight files.

(The book's ``sample_weight.pkl`` is read by :mod:`nngraph.book_pickle`, which
rebuilds NumPy arrays and nothing else; no general unpickler ever runs.)

- :func:`save` / :func:`load`: a whole graph in one ``.npz`` (its arrays plus a
  JSON description), a bit-exact round trip. :func:`load` also reads the TOML
  format below.
- The TOML format describes a layered network with inline weights, or with
  weight names looked up in a ``.npz`` beside it::

      name = "three-layer"
      weights = "weights.npz"          # optional, relative to this file
      [[layers]]
      W = [[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]]   # or "W1", a key of the weights file
      b = [0.1, 0.2, 0.3]
      activation = "sigmoid"

Nothing in a file is ever executed; a file that cannot be read raises
:class:`~nngraph.errors.FormatError` naming the file and the problem.

Example:
    >>> import tempfile, pathlib
    >>> from nngraph import three_layer_network
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "net.npz"
    >>> save(three_layer_network(), path)
    >>> load(path).forward([1.0, 0.5]).round(8)
    array([0.31682708, 0.69627909])
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from .build import mlp
from .errors import FormatError, NNGraphError
from .files import regular_file, write_atomically
from .graph import Graph
from .limits import NpzArchive, check_nesting, check_text, read_toml_text, strings_in
from .nodes import NODE_KINDS

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["save", "load", "load_weights", "convert_weights"]

FORMAT = "nngraph"
VERSION = 1
DESCRIPTION_KEY = "graph.json"
LAYER_FIELDS = {"W", "b", "activation", "parameters"}
#: Fields of a node's record that hold something other than the name of a node it reads.
NOT_SOURCES = {"name", "kind", "array", "function", "parameters"}
#: Files load() does not read, and what reads them.
OTHER_FORMATS = {
    ".onnx": "an ONNX model, not an nngraph file or weights; read it with nngraph.from_onnx(path), or give it to the CLI as the network (nngraph run model.onnx …)",
    ".pkl": "a pickle of weights, not a network; read it with nngraph.load_weights(path), e.g. mnist_network(load_weights(path))",
    ".pickle": "a pickle of weights, not a network; read it with nngraph.load_weights(path), e.g. mnist_network(load_weights(path))",
}


def save(graph: Graph, path) -> None:
    """Write ``graph`` to one ``.npz``: its weight arrays and a JSON description.

    Raises:
        FormatError: for a path not ending in ``.npz`` (TOML files are written by hand).
    """
    if not isinstance(graph, Graph):
        raise FormatError(f"save needs a Graph as its first argument; got {type(graph).__name__}")
    if Path(path).suffix.lower() != ".npz":
        raise FormatError(f"{path}: save writes .npz files; name it {Path(path).with_suffix('.npz').name}")
    arrays: dict[str, np.ndarray] = {}
    nodes = [node.record(arrays) for node in graph]
    description = {"format": FORMAT, "version": VERSION, "name": graph.name, "nodes": nodes}
    arrays[DESCRIPTION_KEY] = np.array(json.dumps(description, ensure_ascii=False))
    # As Any, since mypy checks a ** mapping's values against savez's own keyword allow_pickle: bool too.
    entries: dict[str, Any] = arrays
    write_atomically(path, lambda file: np.savez(file, **entries))


def load(path, *, allow_outside: bool = False) -> Graph:
    """Read a graph saved by :func:`save` (``.npz``) or written in TOML (``.toml``).

    A TOML network reads arrays only from inside its own folder (no absolute
    path, no ``..``, no symlink leading out) unless ``allow_outside=True``.

    Raises:
        FormatError: naming the file and what is wrong with it.
    """
    path = regular_file(path)
    if path.suffix.lower() == ".toml":
        return _load_toml(path, allow_outside)
    if path.suffix.lower() in OTHER_FORMATS:
        raise FormatError(f"{path}: {OTHER_FORMATS[path.suffix.lower()]}")
    arrays = NpzArchive(path)
    if DESCRIPTION_KEY not in arrays:
        raise FormatError(
            f"{path}: holds arrays {sorted(arrays)} but no nngraph description; a weights "
            f"file is used through a .toml network (weights = ...) or nngraph.mnist_network()"
        )
    text = check_text(str(arrays.pop(DESCRIPTION_KEY)[()]), str(path), "json", "its graph description")
    try:
        description = json.loads(text)
    except (ValueError, TypeError) as err:
        raise FormatError(f"{path}: its graph description is not valid JSON: {err}") from err
    # Only the arrays the description names are read, and here, where a refusal names the file once.
    named = {key: arrays[key] for key in sorted(strings_in(description) & arrays.keys())}
    try:
        return _graph_from_description(description, named)
    except NNGraphError as err:
        raise FormatError(f"{path}: {err}") from err


def load_weights(source, keys=None) -> dict[str, np.ndarray]:
    """The arrays ``keys`` (default: all) from a mapping, a ``.npz`` file or the book's ``.pkl``, checked to be present.

    A ``.pkl`` (such as the book's ``sample_weight.pkl``) is read by
    :func:`nngraph.book_pickle.load_book_pickle`, which rebuilds NumPy arrays and nothing else.

    Example:
        >>> load_weights({"W1": [[1.0]]}, ["W1"])["W1"]
        array([[1.]])
    """
    arrays: Mapping
    if isinstance(source, Mapping):
        arrays, where = dict(source), "the weights"
    elif not isinstance(source, (str, os.PathLike)):
        raise FormatError(f"weights must be a .npz or .pkl path or a mapping of arrays; got {type(source).__name__}")
    elif Path(source).suffix.lower() in (".pkl", ".pickle"):
        from .book_pickle import load_book_pickle

        arrays, where = load_book_pickle(source), str(source)
    elif Path(source).suffix.lower() == ".onnx":
        raise FormatError(f"{source}: {OTHER_FORMATS['.onnx']}")
    else:
        arrays, where = NpzArchive(Path(source)), str(source)
    keys = list(arrays) if keys is None else keys
    missing = [k for k in keys if k not in arrays]
    if missing:
        raise FormatError(f"{where}: missing {', '.join(missing)}; it holds {sorted(arrays)}")
    return {k: np.asarray(arrays[k]) for k in keys}


def _graph_from_description(description, arrays: dict[str, np.ndarray]) -> Graph:
    if not isinstance(description, dict) or description.get("format") != FORMAT:
        raise FormatError(f"not an nngraph file (its description lacks format = {FORMAT!r})")
    if description.get("version") != VERSION:
        raise FormatError(f"format version {description.get('version')!r} is not supported (this nngraph reads {VERSION})")
    records = description.get("nodes")
    if not isinstance(records, list):
        raise FormatError("its description has no list of nodes")
    by_name = {}
    for i, record in enumerate(records):
        if not isinstance(record, dict) or not isinstance(record.get("name"), str):
            raise FormatError(f"node #{i} has no name")
        if not isinstance(record.get("kind"), str) or record["kind"] not in NODE_KINDS:
            raise FormatError(f"node {record['name']!r} has unknown kind {record.get('kind')!r}; expected one of {sorted(NODE_KINDS)}")
        if record["name"] in by_name:
            raise FormatError(f"node {record['name']!r} appears twice")
        by_name[record["name"]] = record
    name = description.get("name", "network")
    if not isinstance(name, str):
        raise FormatError(f"the graph's name must be a string; got {name!r}")
    g = Graph(name)
    for name in _dependency_order(by_name):
        record = dict(by_name[name])
        NODE_KINDS[record.pop("kind")].from_record(record, arrays, g)
    return g


def _dependency_order(by_name: dict[str, dict]) -> list[str]:
    """Node names so that every node comes after the nodes it names; names any cycle."""
    dag: nx.DiGraph[str] = nx.DiGraph()
    dag.add_nodes_from(by_name)
    for name, record in by_name.items():
        for field, source in record.items():
            # A string naming another node is a source; any other value the node's own check judges.
            if field not in NOT_SOURCES and isinstance(source, str) and source in by_name:
                dag.add_edge(source, name)
    position = {name: i for i, name in enumerate(by_name)}
    try:
        return list(nx.lexicographical_topological_sort(dag, key=position.__getitem__))
    except nx.NetworkXUnfeasible:
        cycle = [u for u, _ in nx.find_cycle(dag)]
        raise FormatError(f"its nodes form a cycle {' → '.join([*cycle, cycle[0]])}; a network must be acyclic") from None


def _inside(network: Path, name, allow_outside: bool) -> Path:
    """The file ``name`` that ``network`` refers to, refused when it lies outside the network's folder."""
    if not isinstance(name, str) or not name or "\0" in name:
        raise FormatError(f"{network}: weights must name a .npz file beside it, e.g. weights = \"net.npz\"; got {name!r}")
    target = network.parent / name
    if allow_outside:
        return target
    if Path(name).is_absolute() or ".." in Path(name).parts or not target.resolve().is_relative_to(network.parent.resolve()):
        raise FormatError(
            f"{network}: weights = {name!r} lies outside the network file's folder, and a network file reads only "
            f"files beside it; move the weights there, or allow it explicitly (load(..., allow_outside=True), "
            f"nngraph --allow-outside)"
        )
    return target


def _load_toml(path: Path, allow_outside: bool = False) -> Graph:
    text = read_toml_text(path)
    try:
        spec = tomllib.loads(text)
    except ValueError as err:  # TOMLDecodeError, or an integer of more than 4,300 digits
        raise FormatError(f"{path}: not valid TOML: {err}") from err
    check_nesting(spec, str(path))
    unknown = set(spec) - {"name", "weights", "layers", "input"}
    if unknown:
        raise FormatError(f"{path}: unexpected keys {sorted(unknown)}; expected name, weights, input, [[layers]]")
    layers = spec.get("layers")
    if not isinstance(layers, list) or not layers:
        raise FormatError(f"{path}: no [[layers]] tables; each layer needs W, b and activation")
    weights = None
    if "weights" in spec:
        weights = NpzArchive(_inside(path, spec["weights"], allow_outside))
    pairs, activations = [], []
    for i, layer in enumerate(layers, start=1):
        if not isinstance(layer, dict):
            raise FormatError(f"{path}: layer {i} is not a table")
        unknown = set(layer) - LAYER_FIELDS
        if unknown:
            raise FormatError(f"{path}: layer {i} has unexpected keys {sorted(unknown)}; expected W, b, activation, parameters")
        if "W" not in layer or "activation" not in layer:
            raise FormatError(f"{path}: layer {i} needs W and activation")
        pairs.append(tuple(_toml_array(path, i, layer.get(k), weights) for k in ("W", "b")))
        parameters = layer.get("parameters", {})
        if not isinstance(parameters, dict):
            raise FormatError(f"{path}: layer {i}: parameters must be a table, e.g. parameters = {{ alpha = 0.2 }}; got {parameters!r}")
        activations.append((layer["activation"], parameters))
    input_spec = spec.get("input", {})
    if not isinstance(input_spec, dict) or set(input_spec) - {"name"} or not isinstance(input_spec.get("name", "x"), str):
        raise FormatError(f"{path}: [input] may only set name = \"x\" (the size comes from the first W); got {input_spec!r}")
    input_name = input_spec.get("name", "x")
    try:
        return mlp(pairs, activations, name=str(spec.get("name", path.stem)), input_name=input_name)
    except NNGraphError as err:
        raise FormatError(f"{path}: {err}") from err


def _toml_array(path: Path, layer: int, value, weights):
    if isinstance(value, str):
        if weights is None:
            raise FormatError(f"{path}: layer {layer} names array {value!r} but the file sets no weights = \"....npz\"")
        if value not in weights:
            raise FormatError(f"{path}: layer {layer} names array {value!r}, not in the weights file (it holds {sorted(weights)})")
        return weights[value]
    return value


def convert_weights(source, target) -> Path:
    """Write the arrays of a weights file (``.pkl`` or ``.npz``) to the ``.npz`` ``target``.

    Raises:
        FormatError: for a target not ending in ``.npz``, or a source that cannot be read.

    Example:
        >>> import pathlib, pickle, tempfile
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (folder / "w.pkl").write_bytes(pickle.dumps({"b1": np.ones(2)}, protocol=3))
        >>> convert_weights(folder / "w.pkl", folder / "w.npz").name
        'w.npz'
        >>> load_weights(folder / "w.npz")
        {'b1': array([1., 1.])}
    """
    if Path(target).suffix.lower() != ".npz":
        raise FormatError(f"{target}: weights are written as .npz; name it {Path(target).with_suffix('.npz').name}")
    arrays: dict[str, Any] = load_weights(source)  # Any: see save()
    if DESCRIPTION_KEY in arrays:
        raise FormatError(f"{source}: an nngraph network, not a weights file; its weights are in it already (nngraph.load(path))")
    return write_atomically(target, lambda file: np.savez(file, **arrays))
