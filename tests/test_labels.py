"""Edge labels read from the rendered SVG: each on its own arrow, touching nothing else.

The checks are written from the SVG alone (label boxes, edge paths, circles),
independently of how nngraph placed the labels.
"""

import math
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nngraph as ng
from nngraph.render import available_renderers, neuron_detail, neuron_diagram
from nngraph.render.diagram import Diagram
from nngraph.render.figures import FIGURES
from nngraph.render.labels import Arrow, place_labels, segment_box_hits
from nngraph.render.neuron import LABEL_LIMIT

SVG = "{http://www.w3.org/2000/svg}"
TOLERANCE = 0.5  # points: rounding in the SVG's coordinates
MIN_LABEL_SIZE = 12.0


def _points(text: str) -> list[tuple[float, float]]:
    numbers = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", text)]
    return list(zip(numbers[::2], numbers[1::2]))


def _bbox(points):
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def read_svg(svg: bytes):
    """Labels (title → box, font sizes), edges (title → segment, arrowhead box) and circles."""
    root = ET.fromstring(svg)
    labels, edges, circles = {}, {}, []
    for group in root.iter(f"{SVG}g"):
        title = group.findtext(f"{SVG}title")
        if group.get("class") == "edge":
            ends = _points(group.find(f"{SVG}path").get("d"))
            head = group.find(f"{SVG}polygon")
            edges[title.replace(" ", "")] = (ends[0], ends[-1], _bbox(_points(head.get("points"))) if head is not None else None)
        elif group.get("class") == "node":
            for ellipse in group.iter(f"{SVG}ellipse"):
                circles.append((title, float(ellipse.get("cx")), float(ellipse.get("cy")), float(ellipse.get("rx"))))
            polygon = group.find(f"{SVG}polygon")
            if title.startswith("L") and polygon is not None:
                sizes = [float(t.get("font-size")) for t in group.iter(f"{SVG}text")]
                labels[title] = (_bbox(_points(polygon.get("points"))), sizes)
    return labels, edges, circles


def _crosses(start, end, box, tolerance=TOLERANCE) -> bool:
    x0, y0, x1, y1 = box[0] + tolerance, box[1] + tolerance, box[2] - tolerance, box[3] - tolerance
    for t in np.linspace(0, 1, 400):
        x, y = start[0] + t * (end[0] - start[0]), start[1] + t * (end[1] - start[1])
        if x0 < x < x1 and y0 < y < y1:
            return True
    return False


def _distance(point, start, end) -> float:
    (px, py), (x0, y0), (x1, y1) = point, start, end
    dx, dy = x1 - x0, y1 - y0
    t = max(0.0, min(1.0, ((px - x0) * dx + (py - y0) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - x0 - t * dx, py - y0 - t * dy)


def _own_edge(label: str, edges: dict) -> str:
    pair = re.match(r"^((?:N\d+_\d+)|B\d+)_(N\d+_\d+)$", label[1:])  # neuron diagram: L{source}_{target}
    source, target = pair.groups() if pair else (label[1:], "a")  # neuron detail: L{source} into a
    return f"{source}->{target}"


def label_problems(svg: bytes) -> list[str]:
    """Every way a label of the drawing fails to read unambiguously, in words."""
    labels, edges, circles = read_svg(svg)
    problems = []
    boxes = list(labels.items())
    for index, (label, (box, sizes)) in enumerate(boxes):
        own = _own_edge(label, edges)
        if own not in edges:
            problems.append(f"{label}: no arrow {own}")
            continue
        if min(sizes) < MIN_LABEL_SIZE:
            problems.append(f"{label}: text of {min(sizes)} pt")
        centre = ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
        start, end, _ = edges[own]
        if _distance(centre, start, end) > 1.5:
            problems.append(f"{label}: centre {_distance(centre, start, end):.1f} pt off its arrow")
        for name, (a, b, head) in edges.items():
            if name != own and _crosses(a, b, box):
                problems.append(f"{label}: crossed by arrow {name}")
            if head is not None and _overlap(box, head):
                problems.append(f"{label}: covers the arrowhead of {name}")
        for title, cx, cy, r in circles:
            nx, ny = min(max(cx, box[0]), box[2]) - cx, min(max(cy, box[1]), box[3]) - cy
            if math.hypot(nx, ny) < r - TOLERANCE:
                problems.append(f"{label}: touches neuron {title}")
        for other, (other_box, _) in boxes[index + 1 :]:
            if _overlap(box, other_box):
                problems.append(f"{label}: overlaps label {other}")
    return problems


def _overlap(a, b) -> bool:
    return a[0] < b[2] - TOLERANCE and b[0] < a[2] - TOLERANCE and a[1] < b[3] - TOLERANCE and b[1] < a[3] - TOLERANCE


# -- the geometry, without a renderer ------------------------------------------------------


def test_segment_box_hits_agrees_with_sampling():
    rng = np.random.default_rng(1)
    starts, ends = rng.uniform(0, 100, (60, 2)), rng.uniform(0, 100, (60, 2))
    corners = rng.uniform(0, 90, (40, 2))
    boxes = np.column_stack([corners, corners + rng.uniform(1, 20, (40, 2))])
    hits = segment_box_hits(starts, ends, boxes)
    for b, box in enumerate(boxes):
        for s in range(len(starts)):
            if _crosses(starts[s], ends[s], box, tolerance=0.5):  # well inside: must be a hit
                assert hits[b, s]
            if not _crosses(starts[s], ends[s], box, tolerance=-0.5):  # well outside: must not
                assert not hits[b, s]


def test_a_label_that_cannot_fit_is_reported():
    # Two arrows on top of each other: neither label can sit clear of the other arrow.
    arrows = [Arrow((0, 0), (100, 0), (10, 7)), Arrow((0, 0.5), (100, 0.5), (10, 7))]
    assert place_labels(arrows, []) is None
    assert place_labels([Arrow((0, 0), (100, 0), (10, 7))], []) == [(75.0, 0.0)]


# -- rendered drawings ---------------------------------------------------------------------

NEURON_FIGURES = [f for f in FIGURES if isinstance(f.draw(), Diagram) and "-neuron" in f.draw().name]
RENDERERS = [r.name for r in available_renderers()]


@pytest.mark.renderer
@pytest.mark.parametrize("renderer", RENDERERS)
@pytest.mark.parametrize("figure", NEURON_FIGURES, ids=[f.name for f in NEURON_FIGURES])
def test_labels_of_every_neuron_figure_read_clearly(figure, renderer):
    assert label_problems(figure.draw().render("svg", renderer=renderer)) == []


@pytest.mark.renderer
def test_the_check_finds_a_label_on_a_crossing():
    source = neuron_diagram(ng.three_layer_network()).source
    # Move w₁₂⁽¹⁾ to the middle of the first gap, where arrows cross.
    moved = re.sub(r'(LN0_1_N1_0 \[shape="plaintext", label="[^"]*", pos=")[^"]*', r"\g<1>100.0,0.0", source)
    assert moved != source
    problems = label_problems(Diagram(moved, engine="nop2").render("svg"))
    assert any(p.startswith("LN0_1_N1_0: crossed by arrow") for p in problems)
    assert any("off its arrow" in p for p in problems)


@pytest.mark.renderer
@pytest.mark.parametrize("weights", ["notation", "values", "both"])
def test_full_labelled_drawings_of_the_book_networks(weights):
    net = ng.three_layer_network()
    run = {s.node: s.output for s in net.steps([1.0, 0.5])}
    for graph, values in ((net, None), (net, run), (ng.xor_gate(), None)):
        assert label_problems(neuron_diagram(graph, weights=weights, values=values).render("svg")) == []
    assert label_problems(neuron_detail(net, 2, 2, values=run).render("svg")) == []


@st.composite
def networks(draw):
    widths = draw(st.lists(st.integers(1, 6), min_size=2, max_size=6))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    layers = [(rng.normal(size=(m, n)).round(2), rng.normal(size=n).round(2)) for m, n in zip(widths, widths[1:])]
    return ng.mlp(layers, "sigmoid", name="random")


@pytest.mark.renderer
@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(net=networks(), weights=st.sampled_from(["notation", "values", "both"]), with_values=st.booleans())
def test_labels_of_random_networks_read_clearly(net, weights, with_values):
    values = {s.node: s.output for s in net.steps(np.linspace(-1, 1, net.inputs[0].size))} if with_values else None
    diagram = neuron_diagram(net, weights=weights, values=values)
    assert label_problems(diagram.render("svg")) == []
    widths = [net.inputs[0].size] + [layer.affine.width for layer in net.layers()]
    arrows = sum(m * n + n for m, n in zip(widths, widths[1:]))
    labels = diagram.source.count("\n  LN") + diagram.source.count("\n  LB")
    into = [m * n + n for m, n in zip(widths, widths[1:])]  # labelled arrows into each layer
    readable = sum(count for count in into if count <= LABEL_LIMIT)
    assert labels == readable  # every weight and bias of a layer not too crowded found its place
    assert (diagram.notes == ()) == (readable == arrows)
