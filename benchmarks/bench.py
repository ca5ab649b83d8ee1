"""Benchmark: nngraph's forward pass against the same network written by hand in NumPy.

Run it from the repository root (one run prints one table)::

    .venv/bin/python benchmarks/bench.py [--data DIR] [--quick]

What is measured, all on one thread (BLAS and OpenMP pinned to 1 thread
before NumPy is imported):

1. The book's MNIST network (784-50-100-10, float32) at batch 1, 100 and
   10,000, and the book's per-sample loop over 10,000 images, against the
   book's ``predict`` (``a1 = np.dot(x, W1) + b1; z1 = sigmoid(a1); ...``).
   The baseline calls nngraph's own ``sigmoid`` and ``softmax`` functions, so
   the ratio measures the engine's overhead and nothing else; one extra row
   uses the book's naive ``1 / (1 + np.exp(-x))`` sigmoid for reference.
2. A chain of N small affine + ReLU layers (width 4, batch 1) against a plain
   loop ``for W, b in layers: x = np.maximum(np.dot(x, W) + b, 0)``: extra
   microseconds per computing node (a layer is two nodes: affine and ReLU).
3. Building and compiling a graph of 10,000 nodes (``Graph`` calls, then
   ``graph.plan()``).
4. ``list(net.steps(x))`` (every intermediate kept) against ``forward`` at
   batch 100. ``Step.formula`` is lazy and not included.
5. Peak memory (tracemalloc, which NumPy reports into) of batch 10,000.
6. Diagrams (when ``nngraph.render.neuron`` exists): build + render SVG per renderer.

Method: engine and baseline are timed back to back, alternating which goes
first, after a warm-up, with the garbage collector off (as ``timeit`` does).
Times are the minimum over the repeats (noise only ever adds time), and the
ratio, judged against the target, is of those minima; the ``median`` column is
the median over repeats of engine / baseline timed back to back, as a check.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"  # before NumPy loads its BLAS: one thread, comparable numbers

import argparse
import gc
import platform
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

try:
    import resource  # Unix only: counts page faults
except ImportError:
    resource = None

import nngraph as ng
from nngraph.activations import get_activation

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data"
MNIST_SHAPES = {"W1": (784, 50), "b1": (50,), "W2": (50, 100), "b2": (100,), "W3": (100, 10), "b3": (10,)}

# The same functions the engine calls, so the baseline differs only by the engine.
sigmoid = get_activation("sigmoid").function
softmax = get_activation("softmax").function


def predict(network, x):
    """The book's forward pass (section 3.6.2), with nngraph's activation functions."""
    W1, W2, W3 = network["W1"], network["W2"], network["W3"]
    b1, b2, b3 = network["b1"], network["b2"], network["b3"]
    a1 = np.dot(x, W1) + b1
    z1 = sigmoid(a1)
    a2 = np.dot(z1, W2) + b2
    z2 = sigmoid(a2)
    a3 = np.dot(z2, W3) + b3
    y = softmax(a3)
    return y


def naive_sigmoid(x):
    return 1 / (1 + np.exp(-x))


def predict_naive(network, x):
    """The book's ``predict`` with the book's naive sigmoid (softmax stays nngraph's)."""
    a1 = np.dot(x, network["W1"]) + network["b1"]
    z1 = naive_sigmoid(a1)
    a2 = np.dot(z1, network["W2"]) + network["b2"]
    z2 = naive_sigmoid(a2)
    a3 = np.dot(z2, network["W3"]) + network["b3"]
    return softmax(a3)


# -- timing -------------------------------------------------------------------


def _page_faults() -> int:
    """Minor page faults of this process so far (0 where unknown, e.g. on Windows)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt if resource else 0


def _clock(function, number: int) -> tuple[float, int]:
    """Seconds per call, and minor page faults (first touches of fresh memory) in all."""
    faults = _page_faults()
    start = time.perf_counter()
    for _ in range(number):
        function()
    seconds = (time.perf_counter() - start) / number
    return seconds, _page_faults() - faults


def paired(engine, baseline, number: int, repeat: int) -> dict:
    """Time ``engine`` and ``baseline`` back to back ``repeat`` times, alternating order."""
    engine(), baseline()  # warm-up: caches, allocator, lazily built plans
    times = {"engine": [], "baseline": []}
    faults = {"engine": 0, "baseline": 0}
    enabled = gc.isenabled()
    gc.disable()
    try:
        for r in range(repeat):
            pair = (("engine", engine), ("baseline", baseline))
            for name, function in pair if r % 2 == 0 else pair[::-1]:
                seconds, count = _clock(function, number)
                times[name].append(seconds)
                faults[name] += count
    finally:
        if enabled:
            gc.enable()
    e, b = times["engine"], times["baseline"]
    return {
        "engine": min(e),
        "baseline": min(b),
        "ratio": min(e) / min(b),
        "median ratio": statistics.median(x / y for x, y in zip(e, b)),
        "extra": min(e) - min(b),
        "faults": {name: count / (number * repeat) for name, count in faults.items()},
    }


def once(function, repeat: int) -> float:
    """Minimum wall time of ``function()`` over ``repeat`` calls (gc off)."""
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        gc.disable()
        try:
            start = time.perf_counter()
            function()
            best = min(best, time.perf_counter() - start)
        finally:
            gc.enable()
    return best


def peak_memory(function) -> int:
    """Peak bytes traced while ``function()`` runs, above what was allocated before."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        function()
        return tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()


# -- the table ----------------------------------------------------------------

ROWS: list[tuple[str, str, str, str, str, str]] = []


def row(what: str, engine: str, baseline: str, result: str, target: str = "", ok: bool | None = None, median: str = ""):
    status = "" if ok is None else ("PASS" if ok else "MISS")
    ROWS.append((what, engine, baseline, result, median, target, status))
    print(f"  {what}: {engine} vs {baseline} -> {result} {status}", file=sys.stderr, flush=True)


def print_table():
    head = ("measurement", "nngraph", "by hand", "result", "median", "target", "")
    widths = [max(len(r[i]) for r in [head, *ROWS]) for i in range(len(head))]

    def line(cells):
        padded = [cells[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(cells[1:], widths[1:])]
        return "  ".join(padded).rstrip()

    print(line(head))
    print(line(tuple("-" * w for w in widths)))
    for r in ROWS:
        print(line(r))


def fmt_time(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.1f} µs"


def ratio_row(what: str, result: dict, target: float | None):
    ok = None if target is None else result["ratio"] <= target
    row(what, fmt_time(result["engine"]), fmt_time(result["baseline"]), f"{result['ratio']:.3f}×",
        f"≤ {target:.2f}×" if target is not None else "(info)", ok, f"{result['median ratio']:.3f}×")


# -- the measurements ---------------------------------------------------------


def mnist_data(folder: Path, rng) -> tuple[dict, np.ndarray, str]:
    weights = folder / "book_mnist_mlp.npz"
    images = folder / "t10k-images-idx3-ubyte.gz"
    labels = folder / "t10k-labels-idx1-ubyte.gz"
    if weights.is_file() and images.is_file() and labels.is_file():
        network = ng.load_weights(weights, list(MNIST_SHAPES))
        x, _ = ng.load_mnist(images, labels)
        return dict(network), x, f"book weights and 10,000 test images from {folder}"
    network = {k: rng.standard_normal(s).astype(np.float32) * 0.1 for k, s in MNIST_SHAPES.items()}
    x = rng.random((10_000, 784), dtype=np.float32)
    return network, x, f"RANDOM float32 weights and images ({folder} has no MNIST files; pass --data DIR)"


def bench_mnist(network: dict, x: np.ndarray, quick: bool):
    net = ng.mlp([(network[f"W{i}"], network[f"b{i}"]) for i in (1, 2, 3)], ["sigmoid", "sigmoid", "softmax"])
    # The graph holds read-only copies; the baseline reads the very same arrays.
    network = {k: net[k].value for k in MNIST_SHAPES}
    scale = 0.2 if quick else 1.0
    for batch, target, number, repeat in ((1, 1.05, 2000, 21), (100, 1.02, 200, 21), (10_000, 1.00, 2, 15)):
        xb = x[0] if batch == 1 else x[:batch]
        same = np.array_equal(net.forward(xb), predict(network, xb))
        number = max(1, int(number * scale))
        result = paired(lambda: net.forward(xb), lambda: predict(network, xb), number, repeat)
        ratio_row(f"MNIST forward, batch {batch:,}" + ("" if same else " (OUTPUTS DIFFER)"), result, target)
        if batch == 1:
            unchecked = paired(lambda: net.forward(xb, allow_nonfinite=True), lambda: predict(network, xb), number, repeat)
            ratio_row("  same, forward(x, allow_nonfinite=True): no inf/nan scan", unchecked, None)
        if batch == 100:
            with np.errstate(over="ignore"):
                naive = paired(lambda: net.forward(xb), lambda: predict_naive(network, xb), number, repeat)
            ratio_row("  same, baseline with the naive sigmoid 1/(1+exp(-a))", naive, None)
        if batch == 10_000 and resource:
            faults = [f"{result['faults'][name]:,.0f}" for name in ("engine", "baseline")]
            row("  minor page faults per call, while timed", *faults, "", "(info)")

    images = x if not quick else x[:2000]

    def book_loop():
        for i in range(len(images)):
            predict(network, images[i])

    def engine_loop():
        for i in range(len(images)):
            net.forward(images[i])

    result = paired(engine_loop, book_loop, 1, 7 if quick else 11)
    ratio_row(f"MNIST per-sample loop over {len(images):,} images", result, 1.05)

    xb = x[:100]
    result = paired(lambda: list(net.steps(xb)), lambda: net.forward(xb), max(1, int(200 * scale)), 21)
    row("steps(), batch 100, all records kept (vs forward)", fmt_time(result["engine"]), fmt_time(result["baseline"]),
        f"{result['ratio']:.3f}×", "≤ 1.30×", result["ratio"] <= 1.30, f"{result['median ratio']:.3f}×")

    xb = x[:10_000]
    engine_peak = peak_memory(lambda: net.forward(xb))
    book_peak = peak_memory(lambda: predict(network, xb))
    row("peak memory, forward batch 10,000", f"{engine_peak / 2**20:.2f} MiB", f"{book_peak / 2**20:.2f} MiB",
        f"{engine_peak / book_peak:.3f}×", "(info)")


def chain(layers: int, rng, width: int = 4) -> tuple[ng.Graph, list]:
    g = ng.Graph(f"chain{layers}")
    signal = g.input("x", size=width)
    for i in range(1, layers + 1):
        W = g.weight(f"W{i}", rng.standard_normal((width, width)) * 0.5)
        b = g.weight(f"b{i}", rng.standard_normal(width) * 0.1)
        signal = g.activation(f"z{i}", g.affine(f"a{i}", signal, W, b), "relu")
    return g, [(g[f"W{i}"].value, g[f"b{i}"].value) for i in range(1, layers + 1)]


def bench_chain(rng, quick: bool):
    for layers in (100, 1_000, 10_000):
        g, params = chain(layers, rng)
        x = rng.standard_normal(4)

        def plain():
            h = x
            for W, b in params:
                h = np.maximum(np.dot(h, W) + b, 0)
            return h

        same = np.array_equal(g.forward(x), plain())
        number = max(1, 20_000 // layers // (5 if quick else 1))
        result = paired(lambda: g.forward(x), plain, number, 21)
        per_node = result["extra"] / (2 * layers) * 1e6
        target = 0.5 if layers == 1_000 else None
        row(f"chain of {layers:,} affine+ReLU layers ({2 * layers:,} nodes), width 4, batch 1"
            + ("" if same else " (OUTPUTS DIFFER)"),
            fmt_time(result["engine"]), fmt_time(result["baseline"]), f"{per_node:+.2f} µs/node ({2 * per_node:+.2f}/layer)",
            "≤ 0.50 µs/node" if target else "(info)", None if target is None else per_node <= target,
            f"{result['median ratio']:.3f}×")


def bench_compile(rng, quick: bool):
    layers = 2_500  # 1 input + 2,500 × (W, b, affine, ReLU) = 10,001 nodes
    weights = [(rng.standard_normal((4, 4)), rng.standard_normal(4)) for _ in range(layers)]

    def build():
        g = ng.Graph("chain")
        signal = g.input("x", size=4)
        for i, (W, b) in enumerate(weights, start=1):
            a = g.affine(f"a{i}", signal, g.weight(f"W{i}", W), g.weight(f"b{i}", b))
            signal = g.activation(f"z{i}", a, "relu")
        return g

    graphs = []
    built = once(lambda: graphs.append(build()), 3 if quick else 5)
    nodes = len(graphs[-1])
    compiled = once(lambda: ng.Plan(graphs[-1]), 3 if quick else 5)
    row(f"build a graph of {nodes:,} nodes", fmt_time(built), "", "", "(info)")
    row("compile it (graph.plan())", fmt_time(compiled), "", "", "(info)")
    total = built + compiled
    row(f"build + compile {nodes:,} nodes", fmt_time(total), "", "", "≤ 100 ms", total <= 0.100)


# -- diagrams (skipped until nngraph.render.neuron and .signal exist) -------------


def bench_diagrams(network: dict, rng, quick: bool):
    """Build + render SVG of neuron diagrams, per renderer, after a warm-up call."""
    try:
        import inspect

        from nngraph.render import neuron, signal  # noqa: F401 - both must exist
        from nngraph.render.backend import available_renderers
    except ImportError as err:
        print(f"\ndiagrams: skipped ({err})")
        return
    renderers = available_renderers()
    if not renderers:
        print("\ndiagrams: skipped (no Graphviz renderer found)")
        return
    accepted = inspect.signature(neuron.neuron_diagram).parameters

    def options(**wanted):
        return {k: v for k, v in wanted.items() if k in accepted}

    shapes = [(50, 100), (100,), (100, 10), (10,)]
    wide = ng.mlp([(rng.standard_normal(shapes[0]), rng.standard_normal(shapes[1])),
                   (rng.standard_normal(shapes[2]), rng.standard_normal(shapes[3]))], ["sigmoid", "softmax"])
    mnist = ng.mnist_network(network)
    draw_neurons = neuron.neuron_diagram
    cases = [
        ("neuron diagram, 2-3-2-2 network", draw_neurons, ng.three_layer_network(), {}, None),
        ("neuron diagram, 50-100-10 in full", draw_neurons, wide, options(elide=False, max_neurons=None, force=True), None),
        ("neuron diagram, MNIST elided", draw_neurons, mnist, {}, 0.1),
        ("signal diagram, MNIST", signal.signal_diagram, mnist, {}, None),
    ]
    for label, make, graph, kwargs, target in cases:
        dot = once(lambda: make(graph, **kwargs), 3)
        diagram = make(graph, **kwargs)
        row(f"{label}: build DOT", fmt_time(dot), "", f"{len(diagram.source):,} chars", "(info)")
        for renderer in renderers:
            if "svg" not in renderer.formats:
                continue

            def draw():
                return make(graph, **kwargs).render("svg", renderer=renderer.name)

            try:
                draw()  # warm-up: page cache, first-run work of the renderer
                seconds = once(draw, 3 if quick else 5)
            except ng.NNGraphError as err:
                row(f"  build + DOT→SVG, {renderer.name}", "failed", "", str(err)[:40], "")
                continue
            ok = None if target is None else seconds < target
            row(f"  build + DOT→SVG, {renderer.name}", fmt_time(seconds), "", "",
                f"< {target * 1e3:.0f} ms" if target else "(info)", ok)


# -- main -----------------------------------------------------------------------


def header(source: str):
    print(f"nngraph {ng.__version__} ({Path(ng.__file__).parent})")
    print(f"Python {platform.python_version()} on {platform.platform()}, {os.cpu_count()} CPUs, "
          f"threads pinned: OMP/OPENBLAS/MKL_NUM_THREADS=1")
    blas = "unknown"
    try:
        config = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        blas = f"{config.get('name')} {config.get('version')}"
        if "openblas configuration" in config:
            blas += f" ({config['openblas configuration']})"
    except (TypeError, KeyError, AttributeError):  # NumPy < 1.26 has no mode="dicts"
        pass
    print(f"NumPy {np.__version__}, BLAS: {blas}")
    print(f"data: {source}")
    print("baseline: the book's predict() calling nngraph.activations' sigmoid and softmax "
          "(same functions as the engine)")
    print("times: minimum over repeats; result: ratio of the minima (judged); median: median of back-to-back ratios\n")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help="folder with book_mnist_mlp.npz and the t10k MNIST files (default: %(default)s)")
    parser.add_argument("--quick", action="store_true", help="fewer repeats and a 2,000-image loop (a smoke run)")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(2024)
    network, x, source = mnist_data(args.data, rng)
    header(source)
    bench_mnist(network, x, args.quick)
    bench_chain(rng, args.quick)
    bench_compile(rng, args.quick)
    bench_diagrams(network, rng, args.quick)
    print()
    print_table()
    missed = [r[0].strip() for r in ROWS if r[-1] == "MISS"]
    print(f"\n{len(missed)} target(s) missed" + (": " + "; ".join(missed) if missed else ""))
    print("note: Step.formula is built lazily, so the steps() row excludes formatting the formulas")


if __name__ == "__main__":
    main()
