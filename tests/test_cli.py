"""The ``nngraph`` command, run in-process; exit codes 0 / 1 (bad input) / 2 (usage)."""

import os
import subprocess
import sys

import numpy as np
import pytest

import nngraph as ng
from nngraph.cli import main


def run(capsys, *argv):
    """``(exit code, stdout, stderr)`` of ``nngraph argv…``, argparse's SystemExit included."""
    try:
        code = main(list(argv))
    except SystemExit as exit:
        code = exit.code
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(code, out, err, message):
    assert code == 1
    assert out == ""
    assert err.startswith("nngraph: error: ") and err.endswith("\n") and err.count("\n") == 1, err
    assert message in err, err
    assert "Traceback" not in err


# -- success ----------------------------------------------------------------------


def test_help(capsys):
    code, out, _ = run(capsys, "--help")
    assert code == 0
    assert out.startswith("usage: nngraph")
    for command in ("demo", "info", "run", "step"):
        assert command in out


def test_version(capsys):
    code, out, _ = run(capsys, "--version")
    assert (code, out) == (0, f"nngraph {ng.__version__}\n")


def test_no_command_prints_help_and_is_a_usage_error(capsys):
    code, out, _ = run(capsys)
    assert code == 2 and out.startswith("usage: nngraph")


@pytest.mark.renderer
def test_demo_prints_the_gates_and_the_books_y(capsys, tmp_path):
    code, out, err = run(capsys, "demo", "--output", str(tmp_path / "diagrams"))
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert "  AND  → 0 0 0 1" in lines
    assert "  NAND → 1 1 1 0" in lines
    assert "  OR   → 0 1 1 1" in lines
    assert "  XOR  → 0 1 1 0" in lines
    for value in ("0.57444252", "0.66818777", "0.75026011", "0.51615984", "1.21402696", "0.62624937", "0.7710107"):
        assert value in out
    assert "y = [0.31682708, 0.69627909]" in out


def test_run_xor_on_a_batch(capsys):
    code, out, err = run(capsys, "run", "xor", "--input", "0,0;1,1")
    assert (code, out, err) == (0, "[[0.0], [0.0]]\n", "")
    code, out, _ = run(capsys, "run", "xor", "-i", "0,0;1,0;0,1;1,1")
    assert (code, out) == (0, "[[0.0], [1.0], [1.0], [0.0]]\n")


def test_run_three_layer(capsys):
    code, out, err = run(capsys, "run", "three-layer", "-i", "1.0,0.5")
    assert (code, out, err) == (0, "[0.31682708, 0.69627909]\n", "")
    code, out, _ = run(capsys, "run", "three-layer", "-i", "1.0,0.5", "--precision", "3")
    assert (code, out) == (0, "[0.317, 0.696]\n")


def test_info_three_layer(capsys):
    code, out, err = run(capsys, "info", "three-layer")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "three-layer: 13 nodes"
    assert lines[-1] == "parameters: 23"
    text = "\n".join(lines)
    for expected in ("W1", "2×3", "x·W1 + b1", "σ(a1)", "identity(a3)", "N×3"):
        assert expected in text


def test_step_three_layer_shows_the_books_numbers(capsys):
    code, out, err = run(capsys, "step", "three-layer", "-i", "1.0,0.5")
    assert (code, err) == (0, "")
    for value in ("0.57444252", "0.66818777", "0.75026011", "0.51615984", "1.21402696", "0.62624937", "0.7710107"):
        assert value in out
    assert out.splitlines()[-1].endswith("y = [0.31682708, 0.69627909]")


def test_run_a_saved_network_and_a_toml_file(capsys, tmp_path):
    ng.save(ng.three_layer_network(), tmp_path / "net.npz")
    assert run(capsys, "run", str(tmp_path / "net.npz"), "-i", "1.0,0.5")[:2] == (0, "[0.31682708, 0.69627909]\n")
    (tmp_path / "net.toml").write_text('[[layers]]\nW = [[1.0, -1.0]]\nactivation = "relu"\n', encoding="utf-8")
    assert run(capsys, "run", str(tmp_path / "net.toml"), "-i", "2")[:2] == (0, "[2.0, 0.0]\n")


def test_run_reads_inputs_from_files(capsys, tmp_path):
    np.save(tmp_path / "x.npy", np.array([[1.0, 0.5], [1.0, 0.5]]))
    code, out, _ = run(capsys, "run", "three-layer", "-i", str(tmp_path / "x.npy"))
    assert (code, out) == (0, "[[0.31682708, 0.69627909], [0.31682708, 0.69627909]]\n")
    (tmp_path / "x.csv").write_text("1.0,0.5\n", encoding="utf-8")
    assert run(capsys, "run", "three-layer", "-i", str(tmp_path / "x.csv"))[:2] == (0, "[0.31682708, 0.69627909]\n")


def test_run_mnist_with_its_weights(capsys, mnist_weights_path):
    code, out, _ = run(capsys, "info", "mnist", "--weights", str(mnist_weights_path))
    assert code == 0 and "parameters: 45,360" in out and "float32" in out


# -- bad input: exit 1, one line, no traceback ----------------------------------------


def test_wrong_width(capsys):
    assert_one_line_error(*run(capsys, "run", "three-layer", "-i", "1,2,3"), "input 'x' needs 2 values per sample")


@pytest.mark.parametrize("text", ["a,b", "1,,2", "", "1;2,3"])
def test_bad_numbers(capsys, text):
    code, out, err = run(capsys, "run", "three-layer", "-i", text)
    assert_one_line_error(code, out, err, "--input ")


def test_non_finite_input(capsys):
    assert_one_line_error(*run(capsys, "run", "three-layer", "-i", "nan,1"), "at index (0,)")


def test_unknown_network(capsys):
    assert_one_line_error(*run(capsys, "run", "four-layer", "-i", "1"), "unknown network 'four-layer'; give a .toml, .npz or .onnx file or one of: and, nand, or, xor, three-layer, mnist")


def test_mnist_without_weights(capsys):
    assert_one_line_error(*run(capsys, "run", "mnist", "-i", "1"), "the mnist network needs its weights: --weights FILE.npz")


def test_missing_network_file(capsys, tmp_path):
    assert_one_line_error(*run(capsys, "info", str(tmp_path / "gone.npz")), "gone.npz: no such file")


def test_missing_input_file(capsys, tmp_path):
    assert_one_line_error(*run(capsys, "run", "xor", "-i", str(tmp_path / "x.npy")), "x.npy': no such file")


def test_unreadable_input_files(capsys, tmp_path):
    np.save(tmp_path / "objects.npy", np.array([1, None], dtype=object))
    assert_one_line_error(*run(capsys, "run", "xor", "-i", str(tmp_path / "objects.npy")), "objects.npy: not a .npy array of numbers (nngraph never loads pickles)")
    (tmp_path / "bad.csv").write_text("1,a\n", encoding="utf-8")
    assert_one_line_error(*run(capsys, "run", "xor", "-i", str(tmp_path / "bad.csv")), "bad.csv: not a CSV of numbers")


def test_input_npz_with_two_arrays(capsys, tmp_path):
    np.savez(tmp_path / "two.npz", a=np.ones(2), b=np.ones(2))
    code, out, err = run(capsys, "run", "xor", "-i", str(tmp_path / "two.npz"))
    assert_one_line_error(code, out, err, "two.npz: holds ['a', 'b']; give a file with exactly one array")
    assert "cannot read the input" not in err


def test_damaged_network_file(capsys, tmp_path):
    (tmp_path / "bad.toml").write_text("name = \n", encoding="utf-8")
    assert_one_line_error(*run(capsys, "info", str(tmp_path / "bad.toml")), "bad.toml: not valid TOML")


def test_debug_shows_the_traceback(capsys):
    with pytest.raises(ng.InputError):
        main(["--debug", "run", "three-layer", "-i", "1,2,3"])


# -- usage errors: exit 2 -------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["bogus"],
        ["run"],
        ["run", "xor"],
        ["step", "xor"],
        ["info"],
        ["run", "xor", "-i", "0,0", "--precision", "many"],
        ["demo", "--no-such-flag"],
    ],
)
def test_usage_errors(capsys, argv):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert "usage: nngraph" in err and "error:" in err
    assert "Traceback" not in err


def test_negative_precision_is_a_usage_error(capsys):
    code, _, err = run(capsys, "run", "three-layer", "-i", "1,0.5", "--precision", "-1")
    assert code == 2 and "precision" in err


# -- the installed command --------------------------------------------------------------


def test_the_module_runs_as_a_program():
    result = subprocess.run(
        [sys.executable, "-m", "nngraph.cli", "--version"], capture_output=True, text=True, timeout=60, check=False
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, f"nngraph {ng.__version__}\n", "")


# -- named pipes and devices are refused, never opened ----------------------------------


@pytest.mark.parametrize("name", ["x.npy", "x.npz", "x.csv", "t10k-images-idx3-ubyte"])
def test_run_refuses_an_input_that_is_a_named_pipe(capsys, tmp_path, within_five_seconds, name):
    import os

    os.mkfifo(tmp_path / name)
    code, out, err = run(capsys, "run", "xor", "--input", str(tmp_path / name))
    assert_one_line_error(code, out, err, f"{name}")
    assert "is a named pipe; it must be a regular file" in err


def test_run_refuses_labels_that_are_a_named_pipe(capsys, tmp_path, within_five_seconds):
    import os

    os.mkfifo(tmp_path / "labels-idx1-ubyte")
    code, out, err = run(capsys, "run", "xor", "--input", "0,1", "--labels", str(tmp_path / "labels-idx1-ubyte"))
    assert_one_line_error(code, out, err, "labels-idx1-ubyte: is a named pipe; it must be a regular file")


def test_info_refuses_a_device_as_the_network(capsys, within_five_seconds):
    assert_one_line_error(*run(capsys, "info", "/dev/null"), "/dev/null: is a character device; it must be a regular file")


def test_names_from_a_file_reach_the_terminal_with_control_characters_escaped(tmp_path, capsys):
    g = ng.Graph("evil\x1b[31mred")
    x = g.input("in\x1b[2J", 2)
    g.activation("y\x07", g.affine("a", x, g.weight("W", [[1.0], [2.0]])), "relu")
    ng.save(g, tmp_path / "evil.npz")
    assert main(["info", str(tmp_path / "evil.npz")]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out
    assert "evil\\x1b[31mred: 4 nodes" in out and "y\\x07" in out


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_terminals_that_cannot_show_the_notation_get_plain_text(encoding):
    env = {**os.environ, "PYTHONIOENCODING": encoding, "LANG": "C", "LC_ALL": "C"}
    result = subprocess.run([sys.executable, "-m", "nngraph.cli", "step", "three-layer", "--input", "1,0.5"],
                            capture_output=True, env=env, timeout=60, check=False)
    assert result.returncode == 0, result.stderr.decode(encoding, "replace")
    out = result.stdout.decode(encoding)
    assert "[2/16] a_1^(1) = w_11^(1)x_1 + w_12^(1)x_2 + b_1^(1) = 1.0" in out
    assert "[3/16] z_1^(1) = sigma(a_1^(1)) = sigma(0.3) = 0.57444252" in out
    bad = subprocess.run([sys.executable, "-m", "nngraph.cli", "run", "three-layer", "--input", "1,2,3"],
                         capture_output=True, env=env, timeout=60, check=False)
    assert bad.returncode == 1 and bad.stderr.decode(encoding).startswith("nngraph: error: ") and b"Traceback" not in bad.stderr


def test_empty_data_gets_a_clear_error(tmp_path, capsys):
    np.save(tmp_path / "x.npy", np.zeros((0, 2)))
    np.save(tmp_path / "labels.npy", np.zeros(0, dtype=np.int64))
    (tmp_path / "x.csv").write_text("", encoding="utf-8")
    cases = [
        (["run", "three-layer", "--input", str(tmp_path / "x.npy"), "--labels", str(tmp_path / "labels.npy")], "no samples to evaluate"),
        (["run", "three-layer", "--input", str(tmp_path / "x.csv")], "the file is empty"),
        (["render", "three-layer", "-o", str(tmp_path / "e.svg"), "--input", str(tmp_path / "x.npy")], "holds no samples"),
    ]
    for args, message in cases:
        assert main(args) == 1
        err = capsys.readouterr().err
        assert err.startswith("nngraph: error: ") and message in err and "Traceback" not in err
    assert main(["run", "three-layer", "--input", str(tmp_path / "x.npy")]) == 0  # an empty batch has an empty result
    assert capsys.readouterr().out.strip() == "[]"


def test_a_csv_with_a_byte_order_mark_is_read(tmp_path, capsys):
    (tmp_path / "x.csv").write_bytes(b"\xef\xbb\xbf1,0.5\n")
    assert main(["run", "three-layer", "--input", str(tmp_path / "x.csv")]) == 0
    assert capsys.readouterr().out.strip() == "[0.31682708, 0.69627909]"


def test_ctrl_c_exits_130_with_one_line(monkeypatch, capsys):
    def interrupted(graph, x, **options):
        raise KeyboardInterrupt

    monkeypatch.setattr("nngraph.commands.narrate", interrupted)
    assert main(["step", "three-layer", "--input", "1,0.5"]) == 130
    assert capsys.readouterr().err == "nngraph: interrupted\n"


# -- command-line odds -------------------------------------------------------------


def test_a_long_inline_input_is_never_tried_as_a_file_name(capsys, tmp_path):
    wide = ng.mlp([(np.ones((3000, 1)), None)], "identity")
    ng.save(wide, tmp_path / "wide.npz")
    code, out, err = run(capsys, "run", str(tmp_path / "wide.npz"), "--input", ",".join(["0.5"] * 3000))
    assert (code, err) == (0, "") and out == "[1500.0]\n"
    code, out, err = run(capsys, "run", "and", "--input", "1,x")
    assert_one_line_error(code, out, err, "--input '1,x': no such file, and not numbers separated by commas")


def test_a_one_column_csv_is_one_value_per_sample(capsys, tmp_path):
    net = ng.mlp([([[2.0]], [0.0])], "identity")
    ng.save(net, tmp_path / "double.npz")
    (tmp_path / "x.csv").write_text("1\n2\n3\n", encoding="utf-8")
    code, out, err = run(capsys, "run", str(tmp_path / "double.npz"), "--input", str(tmp_path / "x.csv"))
    assert (code, err) == (0, "") and out == "[[2.0], [4.0], [6.0]]\n"
    (tmp_path / "row.csv").write_text("1,0\n", encoding="utf-8")
    code, out, err = run(capsys, "run", "and", "--input", str(tmp_path / "row.csv"))
    assert (code, out) == (0, "[0.0]\n")


def test_weights_with_a_built_in_network_are_refused(capsys, tmp_path):
    code, out, err = run(capsys, "run", "xor", "--weights", str(tmp_path / "w.npz"), "--input", "1,0")
    assert_one_line_error(code, out, err, "--weights does not apply to 'xor', a built-in network with its own weights")


@pytest.mark.parametrize(
    "view, flag, message",
    [
        ("signal", ["--edge-labels", "values"], "--edge-labels applies to --view neuron, not to --view signal"),
        ("signal", ["--no-bias"], "--no-bias applies to --view neuron, not to --view signal"),
        ("neuron", ["--layer", "2"], "--layer applies to --view neuron-detail, not to --view neuron"),
        ("neuron-detail", ["--max-neurons", "4"], "--max-neurons applies to --view neuron, not to --view neuron-detail"),
        ("signal", ["--sample", "1"], "--sample applies to --view neuron or neuron-detail, not to --view signal"),
    ],
)
def test_a_flag_that_does_not_apply_to_the_view_is_refused(capsys, tmp_path, view, flag, message):
    code, out, err = run(capsys, "render", "three-layer", "--view", view, *flag, "-o", str(tmp_path / "d.dot"))
    assert_one_line_error(code, out, err, message)
    assert not (tmp_path / "d.dot").exists()


def test_frames_replace_the_frames_of_an_earlier_run(capsys, tmp_path):
    folder = tmp_path / "frames"
    assert run(capsys, "step", "three-layer", "--input", "1,0.5;0,0", "--sample", "0,1", "--frames", str(folder))[0] == 0
    assert sorted(p.name for p in folder.iterdir()) == ["sample-0", "sample-1"]
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    assert run(capsys, "step", "and", "--input", "1,1", "--level", "layer", "--frames", str(folder))[0] == 0
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["notes.txt", *sorted(f"step-00{i}-{view}.svg" for i in (1, 2, 3) for view in ("neuron", "signal"))]


def test_the_demo_without_matplotlib_skips_the_plots_with_a_note(tmp_path):
    blocker = tmp_path / "no_matplotlib"
    blocker.mkdir()
    (blocker / "matplotlib.py").write_text("raise ImportError('matplotlib is hidden for this test')\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(blocker)}
    result = subprocess.run([sys.executable, "-m", "nngraph.cli", "demo", "-o", str(tmp_path / "out")],
                            capture_output=True, text=True, env=env, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    assert "note: figures 2-6, 2-7, 2-8, 3-6, 3-7, 3-8, 3-9 are plots and need matplotlib: pip install 'nngraph[plot]'" in result.stderr
    assert (tmp_path / "out" / "three_layer.svg").is_file() and not (tmp_path / "out" / "sigmoid.svg").exists()


def test_idx_images_are_run_in_batches_never_inflated_whole(capsys, data_dir, mnist_weights_path):
    import tracemalloc

    images = data_dir / "t10k-images-idx3-ubyte.gz"
    tracemalloc.start()
    try:
        code, out, err = run(capsys, "run", "mnist", "--weights", str(mnist_weights_path), "--input", str(images))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert code == 0 and out.endswith("(10000×10)\n"), err
    # the bytes (7.5 MiB) and one batch; the images as float32 alone would take 30 MiB
    assert peak < 20 * 2**20, f"peak {peak / 2**20:.1f} MiB"


def test_a_npy_input_declaring_more_than_the_limit_is_refused_before_it_is_read(capsys, tmp_path):
    import struct

    header = "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000,), }"
    header += " " * (64 - (10 + len(header) + 1) % 64) + "\n"
    (tmp_path / "huge.npy").write_bytes(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + bytes(16))
    code, out, err = run(capsys, "run", "three-layer", "--input", str(tmp_path / "huge.npy"))
    assert_one_line_error(code, out, err, "huge.npy: its header (shape (1000000000000,), float64) declares 7.3 TiB")
    assert "NNGRAPH_MAX_BYTES=8000000000000" in err


def test_accuracy_needs_a_classifier_whole_labels_and_honours_allow_nonfinite(capsys):
    code, out, err = run(capsys, "run", "xor", "--input", "0,0;1,0", "--labels", "0,1")
    assert_one_line_error(code, out, err, "accuracy needs a classifier, one output with a column per class; 'XOR' has 1 output(s) of 1 column(s)")
    code, out, err = run(capsys, "run", "three-layer", "--input", "1,0.5;0,0", "--labels", "0.5,1")
    assert_one_line_error(code, out, err, "labels must be whole numbers ≥ 0")
    code, out, err = run(capsys, "run", "three-layer", "--input=1,nan;0,0", "--labels", "1,1", "--allow-nonfinite")
    assert (code, out) == (0, "accuracy: 0.5000 (2 samples)\n")


def test_sample_zero_is_refused_where_it_does_not_apply_and_an_empty_input_too(capsys, tmp_path):
    code, out, err = run(capsys, "render", "three-layer", "--view", "signal", "--sample", "0", "-o", str(tmp_path / "d.dot"))
    assert_one_line_error(code, out, err, "--sample applies to --view neuron or neuron-detail, not to --view signal")
    code, out, err = run(capsys, "run", "three-layer", "--input", "")
    assert_one_line_error(code, out, err, "--input is empty; give numbers such as 1.0,0.5 or a file")
