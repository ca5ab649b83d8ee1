"""What each ``nngraph`` command does; :mod:`nngraph.cli` parses the command line and calls these.

Kept apart from the parser so that ``nngraph --help`` and ``--version`` load
neither NumPy nor networkx.
"""

from __future__ import annotations

import math
import re
import sys
from pathlib import Path
from typing import Any

import numpy as np

from .build import BUILTIN_NETWORKS, mnist_network
from .errors import FormatError, InputError
from .files import regular_file
from .formatting import format_array
from .graph import Graph
from .idx import load_mnist, read_idx
from .interop import from_onnx
from .io import convert_weights, load, load_weights
from .limits import check_size
from .narration import narrate
from .nodes import WeightNode

GATE_INPUTS = np.array([[0, 0], [1, 0], [0, 1], [1, 1]])


def load_network(spec: str, weights: str | None = None, *, allow_outside: bool = False) -> Graph:
    """A built-in network by name (``and``, ``xor``, ``three-layer``, ``mnist``) or a file (.toml, .npz, .onnx)."""
    if spec == "mnist":
        if weights is None:
            raise InputError("the mnist network needs its weights: --weights FILE.npz (keys W1, b1, … b3) or the book's sample_weight.pkl")
        return mnist_network(load_weights(weights))
    if spec in BUILTIN_NETWORKS:
        if weights is not None:
            raise InputError(f"--weights does not apply to {spec!r}, a built-in network with its own weights; drop it, or give a .toml or .npz network")
        return BUILTIN_NETWORKS[spec]()
    path = Path(spec)
    if path.suffix.lower() == ".onnx":
        return from_onnx(path)
    if path.suffix.lower() in (".toml", ".npz") or path.exists():
        return load(path, allow_outside=allow_outside)
    names = ", ".join([*BUILTIN_NETWORKS, "mnist"])
    raise InputError(f"unknown network {spec!r}; give a .toml, .npz or .onnx file or one of: {names}")


def parse_input(text: str, flag: str = "--input", *, scale: bool = True) -> np.ndarray:
    """``'1.0,0.5'`` (one sample; ``;`` separates samples), a .npy/.npz/.csv file or MNIST IDX data.

    IDX images are flattened and scaled to [0, 1]; with ``scale=False`` they stay
    bytes, four times smaller, for :func:`pixels_scaled` to scale batch by batch.

    Numbers may use the typographic minus "−" that nngraph prints, so printed
    values can be pasted back.

    Example:
        >>> parse_input("1,2;3,4")
        array([[1., 2.],
               [3., 4.]])
        >>> parse_input("−0.5,1e−3")
        array([-0.5  ,  0.001])
    """
    if not text.strip():
        raise InputError(f"{flag} is empty; give numbers such as 1.0,0.5 or a file")
    if INLINE_NUMBERS.fullmatch(text):  # never tried as a file name, however long
        return _inline_numbers(text, flag)
    path = Path(text)
    suffix = path.suffix.lower()
    if suffix not in (".npy", ".npz", ".csv") and "idx" in path.name.lower():
        data: Any = read_idx(path)  # an array here; below, a .npz file's arrays or a .npy file's array
        flat = data.reshape(len(data), -1) if data.ndim > 1 else data
        return pixels_scaled(flat) if scale and data.ndim > 1 else flat
    if suffix in (".npy", ".npz", ".csv"):
        regular_file(path, f"{flag} {text!r}", InputError)
        if suffix == ".csv":
            if not path.read_text(encoding="utf-8-sig", errors="replace").strip():
                raise InputError(f"{flag} {text}: the file is empty; give one sample per line, numbers separated by commas")
            try:
                rows = np.loadtxt(path, delimiter=",", ndmin=2, encoding="utf-8-sig")
            except ValueError as err:
                raise FormatError(f"{flag} {text}: not a CSV of numbers with the same count on every line ({err})") from err
            return rows[0] if len(rows) == 1 else rows  # one line is one sample; one column, one value per sample
        data = load_weights(path) if suffix == ".npz" else _load_npy(path, flag)
        if suffix == ".npz":
            if len(data) != 1:
                raise InputError(f"{flag} {text}: holds {sorted(data)}; give a file with exactly one array")
            return next(iter(data.values()))
        return data
    if path.exists():
        raise InputError(f"{flag} {text!r}: unsupported file type; give numbers, .npy, .npz, .csv or MNIST IDX files")
    raise InputError(f"{flag} {text!r}: no such file, and not numbers separated by commas, e.g. 1.0,0.5 (';' between samples)")


#: An inline --input: numbers (the typographic minus − too, inf and nan) separated by , and ;.
_NUMBER = r"\s*[+\-\N{MINUS SIGN}]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+\-\N{MINUS SIGN}]?\d+)?|inf|nan)\s*"
INLINE_NUMBERS = re.compile(rf"{_NUMBER}(?:[,;]{_NUMBER})*", re.IGNORECASE)


def _inline_numbers(text: str, flag: str) -> np.ndarray:
    try:
        rows = [[float(v.replace("\N{MINUS SIGN}", "-")) for v in row.split(",")] for row in text.split(";")]
    except ValueError:
        raise InputError(f"{flag} {text[:60]!r}{'…' if len(text) > 60 else ''}: expected numbers separated by commas, e.g. 1.0,0.5 (';' between samples) or a file") from None
    if len({len(r) for r in rows}) != 1:
        raise InputError(f"{flag} {text!r}: every sample needs the same number of values")
    return np.array(rows[0] if len(rows) == 1 else rows)


def pixels_scaled(x: np.ndarray) -> np.ndarray:
    """Bytes of an image (0…255) as float32 in [0, 1], as the book's load_mnist(normalize=True); other arrays as they are."""
    return x.astype(np.float32) / np.float32(255) if x.dtype == np.uint8 else x


def _load_npy(path: Path, flag: str) -> np.ndarray:
    """The array of a ``.npy`` file, its declared size checked against NNGRAPH_MAX_BYTES before it is read."""
    try:
        with open(path, "rb") as file:
            major, _ = np.lib.format.read_magic(file)
            read_header = np.lib.format.read_array_header_1_0 if major == 1 else np.lib.format.read_array_header_2_0
            shape, _, dtype = read_header(file)
        if dtype.hasobject or dtype.itemsize == 0:
            raise ValueError(f"it holds {dtype} values")
        check_size(math.prod(shape) * dtype.itemsize, f"{flag} {path}", f"its header (shape {shape}, {dtype}) declares")
        return np.load(path, allow_pickle=False)
    except FormatError:
        raise
    except (OSError, ValueError, SyntaxError) as err:
        raise FormatError(f"{flag} {path}: not a .npy array of numbers (nngraph never loads pickles): {err}") from err


def cmd_info(args) -> None:
    graph = load_network(args.net, args.weights, allow_outside=args.allow_outside)
    print(f"{graph.name}: {len(graph)} nodes")
    for node in graph:
        print(f"  {node.summary()}")
    count = sum(node.value.size for node in graph if isinstance(node, WeightNode))
    print(f"parameters: {count:,}")


def cmd_run(args) -> None:
    graph = load_network(args.net, args.weights, allow_outside=args.allow_outside)
    x = parse_input(args.input, scale=False)  # IDX images stay bytes; each batch is scaled as it is run
    if args.labels:
        labels = _class_labels(args.labels)
        accuracy = evaluate_accuracy(graph, x, labels, allow_nonfinite=args.allow_nonfinite)
        print(f"accuracy: {accuracy:.4f} ({len(labels):,} samples)")
        return
    output = _run_in_batches(graph, x, allow_nonfinite=args.allow_nonfinite)
    if isinstance(output, dict):
        for name, value in output.items():
            print(f"{name} = {format_array(value, args.precision)}")
    else:
        print(format_array(output, args.precision))


def _run_in_batches(graph: Graph, x: np.ndarray, batch: int = 1000, **options):
    """``graph.forward(x)``, a batch of rows at a time (so memory stays bounded), with a progress bar."""
    if x.ndim != 2 or len(x) <= batch:
        return graph.forward(pixels_scaled(x), **options)
    parts = []
    for start in range(0, len(x), batch):
        parts.append(graph.forward(pixels_scaled(x[start : start + batch]), **options))
        _progress(min(start + batch, len(x)), len(x))
    if isinstance(parts[0], dict):
        return {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}
    return np.concatenate(parts)


def evaluate_accuracy(graph: Graph, images: np.ndarray, labels: np.ndarray, batch: int = 100, **options) -> float:
    """Share of samples whose largest output is their label, in batches, with a progress bar."""
    images, labels = np.atleast_2d(images), np.asarray(labels).reshape(-1)
    if len(graph.outputs) != 1 or graph.outputs[0].width < 2:
        raise InputError(
            f"accuracy needs a classifier, one output with a column per class; {graph.name!r} has "
            f"{len(graph.outputs)} output(s) of {', '.join(str(node.width) for node in graph.outputs)} column(s); drop --labels"
        )
    if len(images) != len(labels):
        raise InputError(f"{len(images)} inputs but {len(labels)} labels; they must match one to one")
    if len(labels) == 0:
        raise InputError("no samples to evaluate: the inputs and labels are empty")
    plan = graph.plan()
    correct = 0
    for start in range(0, len(images), batch):
        output = plan.run(pixels_scaled(images[start : start + batch]), **options)
        correct += int(np.sum(np.argmax(output, axis=1) == labels[start : start + batch]))
        _progress(min(start + batch, len(images)), len(images))
    return correct / len(labels)


def _progress(done: int, total: int, width: int = 30) -> None:
    if not sys.stderr.isatty():
        return
    filled = width * done // total
    end = "\n" if done == total else ""
    print(f"\r  [{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,}", end=end, file=sys.stderr, flush=True)


#: Render options that apply to some views only, with their defaults: given to another view, they are refused.
VIEW_OPTIONS = {
    "edge_labels": (("neuron",), "notation"),
    "max_neurons": (("neuron",), 10),
    "no_bias": (("neuron",), False),
    "full": (("neuron",), False),
    "force": (("neuron",), False),
    "sample": (("neuron", "neuron-detail"), None),
    "layer": (("neuron-detail",), 1),
    "neuron": (("neuron-detail",), 1),
}


def _view_options(args) -> None:
    """Refuse an option the chosen view does not take; give the others their defaults."""
    for option, (views, default) in VIEW_OPTIONS.items():
        value = getattr(args, option)
        if value is not None and value is not False and args.view not in views:
            flag = "--" + option.replace("_", "-")
            raise InputError(f"{flag} applies to --view {' or '.join(views)}, not to --view {args.view}; drop it or change the view")
        if value is None:
            setattr(args, option, default)


def cmd_render(args) -> None:
    from .render import neuron_detail, neuron_diagram, signal_diagram

    _view_options(args)
    graph = load_network(args.net, args.weights, allow_outside=args.allow_outside)
    if args.view == "regions":
        from .render.regions import plot_regions

        points = parse_input(args.input) if args.input else "auto"
        plot_regions(graph, args.output, points=points, language=args.language)
        print(f"wrote {args.output}")
        return
    values = None
    if args.input:
        x = parse_input(args.input)
        values = {step.node: step.output for step in graph.steps(x)}
    if args.view == "signal":
        diagram = signal_diagram(graph, values=values, batch=None if values else "N", language=args.language)
    elif args.view == "neuron-detail":
        diagram = neuron_detail(graph, args.layer, args.neuron, values=values, language=args.language, sample=args.sample)
    else:
        diagram = neuron_diagram(
            graph, values=values, sample=args.sample, weights=args.edge_labels, bias=not args.no_bias,
            max_neurons=None if args.full else args.max_neurons, language=args.language, force=args.force,
        )
    notes = list(diagram.notes)
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    path = diagram.save(args.output, renderer=args.renderer)
    print(f"wrote {path}")


def cmd_step(args) -> None:
    graph = load_network(args.net, args.weights, allow_outside=args.allow_outside)
    x = parse_input(args.input)
    labels = _class_labels(args.labels) if args.labels else None
    samples = _chosen_samples(graph, x, labels, args)
    if args.frames or args.html:
        from .render.stepper import Stepper

        stepper = Stepper(graph, x, sample=samples, labels=labels, level=args.level, precision=args.precision, language=args.language)
        if args.frames:
            written = stepper.write_frames(args.frames)
            print(f"wrote {len(written)} frames to {args.frames}/")
        if args.html:
            stepper.save(args.html)
            print(f"wrote the HTML stepper to {args.html} (open it in a browser; ← → step)")
        return
    for sample in samples:
        label = None if labels is None else int(labels[sample])
        records = narrate(graph, x, level=args.level, sample=sample, precision=args.precision, label=label, language=args.language)
        if len(samples) > 1:
            print(f"— sample {sample} —")
        for record in records:
            print(f"[{record.index + 1}/{len(records)}] {record.text}")
            if args.interactive and record.index + 1 < len(records) and not _go_on():
                return


def _class_labels(text: str) -> np.ndarray:
    """``--labels``: one whole-number class per input."""
    values = np.asarray(parse_input(text, "--labels")).reshape(-1)
    if values.size and not (np.isfinite(values).all() and (values == np.round(values)).all() and values.min() >= 0):
        raise InputError(f"--labels {text!r}: labels must be whole numbers ≥ 0, the class of each input (e.g. the digit)")
    return values.astype(np.int64)


def _go_on() -> bool:
    try:
        answer = input("  Enter: next, q: quit > ")
    except EOFError:
        answer = "q"
    return answer.strip().lower() != "q"


def _chosen_samples(graph: Graph, x: np.ndarray, labels, args) -> list[int]:
    """The rows ``--sample`` names, or the first ``--misclassified`` N rows the network gets wrong."""
    rows = 1 if x.ndim == 1 else len(x)
    if labels is not None and len(labels) != rows:
        raise InputError(f"--labels has {len(labels)} labels for {rows} inputs; they must match one to one")
    if args.misclassified is None:
        for sample in args.sample:  # all checked before any is narrated
            if sample >= rows:
                raise InputError(f"--sample {sample} is out of range: the input has {rows} row{'s' if rows != 1 else ''}, numbered from 0")
        return args.sample
    if labels is None:
        raise InputError("--misclassified needs --labels FILE, the true class of every input")
    predicted = np.argmax(graph.forward(np.atleast_2d(x)), axis=1)
    wrong = [int(i) for i in np.flatnonzero(predicted != labels)]
    if not wrong:
        raise InputError(f"the network classifies all {rows:,} inputs correctly; nothing to step through with --misclassified")
    return wrong[: args.misclassified]


def cmd_convert(args) -> None:
    path = convert_weights(args.source, args.target)
    print(f"wrote {path} ({', '.join(sorted(load_weights(path)))})")


def cmd_demo(args) -> None:
    from .render.figures import mnist_figures, write_figures
    from .render.stepper import Stepper

    mnist = _demo_mnist(args)  # read first: a wrong folder fails before any file is written
    print("Perceptron gates, inputs (0,0) (1,0) (0,1) (1,1):")
    for name in ("and", "nand", "or", "xor"):
        graph = BUILTIN_NETWORKS[name]()
        outputs = graph.forward(GATE_INPUTS)[:, 0].astype(int)
        print(f"  {graph.name:<4} → {' '.join(map(str, outputs))}")
    network = BUILTIN_NETWORKS["three-layer"]()
    print("\nThe three-layer network of section 3.4.3 at x = [1.0, 0.5], neuron by neuron:")
    for record in narrate(network, [1.0, 0.5]):
        print(f"  {record.text}")
    if mnist is not None:
        images, labels, graph = mnist
        print(f"\nMNIST: {len(images):,} test images, the book's network 784-50-100-10")
        print(f"accuracy: {evaluate_accuracy(graph, images, labels):.4f}")
    folder = Path(args.output)
    skipped = []
    written = write_figures(folder, renderer=args.renderer, extra=mnist_figures(*mnist) if mnist is not None else (),
                            skip=lambda figure, reason: skipped.append(figure.book))
    if skipped:
        print(f"note: figures {', '.join(skipped)} are plots and need matplotlib: pip install 'nngraph[plot]'", file=sys.stderr)
    stepper = Stepper(network, [1.0, 0.5], title="The three-layer network, step by step").save(
        folder / "three_layer_stepper.html", renderer=args.renderer
    )
    print(f"\nWrote {len(written) - 1} textbook figures and their index to {folder}/ (see {folder / 'README.md'})")
    print(f"Wrote the HTML stepper to {stepper} (open it in a browser; ← → step through)")


def _demo_mnist(args):
    """``(images, labels, network)`` from ``--mnist DIR --weights FILE``, or None without them."""
    if not args.mnist:
        return None
    if not args.weights:
        raise InputError("--mnist needs --weights FILE.npz with the trained W1, b1, … b3")
    folder = Path(args.mnist)
    images_path, labels_path = (_find(folder, stem) for stem in ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"))
    images, labels = load_mnist(images_path, labels_path)
    return images, labels, mnist_network(load_weights(args.weights))


def _find(folder: Path, stem: str) -> Path:
    for name in (stem, f"{stem}.gz"):
        if (folder / name).is_file():
            return folder / name
    raise InputError(f"{folder}: no {stem} or {stem}.gz; give the folder holding the MNIST test files")
