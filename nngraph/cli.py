"""The ``nngraph`` command: demo, run, step and info on built-in or saved networks.

Exit codes: 0 success, 1 bad input (a one-line message, ``--debug`` for the
traceback), 2 usage error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from . import __version__
from .build import BUILTIN_NETWORKS, mnist_network
from .errors import FormatError, InputError, NNGraphError
from .formatting import format_array
from .graph import Graph
from .io import load
from .narrate import LEVELS, narrate

GATE_INPUTS = np.array([[0, 0], [1, 0], [0, 1], [1, 1]])


def load_network(spec: str, weights: str | None = None) -> Graph:
    """A built-in network by name (``and``, ``xor``, ``three-layer``, ``mnist``) or a file."""
    if spec == "mnist":
        if weights is None:
            raise InputError("the mnist network needs its weights: --weights FILE.npz (keys W1, b1, … b3)")
        return mnist_network(weights)
    if spec in BUILTIN_NETWORKS:
        return BUILTIN_NETWORKS[spec]()
    path = Path(spec)
    if path.suffix.lower() in (".toml", ".npz") or path.exists():
        return load(path)
    names = ", ".join([*BUILTIN_NETWORKS, "mnist"])
    raise InputError(f"unknown network {spec!r}; give a .toml or .npz file or one of: {names}")


def parse_input(text: str, graph: Graph) -> np.ndarray:
    """``'1.0,0.5'`` (one sample; ``;`` separates samples) or a .npy/.npz/.csv file."""
    path = Path(text)
    if path.suffix.lower() in (".npy", ".npz", ".csv"):
        if not path.is_file():
            raise InputError(f"input file {text!r} does not exist")
        try:
            if path.suffix.lower() == ".csv":
                return np.loadtxt(path, delimiter=",", ndmin=1)
            data = np.load(path, allow_pickle=False)
            if isinstance(data, np.lib.npyio.NpzFile):
                with data:
                    if len(data.files) != 1:
                        raise InputError(f"{text}: holds {data.files}; give a file with exactly one array")
                    return data[data.files[0]]
            return data
        except (OSError, ValueError) as err:
            raise FormatError(f"{text}: cannot read the input ({err})") from err
    try:
        rows = [[float(v) for v in row.split(",")] for row in text.split(";")]
    except ValueError:
        raise InputError(f"--input {text!r}: expected numbers separated by commas, e.g. 1.0,0.5 (';' between samples)") from None
    if len({len(r) for r in rows}) != 1:
        raise InputError(f"--input {text!r}: every sample needs the same number of values")
    return np.array(rows[0] if len(rows) == 1 else rows)


def cmd_info(args) -> None:
    graph = load_network(args.net, args.weights)
    print(f"{graph.name}: {len(graph)} nodes")
    for node in graph:
        if node.kind == "input":
            print(f"  input      {node.name:<8} size {node.size}")
        elif node.kind == "weight":
            print(f"  weight     {node.name:<8} shape {node.shape} {node.value.dtype}")
        elif node.kind == "affine":
            print(f"  affine     {node.name:<8} = {node.formula():<16} → N×{node.width}")
        else:
            print(f"  activation {node.name:<8} = {node.formula():<16} ({node.activation.name})")
    count = sum(node.value.size for node in graph if node.kind == "weight")
    print(f"parameters: {count:,}")


def cmd_run(args) -> None:
    graph = load_network(args.net, args.weights)
    x = parse_input(args.input, graph)
    output = graph.forward(x)
    if isinstance(output, dict):
        for name, value in output.items():
            print(f"{name} = {format_array(value, args.precision)}")
    else:
        print(format_array(output, args.precision))


def cmd_step(args) -> None:
    graph = load_network(args.net, args.weights)
    x = parse_input(args.input, graph)
    if args.frames or args.html:
        from .render.stepper import Stepper

        stepper = Stepper(graph, x, sample=args.sample, level=args.level, precision=args.precision)
        if args.frames:
            written = stepper.write_frames(args.frames)
            print(f"wrote {len(written)} frames to {args.frames}/")
        if args.html:
            stepper.save(args.html)
            print(f"wrote the HTML stepper to {args.html} (open it in a browser; ← → step)")
        return
    records = narrate(graph, x, level=args.level, sample=args.sample, precision=args.precision)
    for record in records:
        print(f"[{record.index + 1}/{len(records)}] {record.text}")
        if args.interactive and record.index + 1 < len(records):
            try:
                answer = input("  Enter: next, q: quit > ")
            except EOFError:
                answer = "q"
            if answer.strip().lower() == "q":
                break


def cmd_demo(args) -> None:
    print("Perceptron gates, inputs (0,0) (1,0) (0,1) (1,1):")
    for name in ("and", "nand", "or", "xor"):
        graph = BUILTIN_NETWORKS[name]()
        outputs = graph.forward(GATE_INPUTS)[:, 0].astype(int)
        print(f"  {graph.name:<4} → {' '.join(map(str, outputs))}")
    print("\nThe three-layer network of section 3.4.3 at x = [1.0, 0.5], one node at a time:")
    for step in BUILTIN_NETWORKS["three-layer"]().steps(np.array([1.0, 0.5])):
        print(f"  {step.formula}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nngraph", description="See a neural network compute: evaluate, step through and draw it.")
    parser.add_argument("--version", action="version", version=f"nngraph {__version__}")
    parser.add_argument("--debug", action="store_true", help="show the full traceback on errors")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = commands.add_parser("demo", help="the book's networks, evaluated and stepped")
    demo.set_defaults(run=cmd_demo)

    def network_command(name: str, help: str, handler):
        sub = commands.add_parser(name, help=help)
        sub.add_argument("net", metavar="NET", help=f"a .toml/.npz network file or one of: {', '.join([*BUILTIN_NETWORKS, 'mnist'])}")
        sub.add_argument("--weights", metavar="FILE", help="weights .npz for the mnist network")
        sub.set_defaults(run=handler)
        return sub

    network_command("info", "layers, shapes and parameter counts", cmd_info)
    for name, help, handler in (("run", "evaluate on an input", cmd_run), ("step", "narrate the evaluation step by step", cmd_step)):
        sub = network_command(name, help, handler)
        sub.add_argument("--input", "-i", required=True, help="values like 1.0,0.5 (';' between samples) or a .npy/.npz/.csv file")
        sub.add_argument("--precision", type=int, default=8, help="decimals printed (default 8)")
    step = commands.choices["step"]
    step.add_argument("--level", choices=LEVELS, default="neuron", help="narrate each neuron (default) or each layer in matrix form")
    step.add_argument("--sample", type=int, default=0, help="the row of a batch to narrate (default 0)")
    step.add_argument("--interactive", action="store_true", help="wait for Enter after each step; q quits")
    step.add_argument("--frames", metavar="DIR", help="write one SVG per step and view into DIR")
    step.add_argument("--html", metavar="FILE", help="write a self-contained HTML stepper")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        args.run(args)
    except NNGraphError as err:
        if args.debug:
            raise
        print(f"nngraph: error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
