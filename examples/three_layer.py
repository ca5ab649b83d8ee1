"""Build the book's three-layer network by hand, run it, step through it and draw it.

    python examples/three_layer.py [OUTPUT_DIR]    (default: out/three_layer)
"""

import sys
from pathlib import Path

import numpy as np

import nngraph as ng
from nngraph.render import Stepper, neuron_diagram, signal_diagram

out = Path(sys.argv[1] if len(sys.argv) > 1 else "out/three_layer")
out.mkdir(parents=True, exist_ok=True)

g = ng.Graph("three-layer")
x = g.input("x", size=2)
a1 = g.affine("a1", x, g.weight("W1", [[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]]), g.weight("b1", [0.1, 0.2, 0.3]))
z1 = g.activation("z1", a1, "sigmoid")
a2 = g.affine("a2", z1, g.weight("W2", [[0.1, 0.4], [0.2, 0.5], [0.3, 0.6]]), g.weight("b2", [0.1, 0.2]))
z2 = g.activation("z2", a2, "sigmoid")
a3 = g.affine("a3", z2, g.weight("W3", [[0.1, 0.3], [0.2, 0.4]]), g.weight("b3", [0.1, 0.2]))
g.activation("y", a3, "identity")

sample = np.array([1.0, 0.5])
print("y =", g.forward(sample))
for step in g.steps(sample):
    print(step)

values = {step.node: step.output for step in g.steps(sample)}
neuron_diagram(g, values=values).save(out / "neurons.svg")
signal_diagram(g, values=values, batch=None).save(out / "signal.svg")
Stepper(g, sample).save(out / "stepper.html")
print(f"wrote neurons.svg, signal.svg and stepper.html to {out}/")
