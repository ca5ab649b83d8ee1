"""Narration: the book's symbols, then the numbers, for every neuron; the prediction of a classifier."""

import tracemalloc
from collections.abc import Mapping

import numpy as np
import pytest

import nngraph as ng
from conftest import check_golden
from nngraph import InputError, OptionError
from nngraph.narration import narrate

# Section 3.4.3 at x = [1.0, 0.5], as the book writes each line (figures 3-17 to 3-20).
THREE_LAYER = [
    ("x", None, "x = [1.0, 0.5]"),
    ("a1", 1, "a₁⁽¹⁾ = w₁₁⁽¹⁾x₁ + w₁₂⁽¹⁾x₂ + b₁⁽¹⁾ = 1.0×0.1 + 0.5×0.2 + 0.1 = 0.3"),
    ("z1", 1, "z₁⁽¹⁾ = σ(a₁⁽¹⁾) = σ(0.3) = 0.57444252"),
    ("a1", 2, "a₂⁽¹⁾ = w₂₁⁽¹⁾x₁ + w₂₂⁽¹⁾x₂ + b₂⁽¹⁾ = 1.0×0.3 + 0.5×0.4 + 0.2 = 0.7"),
    ("z1", 2, "z₂⁽¹⁾ = σ(a₂⁽¹⁾) = σ(0.7) = 0.66818777"),
    ("a1", 3, "a₃⁽¹⁾ = w₃₁⁽¹⁾x₁ + w₃₂⁽¹⁾x₂ + b₃⁽¹⁾ = 1.0×0.5 + 0.5×0.6 + 0.3 = 1.1"),
    ("z1", 3, "z₃⁽¹⁾ = σ(a₃⁽¹⁾) = σ(1.1) = 0.75026011"),
    ("a2", 1, "a₁⁽²⁾ = w₁₁⁽²⁾z₁⁽¹⁾ + w₁₂⁽²⁾z₂⁽¹⁾ + w₁₃⁽²⁾z₃⁽¹⁾ + b₁⁽²⁾ = "
              "0.57444252×0.1 + 0.66818777×0.2 + 0.75026011×0.3 + 0.1 = 0.51615984"),
    ("z2", 1, "z₁⁽²⁾ = σ(a₁⁽²⁾) = σ(0.51615984) = 0.62624937"),
    ("a2", 2, "a₂⁽²⁾ = w₂₁⁽²⁾z₁⁽¹⁾ + w₂₂⁽²⁾z₂⁽¹⁾ + w₂₃⁽²⁾z₃⁽¹⁾ + b₂⁽²⁾ = "
              "0.57444252×0.4 + 0.66818777×0.5 + 0.75026011×0.6 + 0.2 = 1.21402696"),
    ("z2", 2, "z₂⁽²⁾ = σ(a₂⁽²⁾) = σ(1.21402696) = 0.7710107"),
    ("a3", 1, "a₁⁽³⁾ = w₁₁⁽³⁾z₁⁽²⁾ + w₁₂⁽³⁾z₂⁽²⁾ + b₁⁽³⁾ = 0.62624937×0.1 + 0.7710107×0.2 + 0.1 = 0.31682708"),
    ("y", 1, "y₁ = identity(a₁⁽³⁾) = identity(0.31682708) = 0.31682708"),
    ("a3", 2, "a₂⁽³⁾ = w₂₁⁽³⁾z₁⁽²⁾ + w₂₂⁽³⁾z₂⁽²⁾ + b₂⁽³⁾ = 0.62624937×0.3 + 0.7710107×0.4 + 0.2 = 0.69627909"),
    ("y", 2, "y₂ = identity(a₂⁽³⁾) = identity(0.69627909) = 0.69627909"),
    ("y", None, "y = [0.31682708, 0.69627909]"),
]


def test_three_layer_network_reads_as_the_book(three_layer, book_x):
    records = narrate(three_layer, book_x)
    assert [(r.node, r.neuron, r.text) for r in records] == THREE_LAYER
    assert [r.index for r in records] == list(range(len(THREE_LAYER)))


def test_known_values_grow_neuron_by_neuron(three_layer, book_x):
    records = narrate(three_layer, book_x)
    np.testing.assert_allclose(records[3].known["a1"], [0.3, 0.7, np.nan], atol=1e-12)  # NaN: not computed yet
    assert "z2" not in records[3].known
    np.testing.assert_allclose(records[-1].known["y"], [0.31682708, 0.69627909], atol=5e-9)


def test_zero_inputs_of_a_short_sum_are_written_out(three_layer):
    text = narrate(three_layer, [0.0, 0.5])[1].text
    assert text == "a₁⁽¹⁾ = w₁₁⁽¹⁾x₁ + w₁₂⁽¹⁾x₂ + b₁⁽¹⁾ = 0.0×0.1 + 0.5×0.2 + 0.1 = 0.2"


def test_long_sum_shows_the_symbols_and_leaves_zero_terms_out():
    W = np.zeros((12, 2))  # two neurons: one would be chapter 2's lone perceptron, a = w₁x₁ + …
    W[:, 0] = np.arange(1, 13) / 10  # w = 0.1 … 1.2
    x = np.array([0, 2, 0, -1, 0, 0, 3, 0, 1, 0, 0, 0], dtype=float)  # 4 non-zero, 8 zero
    net = ng.mlp([(W, [0.5, 0.0])], ["identity"])
    text = narrate(net, x)[1].text
    symbols = "w₁₁⁽¹⁾x₁ + w₁₂⁽¹⁾x₂ + … + w₁,₁₂⁽¹⁾x₁₂ + b₁⁽¹⁾"
    expected = 2 * 0.2 - 0.4 + 3 * 0.7 + 0.9 + 0.5
    assert text == f"a₁⁽¹⁾ = {symbols} = 2.0×0.2 + (−1.0)×0.4 + 3.0×0.7 + 1.0×0.9 + 0.5 = {expected:g}  (8 zero terms left out)"
    x[[0, 2]] = [1.0, 1.0]  # now 6 products: too many, abbreviated after 3
    text = narrate(net, x)[1].text
    assert " = 1.0×0.1 + 2.0×0.2 + 1.0×0.3 + … (6 products in all) + 0.5 = " in text
    assert text.endswith("(6 zero terms left out)") and text.startswith(f"a₁⁽¹⁾ = {symbols} = ")


def test_hidden_layers_are_summarised_by_the_books_names(three_layer, book_x):
    texts = [r.text for r in narrate(three_layer, book_x, max_neurons=1)]
    assert "a₂⁽¹⁾, a₃⁽¹⁾: 2 more neurons (smallest: a₂⁽¹⁾ = 0.7, largest: a₃⁽¹⁾ = 1.1)" in texts
    assert "1 more neuron: z₂⁽²⁾ = 0.7710107" in texts
    assert sum(t.startswith("y₁ = ") or t.startswith("y₂ = ") for t in texts) == 2  # the output layer in full


def test_softmax_classifier_predicts_and_checks_the_label():
    net = ng.mlp([([[1.0, -1.0]], [0.0, 0.0])], ["softmax"])
    records = narrate(net, [2.0], precision=5, label=0)
    p = 1 / (1 + np.exp(-4.0))  # softmax of [2, −2]
    assert records[-3].text == f"y₁ = softmax(a⁽¹⁾)₁ = exp(a₁⁽¹⁾) / Σᵢ exp(aᵢ⁽¹⁾) = {p:.5f}   (depends on every aᵢ⁽¹⁾)"
    assert (records[-1].node, records[-1].neuron) == ("y", None)
    assert records[-1].text == f"y = [{p:.5f}, {1 - p:.5f}]\npredicted 0 (p = {p:.5f}) · label 0 ✓"
    wrong = narrate(net, [2.0], precision=5, label=1)[-1].text
    assert wrong.endswith(f"predicted 0 (p = {p:.5f}) · label 1 ✗ (the network is wrong)")
    assert narrate(net, [-2.0], precision=5)[-1].text.endswith(f"\npredicted 1 (p = {p:.5f})")


def test_layer_level_keeps_the_matrix_form_and_adds_the_prediction(three_layer, book_x):
    records = narrate(three_layer, book_x, level="layer")
    assert records[1].text == "a⁽¹⁾ = x·W⁽¹⁾ + b⁽¹⁾ : (2,)·(2×3) + (3,) → (3,)\na⁽¹⁾ = [0.3, 0.7, 1.1]"
    assert records[-1].text == "y = identity(a⁽³⁾) : (2,) → (2,)\ny = [0.31682708, 0.69627909]"  # not a classifier
    net = ng.mlp([([[1.0, -1.0]], [0.0, 0.0])], ["softmax"])
    last = narrate(net, [2.0], level="layer", precision=3, label=0)[-1]
    assert (last.node, last.neuron) == ("y", None)
    assert last.text == "y = softmax(a⁽¹⁾) : (2,) → (2,)\ny = [0.982, 0.018]\npredicted 0 (p = 0.982) · label 0 ✓"


def test_chinese_words_around_the_same_formulas(three_layer, book_x):
    zh = [r.text for r in narrate(three_layer, book_x, language="zh", max_neurons=1)]
    en = [r.text for r in narrate(three_layer, book_x, max_neurons=1)]
    assert zh[1] == en[1] and zh[2] == en[2]
    assert "a₂⁽¹⁾, a₃⁽¹⁾：還有 2 個神經元 (最小：a₂⁽¹⁾ = 0.7，最大：a₃⁽¹⁾ = 1.1)" in zh
    net = ng.mlp([([[1.0, -1.0]], [0.0, 0.0])], ["softmax"])
    records = narrate(net, [2.0], precision=3, label=1, language="zh")
    assert records[-1].text.endswith("\n預測 0 (p = 0.982) · 標籤 1 ✗ (網路判斷錯了)")
    assert records[-2].text.endswith("   (與每一個 aᵢ⁽¹⁾ 都有關)")
    batch = narrate(three_layer, [book_x, book_x], sample=1, language="zh")
    assert batch[0].text == "x = [1.0, 0.5]  (批次 (2×2) 的第 1 個樣本)"


def test_mnist_image_0(mnist_net, mnist_test_set):
    images, labels = mnist_test_set
    x, label = images[0], int(labels[0])
    records = narrate(mnist_net, x, label=label)
    y = mnist_net.forward(x)
    zeros = int(np.count_nonzero(x == 0))
    first = records[1].text
    assert first.startswith("a₁⁽¹⁾ = w₁₁⁽¹⁾x₁ + w₁₂⁽¹⁾x₂ + … + w₁,₇₈₄⁽¹⁾x₇₈₄ + b₁⁽¹⁾ = ")
    assert first.endswith(f"  ({zeros} zero terms left out)")
    assert f"… ({784 - zeros} products in all)" in first
    outputs = [r for r in records if r.node == "y" and r.neuron is not None]
    assert [r.neuron for r in outputs] == list(range(1, 11))  # every digit, despite max_neurons=4
    assert outputs[7].text.startswith("y₈ = softmax(a⁽³⁾)₈ = exp(a₈⁽³⁾) / Σᵢ exp(aᵢ⁽³⁾) = ")
    predicted = int(np.argmax(y))
    assert (label, predicted) == (7, 7)
    prediction = records[-1].text.splitlines()[-1]
    assert prediction.startswith("predicted 7 (p = 0.99") and prediction.endswith(") · label 7 ✓")
    assert float(prediction.split("p = ")[1].split(")")[0]) == pytest.approx(y[predicted], abs=5e-9)
    assert "…" not in records[-1].text.splitlines()[0]  # all ten outputs in the y line
    assert "2 more neurons" not in "".join(r.text for r in records)
    assert records[9].text.startswith("a₅⁽¹⁾ … a₅₀⁽¹⁾: 46 more neurons (smallest: ")


def test_errors(three_layer, book_x):
    softmax = ng.mlp([([[1.0, -1.0]], [0.0, 0.0])], ["softmax"])
    with pytest.raises(OptionError, match=r"language must be one of 'en', 'zh'; got 'fr'"):
        narrate(three_layer, book_x, language="fr")
    with pytest.raises(OptionError, match=r"level must be one of 'neuron', 'layer'; got 'matrix'"):
        narrate(three_layer, book_x, level="matrix")
    with pytest.raises(OptionError, match=r"max_neurons must be a whole number ≥ 1; got 0"):
        narrate(three_layer, book_x, max_neurons=0)
    for bad in (2, -1, 1.0, True, "0"):
        with pytest.raises(InputError, match=rf"label must be a whole number from 0 to 1 \(a class of the output y\); got {bad!r}"):
            narrate(softmax, [2.0], label=bad)
    with pytest.raises(InputError, match=r"label 0 needs a classifier, a network whose output activation is softmax"):
        narrate(three_layer, book_x, label=0)
    with pytest.raises(InputError, match=r"sample 1 asks for a row of a batch"):
        narrate(three_layer, book_x, sample=1)
    with pytest.raises(InputError, match=r"sample 2 is out of range for a batch of 2; choose 0 … 1"):
        narrate(three_layer, [book_x, book_x], sample=2)


# -- what each record knows, and the memory it takes -------------------------------------


def _sigmoid(a):
    return 1 / (1 + np.exp(-np.asarray(a)))


def test_a_record_knows_the_values_so_far_with_nan_for_what_is_to_come(three_layer, book_x):
    known = narrate(three_layer, book_x)[2].known  # z₁⁽¹⁾ = σ(a₁⁽¹⁾): one neuron of a1 and z1 done
    assert isinstance(known, Mapping) and list(known) == ["x", "a1", "z1"] and len(known) == 3
    np.testing.assert_array_equal(known["x"], [1.0, 0.5])
    np.testing.assert_allclose(known["a1"], [1.0 * 0.1 + 0.5 * 0.2 + 0.1, np.nan, np.nan], atol=1e-12)
    np.testing.assert_allclose(known.get("z1"), [_sigmoid(0.3), np.nan, np.nan], atol=1e-12)
    assert [name for name, _ in known.items()] == ["x", "a1", "z1"]
    assert "a1" in known and "a2" not in known and 7 not in known and known.get("y") is None
    with pytest.raises(KeyError):
        known["a2"]


def test_known_values_are_read_only_and_later_records_leave_earlier_ones_alone(three_layer, book_x):
    records = narrate(three_layer, book_x)
    assert list(records[-1].known) == ["x", "a1", "z1", "a2", "z2", "a3", "y"]
    np.testing.assert_allclose(records[-1].known["a1"], [0.3, 0.7, 1.1], atol=1e-12)
    np.testing.assert_allclose(records[1].known["a1"], [0.3, np.nan, np.nan], atol=1e-12)
    assert list(records[0].known) == ["x"]
    with pytest.raises(ValueError, match="read-only"):
        records[-1].known["y"][0] = 0.0


def test_the_layer_level_knows_each_node_whole(three_layer, book_x):
    records = narrate(three_layer, book_x, level="layer")
    assert [(r.node, len(r.known)) for r in records] == [(n, i) for i, n in enumerate(["x", "a1", "z1", "a2", "z2", "a3", "y"], 1)]
    np.testing.assert_allclose(records[-1].known["z1"], _sigmoid([0.3, 0.7, 1.1]), atol=1e-12)


def _narration_peak(layers: int) -> int:
    graph = ng.mlp([(np.eye(3), np.zeros(3))] * layers, "relu")
    graph.plan()
    tracemalloc.start()
    try:
        narrate(graph, np.ones(3))
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_grows_linearly_with_the_narration():
    # Records share one log of values: a copy of everything known per record was quadratic.
    assert _narration_peak(1_000) < 3 * _narration_peak(500)


# -- golden transcripts: the whole text, compared exactly --------------------------


def transcript(records) -> str:
    return "\n".join(f"[{r.node}{'' if r.neuron is None else f' {r.neuron}'}] {r.text}" for r in records) + "\n"


def softmax_classifier():
    W1 = [[0.1, -0.3, 0.5], [0.2, 0.4, -0.6]]
    W2 = [[0.7, -0.1, 0.2], [0.3, 0.5, -0.4], [-0.2, 0.6, 0.1]]
    return ng.mlp([(W1, [0.1, 0.0, -0.1]), (W2, [0.0, 0.2, -0.2])], ["relu", "softmax"], name="classifier")


def wide_network():
    rng = np.random.default_rng(7)
    layers = [(rng.normal(size=(3, 30)).round(2), rng.normal(size=30).round(2)), (rng.normal(size=(30, 2)).round(2), None)]
    return ng.mlp(layers, [("leaky_relu", {"alpha": 0.2}), "sigmoid"], name="wide")


@pytest.mark.parametrize(
    "name, make, x, options",
    [
        ("three_layer_neuron", ng.three_layer_network, [1.0, 0.5], {}),
        ("three_layer_layer", ng.three_layer_network, [1.0, 0.5], {"level": "layer"}),
        ("three_layer_batch_sample", ng.three_layer_network, [[1.0, 0.5], [-2.0, 0.25], [0.0, 0.0]], {"sample": 1, "precision": 5}),
        ("softmax_neuron", softmax_classifier, [1.0, -0.5], {"label": 2}),
        ("softmax_layer", softmax_classifier, [1.0, -0.5], {"level": "layer", "label": 0}),
        ("wide_neuron", wide_network, [0.5, -1.0, 2.0], {"precision": 4}),
        ("wide_layer", wide_network, [0.5, -1.0, 2.0], {"level": "layer", "precision": 4}),
    ],
)
def test_golden_transcripts(name, make, x, options):
    check_golden(f"narrate_{name}.txt", transcript(narrate(make(), x, **options)))


def test_updating_golden_files_is_refused_in_ci(monkeypatch):
    monkeypatch.setenv("NNGRAPH_UPDATE_GOLDEN", "1")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="NNGRAPH_UPDATE_GOLDEN is refused when CI is set"):
        check_golden("narrate_three_layer_neuron.txt", "anything")
