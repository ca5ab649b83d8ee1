"""Truth tables beside a perceptron (book figures 2-2, 2-3, 2-4 and 2-12), computed by the network.

The inputs run through every combination of 0 and 1 in the book's order
(x₁ first: (0, 0), (1, 0), (0, 1), (1, 1)); the table shows the inputs, the
outputs of named or step hidden layers (XOR's s₁, s₂) and the output.

Example:
    >>> from nngraph import and_gate
    >>> from nngraph.notation import Notation
    >>> table = truth_table(and_gate(), Notation(and_gate().layers()))
    >>> table.header, table.rows[-1]
    (['x₁', 'x₂', 'y'], ['1', '1', '1'])
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from ..errors import OptionError
from . import style
from .dot import pos, statement, text_node, text_width

__all__ = ["TruthTable", "truth_table", "table_statements", "MAX_INPUTS"]

MAX_INPUTS = 4  # 16 rows
ROW = 20.0  # points between rows
PAD = 14.0  # points around each column's widest entry


@dataclass(frozen=True)
class TruthTable:
    header: list[str]
    rows: list[list[str]]


def _binary_inputs(size: int) -> np.ndarray:
    """Every 0/1 input in the book's order: the first input changes fastest."""
    return np.array([combo[::-1] for combo in itertools.product((0.0, 1.0), repeat=size)])


def truth_table(graph, notation, precision: int = 4) -> TruthTable:
    """The table of ``graph`` (a chain network) over every 0/1 input.

    Raises:
        OptionError: for a network with more than ``MAX_INPUTS`` inputs.
    """
    size = graph.inputs[0].size
    if size > MAX_INPUTS:
        raise OptionError(f"truth_table needs a network of at most {MAX_INPUTS} inputs ({2 ** MAX_INPUTS} rows); {graph.name!r} has {size}")
    X = _binary_inputs(size)
    run = {step.node: step.output for step in graph.steps(X)}
    layers = graph.layers()
    shown = [layer for layer in layers[:-1] if layer.index in notation.names or _is_step(layer)] + [layers[-1]]
    header = [notation.signal(0, i) for i in range(size)]
    columns = [X[:, i] for i in range(size)]
    for layer in shown:
        header += [notation.signal(layer.index, j) for j in range(layer.affine.width)]
        columns += [run[layer.output][:, j] for j in range(layer.affine.width)]
    binary = all(np.isin(column, (0.0, 1.0)).all() for column in columns)
    cells = [[str(int(v)) if binary else style.value_text(v, precision) for v in column] for column in columns]
    return TruthTable(header, [list(row) for row in zip(*cells)])


def _is_step(layer) -> bool:
    return layer.activation is not None and layer.activation.h.name == "step"


def table_statements(table: TruthTable, left: float, top: float) -> list[str]:
    """DOT statements drawing ``table`` with its top-left corner at (``left``, ``top``)."""
    size = style.CAPTION_SIZE
    widths = [max(text_width(text, size) for text in [head, *(row[c] for row in table.rows)]) + PAD for c, head in enumerate(table.header)]
    lines, x = [], left
    centres = []
    for width in widths:
        centres.append(x + width / 2)
        x += width
    for c, head in enumerate(table.header):
        lines.append(text_node(f"T_h{c}", centres[c], top - ROW / 2, head, size=size))
        for r, row in enumerate(table.rows):
            lines.append(text_node(f"T_{r}_{c}", centres[c], top - ROW * (r + 1.5), row[c], size=size))
    rule = {"shape": "point", "width": 0.01, "label": "", "style": "invis"}
    lines.append(statement("T_rule_left", {**rule, "pos": pos(left, top - ROW)}))
    lines.append(statement("T_rule_right", {**rule, "pos": pos(x, top - ROW)}))
    lines.append(statement("T_rule_left -> T_rule_right", {"dir": "none", "penwidth": 0.8}))
    return lines
