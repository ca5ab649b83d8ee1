"""The shape of the package: the core never imports rendering; no pickle, no shell."""

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "nngraph"
CORE = ["nngraph", "nngraph.errors", "nngraph.activations", "nngraph.nodes", "nngraph.graph", "nngraph.plan", "nngraph.build", "nngraph.io", "nngraph.files", "nngraph.idx", "nngraph.formatting", "nngraph.terminal"]
FORBIDDEN_IMPORTS = {"pickle", "cPickle", "_pickle", "dill", "cloudpickle", "shelve", "marshal", "joblib"}


def sources():
    files = sorted(PACKAGE.rglob("*.py"))
    assert files, f"no Python files under {PACKAGE}"
    return [(path.relative_to(PACKAGE.parent).as_posix(), ast.parse(path.read_text(encoding="utf-8"), str(path))) for path in files]


def test_importing_the_core_loads_neither_graphviz_nor_rendering():
    code = textwrap.dedent(
        f"""
        import sys
        for name in {CORE!r}:
            __import__(name)
        import nngraph as ng
        ng.three_layer_network().forward([1.0, 0.5])
        list(ng.xor_gate().steps([[0, 1]]))
        loaded = sorted(m for m in sys.modules if m == "graphviz" or m.startswith(("graphviz.", "nngraph.render")))
        print(",".join(loaded))
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"the core imported: {result.stdout.strip()}"


# The sanctioned exceptions, both for notebooks, both imports at call time, so that
# importing the core never loads rendering: Graph.stepper() imports the stepper, and
# the package's display hook the notebook drawing when a notebook shows a graph.
LAZY_RENDER_IMPORTS = {("nngraph/graph.py", ".render.stepper"), ("nngraph/__init__.py", ".render.notebook")}


def test_only_render_and_cli_import_graphviz():
    offenders = []
    for name, tree in sources():
        if name.startswith("nngraph/render/") or name == "nngraph/cli.py":
            continue
        for node in ast.walk(tree):
            modules = []
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                modules = [("." * node.level) + (node.module or "")]
            offenders += [
                f"{name}:{node.lineno} imports {m}"
                for m in modules
                if (m.split(".")[0] == "graphviz" or "render" in m) and (name, m) not in LAZY_RENDER_IMPORTS
            ]
    lazy = [n for n in ast.walk(dict(sources())["nngraph/graph.py"]) if isinstance(n, ast.FunctionDef) and n.name == "stepper"]
    assert lazy and any(isinstance(n, ast.ImportFrom) and n.module == "render.stepper" for n in ast.walk(lazy[0]))
    assert offenders == []


def test_no_pickle_anywhere_in_the_package():
    offenders = []
    for name, tree in sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                offenders += [f"{name}:{node.lineno}" for alias in node.names if alias.name.split(".")[0] in FORBIDDEN_IMPORTS]
            elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in FORBIDDEN_IMPORTS:
                offenders.append(f"{name}:{node.lineno}")
            elif isinstance(node, ast.keyword) and node.arg == "allow_pickle":
                if not (isinstance(node.value, ast.Constant) and node.value.value is False):
                    offenders.append(f"{name}:{node.value.lineno} allow_pickle is not False")
    assert offenders == []


def test_every_np_load_forbids_pickle():
    offenders = []
    for name, tree in sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "load":
                if isinstance(node.func.value, ast.Name) and node.func.value.id in ("np", "numpy"):
                    if not any(k.arg == "allow_pickle" for k in node.keywords):
                        offenders.append(f"{name}:{node.lineno}")
    assert offenders == []


def test_no_shell_true_no_eval_no_exec():
    offenders = []
    for name, tree in sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.keyword) and node.arg == "shell":
                if not (isinstance(node.value, ast.Constant) and node.value.value is False):
                    offenders.append(f"{name}:{node.value.lineno} shell=")
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("eval", "exec", "compile"):
                offenders.append(f"{name}:{node.lineno} {node.func.id}()")
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "system":
                offenders.append(f"{name}:{node.lineno} .system()")
    assert offenders == []


def test_no_assert_on_user_input_in_the_core():
    core_files = {f"nngraph/{module.split('.')[-1]}.py" for module in CORE[1:]}
    offenders = [
        f"{name}:{node.lineno}" for name, tree in sources() if name in core_files for node in ast.walk(tree) if isinstance(node, ast.Assert)
    ]
    assert offenders == []


def test_no_bare_except():
    offenders = [
        f"{name}:{node.lineno}" for name, tree in sources() for node in ast.walk(tree) if isinstance(node, ast.ExceptHandler) and node.type is None
    ]
    assert offenders == []


@pytest.mark.parametrize("module", CORE[1:])
def test_core_modules_declare_their_public_names(module):
    imported = __import__(module, fromlist=["__all__"])
    assert isinstance(imported.__all__, list) and imported.__all__
    assert all(hasattr(imported, name) for name in imported.__all__)


def test_public_contract_is_exported():
    import nngraph

    for name in ("Graph", "mlp", "save", "load", "NNGraphError"):
        assert name in nngraph.__all__ and hasattr(nngraph, name)
