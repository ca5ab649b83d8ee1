"""The shape of the package: the core never imports rendering; pickle only in its allow-list reader; no shell."""

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "nngraph"
CORE = ["nngraph", "nngraph.errors", "nngraph.activations", "nngraph.nodes", "nngraph.graph", "nngraph.plan", "nngraph.build", "nngraph.io", "nngraph.files", "nngraph.idx", "nngraph.formatting", "nngraph.terminal", "nngraph.book_pickle"]  # noqa: E501
FORBIDDEN_IMPORTS = {"pickle", "cPickle", "_pickle", "dill", "cloudpickle", "shelve", "marshal", "joblib"}
#: The one module that may import pickle: its Unpickler knows three NumPy names and nothing else.
PICKLE_READER = "nngraph/book_pickle.py"


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


def test_importing_nngraph_loads_no_framework():
    code = textwrap.dedent(
        f"""
        import sys
        import nngraph as ng
        ng.three_layer_network().forward([1.0, 0.5])
        assert callable(ng.from_onnx) and callable(ng.from_torch) and callable(ng.from_sklearn) and callable(ng.to_onnx)
        print(",".join(sorted(m for m in sys.modules if m.split(".")[0] in {sorted(OPTIONAL)!r})))
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"import nngraph loaded: {result.stdout.strip()}"


def imported_on_import(tree):
    """(line, module) of every absolute import that runs when the file is imported: all but those in functions."""
    stack = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level:
            yield node.lineno, node.module
        stack.extend(ast.iter_child_nodes(node))


def test_frameworks_are_imported_only_inside_functions():
    offenders = [f"{name}:{line} {module}" for name, tree in sources() for line, module in imported_on_import(tree) if module.split(".")[0] in OPTIONAL]
    assert offenders == []


# The layers, bottom first: a module may import only modules of a lower layer (or
# its own package's modules of the same layer, for render/), at the top of a file
# or inside a function alike. The package itself (nngraph/__init__) is the facade on top.
LAYERS = [
    {"nngraph.errors", "nngraph.notation", "nngraph.terminal", "nngraph.version"},
    {"nngraph.checks", "nngraph.files", "nngraph.formatting"},
    {"nngraph.limits"},
    {"nngraph.activations", "nngraph.idx", "nngraph.book_pickle"},
    {"nngraph.nodes"},
    {"nngraph.plan"},
    {"nngraph.graph"},
    {"nngraph.build", "nngraph.narration"},
    {"nngraph.io"},
    {"nngraph.interop"},
    {"nngraph.render"},
    {"nngraph.commands"},
    {"nngraph.cli"},
    {"nngraph"},
]


def module_name(path: str) -> str:
    name = path.removesuffix(".py").replace("/", ".")
    return name.removesuffix(".__init__")


#: Subpackages whose modules may import each other (the layer test still forbids cycles).
SUBPACKAGES = ("nngraph.render", "nngraph.interop")
#: Frameworks the importers use: imported only inside functions, never by `import nngraph`.
OPTIONAL = {"onnx", "onnxruntime", "torch", "sklearn", "scipy"}


def subpackage(module: str) -> str | None:
    return next((package for package in SUBPACKAGES if module == package or module.startswith(package + ".")), None)


def layer_of(module: str) -> int:
    for rank, layer in enumerate(LAYERS):
        if module in layer or subpackage(module) in layer:
            return rank
    raise AssertionError(f"{module} is in no layer of LAYERS; add it")


def project_imports():
    """(importer, imported) for every import of a project module, wherever it is written."""
    edges = []
    for path, tree in sources():
        importer = module_name(path)
        package = importer if path.endswith("__init__.py") else importer.rpartition(".")[0]
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                edges += [(importer, a.name) for a in node.names if a.name.split(".")[0] == "nngraph"]
            elif isinstance(node, ast.ImportFrom) and node.level:
                base = package.rsplit(".", node.level - 1)[0]
                if node.module:
                    edges.append((importer, f"{base}.{node.module}"))
                else:  # from . import style: a submodule if there is one, else a name of the package
                    edges += [(importer, f"{base}.{a.name}" if is_module(f"{base}.{a.name}") else base) for a in node.names]
            elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "nngraph":
                edges.append((importer, node.module))
    return sorted(set(edges))


def is_module(name: str) -> bool:
    path = PACKAGE.parent / name.replace(".", "/")
    return path.with_suffix(".py").exists() or path.is_dir()


def test_every_import_goes_down_the_layers():
    upward = [
        f"{a} imports {b}" for a, b in project_imports()
        if layer_of(b) > layer_of(a) or (layer_of(b) == layer_of(a) and (subpackage(a) is None or subpackage(a) != subpackage(b)))
    ]
    assert upward == []


def test_no_import_cycles():
    import networkx as nx

    cycles = list(nx.simple_cycles(nx.DiGraph([(a, b) for a, b in project_imports() if a != b])))
    assert cycles == []


def test_only_render_and_cli_import_graphviz():
    offenders = []
    for name, tree in sources():
        if name.startswith("nngraph/render/") or name == "nngraph/cli.py":
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                offenders += [f"{name}:{node.lineno}" for alias in node.names if alias.name.split(".")[0] == "graphviz"]
            elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "graphviz":
                offenders.append(f"{name}:{node.lineno}")
    assert offenders == []


def test_no_pickle_anywhere_in_the_package_but_its_allow_list_reader():
    offenders = []
    for name, tree in sources():
        for node in ast.walk(tree):
            if name == PICKLE_READER and isinstance(node, ast.Import) and [a.name for a in node.names] == ["pickle"]:
                continue
            if isinstance(node, ast.Import):
                offenders += [f"{name}:{node.lineno}" for alias in node.names if alias.name.split(".")[0] in FORBIDDEN_IMPORTS]
            elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in FORBIDDEN_IMPORTS:
                offenders.append(f"{name}:{node.lineno}")
            elif (isinstance(node, ast.keyword) and node.arg == "allow_pickle"
                  and not (isinstance(node.value, ast.Constant) and node.value.value is False)):
                offenders.append(f"{name}:{node.value.lineno} allow_pickle is not False")
    assert offenders == []


def test_the_pickle_reader_overrides_find_class_and_never_calls_a_plain_unpickler():
    tree = dict(sources())[PICKLE_READER]
    unpicklers = [node for node in ast.walk(tree) if isinstance(node, ast.ClassDef) and any(ast.unparse(base) == "pickle.Unpickler" for base in node.bases)]
    assert [cls.name for cls in unpicklers] == ["Unpickler"]
    methods = {item.name for item in unpicklers[0].body if isinstance(item, ast.FunctionDef)}
    assert {"find_class", "persistent_load"} <= methods
    plain = [
        f"{PICKLE_READER}:{node.lineno} {ast.unparse(node.func)}" for node in ast.walk(tree)
        if isinstance(node, ast.Call) and ast.unparse(node.func) in ("pickle.load", "pickle.loads", "pickle.Unpickler", "super().find_class")
    ]
    assert plain == []
    from nngraph.book_pickle import Unpickler

    assert Unpickler.find_class is not __import__("pickle").Unpickler.find_class


def test_every_np_load_forbids_pickle():
    offenders = []
    for name, tree in sources():
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "load"
                    and isinstance(node.func.value, ast.Name) and node.func.value.id in ("np", "numpy")
                    and not any(k.arg == "allow_pickle" for k in node.keywords)):
                offenders.append(f"{name}:{node.lineno}")
    assert offenders == []


def test_no_shell_true_no_eval_no_exec():
    offenders = []
    for name, tree in sources():
        for node in ast.walk(tree):
            if (isinstance(node, ast.keyword) and node.arg == "shell"
                    and not (isinstance(node.value, ast.Constant) and node.value.value is False)):
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


INTEROP = ["nngraph.interop", "nngraph.interop.onnx_read", "nngraph.interop.onnx_write", "nngraph.interop.onnx_ops", "nngraph.interop.torch", "nngraph.interop.sklearn", "nngraph.interop.layers", "nngraph.interop.packages"]  # noqa: E501


@pytest.mark.parametrize("module", CORE[1:] + INTEROP)
def test_core_modules_declare_their_public_names(module):
    imported = __import__(module, fromlist=["__all__"])
    assert isinstance(imported.__all__, list) and imported.__all__
    assert all(hasattr(imported, name) for name in imported.__all__)


def test_public_contract_is_exported():
    import nngraph

    for name in ("Graph", "mlp", "save", "load", "NNGraphError", "from_onnx", "to_onnx", "from_torch", "from_sklearn", "load_weights", "convert_weights"):
        assert name in nngraph.__all__ and hasattr(nngraph, name)


def test_help_and_version_load_neither_numpy_nor_networkx():
    code = "import sys\nfrom nngraph.cli import main\ntry:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\nprint(sorted(m for m in ('numpy', 'networkx') if m in sys.modules))"
    for flag in ("--version", "--help"):
        result = subprocess.run([sys.executable, "-c", code, flag], capture_output=True, text=True, timeout=60, check=False)
        assert result.stdout.strip().endswith("[]"), (flag, result.stdout, result.stderr)


def test_the_parser_names_the_networks_and_levels_the_engine_has():
    import nngraph as ng
    from nngraph.cli import LEVELS, NETWORKS
    from nngraph.narration import LEVELS as NARRATION_LEVELS

    assert (*ng.BUILTIN_NETWORKS, "mnist") == NETWORKS
    assert tuple(NARRATION_LEVELS) == LEVELS


@pytest.mark.parametrize(
    "function, package, extra",
    [("from_onnx", "onnx", "onnx"), ("to_onnx", "onnx", "onnx"), ("from_torch", "torch", "torch"), ("from_sklearn", "sklearn.neural_network", "sklearn")],
)
def test_a_missing_framework_is_one_line_naming_the_extra(monkeypatch, function, package, extra):
    import nngraph

    monkeypatch.setitem(sys.modules, package, None)  # what `import package` meets where it is not installed
    arguments = (nngraph.three_layer_network(), "net.onnx") if function == "to_onnx" else ("model",)
    with pytest.raises(nngraph.FormatError, match=rf"^{function} needs the Python package '{package}', which is not installed: pip install 'nngraph\[{extra}\]'$"):
        getattr(nngraph, function)(*arguments)


def test_no_public_name_is_also_a_module_name():
    # importing the module nngraph.x sets nngraph.x to the module, hiding a function of that name
    import nngraph

    modules = {path.stem for path in PACKAGE.glob("*.py")} | {path.name for path in PACKAGE.iterdir() if path.is_dir()}
    assert sorted(set(nngraph.__all__) & modules) == []
