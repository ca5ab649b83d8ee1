"""diagrams/ holds every textbook figure, fresh: regenerated DOT must equal the committed DOT."""

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from nngraph.cli import main
from nngraph.render.diagram import Diagram
from nngraph.render.figures import FIGURES, MNIST_FIGURES, index_page, mnist_figures, write_figures

DIAGRAMS = Path(__file__).resolve().parents[1] / "diagrams"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize("figure", FIGURES, ids=[f.name for f in FIGURES])
def test_committed_figure_is_present_and_fresh(figure):
    svg = DIAGRAMS / f"{figure.name}.svg"
    assert svg.is_file(), f"{svg.name} is missing: run `make demo` and commit diagrams/"
    assert ET.parse(svg).getroot().tag == f"{SVG}svg"
    drawing = figure.draw()
    if isinstance(drawing, Diagram):
        committed = (DIAGRAMS / "dot" / f"{figure.name}.dot").read_text(encoding="utf-8")
        assert drawing.source == committed, f"{figure.name} is stale: run `make demo` and commit diagrams/"


@pytest.fixture(scope="module")
def mnist_extra(mnist_test_set, mnist_net):
    return mnist_figures(*mnist_test_set, mnist_net)


def test_index_shows_every_figure():
    index = (DIAGRAMS / "README.md").read_text(encoding="utf-8")
    assert index == index_page()  # the same with or without the MNIST data
    for figure in (*FIGURES, *MNIST_FIGURES):
        assert f"({figure.name}.svg)" in index and (DIAGRAMS / f"{figure.name}.svg").is_file()


def test_committed_mnist_figures_are_fresh(mnist_extra):
    for figure in mnist_extra:  # SVG written by nngraph itself: the same bytes every run
        assert (DIAGRAMS / f"{figure.name}.svg").read_bytes() == figure.draw(), f"{figure.name} is stale: run `make demo`"


def test_index_follows_the_books_order():
    books = [line.split(" · ")[0][3:] for line in index_page().splitlines() if line.startswith("## ")]
    figures = [tuple(int(n) for n in book.split("/")[0].split("-")) for book in books if "." not in book]
    assert figures == sorted(figures) and books[0] == "2-1" and books[-1] == "3-27"
    assert books.index("3.4.3") == books.index("3-20") + 1  # the section's own drawing after its figure


def test_figure_names_are_unique_and_cover_the_design_table():
    names = [f.name for f in FIGURES]
    assert len(names) == len(set(names))
    books = {f.book for f in FIGURES}
    for number in ("2-1", "2-2", "2-3", "2-4", "2-6", "2-7", "2-8", "2-12", "2-13", "3-1", "3-3", "3-4/3-5", "3-6",
                   "3-7", "3-8", "3-9", "3-10", "3-11", "3-12", "3-14", "3-15", "3-16", "3-17", "3-18", "3-19",
                   "3-20", "3-21", "3-22", "3-26", "3-27"):
        assert number in books


@pytest.mark.renderer
def test_write_figures_renders_every_file(tmp_path):
    written = write_figures(tmp_path)
    assert len(written) == len(FIGURES) + 1
    for figure in FIGURES:
        root = ET.parse(tmp_path / f"{figure.name}.svg").getroot()
        assert root.tag == f"{SVG}svg"


@pytest.mark.renderer
def test_demo_writes_figures_stepper_and_narration(tmp_path, capsys):
    assert main(["demo", "-o", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "XOR  → 0 1 1 0" in out
    assert "a₁⁽¹⁾ = w₁₁⁽¹⁾x₁ + w₁₂⁽¹⁾x₂ + b₁⁽¹⁾ = 1.0×0.1 + 0.5×0.2 + 0.1 = 0.3" in out
    assert "y = [0.31682708, 0.69627909]" in out
    page = (tmp_path / "out" / "three_layer_stepper.html").read_text(encoding="utf-8")
    assert "Step 1 / 16" in page
    assert "<script src" not in page and "<link" not in page and "http" not in page.replace("http://www.w3.org", "")
    assert (tmp_path / "out" / "xor_two_layer.svg").is_file()


@pytest.mark.renderer
def test_demo_evaluates_mnist_when_given_the_data(data_dir, mnist_weights_path, tmp_path, capsys):
    assert main(["demo", "-o", str(tmp_path), "--mnist", str(data_dir), "--weights", str(mnist_weights_path)]) == 0
    assert "accuracy: 0.9352" in capsys.readouterr().out
