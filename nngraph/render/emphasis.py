"""What a drawing shows of a run: the values known so far and the step being evaluated.

Every view takes ``values``, ``sample``, ``current`` (and, for neurons,
``neuron``); :func:`emphasis` checks them once against the graph and returns
an :class:`Emphasis` that the views ask instead of looking at the raw values.

Example:
    >>> from nngraph import three_layer_network
    >>> net = three_layer_network()
    >>> run = {s.node: s.output for s in net.steps([1.0, 0.5])}
    >>> e = emphasis(net, values=run, current="a1", neuron=1)
    >>> e.row("a1").round(2).tolist(), e.is_current("a1", 0), e.is_current("a1", 1)
    ([0.3, 0.7, 1.1], True, False)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from ..checks import real_array
from ..errors import GraphError, InputError, ShapeError
from ..nodes import WeightNode
from .options import whole

__all__ = ["Emphasis", "emphasis"]

RUN_HINT = "e.g. {s.node: s.output for s in graph.steps(x)}"


@dataclass(frozen=True)
class Emphasis:
    """Checked values (node name → array, batches kept) and the current node and neuron."""

    values: dict[str, np.ndarray] = field(default_factory=dict)
    rows: dict[str, np.ndarray] = field(default_factory=dict)  # one sample of each signal
    current: str | None = None
    neuron: int | None = None  # the current neuron's 0-based position (neuron= counts from 1)

    @property
    def stepping(self) -> bool:
        return self.current is not None

    def row(self, name: str) -> np.ndarray | None:
        """The chosen sample's values of signal ``name`` (1-D), or None when not given."""
        return self.rows.get(name)

    def known(self, name: str, index: int) -> bool:
        """Whether neuron ``index`` of ``name`` has a value (NaN marks one not computed yet)."""
        row = self.rows.get(name)
        return row is not None and not math.isnan(row[index])

    def is_current(self, name: str, index: int | None = None) -> bool:
        """Whether ``name`` (and neuron ``index`` of it) is the step being evaluated."""
        return name == self.current and (self.neuron is None or index is None or index == self.neuron)


def _checked_value(node, name: str, value) -> np.ndarray:
    array = real_array(value, f"values[{name!r}]", InputError)
    if isinstance(node, WeightNode):
        if array.shape != node.shape:
            raise ShapeError(f"values[{name!r}] must have the shape {node.shape} of weight {name!r}; got {array.shape}")
    elif array.ndim not in (1, 2) or array.shape[-1] != node.width:
        raise ShapeError(
            f"values[{name!r}] must have shape ({node.width},) for one sample or (N, {node.width}) for a batch; "
            f"got {array.shape}; pass the values of this graph, {RUN_HINT}"
        )
    return array


def _row(name: str, array: np.ndarray, sample: int | None) -> np.ndarray:
    if array.ndim == 1:
        return array
    if len(array) == 0:
        raise InputError(f"values[{name!r}] holds no samples (an empty batch); draw the values of at least one sample")
    if sample is None:
        if len(array) != 1:
            raise InputError(f"values[{name!r}] holds a batch of {len(array)} samples; pass sample=i to draw sample i")
        return array[0]
    if not sample < len(array):
        raise InputError(f"sample {sample} is out of range for values[{name!r}] with {len(array)} samples (numbered from 0)")
    return array[sample]


def emphasis(graph, *, values: Mapping | None = None, sample=None, current=None, neuron=None, rows: bool = True) -> Emphasis:
    """Check what a view was asked to show; ``rows=False`` keeps batches whole (signal view).

    Raises:
        InputError: values that are not arrays of numbers, or a batch without ``sample``.
        ShapeError: a value that does not fit its node.
        GraphError: ``current`` not a node, ``neuron`` without ``current`` or out of range.
        OptionError: ``sample`` not a whole number.
    """
    if values is not None and not isinstance(values, Mapping):
        raise InputError(f"values must map node names to arrays, {RUN_HINT}; got {type(values).__name__}")
    if sample is not None:
        sample = whole("sample", sample, meaning="the row of the batch to draw, from 0")
    if current is not None:
        if not isinstance(current, str):
            raise GraphError(f"current must be a node name; got {current!r}")
        graph[current]  # an unknown name raises GraphError with a suggestion
    if neuron is not None:
        if current is None:
            raise GraphError("neuron= picks a neuron of the current node; pass current= too")
        width = graph[current].width
        if isinstance(neuron, bool) or not isinstance(neuron, (int, np.integer)) or not 1 <= neuron <= width:
            raise GraphError(f"neuron must be from 1 to {width} for {current!r} (it has {width} neurons, numbered from 1 as in a₁⁽¹⁾); got {neuron!r}")
        neuron = int(neuron) - 1
    checked = {name: _checked_value(graph[name], name, value) for name, value in (values or {}).items()}
    chosen = {}
    if rows:
        chosen = {name: _row(name, array, sample) for name, array in checked.items() if not isinstance(graph[name], WeightNode)}
    return Emphasis(checked, chosen, current, neuron)
