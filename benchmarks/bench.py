"""Benchmark: nngraph's forward pass against the book's own code and the best hand-written NumPy.

Run it from the repository root (one run prints the tables)::

    .venv/bin/python benchmarks/bench.py [--data DIR] [--quick]

One thread throughout. Every ratio is measured twice: in this process, and in a
child process with glibc's malloc thresholds pinned (no allocator gift to
either side). benchmarks/README.md says what each row measures and how.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS"):
    os.environ[_var] = "1"  # before NumPy loads its BLAS: one thread, comparable numbers

import argparse
import contextlib
import functools
import gc
import inspect
import json
import platform
import statistics
import subprocess
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

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data"
MNIST_SHAPES = {"W1": (784, 50), "b1": (50,), "W2": (50, 100), "b2": (100,), "W3": (100, 10), "b3": (10,)}
PINNED = "glibc.malloc.mmap_threshold=67108864:glibc.malloc.trim_threshold=268435456"
SLOW_BLAS_VARS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")  # set on some machines; slow sgemm ~1.6x
TARGETS = {"batch 1": 1.00, "batch 100": 0.97, "batch 10000": 0.95, "loop": 1.00, "steps": 1.20}
CHAIN_TARGET = 0.1e-6  # seconds per node
MOONSHOT = 1.30  # nngraph / onnxruntime at batch 10,000


# -- the book's code, exactly as the book writes it ------------------------------


def book_sigmoid(x):
    return 1 / (1 + np.exp(-x))


def book_softmax(a):
    """ch03's softmax for one sample; for a batch, common/functions.py's transposing version."""
    if a.ndim == 2:
        x = a.T
        x = x - np.max(x, axis=0)
        y = np.exp(x) / np.sum(np.exp(x), axis=0)
        return y.T
    c = np.max(a)
    exp_a = np.exp(a - c)
    sum_exp_a = np.sum(exp_a)
    y = exp_a / sum_exp_a
    return y


def book_predict(network, x):
    """ch03/neural_network_mnist.py (and _batch.py): predict(network, x)."""
    W1, W2, W3 = network["W1"], network["W2"], network["W3"]
    b1, b2, b3 = network["b1"], network["b2"], network["b3"]
    a1 = np.dot(x, W1) + b1
    z1 = book_sigmoid(a1)
    a2 = np.dot(z1, W2) + b2
    z2 = book_sigmoid(a2)
    a3 = np.dot(z2, W3) + b3
    y = book_softmax(a3)
    return y


# -- the best hand-written NumPy: the same formulas, in place ---------------------

# A typed 0-d one: a Python scalar operand costs a conversion (~0.8 µs) on every call.
_ONE = {np.dtype(c): np.ones((), c) for c in "fd"}


def sigmoid_inplace(a):
    """1 / (1 + exp(-a)) in a's own memory; like the book's, 0 (and a warning) below a ≈ -88.7."""
    np.negative(a, out=a)
    np.exp(a, out=a)
    np.add(a, _ONE[a.dtype], out=a)
    np.reciprocal(a, out=a)
    return a


def softmax_fast(a):
    if a.ndim == 1:  # ten numbers: Python's max and sum beat the set-up of a NumPy reduction
        a -= max(a.tolist())
        np.exp(a, out=a)
        a /= sum(a.tolist())
        return a
    t = a.T.copy()  # reducing 10-wide rows along axis=-1 is slow; along a (10, N) copy it is not
    t -= t.max(axis=0)
    np.exp(t, out=t)
    t /= t.sum(axis=0)
    return t.T


def predict_inplace(network, x):
    a = np.dot(x, network["W1"])
    a += network["b1"]
    a = np.dot(sigmoid_inplace(a), network["W2"])
    a += network["b2"]
    a = np.dot(sigmoid_inplace(a), network["W3"])
    a += network["b3"]
    return softmax_fast(a)


# -- peers (optional): onnxruntime and torch on the same weights ---------------------


def onnxruntime_forward(network):
    """The network as an ONNX model (MatMul, Add, Sigmoid, ..., Softmax) in a 1-thread session."""
    import onnx
    import onnxruntime as ort
    from onnx import TensorProto, helper, numpy_helper

    nodes, signal = [], "x"
    for i, act in ((1, "Sigmoid"), (2, "Sigmoid"), (3, "Softmax")):
        out = "y" if i == 3 else f"z{i}"
        nodes += [helper.make_node("MatMul", [signal, f"W{i}"], [f"m{i}"]),
                  helper.make_node("Add", [f"m{i}", f"b{i}"], [f"a{i}"]),
                  helper.make_node(act, [f"a{i}"], [out], **({"axis": -1} if act == "Softmax" else {}))]
        signal = out
    graph = helper.make_graph(
        nodes, "book_mnist", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 784])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 10])],
        [numpy_helper.from_array(np.ascontiguousarray(v), name=k) for k, v in network.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], ir_version=8)
    onnx.checker.check_model(model)
    options = ort.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    run = ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"]).run

    def forward(x):
        return run(None, {"x": x if x.ndim == 2 else x[None]})[0]

    return forward, f"onnxruntime {ort.__version__}"


def torch_forward(network):
    import torch

    torch.set_num_threads(1)
    with contextlib.suppress(RuntimeError):  # only allowed before any parallel work
        torch.set_num_interop_threads(1)
    W1, b1, W2, b2, W3, b3 = (torch.from_numpy(np.array(network[k])) for k in MNIST_SHAPES)

    def forward(x):
        t = torch.from_numpy(x)
        t = t if t.dim() == 2 else t[None]
        h = torch.sigmoid(torch.addmm(b1, t, W1))
        h = torch.sigmoid(torch.addmm(b2, h, W2))
        return torch.softmax(torch.addmm(b3, h, W3), dim=-1).numpy()

    return forward, f"torch {torch.__version__} ({torch.get_num_threads()} thread)"


def load_peers(network, names=("onnxruntime", "torch")) -> tuple[dict, list[str]]:
    peers, notes = {}, []
    for name, make in (("onnxruntime", onnxruntime_forward), ("torch", torch_forward)):
        if name not in names:
            notes.append(f"{name} left out (--quick)")
            continue
        try:
            peers[name], version = make(network)
            notes.append(version)
        except ImportError as err:
            notes.append(f"{name} not installed ({err.name})")
        except Exception as err:  # noqa: BLE001 - a broken peer costs its rows, not the run
            notes.append(f"{name} FAILED: {type(err).__name__}: {str(err)[:80]}")
    return peers, notes


# -- timing -------------------------------------------------------------------------


def _page_faults() -> int:
    """Minor page faults of this process so far (0 where unknown, e.g. on Windows)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt if resource else 0


# This process's CPU time (user + sys, page faults included) and wall time, all timed chunks.
SPENT = {"cpu": 0.0, "wall": 0.0}


def _clock(function, number: int) -> tuple[float, int]:
    """CPU seconds per call, and minor page faults (first touches of fresh memory) in all.

    CPU time equals wall time on an idle machine and leaves out the time other
    processes take from this one on a busy one; SPENT keeps both to show the difference.
    """
    faults = _page_faults()
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(number):
        function()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    SPENT["cpu"] += cpu
    SPENT["wall"] += wall
    return cpu / number, _page_faults() - faults


@contextlib.contextmanager
def gc_off():
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def compare(functions: dict, number: int, repeat: int) -> dict:
    """Time each function ``repeat`` times (``number`` calls each), rotating which goes first.

    The first function is the one judged: ``median`` holds the median over repeats
    of its time divided by each other's, timed back to back.
    """
    names = list(functions)
    for function in functions.values():
        function()  # warm-up: caches, allocator, lazily built plans
    times = {name: [] for name in names}
    faults = dict.fromkeys(names, 0)
    with gc_off():
        for r in range(repeat):
            k = r % len(names)
            for name in names[k:] + names[:k]:
                seconds, count = _clock(functions[name], number)
                times[name].append(seconds)
                faults[name] += count
    first = times[names[0]]
    return {
        "min": {name: min(t) for name, t in times.items()},
        "median": {name: statistics.median(e / b for e, b in zip(first, t)) for name, t in times.items()},
        "faults": {name: count / (number * repeat) for name, count in faults.items()},
    }


def wall(function, repeat: int, collect: bool = True) -> float:
    """Minimum wall time of ``function()``; the garbage collector stays as a user has it."""
    best = float("inf")
    for _ in range(repeat):
        if collect:
            gc.collect()
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def command_time(command: list[str], repeat: int) -> float:
    """Best wall time of running ``command`` to completion (it must succeed)."""

    def run():
        subprocess.run(command, check=True, capture_output=True)

    if repeat > 1:
        run()  # warm-up: the page cache
    return wall(run, repeat, collect=False)


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


# -- the ratios, measured in both allocator settings ---------------------------------


def mnist_sides(network: dict):
    """nngraph and the NumPy baselines, each as ``f(x)``, over the very same weight arrays."""
    net = ng.mlp([(network[f"W{i}"], network[f"b{i}"]) for i in (1, 2, 3)], ["sigmoid", "sigmoid", "softmax"])
    network = {k: net[k].value for k in MNIST_SHAPES}  # the graph's read-only copies
    sides = {
        "nngraph": net.forward,
        "book": functools.partial(book_predict, network),
        "by hand": functools.partial(predict_inplace, network),
        "no scan": functools.partial(net.forward, allow_nonfinite=True),
    }
    return net, sides


def differing(sides: dict, x) -> list[str]:
    """Names of the sides whose output is not nngraph's to within float32 rounding."""
    want = sides["nngraph"](x)
    return [name for name, f in sides.items() if np.max(np.abs(np.reshape(f(x), want.shape) - want)) > 1e-5]


def measure_mnist(sides: dict, peers: dict, x, quick: bool) -> dict:
    """nngraph against the NumPy baselines; then, apart, against the peers, whose own
    allocators would otherwise change the page faults (and times) of the NumPy sides."""
    scale, repeat = (0.1, 5) if quick else (1.0, 21)
    results = {}
    for batch, number in ((1, 2000), (100, 200), (10_000, 2)):
        xb = x[0] if batch == 1 else x[:batch]
        number, rounds = max(1, int(number * scale)), repeat if batch < 10_000 else max(3, repeat * 2 // 3)
        result = compare({name: (lambda f=f: f(xb)) for name, f in sides.items()}, number, rounds)
        result["differ"] = differing({**sides, **peers}, xb)
        if peers:
            calls = {name: (lambda f=f: f(xb)) for name, f in {"nngraph": sides["nngraph"], **peers}.items()}
            result["peers"] = compare(calls, number, rounds)
        results[f"batch {batch}"] = result
        print(f"  batch {batch:,}: done", file=sys.stderr, flush=True)
    return results


def measure_loop(sides: dict, x, quick: bool) -> dict:
    images = x[:1000] if quick else x

    def loop(f):
        def run():
            for i in range(len(images)):
                f(images[i])

        return run

    result = compare({name: loop(sides[name]) for name in ("nngraph", "book", "by hand")}, 1, 3 if quick else 11)
    result["images"] = len(images)
    return result


def chain_weights(layers: int, rng) -> list:
    """Small weights keep a long chain of ReLU layers finite and not all zero."""
    return [(rng.standard_normal((4, 4)) * 0.5, rng.standard_normal(4) * 0.1) for _ in range(layers)]


def build_chain(weights: list) -> ng.Graph:
    """1 input, then per layer W, b, an affine and a ReLU node: 1 + 4 x layers nodes."""
    g = ng.Graph("chain")
    signal = g.input("x", size=4)
    for i, (W, b) in enumerate(weights, start=1):
        a = g.affine(f"a{i}", signal, g.weight(f"W{i}", W), g.weight(f"b{i}", b))
        signal = g.activation(f"z{i}", a, "relu")
    return g


def measure_chains(quick: bool) -> dict:
    rng = np.random.default_rng(2024)
    results = {}
    for layers in (100, 1_000) if quick else (100, 1_000, 10_000):
        g = build_chain(chain_weights(layers, rng))
        params = [(g[f"W{i}"].value, g[f"b{i}"].value) for i in range(1, layers + 1)]
        x = rng.standard_normal(4)

        def plain():
            h = x
            for W, b in params:
                h = np.maximum(np.dot(h, W) + b, 0)
            return h

        number = max(1, 20_000 // layers // (10 if quick else 1))
        result = compare({"nngraph": lambda: g.forward(x), "plain": plain}, number, 7 if quick else 21)
        result["differ"] = [] if np.array_equal(g.forward(x), plain()) else ["plain"]
        results[f"chain {layers}"] = result
    return results


def measure_ratios(network: dict, x, quick: bool, peers: dict) -> dict:
    """Every ratio of the benchmark, as plain data (the pinned child sends it as JSON)."""
    net, sides = mnist_sides(network)
    results = measure_mnist(sides, peers, x, quick)
    results["loop"] = measure_loop(sides, x, quick)
    xb = x[:100]
    results["steps"] = compare({"steps": lambda: list(net.steps(xb)), "forward": lambda: net.forward(xb)},
                               max(1, 20 if quick else 200), 5 if quick else 21)
    results.update(measure_chains(quick))
    results["spent"] = dict(SPENT)
    return results


def pinned_ratios(args) -> dict | None:
    """The same ratios from a child process whose malloc keeps its memory (no page faults)."""
    command = [sys.executable, str(Path(__file__).resolve()), "--child", "--data", str(args.data)]
    env = dict(os.environ, GLIBC_TUNABLES=PINNED)
    done = subprocess.run(command + (["--quick"] if args.quick else []), env=env, stdout=subprocess.PIPE, text=True)
    if done.returncode != 0:
        print(f"pinned-allocator run failed (exit {done.returncode}); its column stays empty", file=sys.stderr)
        return None
    return json.loads(done.stdout)


# -- absolute times ---------------------------------------------------------------


def measure_compile(quick: bool) -> dict:
    """Build a fresh graph of 10,001 nodes, then its first plan; the collector on, as for a user."""
    rng = np.random.default_rng(2024)
    weights = chain_weights(2_500, rng)
    best = {"build": float("inf"), "compile": float("inf"), "gc off": float("inf")}
    for r in range(2 if quick else 5):
        gc.collect()
        with gc_off() if r % 2 else contextlib.nullcontext():
            start = time.process_time()
            graph = build_chain(weights)
            built = time.process_time()
            graph.plan()
            done = time.process_time()
        if r % 2:
            best["gc off"] = min(best["gc off"], done - start)
        else:
            best["build"], best["compile"] = min(best["build"], built - start), min(best["compile"], done - built)
        del graph
    return {"nodes": 1 + 4 * len(weights), **best}


def measure_startup(quick: bool) -> dict:
    """The console script's --help and --version, and ``import nngraph``, each a fresh process."""
    script = Path(sys.executable).with_name("nngraph")
    cli = [str(script)] if script.is_file() else [sys.executable, "-m", "nngraph.cli"]
    repeat = 1 if quick else 9
    times = {flag: command_time(cli + [flag], repeat) for flag in ("--help", "--version")}
    times["import"] = command_time([sys.executable, "-c", "import nngraph"], repeat)
    times["python"] = command_time([sys.executable, "-c", "pass"], repeat)
    times["cli"] = "nngraph" if script.is_file() else "python -m nngraph.cli"
    return times


def measure_memory(sides: dict, x) -> dict:
    xb = x[:10_000]
    return {name: peak_memory(lambda f=sides[name]: f(xb)) for name in ("nngraph", "book", "by hand")}


# -- tables -----------------------------------------------------------------------


class Table:
    def __init__(self, title: str, *head: str):
        self.title, self.head, self.rows = title, head, []

    def add(self, *cells: str):
        self.rows.append(tuple(cells) + ("",) * (len(self.head) - len(cells)))

    def print(self):
        widths = [max(len(r[i]) for r in [self.head, *self.rows]) for i in range(len(self.head))]

        def line(cells):
            return "  ".join([cells[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(cells[1:], widths[1:])]).rstrip()

        print(f"\n{self.title}\n")
        for cells in [self.head, tuple("-" * w for w in widths), *self.rows]:
            print(line(cells))


def fmt_time(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.1f} µs"


def ratio(result: dict | None, side: str, base: str, median: bool = True) -> tuple[str, float | None]:
    """``'1.083× (1.091)'``: side / base of the minima, and the median of back-to-back ratios."""
    if result is None or side not in result["min"] or base not in result["min"]:
        return "n/a", None
    r = result["min"][side] / result["min"][base]
    text = f"{r:.3f}×"
    if median and side == next(iter(result["min"])):
        text += f" ({result['median'][base]:.3f})"
    return text, r


def met(values, target: float) -> str:
    if any(v is None for v in values):
        return "n/a"
    return "met" if all(v <= target for v in values) else "MISSED"


LABELS = {"batch 1": "MNIST forward, batch 1", "batch 100": "MNIST forward, batch 100",
          "batch 10000": "MNIST forward, batch 10,000"}


def differ_note(*results) -> str:
    names = sorted({n for r in results if r for n in r.get("differ", [])})
    return f" (OUTPUTS DIFFER: {', '.join(names)})" if names else ""


def ratio_cells(label: str, key: str, default: dict, pinned: dict | None, side: str, base: str) -> tuple:
    """One judged row: side against base in both allocator settings."""
    d, p = default[key], pinned and pinned[key]
    (text, r), (ptext, pr) = ratio(d, side, base), ratio(p, side, base)
    return (label + differ_note(d, p), fmt_time(d["min"][side]), f"{base} {fmt_time(d['min'][base])}",
            text, ptext, f"≤ {TARGETS[key]:.2f}×", met([r, pr], TARGETS[key]))


def targets_table(default: dict, pinned: dict | None, absolute: dict) -> Table:
    t = Table("Targets (issue 11, part 2): nngraph against the book's code, both allocator settings",
              "measurement", "nngraph", "baseline", "ratio (median)", "pinned", "target", "")
    for key, label in LABELS.items():
        t.add(*ratio_cells(label, key, default, pinned, "nngraph", "book"))
    loop = f"per-sample loop over {default['loop']['images']:,} images"
    t.add(*ratio_cells(loop, "loop", default, pinned, "nngraph", "book"))
    t.add(*ratio_cells("steps(), batch 100, every record kept", "steps", default, pinned, "steps", "forward"))
    for key in [k for k in default if k.startswith("chain ")]:
        t.add(*chain_cells(key, default[key], pinned and pinned[key]))
    add_absolute_targets(t, absolute)
    return t


def chain_cells(key: str, d: dict, p: dict | None) -> tuple:
    layers = int(key.split()[1])

    def per_node(result):
        return None if result is None else (result["min"]["nngraph"] - result["min"]["plain"]) / (2 * layers)

    extra, pextra = per_node(d), per_node(p)
    text = f"{extra * 1e6:+.3f} µs/node ({d['median']['plain']:.3f}×)"
    ptext = "n/a" if pextra is None else f"{pextra * 1e6:+.3f} µs/node"
    return (f"chain of {layers:,} affine+ReLU layers ({2 * layers:,} nodes){differ_note(d, p)}",
            fmt_time(d["min"]["nngraph"]), "loop " + fmt_time(d["min"]["plain"]), text, ptext,
            f"≤ +{CHAIN_TARGET * 1e6:.2f} µs/node", met([extra, pextra], CHAIN_TARGET))


def add_absolute_targets(t: Table, absolute: dict):
    c, s = absolute["compile"], absolute["startup"]
    total = c["build"] + c["compile"]
    t.add(f"build + compile {c['nodes']:,} nodes (gc on)", fmt_time(total), "", "", "", "≤ 50 ms", met([total], 0.050))
    for flag in ("--help", "--version"):
        t.add(f"{s['cli']} {flag} (fresh process, best)", fmt_time(s[flag]), "", "", "", "≤ 150 ms", met([s[flag]], 0.150))
    t.add("import nngraph (fresh process, best)", fmt_time(s["import"]), "python -c pass " + fmt_time(s["python"]),
          "", "", "(report)")


def baselines_table(default: dict, pinned: dict | None) -> Table:
    t = Table("Second baseline and page faults: the best hand-written NumPy (in place); nngraph without its inf/nan scan",
              "measurement", "by hand", "nngraph ÷ by hand", "pinned", "no scan ÷ book", "pinned",
              "faults/call nngraph / book / hand", "pinned")
    for key in [*LABELS, "loop"]:
        d, p = default[key], pinned and pinned[key]
        label = LABELS[key] if key in LABELS else f"per-sample loop over {d['images']:,} images"
        cells = [ratio(d, "nngraph", "by hand")[0], ratio(p, "nngraph", "by hand", False)[0]]
        if "no scan" in d["min"]:
            cells += [ratio(d, "no scan", "book")[0], ratio(p, "no scan", "book")[0]]
        else:
            cells += ["", ""]
        t.add(label, fmt_time(d["min"]["by hand"]), *cells, faults(d), faults(p))
    return t


def faults(result: dict | None) -> str:
    if result is None:
        return "n/a"
    return " / ".join(f"{result['faults'][name]:,.0f}" for name in ("nngraph", "book", "by hand"))


def peers_table(default: dict, pinned: dict | None) -> Table | None:
    first = default["batch 1"].get("peers")
    names = [n for n in ("onnxruntime", "torch") if first and n in first["min"]]
    if not names:
        return None
    head = ["measurement", "nngraph"]
    for n in names:
        head += [n, f"nngraph ÷ {n}", "pinned"]
    t = Table("Peers (issue 11, part 4): the same network and weights, one thread", *head, "moonshot", "")
    for key, label in LABELS.items():
        d, p = default[key]["peers"], pinned and pinned[key].get("peers")
        cells = [label, fmt_time(d["min"]["nngraph"])]
        for n in names:
            cells += [fmt_time(d["min"][n]), ratio(d, "nngraph", n)[0], ratio(p, "nngraph", n)[0]]
        if key == "batch 10000" and "onnxruntime" in names:
            values = [ratio(d, "nngraph", "onnxruntime")[1], ratio(p, "nngraph", "onnxruntime")[1]]
            cells += [f"≤ {MOONSHOT:.2f}× onnxruntime", met(values, MOONSHOT)]
        t.add(*cells)
    return t


def info_table(absolute: dict) -> Table:
    t = Table("Other measurements (information)", "measurement", "nngraph", "book", "by hand")
    c = absolute["compile"]
    t.add(f"build a graph of {c['nodes']:,} nodes (gc on)", fmt_time(c["build"]))
    t.add("compile it, graph.plan() (gc on)", fmt_time(c["compile"]))
    t.add("build + compile with gc off", fmt_time(c["gc off"]))
    m = absolute["memory"]
    t.add("peak memory (tracemalloc), forward batch 10,000", *(f"{m[n] / 2**20:.2f} MiB" for n in ("nngraph", "book", "by hand")))
    for cells in absolute.get("diagrams", []):
        t.add(*cells)
    return t


# -- diagrams (skipped unless nngraph.render and a Graphviz renderer are there) --------


def measure_diagrams(network: dict, quick: bool) -> list[tuple]:
    """Build DOT, and build + render SVG per renderer, after a warm-up call: table cells."""
    try:
        from nngraph.render import neuron, signal
        from nngraph.render.backend import available_renderers
    except ImportError as err:
        return [(f"diagrams: skipped ({err})",)]
    renderers = [r for r in available_renderers() if "svg" in r.formats]
    if not renderers:
        return [("diagrams: skipped (no Graphviz renderer found)",)]
    rng = np.random.default_rng(2024)
    wide = ng.mlp([(rng.standard_normal((50, 100)), rng.standard_normal(100)),
                   (rng.standard_normal((100, 10)), rng.standard_normal(10))], ["sigmoid", "softmax"])
    mnist = ng.mnist_network(network)
    accepted = inspect.signature(neuron.neuron_diagram).parameters
    in_full = {k: v for k, v in {"elide": False, "max_neurons": None, "force": True}.items() if k in accepted}
    cases = [("neuron diagram, 2-3-2-2 network", neuron.neuron_diagram, ng.three_layer_network(), {}),
             ("neuron diagram, 50-100-10 in full", neuron.neuron_diagram, wide, in_full),
             ("neuron diagram, MNIST elided", neuron.neuron_diagram, mnist, {}),
             ("signal diagram, MNIST", signal.signal_diagram, mnist, {})]
    cells, repeat = [], 3 if quick else 5
    for label, make, graph, kwargs in cases:
        cells.append((f"{label}: build DOT", fmt_time(wall(lambda: make(graph, **kwargs), repeat))))
        for renderer in renderers:
            draw = lambda: make(graph, **kwargs).render("svg", renderer=renderer.name)  # noqa: E731
            try:
                draw()  # warm-up: page cache, first-run work of the renderer
                cells.append((f"  build + DOT→SVG, {renderer.name}", fmt_time(wall(draw, repeat))))
            except (ng.NNGraphError, TypeError) as err:
                cells.append((f"  build + DOT→SVG, {renderer.name}: failed ({str(err)[:40]})",))
    return cells


# -- main -------------------------------------------------------------------------


def mnist_data(folder: Path) -> tuple[dict, np.ndarray, np.ndarray | None, str]:
    weights = folder / "book_mnist_mlp.npz"
    images, labels = folder / "t10k-images-idx3-ubyte.gz", folder / "t10k-labels-idx1-ubyte.gz"
    if weights.is_file() and images.is_file() and labels.is_file():
        x, t = ng.load_mnist(images, labels)
        return dict(ng.load_weights(weights, list(MNIST_SHAPES))), x, t, f"the book's weights and 10,000 test images from {folder}"
    rng = np.random.default_rng(2024)
    network = {k: rng.standard_normal(s).astype(np.float32) * 0.1 for k, s in MNIST_SHAPES.items()}
    x = rng.random((10_000, 784), dtype=np.float32)
    return network, x, None, f"RANDOM float32 weights and images ({folder} has no MNIST files; pass --data DIR)"


def limit_threads() -> str | None:
    """Pin every BLAS/OpenMP pool seen to one thread; None without threadpoolctl."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return None
    threadpool_limits(limits=1)
    return "ok"


def blas_lines() -> list[str]:
    """The kernels actually running (threadpoolctl), else what NumPy was built with."""
    try:
        import threadpoolctl
    except ImportError:
        threadpoolctl = None
    if threadpoolctl:
        return [f"running: {p.get('internal_api')} {p.get('version') or '(no version)'}, kernel {p.get('architecture', 'n/a')}, "
                f"{p.get('num_threads')} thread(s), {Path(p.get('filepath', '?')).name} (threadpoolctl)"
                for p in threadpoolctl.threadpool_info()]
    lines = ["running kernel UNKNOWN: threadpoolctl is not installed (pip install threadpoolctl)"]
    with contextlib.suppress(TypeError, KeyError, AttributeError):  # NumPy < 1.26: no mode="dicts"
        config = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        lines.append(f"built with: {config.get('name')} {config.get('version')}")
    return lines


def header(source: str, accuracy: str, peer_notes: list[str], blas_env_was: str | None):
    print(f"nngraph {ng.__version__} ({Path(ng.__file__).parent})")
    print(f"Python {platform.python_version()} on {platform.platform()}, {os.cpu_count()} CPUs; "
          f"OMP/OPENBLAS/MKL/VECLIB threads = 1")
    print(f"NumPy {np.__version__}; BLAS and OpenMP pools:")
    for line in blas_lines():
        print(f"  {line}")
    kept = ", ".join(f"{v}={os.environ[v]}" for v in SLOW_BLAS_VARS if v in os.environ)
    if blas_env_was:
        print(f"{'/'.join(SLOW_BLAS_VARS)}: UNSET for this benchmark's own processes (were {blas_env_was})")
    else:
        print(f"{'/'.join(SLOW_BLAS_VARS)}: " + (f"KEPT as set (--keep-blas-env): {kept}" if kept else "not set"))
    libc = " ".join(platform.libc_ver()) or "not glibc: the setting has no effect"
    print(f"allocator: each ratio in this process (malloc defaults) and in a child with "
          f"GLIBC_TUNABLES={PINNED} ('pinned'; {libc})")
    print(f"peers: {'; '.join(peer_notes)}")
    print(f"data: {source}{accuracy}")
    print("baselines: book = ch03 predict() as the book writes it (np.dot, 1 / (1 + np.exp(-x)), its softmax: "
          "ch03's for one sample, common/functions.py's for a batch); by hand = the same formulas in place, "
          "see benchmarks/README.md")
    print("times: this process's CPU time per call, minimum over repeats; ratio = of the minima (judged); "
          "(median) = median of back-to-back ratios; build + compile: CPU time too; CLI, import and diagrams: wall time")


def busy_note(default: dict, pinned: dict | None) -> str:
    def share(results):
        spent = results and results.get("spent")
        return f"{spent['cpu'] / spent['wall']:.0%}" if spent and spent["wall"] else "n/a"

    return (f"CPU time was {share(default)} of wall time while timing in this process, {share(pinned)} in the "
            "pinned child (100% on an idle machine; the tables give CPU time)")


def accuracy_note(sides: dict, x, labels) -> str:
    if labels is None:
        return ""
    return f"; nngraph's accuracy {np.mean(np.argmax(sides['nngraph'](x), axis=1) == labels):.4f} (the book: 0.9352)"


def rerun_without(found: dict, argv: list[str]) -> int:
    """Run this benchmark again without the BLAS variables; the caller's environment keeps them."""
    env = {k: v for k, v in os.environ.items() if k not in found}
    note = ", ".join(f"{k}={v}" for k, v in found.items())
    return subprocess.call([sys.executable, str(Path(__file__).resolve()), *argv, "--blas-env-was", note], env=env)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help="folder with book_mnist_mlp.npz and the t10k MNIST files (default: %(default)s)")
    parser.add_argument("--quick", action="store_true", help="a smoke run: few repeats, a 1,000-image loop")
    parser.add_argument("--keep-blas-env", action="store_true",
                        help=f"measure with {' and '.join(SLOW_BLAS_VARS)} as set (default: unset them for this run)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--blas-env-was", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    found = {v: os.environ[v] for v in SLOW_BLAS_VARS if v in os.environ}
    if found and not args.keep_blas_env:
        return rerun_without(found, argv)
    limit_threads()
    network, x, labels, source = mnist_data(args.data)
    if args.child:  # the pinned-allocator run: ratios only, as JSON on stdout
        peers, _ = load_peers(network, () if args.quick else ("onnxruntime", "torch"))
        json.dump(measure_ratios(network, x, args.quick, peers), sys.stdout)
        return 0
    peers, peer_notes = load_peers(network, ("onnxruntime",) if args.quick else ("onnxruntime", "torch"))
    limit_threads()  # again: the peers may have loaded pools of their own
    net, sides = mnist_sides(network)
    header(source, accuracy_note(sides, x, labels), peer_notes, args.blas_env_was)
    print("\nmeasuring (this process, then the pinned child) ...", file=sys.stderr, flush=True)
    default = measure_ratios(network, x, args.quick, peers)
    pinned = pinned_ratios(args)
    absolute = {"compile": measure_compile(args.quick), "startup": measure_startup(args.quick),
                "memory": measure_memory(sides, x)}
    if not args.quick:
        try:
            absolute["diagrams"] = measure_diagrams(network, args.quick)
        except Exception as err:  # noqa: BLE001 - the drawings are extra; the tables above must print
            absolute["diagrams"] = [(f"diagrams: FAILED ({type(err).__name__}: {str(err)[:60]})",)]
    tables = [targets_table(default, pinned, absolute), baselines_table(default, pinned),
              peers_table(default, pinned), info_table(absolute)]
    for table in filter(None, tables):
        table.print()
    print("\n" + busy_note(default, pinned))
    missed = [r[0] for r in tables[0].rows if r[-1] == "MISSED"]
    print(f"\n{len(missed)} target(s) missed" + (": " + "; ".join(missed) if missed else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
