"""A node kind defined here, outside the package, works everywhere: evaluating, stepping, files, drawing."""

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pytest

import nngraph as ng
from nngraph.render import signal_diagram


@dataclass(frozen=True, kw_only=True)
class Sum(ng.Operation):
    """``s = p + q``: two signals of one width, added."""

    p: str
    q: str
    kind: ClassVar[str] = "sum_of_two_test"

    @property
    def arguments(self) -> dict[str, str]:
        return {"p": self.p, "q": self.q}

    def check(self, sources) -> None:
        if sources["p"].width != sources["q"].width or self.width != sources["p"].width:
            raise ng.ShapeError(f"sum {self.name!r} adds signals of one width; got {sources['p'].width} and {sources['q'].width}")

    def forward(self, p, q):
        return p + q

    def expression(self) -> str:
        return f"{self.p} + {self.q}"


@dataclass(frozen=True, kw_only=True)
class Scale(ng.Operation):
    """``s = a ⊙ w``: a signal scaled column by column by a weight vector."""

    a: str
    w: str
    kind: ClassVar[str] = "scale_test"
    parameter_roles: ClassVar[frozenset[str]] = frozenset({"w"})

    @property
    def arguments(self) -> dict[str, str]:
        return {"a": self.a, "w": self.w}

    def check(self, sources) -> None:
        if sources["w"].shape != (sources["a"].width,):
            raise ng.ShapeError(f"scale {self.name!r}: {self.w} must have shape ({sources['a'].width},)")

    def forward(self, a, w):
        return a * w

    def expression(self) -> str:
        return f"{self.a} ⊙ {self.w}"


W = np.array([[1.0, 2.0], [3.0, 4.0]])
w = np.array([10.0, -1.0])


@pytest.fixture
def graph():
    g = ng.Graph("new kinds")
    x = g.input("x", 2)
    a = g.affine("a", x, g.weight("W", W))
    s = g.add(Sum(name="s", p=a.name, q=x.name, width=2))
    g.add(Scale(name="y", a=s.name, w=g.weight("w", w).name, width=2))
    return g


def expected(x):
    return (x @ W + x) * w


def test_a_new_kind_evaluates_one_sample_and_a_batch(graph):
    x = np.array([[1.0, 0.5], [-2.0, 3.0], [0.0, 0.0]])
    np.testing.assert_array_equal(graph.forward(x), expected(x))
    np.testing.assert_array_equal(graph.forward(x[0]), expected(x[0]))


def test_a_new_kind_steps_and_records_what_it_read(graph):
    steps = list(graph.steps([1.0, 0.5]))
    assert [str(step) for step in steps] == [
        "x = [1.0, 0.5]",
        "a = x·W = [2.5, 4.0]",
        "s = a + x = [3.5, 4.5]",
        "y = s ⊙ w = [35.0, −4.5]",
    ]
    assert steps[3].kind == "scale_test" and list(steps[3].inputs) == ["s", "w"]


def test_a_new_kind_is_checked_when_added(graph):
    with pytest.raises(ng.ShapeError, match=r"sum 'bad' adds signals of one width; got 2 and 3"):
        graph.add(Sum(name="bad", p="y", q=graph.input("t", 3).name, width=2))
    with pytest.raises(ng.GraphError, match=r"scale_test 'bad' reads its w from 'x', an input; w must be a weight node"):
        graph.add(Scale(name="bad", a="y", w="x", width=2))


def test_a_new_kind_is_saved_and_loaded(graph, tmp_path):
    ng.save(graph, tmp_path / "net.npz")
    loaded = ng.load(tmp_path / "net.npz")
    assert [type(node) for node in loaded] == [type(node) for node in graph]
    x = np.array([[1.0, 0.5], [-2.0, 3.0]])
    np.testing.assert_array_equal(loaded.forward(x), expected(x))


def test_a_new_kind_is_drawn_in_the_signal_view(graph):
    dot = signal_diagram(graph).source
    assert '"s" [label="s = a + x"' in dot and '"y" [label="y = s ⊙ w"' in dot
    assert '"x" -> "s" [label="N×2"' in dot and '"w" -> "y" [color=' in dot


@pytest.mark.renderer
def test_a_new_kind_renders_to_svg(graph):
    svg = signal_diagram(graph, values=dict(zip(graph.plan().order, [s.output for s in graph.steps([1.0, 0.5])]))).svg()
    assert "s = a + x" in svg and "35.0" in svg


@dataclass(frozen=True, kw_only=True)
class Doubling(ng.Operation):
    """Doubles its signal in place, and may return the wrong number of columns."""

    a: str
    extra: int = 0
    kind: ClassVar[str] = "doubling_test"

    @property
    def arguments(self) -> dict[str, str]:
        return {"a": self.a}

    def forward(self, a):
        a *= 2
        return np.concatenate([a, np.zeros(a.shape[:-1] + (self.extra,))], axis=-1) if self.extra else a


def test_a_new_kind_works_on_copies_and_what_it_returns_is_checked():
    g = ng.Graph()
    g.add(Doubling(name="d", a=g.input("x", 2).name, width=2))
    x = np.array([1.0, 2.0])
    assert g.forward(x).tolist() == [2.0, 4.0] and x.tolist() == [1.0, 2.0]
    wrong = ng.Graph()
    wrong.add(Doubling(name="d", a=wrong.input("x", 2).name, width=2, extra=1))
    with pytest.raises(ng.ShapeError, match=r"doubling_test 'd': forward\(\) must return 2 columns per sample, like its input's rows; got \(3,\)"):
        wrong.forward(x)


def test_a_node_added_directly_is_checked_like_a_built_one():
    g = ng.Graph()
    g.input("x", 2)
    values = np.array([[1.0], [2.0]])
    g.add(ng.WeightNode(name="W", value=values))
    values[0, 0] = 100.0  # the graph holds its own read-only copy
    g.affine("a", "x", "W")
    assert g.forward([1.0, 1.0]).tolist() == [3.0]
    with pytest.raises(ng.GraphError, match=r"weight 'V' holds nan at index \(0, 0\)"):
        g.add(ng.WeightNode(name="V", value=[[np.nan]]))
    with pytest.raises(ng.GraphError, match=r"input 't' needs a positive integer size; got -1"):
        g.add(ng.InputNode(name="t", size=-1))
    with pytest.raises(ng.GraphError, match=r"activation 'z': leaky_relu takes alpha; got 'beta'"):
        g.add(ng.ActivationNode(name="z", source="a", h=ng.get_activation("leaky_relu"), parameters={"beta": 1.0}, width=1))
    with pytest.raises(ng.GraphError, match=r"doubling_test 'd' needs a positive integer width; got 0"):
        g.add(Doubling(name="d", a="a", width=0))
