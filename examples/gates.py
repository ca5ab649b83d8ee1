"""The perceptron gates of chapter 2: truth tables and diagrams.

    python examples/gates.py [OUTPUT_DIR]    (default: out/gates)
"""

import sys
from pathlib import Path

import numpy as np

import nngraph as ng
from nngraph.render import neuron_diagram

out = Path(sys.argv[1] if len(sys.argv) > 1 else "out/gates")
out.mkdir(parents=True, exist_ok=True)
inputs = np.array([[0, 0], [1, 0], [0, 1], [1, 1]])

for build in (ng.and_gate, ng.nand_gate, ng.or_gate, ng.xor_gate):
    gate = build()
    outputs = gate.forward(inputs)[:, 0].astype(int)
    print(f"{gate.name:<4}", *(f"{a}{b}→{y}" for (a, b), y in zip(inputs, outputs)))
    names = {1: "s"} if gate.name == "XOR" else None
    neuron_diagram(gate, weights="values", names=names).save(out / f"{gate.name.lower()}.svg")
print(f"wrote and.svg, nand.svg, or.svg and xor.svg to {out}/")
