"""The README's "Bring your own model" and "Get the data" examples run as written."""

import contextlib
import io
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def python_blocks(section: str) -> list[str]:
    """The ```python blocks of the README section titled ``section``."""
    text = README.read_text(encoding="utf-8")
    body = text.split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", body, flags=re.DOTALL)


def run(block: str) -> str:
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        exec(compile(block, str(README), "exec"), {})  # noqa: S102 - the README's own example
    return output.getvalue()


def test_the_sections_have_their_examples():
    assert len(python_blocks("Bring your own model")) == 3 and len(python_blocks("Get the data")) == 1


def test_pytorch_example(monkeypatch, tmp_path):
    pytest.importorskip("torch")
    monkeypatch.chdir(tmp_path)
    assert run(python_blocks("Bring your own model")[0]) == "(784, 50)\n"


def test_onnx_example(monkeypatch, tmp_path):
    pytest.importorskip("onnx")
    monkeypatch.chdir(tmp_path)
    assert run(python_blocks("Bring your own model")[1]) == "[0.31682708 0.69627909]\n"
    assert (tmp_path / "three_layer.onnx").is_file()


def test_sklearn_example(monkeypatch, tmp_path):
    pytest.importorskip("sklearn")
    monkeypatch.chdir(tmp_path)
    assert float(run(python_blocks("Bring your own model")[2])) < 1e-15


def test_get_the_data_example(monkeypatch, data_dir):
    for name in ("sample_weight.pkl", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        if not (data_dir / name).is_file():
            pytest.skip(f"no {name} in {data_dir}")
    monkeypatch.chdir(data_dir)  # the example only reads the files
    assert run(python_blocks("Get the data")[0]) == "0.9352\n"
