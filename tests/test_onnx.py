"""ONNX in and out: models built with onnx's helper API match onnxruntime; exports run there and read back."""

import re

import numpy as np
import pytest

import nngraph as ng
from nngraph.errors import FormatError

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402
from onnx.reference import ReferenceEvaluator  # noqa: E402

ELEMENT = {np.float32: TensorProto.FLOAT, np.float64: TensorProto.DOUBLE}
TOLERANCE = {np.float32: 1e-5, np.float64: 1e-9}
#: onnxruntime's CPU provider has no float64 kernels for these (onnx's reference evaluator runs them).
NO_DOUBLE_IN_ORT = {"LeakyRelu", "Elu", "Gelu"}
ACTIVATIONS = [
    ("Relu", {}), ("Sigmoid", {}), ("Tanh", {}), ("Softmax", {"axis": -1}), ("LogSoftmax", {"axis": 1}),
    ("LeakyRelu", {"alpha": 0.2}), ("Elu", {"alpha": 0.7}), ("Gelu", {}), ("Identity", {}),
]


def model(nodes, initializers, dtype=np.float32, input_shape=("N", 4), outputs=(("y", 3),), opset=20, inputs=None):
    """An ONNX model of ``nodes`` reading ``x`` (or ``inputs``) with the named numpy ``initializers``."""
    element = ELEMENT[dtype]
    graph = helper.make_graph(
        nodes, "test-model", inputs or [helper.make_tensor_value_info("x", element, list(input_shape))],
        [helper.make_tensor_value_info(name, element, ["N", width]) for name, width in outputs],
        initializer=[numpy_helper.from_array(np.asarray(value), name) for name, value in initializers.items()],
    )
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    proto.ir_version = 9
    return proto


def run_ort(proto, x):
    session = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, {session.get_inputs()[0].name: x})[0]


def run_reference(proto, x):
    return ReferenceEvaluator(proto).run(None, {proto.graph.input[0].name: x})[0]


def tolerance(dtype, op_types) -> float:
    """≤ 1e-5 in float32, ≤ 1e-9 in float64; 1e-6 for a float64 Gelu checked by the reference evaluator,
    whose Erf is float32 (np.vectorize(erf, otypes=["f"])); test_float64_gelu_is_exact checks nngraph's."""
    return 1e-6 if dtype == np.float64 and "Gelu" in op_types else TOLERANCE[dtype]


def framework_output(proto, x, op_types):
    """onnxruntime's output, or the reference evaluator's where onnxruntime has no float64 kernel."""
    if x.dtype == np.float64 and set(op_types) & NO_DOUBLE_IN_ORT:
        return run_reference(proto, x)
    return run_ort(proto, x)


def two_layer(dtype, activation, attributes, rng):
    """x (N×4) → Gemm(transB, alpha, beta) → activation → MatMul + Add → activation: y (N×3)."""
    values = {
        "fc1.weight": rng.normal(size=(5, 4)).astype(dtype), "fc1.bias": rng.normal(size=5).astype(dtype),
        "fc2.W": rng.normal(size=(5, 3)).astype(dtype), "fc2.b": rng.normal(size=(1, 3)).astype(dtype),
    }
    nodes = [
        helper.make_node("Gemm", ["x", "fc1.weight", "fc1.bias"], ["h1"], name="fc1", transB=1, alpha=0.5, beta=2.0),
        helper.make_node(activation, ["h1"], ["z1"], name="act1", **attributes),
        helper.make_node("MatMul", ["z1", "fc2.W"], ["m2"], name="fc2_matmul"),
        helper.make_node("Add", ["m2", "fc2.b"], ["a2"], name="fc2"),
        helper.make_node(activation, ["a2"], ["y"], name="act2", **attributes),
    ]
    return model(nodes, values, dtype)


# -- import: real models against onnxruntime -----------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("activation, attributes", ACTIVATIONS)
def test_imported_models_match_onnxruntime(dtype, activation, attributes):
    rng = np.random.default_rng(12)
    proto = two_layer(dtype, activation, attributes, rng)
    net = ng.from_onnx(proto)
    x = rng.normal(size=(64, 4)).astype(dtype) * 3
    expected = framework_output(proto, x, [activation])
    got = net.forward(x)
    assert got.dtype == dtype
    assert np.abs(got - expected).max() <= tolerance(dtype, [activation])
    assert np.abs(net.forward(x[0]) - expected[0]).max() <= tolerance(dtype, [activation])


def test_float64_gelu_is_exact():
    scipy_special = pytest.importorskip("scipy.special")
    rng = np.random.default_rng(12)
    proto = two_layer(np.float64, "Gelu", {}, rng)
    x = rng.normal(size=(64, 4)) * 3
    net = ng.from_onnx(proto)
    W1, b1 = net["fc1.weight"].value, net["fc1.bias"].value  # Gemm's alpha and beta already applied
    assert np.array_equal(W1, 0.5 * numpy_helper.to_array(proto.graph.initializer[0]).T)
    gelu = lambda a: a * (1 + scipy_special.erf(a / np.sqrt(2))) / 2  # noqa: E731
    expected = gelu(gelu(x @ W1 + b1) @ net["fc2.W"].value + net["fc2.b"].value)
    assert np.abs(net.forward(x) - expected).max() <= 1e-12


def test_imported_nodes_keep_their_onnx_names_and_follow_the_book():
    net = ng.from_onnx(two_layer(np.float32, "LeakyRelu", {"alpha": 0.2}, np.random.default_rng(0)))
    assert net.names == ("x", "fc1.weight", "fc1.bias", "fc1", "act1", "fc2.W", "fc2.b", "fc2", "y")
    assert [step.node for step in net.steps(np.zeros(4, np.float32))] == ["x", "fc1", "act1", "fc2", "y"]
    assert net["act1"].parameters == {"alpha": pytest.approx(0.2)} and net["act1"].h.name == "leaky_relu"
    assert net["fc1.weight"].shape == (4, 5)  # transB: stored as x·W
    assert [layer.output for layer in net.layers()] == ["act1", "y"]


def test_generated_names_become_the_books_names():
    rng = np.random.default_rng(1)
    values = {"onnx::MatMul_7": rng.normal(size=(4, 3)).astype(np.float32), "onnx::Add_8": np.zeros(3, np.float32)}
    nodes = [
        helper.make_node("MatMul", ["input.1", "onnx::MatMul_7"], ["/0/MatMul_output_0"], name="/0/MatMul"),
        helper.make_node("Add", ["/0/MatMul_output_0", "onnx::Add_8"], ["/0/Add_output_0"], name="/0/Add"),
        helper.make_node("Softmax", ["/0/Add_output_0"], ["19"], name="/1/Softmax"),
    ]
    inputs = [helper.make_tensor_value_info("input.1", TensorProto.FLOAT, ["batch", 4])]
    net = ng.from_onnx(model(nodes, values, inputs=inputs, outputs=[("19", 3)]))
    assert net.names == ("input.1", "W1", "b1", "a1", "19")


def test_names_fall_back_to_the_book_when_unreadable_or_taken():
    values = {"W": np.eye(4, dtype=np.float32)}
    nodes = [helper.make_node("Gemm", ["x", "W"], ["h"], name="x"), helper.make_node("Relu", ["h"], ["y"], name="bad\nname")]
    net = ng.from_onnx(model(nodes, values, outputs=[("y", 4)]))
    assert net.names == ("x", "W", "h", "y")
    nodes = [helper.make_node("Gemm", ["x", "W"], ["\x1b[31m"], name=""), helper.make_node("Relu", ["\x1b[31m"], ["/out"], name="")]
    assert ng.from_onnx(model(nodes, values, outputs=[("/out", 4)])).names == ("x", "W", "a1", "y")


@pytest.mark.parametrize("opset", [11, 13, 20])
def test_gemm_without_bias_and_default_softmax_axis_at_every_opset(opset):
    rng = np.random.default_rng(2)
    values = {"W": rng.normal(size=(4, 3)).astype(np.float32)}
    nodes = [helper.make_node("Gemm", ["x", "W"], ["a"]), helper.make_node("Softmax", ["a"], ["y"])]
    proto = model(nodes, values, opset=opset)
    x = rng.normal(size=(10, 4)).astype(np.float32)
    assert np.abs(ng.from_onnx(proto).forward(x) - run_ort(proto, x)).max() <= 1e-6


@pytest.mark.parametrize("scalar_bias", [np.float32(0.5), np.float32([0.5])])
def test_gemm_broadcasts_a_scalar_bias(scalar_bias):
    values = {"W": np.eye(3, dtype=np.float32), "C": scalar_bias}
    proto = model([helper.make_node("Gemm", ["x", "W", "C"], ["y"], beta=2.0)], values, input_shape=("N", 3))
    x = np.ones((2, 3), np.float32)
    assert np.array_equal(ng.from_onnx(proto).forward(x), run_ort(proto, x))


def test_a_matmul_without_add_is_an_affine_without_bias():
    values = {"W": np.arange(12, dtype=np.float32).reshape(4, 3)}
    net = ng.from_onnx(model([helper.make_node("MatMul", ["x", "W"], ["y"])], values))
    assert net["y"].b is None and net.names == ("x", "W", "y")


def mnist_shaped(input_op, rng):
    """x (N×1×28×28) → Flatten or Reshape → Gemm → Softmax."""
    values = {"W": rng.normal(size=(784, 10)).astype(np.float32) / 20, "b": np.zeros(10, np.float32)}
    flatten = helper.make_node("Flatten", ["image"], ["flat"], axis=1)
    if input_op == "Reshape":
        values["shape"] = np.array([-1, 784], dtype=np.int64)
        flatten = helper.make_node("Reshape", ["image", "shape"], ["flat"])
    nodes = [flatten, helper.make_node("Gemm", ["flat", "W", "b"], ["a"]), helper.make_node("Softmax", ["a"], ["y"])]
    inputs = [helper.make_tensor_value_info("image", TensorProto.FLOAT, ["N", 1, 28, 28])]
    return model(nodes, values, inputs=inputs, outputs=[("y", 10)])


@pytest.mark.parametrize("input_op", ["Flatten", "Reshape"])
def test_flatten_or_reshape_at_the_input_gives_the_flattened_width(input_op):
    rng = np.random.default_rng(3)
    proto = mnist_shaped(input_op, rng)
    net = ng.from_onnx(proto)
    assert net.inputs[0].name == "image" and net.inputs[0].size == 784
    images = rng.random((5, 1, 28, 28)).astype(np.float32)
    assert np.abs(net.forward(images.reshape(5, 784)) - run_ort(proto, images)).max() <= 1e-6


def test_reading_a_file_and_naming_the_graph(tmp_path):
    path = tmp_path / "digits.onnx"
    path.write_bytes(mnist_shaped("Flatten", np.random.default_rng(4)).SerializeToString())
    assert ng.from_onnx(path).name == "test-model"
    assert ng.from_onnx(path, name="digits").name == "digits"


# -- import: what is refused, before anything is built ------------------------------


def refused(proto, match):
    with pytest.raises(FormatError, match=match):
        ng.from_onnx(proto)


def one_layer(*extra_nodes, values=None, **gemm_attributes):
    values = {"W": np.ones((4, 3), np.float32), **(values or {})}
    return model([helper.make_node("Gemm", ["x", "W"], ["a"], name="fc", **gemm_attributes), *extra_nodes], values)


@pytest.mark.parametrize(
    "node, match",
    [
        (helper.make_node("Softplus", ["a"], ["y"], name="soft"), r"node 'soft' is a Softplus, which nngraph does not read; it reads Add, Elu, Flatten, Gelu, Gemm"),
        (helper.make_node("Mul", ["a", "a"], ["y"]), r"node #1 \(writing 'y'\) is a Mul, which nngraph does not read"),
        (helper.make_node("Gelu", ["a"], ["y"], name="g", domain="com.microsoft"), r"node 'g' is a com.microsoft.Gelu"),
        (helper.make_node("Softmax", ["a"], ["y"], name="s", axis=0), r"Softmax node 's' has axis = 0; nngraph's softmax follows only axis = -1"),
        (helper.make_node("Gelu", ["a"], ["y"], name="g", approximate="tanh"), r"Gelu node 'g' has approximate = 'tanh'; nngraph's gelu follows only approximate = 'none'"),
        (helper.make_node("Add", ["a", "a"], ["y"], name="plus"), r"Add node 'plus' is not the bias of a MatMul"),
        (helper.make_node("Flatten", ["a"], ["y"], name="late"), r"Flatten node 'late' is only read right at the model's input; here it reads 'a'"),
        (helper.make_node("Relu", ["W"], ["y"], name="r"), r"Relu node 'r' reads the initializer 'W' where a signal"),
    ],
)
def test_operators_nngraph_does_not_follow_are_named_with_their_node(node, match):
    refused(one_layer(node), match)


def test_an_unsupported_operator_is_found_before_anything_else_is_checked():
    bad_shape = {"W": np.ones((7, 3), np.float32)}
    refused(one_layer(helper.make_node("Conv", ["a", "W"], ["y"], name="conv"), values=bad_shape), "node 'conv' is a Conv")


def test_gemm_with_transposed_signal_is_refused():
    refused(one_layer(helper.make_node("Relu", ["a"], ["y"]), transA=1), r"Gemm node 'fc' has transA = 1, which transposes the batch")


@pytest.mark.parametrize(
    "values, match",
    [
        ({"W": np.ones((5, 3), np.float32)}, r"Gemm node 'fc': weights 'W' \(as x·W: 5×3\) need 4 rows to multiply 'x' \(N×4\)"),
        ({"W": np.ones((4, 3), np.float64)}, r"Gemm node 'fc': initializer 'W' is float64 but the signal it meets is float32"),
        ({"W": np.ones((4, 3), np.int32)}, r"initializer 'W' is of type INT32; weights must be FLOAT or DOUBLE"),
        ({"W": np.ones((4, 3), np.float16)}, r"initializer 'W' is of type FLOAT16"),
        ({"W": np.ones((4, 3, 1), np.float32)}, r"initializer 'W' has shape \[4, 3, 1\]; it must have 2 dimensions"),
        ({"W": np.ones((4, 3), np.float32), "C": np.ones(4, np.float32)}, r"bias 'C' has shape \[4\]; it must be \[3\] or \[1, 3\]"),
        ({"W": np.array([[1.0, np.nan, 0]] * 4, np.float32)}, r"weight 'W' holds nan"),
    ],
)
def test_initializers_of_the_wrong_shape_or_type_are_refused(values, match):
    inputs = ["x", "W", "C"] if "C" in values else ["x", "W"]
    refused(model([helper.make_node("Gemm", inputs, ["y"], name="fc")], values), match)


def test_initializers_whose_data_does_not_fill_their_shape_are_refused():
    proto = one_layer(helper.make_node("Relu", ["a"], ["y"]))
    proto.graph.initializer[0].dims[:] = [4000, 3000]
    refused(proto, r"initializer 'W': its data does not fit its shape \[4000, 3000\]|not a valid ONNX model")


@pytest.mark.parametrize("location", ["weights.bin", "../../etc/passwd"])
def test_external_data_is_refused_without_reading_any_file(tmp_path, location):
    proto = one_layer(helper.make_node("Relu", ["a"], ["y"]))
    tensor = proto.graph.initializer[0]
    (tmp_path / "weights.bin").write_bytes(tensor.raw_data)
    tensor.ClearField("raw_data")
    tensor.data_location = TensorProto.EXTERNAL
    tensor.external_data.add(key="location", value=location)
    path = tmp_path / "model.onnx"
    path.write_bytes(proto.SerializeToString())
    refused(path, rf"{re.escape(str(path))}: initializer 'W' keeps its data in another file; nngraph reads models whose weights are inside the .onnx file")


def test_inputs_and_outputs_nngraph_cannot_follow_are_refused():
    values = {"W": np.ones((4, 3), np.float32)}
    rank1 = [helper.make_tensor_value_info("x", TensorProto.FLOAT, [4])]
    refused(model([helper.make_node("Gemm", ["x", "W"], ["y"], name="fc")], values, inputs=rank1), r"reads input 'x' of shape \[4\]; nngraph reads inputs of shape \[N, D\]")
    images = [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 2, 2])]
    refused(model([helper.make_node("Flatten", ["x"], ["f"], axis=2), helper.make_node("Gemm", ["f", "W"], ["y"])], values, inputs=images), "axis = 2")
    refused(model([helper.make_node("MatMul", ["W", "x"], ["y"], name="m")], {"W": np.ones((3, 4), np.float32)}), r"MatMul node 'm' multiplies the initializer 'W' by the signal")
    two_outputs = model([helper.make_node("Gemm", ["x", "W"], ["a"]), helper.make_node("Relu", ["a"], ["y"])], values, outputs=[("a", 3), ("y", 3)])
    refused(two_outputs, r"the outputs \['a', 'y'\] are not exactly the nodes nothing else reads")


@pytest.mark.parametrize("shape", [[784, -1], [-1, 392], [1, 784]])
def test_a_reshape_that_does_not_keep_one_row_per_sample_is_refused(shape):
    proto = mnist_shaped("Reshape", np.random.default_rng(5))
    proto.graph.initializer[-1].CopyFrom(numpy_helper.from_array(np.array(shape, dtype=np.int64), "shape"))
    refused(proto, re.escape(f"Reshape node #0 (writing 'flat') reshapes to {shape}; nngraph reads Reshape to [-1, 784] or [0, -1] at the input"))


def test_files_that_are_not_onnx_models(tmp_path):
    path = tmp_path / "model.onnx"
    path.write_bytes(b"\x08\x07garbage\xff\xff")
    with pytest.raises(FormatError, match=r"model.onnx: not an ONNX model"):
        ng.from_onnx(path)
    with pytest.raises(FormatError, match="no such file"):
        ng.from_onnx(tmp_path / "missing.onnx")
    with pytest.raises(FormatError, match="from_onnx takes a .onnx path or an onnx.ModelProto; got int"):
        ng.from_onnx(3)
    with pytest.raises(FormatError, match=r"model.onnx: an ONNX model, not an nngraph file or weights; read it with nngraph.from_onnx\(path\)"):
        ng.load(path)
    with pytest.raises(FormatError, match=r"model.onnx: an ONNX model, not an nngraph file or weights"):
        ng.load_weights(path)  # not a message about pickles


# -- export ---------------------------------------------------------------------------


def exportable(dtype):
    """An MLP with every activation to_onnx writes, in ``dtype``."""
    rng = np.random.default_rng(7)
    sizes = [4, 6, 6, 6, 6, 6, 6, 6, 6, 6, 5]
    layers = [(rng.normal(size=(m, n)).astype(dtype), rng.normal(size=n).astype(dtype)) for m, n in zip(sizes, sizes[1:])]
    # α exactly a float32 number: ONNX attributes are float32, and the model means float32(α)
    activations = ["relu", "sigmoid", "logistic", "tanh", ("leaky_relu", {"alpha": 0.25}), ("elu", {"alpha": 0.5}), "gelu", "identity", "log_softmax", "softmax"]
    return ng.mlp(layers, activations, name=f"every-activation-{np.dtype(dtype).name}")


ALIASES = {"logistic": "sigmoid"}


def same_graph(a, b, aliases=ALIASES):
    assert (a.name, a.names) == (b.name, b.names)
    for left, right in zip(a, b):
        assert (left.kind, left.arguments) == (right.kind, right.arguments)
        if left.kind == "weight":
            assert (left.value.dtype, left.value.shape, left.value.tobytes()) == (right.value.dtype, right.value.shape, right.value.tobytes())
        if left.kind == "activation":
            assert aliases.get(left.h.name, left.h.name) == right.h.name
            assert left.parameters == right.parameters
        if left.kind == "input":
            assert left.size == right.size


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_an_export_reads_back_to_the_same_graph(tmp_path, dtype):
    net = exportable(dtype)
    path = ng.to_onnx(net, tmp_path / "net.onnx")
    same_graph(net, ng.from_onnx(path))
    x = np.random.default_rng(8).normal(size=(20, 4)).astype(dtype)
    assert np.array_equal(ng.from_onnx(path).forward(x), net.forward(x))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_onnxruntime_runs_the_export_with_the_same_outputs(tmp_path, dtype):
    net = exportable(dtype)
    proto = onnx.load(ng.to_onnx(net, tmp_path / "net.onnx"))
    x = np.random.default_rng(9).normal(size=(50, 4)).astype(dtype)
    ops = [node.op_type for node in proto.graph.node]
    expected = framework_output(proto, x, ops)
    assert expected.dtype == dtype and np.abs(net.forward(x) - expected).max() <= tolerance(dtype, ops)
    without = ng.mlp([(W.value, net[f"b{i}"].value) for i, W in enumerate([net["W1"], net["W2"]], 1)], ["relu", "softmax"])
    proto = onnx.load(ng.to_onnx(without, tmp_path / "plain.onnx"))
    assert np.abs(without.forward(x) - run_ort(proto, x)).max() <= TOLERANCE[dtype]  # onnxruntime itself, in float64 too


def test_a_parameter_float32_cannot_hold_reads_back_exactly(tmp_path):
    net = ng.mlp([([[1.0, -1.0]], [0.0, 0.0])], ("leaky_relu", {"alpha": 0.2}))
    proto = onnx.load(ng.to_onnx(net, tmp_path / "net.onnx"))
    node = proto.graph.node[-1]
    assert (node.attribute[0].f, node.doc_string) == (np.float32(0.2), "alpha = 0.2")
    assert ng.from_onnx(proto)["y"].parameters == {"alpha": 0.2}
    node.doc_string = "alpha = 0.3"  # a doc string that does not round to the attribute is only words
    assert ng.from_onnx(proto)["y"].parameters == {"alpha": float(np.float32(0.2))}


def test_the_books_networks_export_and_run_in_onnxruntime(tmp_path, three_layer, book_x):
    path = ng.to_onnx(three_layer, tmp_path / "three_layer.onnx")
    proto = onnx.load(path)
    assert (proto.producer_name, proto.opset_import[0].version, proto.ir_version) == ("nngraph", 13, 9)
    assert np.abs(run_ort(proto, book_x.reshape(1, 2))[0] - three_layer.forward(book_x)).max() <= 1e-15
    same_graph(three_layer, ng.from_onnx(path))


def test_the_mnist_network_exports_in_float32(tmp_path, mnist_net, mnist_test_set):
    images, labels = mnist_test_set
    proto = onnx.load(ng.to_onnx(mnist_net, tmp_path / "mnist.onnx"))
    assert proto.graph.input[0].type.tensor_type.elem_type == TensorProto.FLOAT
    ours, theirs = mnist_net.forward(images), run_ort(proto, images)
    assert np.abs(ours - theirs).max() <= 1e-5
    assert np.mean(np.argmax(theirs, axis=1) == labels) == 0.9352
    same_graph(mnist_net, ng.from_onnx(proto))


def test_an_export_is_the_same_bytes_every_time(tmp_path, three_layer):
    first = ng.to_onnx(three_layer, tmp_path / "a.onnx").read_bytes()
    assert ng.to_onnx(ng.three_layer_network(), tmp_path / "b.onnx").read_bytes() == first


def test_a_general_graph_with_two_inputs_and_two_outputs_round_trips(tmp_path):
    g = ng.Graph("two-headed")
    u, v = g.input("u", 2), g.input("v", 3)
    Wu, Wv = g.weight("Wu", [[1.0, 2.0], [3.0, 4.0]]), g.weight("Wv", np.ones((3, 2)))
    g.activation("left", g.affine("au", u, Wu), "tanh")
    g.activation("right", g.affine("av", v, Wv, g.weight("bv", [0.5, -0.5])), "relu")
    path = ng.to_onnx(g, tmp_path / "two.onnx")
    back = ng.from_onnx(path)
    assert {n.name for n in back} == {n.name for n in g} and [n.name for n in back.outputs] == ["left", "right"]
    feeds = {"u": np.array([[1.0, -1.0]]), "v": np.array([[1.0, 2.0, 3.0]])}
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    left, right = session.run(["left", "right"], feeds)
    assert np.array_equal(left, g.forward(**feeds)["left"]) and np.array_equal(right, g.forward(**feeds)["right"])


@pytest.mark.parametrize(
    "net, match",
    [
        (ng.and_gate(), r"activation 'y': step has no ONNX operator that nngraph reads back; to_onnx writes elu, gelu, identity"),
        (ng.mlp([([[1.0]], [0.0])], "silu"), r"activation 'y': silu has no ONNX operator"),
        (ng.mlp([([[1.0]], [0.0])], ("softplus", {"beta": 2.0})), r"activation 'y': softplus has no ONNX operator"),
    ],
)
def test_activations_without_an_onnx_operator_are_refused_by_name(tmp_path, net, match):
    with pytest.raises(FormatError, match=match):
        ng.to_onnx(net, tmp_path / "net.onnx")
    assert list(tmp_path.iterdir()) == []


def test_export_refusals(tmp_path, three_layer):
    with pytest.raises(FormatError, match=r"to_onnx writes .onnx files; name it net.onnx"):
        ng.to_onnx(three_layer, tmp_path / "net.npz")
    with pytest.raises(FormatError, match="to_onnx needs a Graph as its first argument; got str"):
        ng.to_onnx("three-layer", tmp_path / "net.onnx")
    half = ng.mlp([(np.ones((2, 2), np.float16), None)], "relu")
    with pytest.raises(FormatError, match="has float16 weights; ONNX models from nngraph are float32 or float64"):
        ng.to_onnx(half, tmp_path / "net.onnx")


# -- the command line reads .onnx files --------------------------------------------------


@pytest.fixture
def three_layer_onnx(tmp_path, three_layer):
    return ng.to_onnx(three_layer, tmp_path / "three_layer.onnx")


def cli(capsys, *argv):
    from nngraph.cli import main

    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_info_and_run_read_an_onnx_file(capsys, three_layer_onnx):
    code, out, _ = cli(capsys, "info", three_layer_onnx)
    assert (code, out) == (0, "".join(cli(capsys, "info", "three-layer")[1]))
    code, out, _ = cli(capsys, "run", three_layer_onnx, "--input", "1.0,0.5")
    assert (code, out) == (0, "[0.31682708, 0.69627909]\n")


def test_cli_step_narrates_an_onnx_file_as_the_book_does(capsys, three_layer_onnx, three_layer):
    code, out, _ = cli(capsys, "step", three_layer_onnx, "--input", "1.0,0.5")
    assert code == 0
    assert out == "".join(f"[{r.index + 1}/{len(r_all)}] {r.text}\n" for r_all in [ng.narrate(three_layer, [1.0, 0.5])] for r in r_all)


def test_cli_renders_an_imported_model_with_its_names(capsys, tmp_path):
    proto = two_layer(np.float32, "Relu", {}, np.random.default_rng(0))
    path = tmp_path / "named.onnx"
    path.write_bytes(proto.SerializeToString())
    code, out, _ = cli(capsys, "render", path, "--view", "signal", "-o", tmp_path / "named.dot")
    assert (code, out) == (0, f"wrote {tmp_path / 'named.dot'}\n")
    dot = (tmp_path / "named.dot").read_text(encoding="utf-8")
    assert all(f'"{name}"' in dot for name in ("fc1.weight", "fc1", "act1", "fc2", "y"))
    code, _, _ = cli(capsys, "render", path, "-o", tmp_path / "neurons.dot")
    assert code == 0 and "a₁⁽¹⁾" in (tmp_path / "neurons.dot").read_text(encoding="utf-8")


def test_cli_refuses_an_unsupported_onnx_model_in_one_line(capsys, tmp_path):
    path = tmp_path / "conv.onnx"
    path.write_bytes(one_layer(helper.make_node("Conv", ["a", "W"], ["y"], name="conv1")).SerializeToString())
    code, out, err = cli(capsys, "info", path)
    assert (code, out) == (1, "")
    assert err == f"nngraph: error: {path}: node 'conv1' is a Conv, which nngraph does not read; it reads {', '.join(sorted(['Add', 'Elu', 'Flatten', 'Gelu', 'Gemm', 'Identity', 'LeakyRelu', 'LogSoftmax', 'MatMul', 'Relu', 'Reshape', 'Sigmoid', 'Softmax', 'Tanh']))} (an MLP: affine layers and activations)\n"  # noqa: E501


@pytest.mark.parametrize(
    "good, bad",
    [(b"\n\x02a3\x12\x01y", b"\n\x02\x803\x12\x01y"), (b"\x1a\x02a1\"\x04Gemm", b"\x1a\x02\x801\"\x04Gemm")],
    ids=["an input", "a node name"],
)
def test_a_name_that_is_not_utf8_is_a_format_error(tmp_path, three_layer, good, bad):
    data = ng.to_onnx(three_layer, tmp_path / "good.onnx").read_bytes()
    broken = data.replace(good, bad, 1)  # both found by the fuzzer
    assert broken != data
    (tmp_path / "bad.onnx").write_bytes(broken)
    with pytest.raises(FormatError, match=r"bad.onnx: not a valid ONNX model: the name b'\\x80[13]' is not UTF-8 text"):
        ng.from_onnx(tmp_path / "bad.onnx")
