"""Same input, same bytes, across processes: every view built under two string-hash seeds.

Python salts ``hash(str)`` per process (``PYTHONHASHSEED``), so anything that
iterates a set of names, or a dict keyed by ``id()``, differs from one process
to the next while looking stable inside one. Each view is therefore built in
two fresh interpreters with different seeds and the texts compared byte for byte.
"""

import json
import os
import subprocess
import sys
import textwrap

import pytest

SEEDS = ("0", "12345")

# Runs in a fresh interpreter; prints {view: text} as JSON. Only the public API
# and documented keywords, so that refactoring a view's insides cannot break it.
BUILD_VIEWS = textwrap.dedent(
    """
    import json, sys
    import numpy as np
    import nngraph as ng
    from nngraph.narration import narrate
    from nngraph.render import Stepper, neuron_detail, neuron_diagram, signal_diagram

    def odd_names():
        g = ng.Graph('net "quoted" 網絡 <&> {x}')
        x = g.input('輸入 "x"', 3)
        W1 = g.weight("W'1", [[0.5, -0.25], [-1.5, 2.0], [0.125, -0.75]])
        b1 = g.weight("b\\\\1", [-0.1, 0.2])
        a1 = g.affine("a<1>&", x, W1, b1)
        z1 = g.activation("z{1} ;", a1, "relu")
        W2 = g.weight("W²", [[1.0, -1.0, 0.5], [-2.0, 0.25, 1.0]])
        b2 = g.weight("b² -> ]", [0.0, -0.5, 0.5])
        a2 = g.affine("a²", z1, W2, b2)
        g.activation("y → 出力", a2, "softmax")
        return g

    def wide():
        rng = np.random.default_rng(7)
        sizes = [30, 24, 16, 10]
        layers = [(rng.normal(size=(m, n)).round(3), rng.normal(size=n).round(3)) for m, n in zip(sizes, sizes[1:])]
        return ng.mlp(layers, ["sigmoid", "relu", "softmax"], name="wide")

    NETS = {
        "three_layer": (ng.three_layer_network(), [1.0, 0.5]),
        "odd_names": (odd_names(), [1.0, -0.5, 2.0]),
        "wide": (wide(), np.linspace(-1.0, 1.0, 30)),
    }

    views = {}
    for key, (net, x) in NETS.items():
        values = {step.node: step.output for step in net.steps(np.asarray(x))}
        records = narrate(net, x)
        middle = records[len(records) // 2]
        first_affine = net.layers()[0].affine.name
        views[f"{key}/steps"] = "\\n".join(str(step) for step in net.steps(np.asarray(x)))
        views[f"{key}/narrate"] = "\\n".join(r.text for r in records)
        views[f"{key}/narrate_layer"] = "\\n".join(r.text for r in narrate(net, x, level="layer"))
        views[f"{key}/neuron_plain"] = neuron_diagram(net).source
        views[f"{key}/neuron_values"] = neuron_diagram(net, values=values, weights="values").source
        views[f"{key}/neuron_focus"] = neuron_diagram(net, focus=2).source
        views[f"{key}/neuron_current"] = neuron_diagram(net, values=middle.known, current=middle.node, neuron=middle.neuron).source
        views[f"{key}/neuron_zh"] = neuron_diagram(net, language="zh").source
        views[f"{key}/neuron_detail"] = neuron_detail(net, layer=1, neuron=1, values=values).source
        views[f"{key}/signal"] = signal_diagram(net).source
        views[f"{key}/signal_values"] = signal_diagram(net, values=values).source
        views[f"{key}/signal_current"] = signal_diagram(net, values=middle.known, current=first_affine, batch=None).source
        if "--stepper" in sys.argv and key != "wide":  # rendering every frame of "wide" takes long
            views[f"{key}/stepper_html"] = Stepper(net, x).html()
    print(json.dumps(views, ensure_ascii=True))
    """
)

VIEWS = [
    f"{net}/{view}"
    for net in ("three_layer", "odd_names", "wide")
    for view in (
        "steps", "narrate", "narrate_layer", "neuron_plain", "neuron_values", "neuron_focus",
        "neuron_current", "neuron_zh", "neuron_detail", "signal", "signal_values", "signal_current",
    )
]


def build_views(*flags: str) -> list[dict[str, str]]:
    """The views built once per seed, the processes running side by side."""
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", BUILD_VIEWS, *flags], env={**os.environ, "PYTHONHASHSEED": seed},
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
        )
        for seed in SEEDS
    ]
    results = []
    for seed, run in zip(SEEDS, runs):
        out, err = run.communicate(timeout=600)
        assert run.returncode == 0, f"building the views with PYTHONHASHSEED={seed} failed:\n{err}"
        results.append(json.loads(out))
    return results


@pytest.fixture(scope="module")
def views_by_seed() -> list[dict[str, str]]:
    return build_views()


def test_the_seeds_really_change_string_hashes():
    hashes = {
        subprocess.run(
            [sys.executable, "-c", "print(hash('W1'))"], env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True, text=True, timeout=60, check=True,
        ).stdout
        for seed in SEEDS
    }
    assert len(hashes) == len(SEEDS)


def test_every_view_is_built(views_by_seed):
    assert sorted(views_by_seed[0]) == sorted(VIEWS)


@pytest.mark.parametrize("view", VIEWS)
def test_view_is_byte_equal_across_processes(views_by_seed, view):
    first, second = (views[view] for views in views_by_seed)
    assert first, f"{view} is empty"
    assert first.encode("utf-8") == second.encode("utf-8")


def test_the_odd_names_and_negative_values_really_reach_the_outputs(views_by_seed):
    views = views_by_seed[0]
    assert '"輸入 \\"x\\""' in views["odd_names/signal"]  # the name, DOT-quoted
    assert "y → 出力" in views["odd_names/signal_values"]
    for view in ("odd_names/narrate", "odd_names/steps", "odd_names/signal_values"):
        assert "−0.5" in views[view] and "-0.5" not in views[view], view


@pytest.mark.renderer
def test_the_html_stepper_is_byte_equal_across_processes():
    first, second = build_views("--stepper")
    for net in ("three_layer", "odd_names"):
        page = first[f"{net}/stepper_html"]
        assert page.count('"node":') > 3  # the frames, as data
        assert page.encode("utf-8") == second[f"{net}/stepper_html"].encode("utf-8"), net
