"""The drawing side of the nngraph command: render, step --frames / --html, exit codes."""

import xml.etree.ElementTree as ET

import numpy as np
import pytest

from nngraph.cli import main

pytestmark = pytest.mark.renderer


def test_render_each_view(tmp_path, capsys):
    for view in ("neuron", "signal", "neuron-detail"):
        path = tmp_path / f"{view}.svg"
        assert main(["render", "three-layer", "-o", str(path), "--view", view, "--input", "1.0,0.5"]) == 0
        assert ET.parse(path).getroot().tag.endswith("svg")
    assert "0.5744" in (tmp_path / "neuron.svg").read_text(encoding="utf-8")
    assert "wrote" in capsys.readouterr().out


def test_render_dot_and_png(tmp_path):
    assert main(["render", "xor", "-o", str(tmp_path / "x.dot"), "--edge-labels", "values"]) == 0
    assert (tmp_path / "x.dot").read_text(encoding="utf-8").startswith("digraph")
    assert main(["render", "xor", "-o", str(tmp_path / "x.png")]) == 0
    assert (tmp_path / "x.png").read_bytes().startswith(b"\x89PNG")


def test_render_mnist_is_elided_with_a_note(tmp_path, mnist_weights_path, capsys):
    path = tmp_path / "m.svg"
    assert main(["render", "mnist", "--weights", str(mnist_weights_path), "-o", str(path)]) == 0
    assert "elided" in capsys.readouterr().err
    assert "⁝" in path.read_text(encoding="utf-8")


def test_render_mnist_in_full_needs_force(tmp_path, mnist_weights_path, capsys):
    code = main(["render", "mnist", "--weights", str(mnist_weights_path), "-o", str(tmp_path / "m.svg"), "--full"])
    assert code == 1
    err = capsys.readouterr().err
    assert err.startswith("nngraph: error: drawing 'mnist' with 45,200 arrows") and "--force" in err
    assert "Traceback" not in err
    assert not (tmp_path / "m.svg").exists()


@pytest.mark.parametrize(
    "args, message",
    [
        (["render", "three-layer", "-o", "OUT/t.svg", "--view", "neuron-detail", "--layer", "9"], "layer must be from 1 to 3"),
        (["render", "three-layer", "-o", "OUT/t.svg", "--input", "1,2,3"], "input 'x' needs 2 values per sample"),
        (["render", "nosuch", "-o", "OUT/t.svg"], "unknown network 'nosuch'"),
        (["render", "three-layer", "-o", "OUT/t.gif"], "unknown format 'gif'"),
        (["step", "three-layer", "-i", "1,0.5", "--sample", "2"], "--sample 2 is out of range: the input has 1 row"),
    ],
)
def test_bad_input_is_exit_1_with_one_line(tmp_path, capsys, args, message):
    args = [a.replace("OUT", str(tmp_path)) for a in args]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert err.startswith("nngraph: error: ") and message in err and err.count("\n") == 1


def test_usage_errors_are_exit_2(capsys):
    for args in (["render", "three-layer"], ["render", "three-layer", "-o", "x.svg", "--view", "nope"], ["step", "xor", "-i", "1,0", "--level", "atom"]):
        with pytest.raises(SystemExit) as exit:
            main(args)
        assert exit.value.code == 2


def test_step_writes_numbered_frames_and_html(tmp_path, capsys):
    assert main(["step", "three-layer", "-i", "1.0,0.5", "--frames", str(tmp_path / "frames"), "--html", str(tmp_path / "s.html")]) == 0
    names = sorted(p.name for p in (tmp_path / "frames").iterdir())
    assert len(names) == 32 and names[0] == "step-001-neuron.svg" and names[-1] == "step-016-signal.svg"
    page = (tmp_path / "s.html").read_text(encoding="utf-8")
    assert "Step 1 / 16" in page and "y = [0.31682708, 0.69627909]" in page


def test_step_interactive_stops_on_q(monkeypatch, capsys):
    answers = iter(["", "", "q"])
    monkeypatch.setattr("builtins.input", lambda prompt: next(answers))
    assert main(["step", "three-layer", "-i", "1.0,0.5", "--interactive"]) == 0
    out = capsys.readouterr().out
    assert "[3/16] z₁⁽¹⁾ = σ(a₁⁽¹⁾) = σ(0.3) = 0.57444252" in out and "[4/16]" not in out


# -- --view regions: a 2-input network's outputs over the (x₁, x₂) plane ---------------------------


@pytest.mark.parametrize(("suffix", "magic"), [("svg", b"<?xml"), ("png", b"\x89PNG"), ("pdf", b"%PDF")])
def test_render_regions(tmp_path, capsys, suffix, magic):
    pytest.importorskip("matplotlib")
    path = tmp_path / f"xor.{suffix}"
    assert main(["render", "xor", "-o", str(path), "--view", "regions"]) == 0
    assert path.read_bytes().startswith(magic)
    assert capsys.readouterr().out == f"wrote {path}\n"


def test_render_regions_marks_the_input_points(tmp_path):
    pytest.importorskip("matplotlib")
    path = tmp_path / "or.svg"
    assert main(["render", "or", "-o", str(path), "--view", "regions", "--input", "0.1,0.1;0.9,0.9"]) == 0
    root = ET.parse(path).getroot()
    svg = "{http://www.w3.org/2000/svg}"
    # 0.5·0.1 + 0.5·0.1 − 0.2 < 0 gives ○, 0.5·0.9 + 0.5·0.9 − 0.2 > 0 gives △
    assert len(root.findall(f".//{svg}g[@id='points-0']//{svg}use")) == 1
    assert len(root.findall(f".//{svg}g[@id='points-1']//{svg}use")) == 1


@pytest.mark.parametrize(
    ("net", "output", "extra", "message"),
    [
        ("three", "r.svg", [], "plot_regions draws networks with 2 inputs (x₁, x₂) in the plane; network 'three' has 3"),
        ("xor", "r.dot", [], "path must end in .pdf, .png or .svg"),
        ("xor", "r.svg", ["--input", "5,5"], "point (5.0, 5.0) lies outside x_range"),
    ],
)
def test_render_regions_fails_cleanly(tmp_path, capsys, net, output, extra, message):
    pytest.importorskip("matplotlib")
    import nngraph as ng

    if net == "three":
        net = str(tmp_path / "three.npz")
        ng.save(ng.mlp([([[1.0], [1.0], [1.0]], [0.0])], "step", name="three"), net)
    path = tmp_path / output
    assert main(["render", net, "-o", str(path), "--view", "regions", *extra]) == 1
    err = capsys.readouterr().err
    assert err.startswith("nngraph: error: ") and message in err and err.count("\n") == 1
    assert not path.exists()


def test_step_several_samples_and_chinese(tmp_path, capsys):
    assert main(["step", "three-layer", "--input", "1.0,0.5;0,1", "--sample", "0,1", "--language", "zh"]) == 0
    out = capsys.readouterr().out
    assert "— sample 0 —" in out and "— sample 1 —" in out and "y = [0.31682708, 0.69627909]" in out
    assert main(["step", "three-layer", "--input", "1.0,0.5", "--sample", "0,1"]) == 1
    err = capsys.readouterr()
    assert err.out == "" and "--sample 1 is out of range: the input has 1 row, numbered from 0" in err.err  # before any step


def test_step_the_first_misclassified_mnist_images(tmp_path, capsys, data_dir, mnist_weights_path, mnist_net, mnist_test_set):
    images, labels = mnist_test_set
    page = tmp_path / "wrong.html"
    args = ["step", "mnist", "--weights", str(mnist_weights_path), "--input", str(data_dir / "t10k-images-idx3-ubyte.gz")]
    assert main([*args, "--labels", str(data_dir / "t10k-labels-idx1-ubyte.gz"), "--misclassified", "2", "--html", str(page)]) == 0
    wrong = np.flatnonzero(np.argmax(mnist_net.forward(images), axis=1) != labels)[:2]
    text = page.read_text(encoding="utf-8")
    for row in wrong:  # the picker lists them with their labels
        assert f">sample {row} · label {labels[row]}</option>" in text
    assert main([*args, "--misclassified", "2", "--html", str(page)]) == 1
    assert "--misclassified needs --labels FILE" in capsys.readouterr().err


def test_step_frames_of_several_samples_go_into_one_folder_each(tmp_path, capsys):
    assert main(["step", "and", "--input", "0,0;1,1", "--sample", "0,1", "--frames", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sample-0", "sample-1"]
    assert len(list((tmp_path / "sample-1").glob("step-*-neuron.svg"))) == 4
    assert main(["step", "and", "--input", "0,0;1,1", "--labels", "0.5,1"]) == 1
    assert "labels must be whole numbers" in capsys.readouterr().err
