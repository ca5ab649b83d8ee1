"""The stepper: frames as data over drawings made once, samples, guards and the page's size."""

import json
import re

import numpy as np
import pytest

import nngraph as ng
from nngraph import InputError, OptionError, three_layer_network
from nngraph.render.stepper import Stepper


@pytest.fixture(scope="module")
def stepper():
    return Stepper(three_layer_network(), [1.0, 0.5])


def page_data(page: str) -> dict:
    text = re.search(r'<script type="application/json" class="ng-data">(.*?)</script>', page, re.S).group(1)
    return json.loads(text)


def test_one_frame_per_narrated_moment(stepper):
    frames = stepper.data()["samples"][0]["frames"]
    assert [f["node"] for f in frames[:4]] == ["x", "a1", "z1", "a1"]
    assert [f["kind"] for f in frames[:3]] == ["input", "affine", "activation"]
    assert len(frames) == len(stepper.frames) == 16


def test_frames_say_how_much_of_each_layer_is_known(stepper):
    frames = stepper.data()["samples"][0]["frames"]
    assert frames[2]["known"] == {"x": 2, "a1": 1, "z1": 1}  # z₁⁽¹⁾ = σ(0.3): one neuron of a1 and z1 done
    assert frames[2]["lines"] == {"a1": ["[0.3, ?, ?]"], "z1": ["[0.5744, ?, ?]"]}  # the signal view's partly computed layers
    assert frames[-1]["known"] == {"x": 2, "a1": 3, "z1": 3, "a2": 2, "z2": 2, "a3": 2, "y": 2} and "lines" not in frames[-1]


def test_values_are_the_books(stepper):
    sample = stepper.data()["samples"][0]
    assert sample["neurons"]["a1"] == ["0.3", "0.7", "1.1"]
    assert sample["neurons"]["y"] == ["0.3168", "0.6963"]  # y = [0.31682708, 0.69627909]
    assert sample["signal"]["z1"] == ["[0.5744, 0.6682, 0.7503]"]


def test_each_view_is_drawn_once_with_every_label(stepper):
    page = stepper.html()
    assert page.count('xmlns="http://www.w3.org/2000/svg"') == 2  # the neuron and the signal view, restyled per step
    assert "w₂₁⁽¹⁾ = 0.3" in page and "b₂⁽¹⁾ = 0.2" in page  # symbols meet numbers on the arrows
    assert page_data(page)["samples"][0]["frames"][3]["text"].startswith("a₂⁽¹⁾ = w₂₁⁽¹⁾x₁ + w₂₂⁽¹⁾x₂ + b₂⁽¹⁾ = 1.0×0.3")


def test_the_three_layer_page_is_small(stepper):
    assert len(stepper.html().encode("utf-8")) <= 150_000


def test_mnist_page_is_small_shows_the_digit_and_the_prediction(mnist_net, mnist_test_set):
    images, labels = mnist_test_set
    page = Stepper(mnist_net, images[:10], sample=[0, 8], labels=labels[:10]).html()
    assert len(page.encode("utf-8")) <= 1_000_000
    data = page_data(page)
    first, wrong = data["samples"]
    assert first["picture"].startswith("data:image/png;base64,")
    assert first["outputs"]["best"] == int(np.argmax(mnist_net.forward(images[0]))) == 7
    assert first["outputs"]["line"].startswith("predicted 7 (p = 0.997") and first["outputs"]["line"].endswith("label 7 ✓")
    assert wrong["outputs"]["line"].endswith(f"label {labels[8]} ✗")
    assert len(first["outputs"]["p"]) == 10 and first["name"] == "sample 0 · label 7"
    assert '<select class="ng-sample"' in page


def test_only_pictures_of_digits_are_drawn_as_digits():
    assert Stepper(three_layer_network(), [1.0, 0.5]).data()["samples"][0]["picture"] is None
    assert Stepper(three_layer_network(), [1.0, 0.5]).data()["samples"][0]["outputs"] is None  # no softmax


def test_options_are_checked():
    net = three_layer_network()
    with pytest.raises(OptionError, match=r"views must be one or both of neuron, signal; got \['foo'\]"):
        Stepper(net, [1.0, 0.5], views=["foo"])
    assert Stepper(net, [1.0, 0.5], views="signal").views == ("signal",)
    with pytest.raises(InputError, match=r"sample 3 is out of range for x with 2 rows \(numbered from 0\)"):
        Stepper(net, [[1.0, 0.5], [0.0, 1.0]], sample=[0, 3])
    with pytest.raises(InputError, match=r"labels must be one whole number per row of x \(2\)"):
        Stepper(net, [[1.0, 0.5], [0.0, 1.0]], labels=[1])
    with pytest.raises(OptionError, match="language must be one of 'en', 'zh'; got 'fr'"):
        Stepper(net, [1.0, 0.5], language="fr")


def test_deep_networks_are_refused_with_the_way_out():
    chain = ng.mlp([(np.eye(3), np.zeros(3))] * 150, "relu", name="chain")
    with pytest.raises(OptionError, match=r"takes 902 steps \(more than max_steps=600\); step by layer \(level='layer', --level layer\)"):
        Stepper(chain, np.ones(3))
    assert len(Stepper(chain, np.ones(3), level="layer").frames) == 1 + 2 * 150  # x, then a and z of each layer


def test_chinese_words(stepper):
    page = Stepper(three_layer_network(), [1.0, 0.5], language="zh").html()
    assert "下一步 ▶" in page and "第 1 / 16 步" in page and '<html lang="zh-Hant">' in page


def test_notebook_display_is_inline_with_a_static_picture(stepper):
    bundle = stepper._repr_mimebundle_()
    assert bundle["text/html"].startswith('<div class="nngraph-stepper"') and "<iframe" not in bundle["text/html"]
    assert bundle["image/svg+xml"].lstrip().startswith("<?xml") and "<svg" in bundle["image/svg+xml"]
    assert repr(stepper) == "<Stepper 'three-layer': 16 steps at neuron level>"


def test_hostile_names_reach_the_page_only_as_text():
    g = ng.Graph("<script>alert(1)</script>")
    x = g.input('x"><script>alert(2)</script>', 2)
    g.activation("<img src=x onerror=alert(3)>", g.affine("a1", x, g.weight("W1", [[1.0], [2.0]])), "relu")
    page = Stepper(g, [1.0, 0.5]).html()
    assert "<script>alert" not in page and "<img src=x" not in page
    assert page.count("<script>") == 1  # the stepper's own (the data is JSON, not a script)
    assert "</script>" not in page_data_text(page)


def page_data_text(page: str) -> str:
    return re.search(r'class="ng-data">(.*?)</script>', page, re.S).group(1)
