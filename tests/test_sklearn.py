"""scikit-learn MLPs → nngraph: the graph's output is predict_proba (classifiers) or predict (regressors)."""

import warnings

import numpy as np
import pytest

import nngraph as ng
from nngraph.errors import FormatError

pytest.importorskip("sklearn")
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.neural_network import MLPClassifier, MLPRegressor  # noqa: E402

HIDDEN = ["relu", "tanh", "logistic", "identity"]
TOLERANCE = {np.float32: 1e-5, np.float64: 1e-9}


def fitted(estimator, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # a few iterations are enough: the weights only need to be trained ones
        return estimator.fit(X, y)


def data(dtype=np.float64, samples=200, features=5, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(samples, features)) * 2).astype(dtype), rng


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("activation", HIDDEN)
def test_a_multiclass_classifier_gives_predict_proba(dtype, activation):
    X, rng = data(dtype)
    labels = rng.integers(0, 4, len(X))
    model = fitted(MLPClassifier(hidden_layer_sizes=(8, 6), activation=activation, max_iter=60, random_state=0), X, labels)
    net = ng.from_sklearn(model)
    assert net["y"].h.name == "softmax" and net.names[-1] == "y"
    got = net.forward(X)
    assert got.dtype == model.predict_proba(X).dtype == dtype
    assert np.abs(got - model.predict_proba(X)).max() <= TOLERANCE[dtype]
    assert np.array_equal(np.argmax(got, axis=1), model.predict(X))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("activation", HIDDEN)
def test_a_binary_classifier_gives_both_columns_of_predict_proba(dtype, activation):
    X, rng = data(dtype, seed=1)
    labels = (X[:, 0] + rng.normal(size=len(X)) > 0).astype(int)
    model = fitted(MLPClassifier(hidden_layer_sizes=(7,), activation=activation, max_iter=80, random_state=1), X, labels)
    assert model.coefs_[-1].shape[1] == 1  # scikit-learn keeps one output unit p and answers [1 − p, p]
    net = ng.from_sklearn(model)
    assert net.names == ("x", "W1", "b1", "a1", "z1", "W2", "b2", "a2", "z2", "W3", "b3", "y")
    assert net["z2"].h.name == "logistic" and net["W3"].value.tolist() == [[-1, 1]] and net["b3"].value.tolist() == [1, 0]
    got, expected = net.forward(X), model.predict_proba(X)
    assert got.shape == expected.shape == (len(X), 2)
    assert np.abs(got - expected).max() <= TOLERANCE[dtype]
    assert np.array_equal(got[:, 0], 1 - got[:, 1])  # 1 − p computed as scikit-learn computes it


def test_binary_probabilities_stay_exact_when_p_rounds_to_one():
    X, rng = data(seed=2)
    labels = (X[:, 0] > 0).astype(int)
    model = fitted(MLPClassifier(hidden_layer_sizes=(4,), max_iter=200, random_state=2), X, labels)
    far = X * 1000  # p = 1 − 1e-300 rounds to 1.0: both give exactly [0, 1]
    assert np.abs(ng.from_sklearn(model).forward(far) - model.predict_proba(far)).max() <= 1e-9


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_multilabel_classifier_gives_independent_probabilities(dtype):
    X, rng = data(dtype, seed=3)
    labels = np.stack([X[:, 0] > 0, X[:, 1] > 0.5, X[:, 2] + X[:, 3] > 0], axis=1).astype(int)
    model = fitted(MLPClassifier(hidden_layer_sizes=(6,), activation="tanh", max_iter=60, random_state=3), X, labels)
    net = ng.from_sklearn(model)
    assert net["y"].h.name == "logistic"
    assert np.abs(net.forward(X) - model.predict_proba(X)).max() <= TOLERANCE[dtype]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("activation", HIDDEN)
@pytest.mark.parametrize("targets", [1, 3])
def test_a_regressor_gives_predict_as_columns(dtype, activation, targets):
    X, rng = data(dtype, seed=4)
    y = X[:, :targets] * 2 - X[:, 1:targets + 1] ** 2
    model = fitted(MLPRegressor(hidden_layer_sizes=(10,), activation=activation, max_iter=60, random_state=4), X, y.ravel() if targets == 1 else y)
    net = ng.from_sklearn(model)
    assert net["y"].h.name == "identity"
    got = net.forward(X)
    assert got.shape == (len(X), targets)
    assert np.abs(got - model.predict(X).reshape(len(X), targets)).max() <= TOLERANCE[dtype] * max(1.0, np.abs(got).max())


def test_what_is_refused():
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, rng = data()
    labels = rng.integers(0, 2, len(X))
    with pytest.raises(FormatError, match="from_sklearn reads MLPClassifier and MLPRegressor; got LogisticRegression"):
        ng.from_sklearn(LogisticRegression().fit(X, labels))
    pipeline = fitted(make_pipeline(StandardScaler(), MLPClassifier(max_iter=5)), X, labels)
    with pytest.raises(FormatError, match=r"got Pipeline; pass its last step, pipeline\[-1\], and apply the steps before it"):
        ng.from_sklearn(pipeline)
    with pytest.raises(FormatError, match="this MLPRegressor is not fitted; call fit"):
        ng.from_sklearn(MLPRegressor())
    model = fitted(MLPClassifier(hidden_layer_sizes=(3,), max_iter=5), X, labels)
    model.activation = "softsign"
    with pytest.raises(FormatError, match="MLPClassifier.activation = 'softsign' has no nngraph activation; nngraph reads relu, tanh, logistic, identity"):
        ng.from_sklearn(model)


def test_an_imported_classifier_steps_and_exports(tmp_path):
    onnx_runtime = pytest.importorskip("onnxruntime")
    X, rng = data(seed=5)
    model = fitted(MLPClassifier(hidden_layer_sizes=(4,), max_iter=50, random_state=5), X, rng.integers(0, 3, len(X)))
    net = ng.from_sklearn(model)
    assert [step.node for step in net.steps(X[0])] == ["x", "a1", "z1", "a2", "y"]
    session = onnx_runtime.InferenceSession(str(ng.to_onnx(net, tmp_path / "mlp.onnx")), providers=["CPUExecutionProvider"])
    assert np.abs(session.run(None, {"x": X})[0] - model.predict_proba(X)).max() <= 1e-9
