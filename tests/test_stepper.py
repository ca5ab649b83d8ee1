"""Stepper frames: what each view shows at each moment of a neuron-by-neuron run."""

import pytest

from nngraph import RenderError, three_layer_network
from nngraph.render.stepper import Stepper


@pytest.fixture(scope="module")
def frames():
    return Stepper(three_layer_network(), [1.0, 0.5]).frames


def test_one_frame_per_narrated_moment(frames):
    assert [f.narration.node for f in frames[:4]] == ["x", "a1", "z1", "a1"]
    assert all(set(f.diagrams) == {"neuron", "signal"} for f in frames)


def test_signal_view_shows_partly_computed_layers_with_question_marks(frames):
    source = frames[2].diagrams["signal"].source  # z₁⁽¹⁾ = σ(0.3): one neuron of a1 and z1 done
    assert "[0.3, ?, ?]" in source and "[0.5744, ?, ?]" in source
    assert "?" not in frames[-1].diagrams["signal"].source  # everything computed at the end


def test_neuron_view_shows_only_computed_neurons(frames):
    source = frames[2].diagrams["neuron"].source
    assert "z₁⁽¹⁾ = 0.5744" in source and "z₂⁽¹⁾ = " not in source and "nan" not in source


def test_views_are_checked():
    with pytest.raises(RenderError, match=r"views must be one or both of neuron, signal; got \['foo'\]"):
        Stepper(three_layer_network(), [1.0, 0.5], views=["foo"])
    assert Stepper(three_layer_network(), [1.0, 0.5], views="signal").views == ("signal",)
