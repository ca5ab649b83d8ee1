"""PyTorch nn.Sequential stacks → nngraph, compared with torch's own outputs."""

from collections import OrderedDict

import numpy as np
import pytest

import nngraph as ng
from nngraph.errors import FormatError

torch = pytest.importorskip("torch")
nn = torch.nn

TOLERANCE = {torch.float32: 1e-5, torch.float64: 1e-9}
ACTIVATIONS = [
    nn.ReLU(), nn.Sigmoid(), nn.Tanh(), nn.LeakyReLU(0.2), nn.ELU(alpha=0.7), nn.GELU(), nn.SiLU(),
    nn.Softplus(beta=1.5), nn.Softmax(dim=-1), nn.LogSoftmax(dim=1), nn.Identity(),
]


def max_difference(net, module, x) -> float:
    with torch.no_grad():
        expected = module(x).numpy()
    got = net.forward(x.reshape(len(x), -1).numpy())
    assert got.dtype == expected.dtype
    return float(np.abs(got - expected).max())


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("activation", ACTIVATIONS, ids=lambda m: type(m).__name__)
def test_each_activation_matches_torch(dtype, activation):
    torch.manual_seed(0)
    module = nn.Sequential(nn.Flatten(), nn.Linear(12, 16), activation, nn.Linear(16, 5), activation).to(dtype)
    x = torch.randn(64, 3, 4, dtype=dtype) * 3
    net = ng.from_torch(module)
    assert max_difference(net, module, x) <= TOLERANCE[dtype]


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_a_trained_mnist_shaped_mlp_matches_torch(dtype):
    torch.manual_seed(1)
    module = nn.Sequential(nn.Flatten(), nn.Linear(784, 50), nn.Sigmoid(), nn.Linear(50, 100), nn.Sigmoid(), nn.Linear(100, 10), nn.Softmax(dim=-1)).to(dtype)
    images, labels = torch.rand(256, 1, 28, 28, dtype=dtype), torch.randint(0, 10, (256,))
    optimizer = torch.optim.SGD(module.parameters(), lr=0.5)
    for _ in range(20):  # a few steps of training, so the weights are not torch's initial ones
        optimizer.zero_grad()
        nn.functional.nll_loss(torch.log(module(images)), labels).backward()
        optimizer.step()
    net = ng.from_torch(module)
    assert net.names == ("x", "W1", "b1", "a1", "z1", "W2", "b2", "a2", "z2", "W3", "b3", "a3", "y")
    assert max_difference(net, module, images) <= TOLERANCE[dtype]
    assert [(layer.affine.name, layer.output) for layer in net.layers()] == [("a1", "z1"), ("a2", "z2"), ("a3", "y")]


def test_weights_are_transposed_to_x_times_W_and_float32_is_kept():
    torch.manual_seed(2)
    linear = nn.Linear(3, 2)
    net = ng.from_torch(nn.Sequential(linear, nn.ReLU()))
    W, b = net["W1"].value, net["b1"].value
    assert W.dtype == np.float32 and W.shape == (3, 2) and W.flags.c_contiguous
    assert np.array_equal(W, linear.weight.detach().numpy().T) and np.array_equal(b, linear.bias.detach().numpy())


def test_linear_without_bias_nested_and_named_sequentials():
    torch.manual_seed(3)
    module = nn.Sequential(OrderedDict(hidden=nn.Sequential(nn.Linear(4, 3, bias=False), nn.Tanh()), out=nn.Linear(3, 2), act=nn.ReLU(), act2=nn.Sigmoid()))
    net = ng.from_torch(module, name="nested")
    assert net.name == "nested" and net["a1"].b is None
    assert net.names == ("x", "W1", "a1", "z1", "W2", "b2", "a2", "z2", "y")
    assert max_difference(net, module, torch.randn(8, 4)) <= 1e-6


def test_a_model_ending_in_linear_outputs_its_affine():
    torch.manual_seed(4)
    module = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 1))
    net = ng.from_torch(module)
    assert [n.name for n in net.outputs] == ["a2"] and max_difference(net, module, torch.randn(5, 2)) <= 1e-6


def test_softplus_follows_the_exact_formula_where_torch_turns_linear():
    module = nn.Sequential(nn.Linear(1, 1), nn.Softplus())
    with torch.no_grad():
        module[0].weight.fill_(1.0)
        module[0].bias.fill_(0.0)
    module = module.double()
    x = torch.tensor([[19.0], [20.5], [30.0]], dtype=torch.float64)
    difference = max_difference(ng.from_torch(module), module, x)
    assert 0 < difference <= np.exp(-20.0)  # torch returns x itself once x > threshold = 20


@pytest.mark.parametrize(
    "module, match",
    [
        (nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5)), r"module '1' \(Dropout\) is not something nngraph reads; in eval mode it does nothing"),
        (nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2)), r"module '1' \(BatchNorm1d\) is not something nngraph reads; fold it into the Linear"),
        (nn.Sequential(nn.Conv2d(1, 1, 3)), r"module '0' \(Conv2d\) is not something nngraph reads; nngraph reads multilayer perceptrons only"),
        (nn.Sequential(nn.Linear(2, 2), nn.Hardtanh()), r"module '1' \(Hardtanh\) is not something nngraph reads; from_torch reads Flatten, Linear and ReLU, Sigmoid"),
        (nn.Sequential(nn.Linear(2, 2), nn.Softmax(dim=0)), r"module '1' \(Softmax\) has dim=0; nngraph's softmax runs over the last dimension: use dim=-1"),
        (nn.Sequential(nn.Linear(2, 2), nn.LogSoftmax()), r"module '1' \(LogSoftmax\) has dim=None"),
        (nn.Sequential(nn.Linear(2, 2), nn.GELU(approximate="tanh")), r"module '1' \(GELU\) uses approximate='tanh'; nngraph's gelu is the exact erf form"),
        (nn.Sequential(nn.Linear(2, 2), nn.Flatten()), r"module '1' \(Flatten\) comes after a layer; nngraph flattens only at the input"),
        (nn.Sequential(nn.Flatten(start_dim=2), nn.Linear(2, 2)), r"module '0' \(Flatten\) has start_dim=2, end_dim=-1"),
        (nn.Sequential(nn.Linear(2, 2).half()), r"module '0' \(Linear\) holds torch.float16 weights; nngraph reads float32 or float64 \(call module.float\(\)\)"),
        (nn.Sequential(nn.ReLU()), "the Sequential has no Linear layer, so the size of its input is unknown"),
        (nn.Sequential(nn.Linear(2, 3), nn.Linear(2, 3)), r"module '1' \(Linear\): affine 'a2' cannot multiply a1 \(N×3\) by W2 \(2×3\)"),
        (nn.Linear(2, 2), r"from_torch reads an nn.Sequential \(of Flatten, Linear and activations\); got Linear"),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, nn.Module) else None,
)
def test_anything_else_is_refused_naming_the_module(module, match):
    with pytest.raises(FormatError, match=match):
        ng.from_torch(module)


def test_subclasses_that_could_compute_something_else_are_refused():
    class Doubled(nn.Sequential):
        def forward(self, x):
            return 2 * super().forward(x)

    class MyReLU(nn.ReLU):
        pass

    with pytest.raises(FormatError, match="got Doubled, whose forward nngraph cannot read"):
        ng.from_torch(Doubled(nn.Linear(2, 2)))
    with pytest.raises(FormatError, match=r"module '1' \(MyReLU\) is not something nngraph reads"):
        ng.from_torch(nn.Sequential(nn.Linear(2, 2), MyReLU()))


def test_a_sequential_subclass_that_keeps_its_forward_is_read():
    class Stack(nn.Sequential):
        pass

    torch.manual_seed(5)
    module = Stack(nn.Linear(2, 2), nn.ReLU())
    assert ng.from_torch(module).name == "Stack" and max_difference(ng.from_torch(module), module, torch.randn(3, 2)) <= 1e-6


def test_a_torch_model_exported_to_onnx_by_nngraph_runs_in_onnxruntime(tmp_path):
    ort = pytest.importorskip("onnxruntime")
    torch.manual_seed(6)
    module = nn.Sequential(nn.Linear(4, 8), nn.LeakyReLU(0.2), nn.Linear(8, 3), nn.Softmax(dim=-1))
    path = ng.to_onnx(ng.from_torch(module), tmp_path / "torch.onnx")
    x = torch.randn(10, 4)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    with torch.no_grad():
        assert np.abs(session.run(None, {"x": x.numpy()})[0] - module(x).numpy()).max() <= 1e-5


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_a_model_torch_itself_exported_to_onnx_is_read_with_its_names(tmp_path):
    pytest.importorskip("onnx")
    torch.manual_seed(7)
    module = nn.Sequential(nn.Flatten(), nn.Linear(12, 5), nn.GELU(), nn.Linear(5, 3), nn.LogSoftmax(dim=-1))
    x = torch.randn(6, 3, 4)
    path = tmp_path / "torch.onnx"
    try:  # torch's TorchScript exporter needs no extra package
        torch.onnx.export(module, (x,), str(path), dynamo=False, input_names=["images"], output_names=["log_p"], dynamic_axes={"images": {0: "N"}}, opset_version=20)
    except Exception as err:  # an exporter that is missing or changed is not what this test is about
        pytest.skip(f"torch.onnx.export failed here: {err}")
    net = ng.from_onnx(path)
    assert net.names == ("images", "1.weight", "1.bias", "a1", "z1", "3.weight", "3.bias", "a2", "log_p")  # /1/Gemm and the like became a1, z1
    assert net.inputs[0].size == 12
    assert max_difference(net, module, x) <= 1e-5
