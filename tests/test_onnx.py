"""ONNX export: onnxruntime agrees with skae, alone and inside scikit-learn pipelines."""

import numpy as np
import pytest
from conftest import QUICK
from sklearn.compose import ColumnTransformer
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skae import (
    AETransformer,
    DAEImputer,
    ConvAETransformer,
    DAETransformer,
    ReconstructionOutlierDetector,
    SAEClassifier,
    SAETransformer,
    VAETransformer,
)
from skae.datasets import fetch_fashion_mnist, load_digits

ort = pytest.importorskip("onnxruntime")
skl2onnx = pytest.importorskip("skl2onnx")
import skae.onnx  # noqa: E402,F401  (registers the converters)


def digits():
    X, y = load_digits(return_X_y=True)
    return X[:600], y[:600]


def fashion():
    try:
        X, y = fetch_fashion_mnist(subset="test", download_if_missing=False, return_X_y=True)
    except OSError:
        pytest.skip("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)")
    return X[:600], y[:600]


def serve(model, X, zipmap=False):
    """onnxruntime's outputs for ``X`` from the converted ``model``, by output name."""
    proba = hasattr(model, "predict_proba") and not zipmap
    options = {id(model): {"zipmap": False}} if proba else None
    onx = skl2onnx.to_onnx(model, X[:1], options=options)
    session = ort.InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])
    outputs = session.run(None, {session.get_inputs()[0].name: X})
    return dict(zip([o.name for o in session.get_outputs()], outputs))


def transformers(side):
    return {
        "AE": AETransformer((32,), 8, **QUICK),
        "DAE": DAETransformer((32,), 8, noise="salt_pepper", **QUICK),
        "conv": ConvAETransformer(image_shape=(side, side), channels=(4, 8), n_components=8,
                                  **QUICK),  # fmt: skip
        "VAE": VAETransformer((32,), 8, **QUICK),
        "SAE": SAETransformer((32,), 8, pretrain_epochs=1, **QUICK),
        "top-k": AETransformer((32,), 8, top_k=3, **QUICK),
    }


@pytest.mark.parametrize("data, side", [(digits, 8), (fashion, 28)], ids=["digits", "fashion"])
@pytest.mark.parametrize("name", list(transformers(8)))
def test_every_transformer_exports_its_codes(data, side, name):
    X, _ = data()
    model = transformers(side)[name].fit(X)
    np.testing.assert_allclose(serve(model, X)["variable"], model.transform(X), atol=1e-5)


@pytest.mark.parametrize("data", [digits, fashion], ids=["digits", "fashion"])
def test_a_pipeline_with_scikit_learn_steps_predicts_the_same_labels(data):
    X, y = data()
    pipe = make_pipeline(StandardScaler(), DAETransformer((32,), 8, **QUICK),
                         LogisticRegression(max_iter=200)).fit(X, y)  # fmt: skip
    out = serve(pipe, X)
    np.testing.assert_array_equal(out["label"], pipe.predict(X))
    np.testing.assert_allclose(out["probabilities"], pipe.predict_proba(X), atol=1e-5)


def test_the_classifier_exports_labels_and_probabilities_with_zipmap_or_without():
    X, y = digits()
    clf = SAEClassifier((32,), 8, pretrain_epochs=1, dropout=0.1, **QUICK).fit(X, y)
    out = serve(clf, X)
    np.testing.assert_array_equal(out["label"], clf.predict(X))
    np.testing.assert_allclose(out["probabilities"], clf.predict_proba(X), atol=1e-5)
    zipped = serve(clf, X, zipmap=True)["output_probability"]
    assert zipped[0].keys() == set(clf.classes_.tolist())


def test_inside_a_column_transformer():
    X, y = digits()
    ct = ColumnTransformer([("ae", AETransformer((16,), 4, **QUICK), list(range(32))),
                            ("pca", PCA(4), list(range(32, 64)))])  # fmt: skip
    pipe = make_pipeline(ct, LogisticRegression(max_iter=200)).fit(X, y)
    np.testing.assert_array_equal(serve(pipe, X)["label"], pipe.predict(X))


@pytest.mark.parametrize("settings", [{}, dict(scaling=None, latent_weight=0, trim=0)],
                         ids=["defaults", "error-only"])
def test_the_detector_exports_labels_and_decisions(settings):
    X, _ = digits()
    det = ReconstructionOutlierDetector(random_state=0, **settings).fit(X)
    out = serve(det, X)
    decision = det.decision_function(X)
    np.testing.assert_allclose(out["scores"].ravel(), decision, atol=1e-4, rtol=1e-4)
    sure = np.abs(decision) > 1e-3  # float32 may flip a row sitting on the threshold
    np.testing.assert_array_equal(out["label"][sure], det.predict(X)[sure])


def test_a_detector_of_one_training_row_exports_its_scores():
    # one training code has no neighbour: its latent term is 0, in ONNX as in Python
    X, _ = digits()
    det = ReconstructionOutlierDetector(random_state=0).fit(X[:1])
    out = serve(det, X[:20])
    np.testing.assert_allclose(out["scores"].ravel(), det.decision_function(X[:20]),
                               atol=1e-4, rtol=1e-4)  # fmt: skip
    np.testing.assert_array_equal(out["label"], det.predict(X[:20]))


def test_what_cannot_export_says_so():
    X, y = digits()
    ae = AETransformer((16,), 4, **QUICK).fit(X)
    with pytest.raises(TypeError, match="exports float32 graphs.*astype"):
        skl2onnx.to_onnx(ae, X[:1].astype(np.float64))
    det = ReconstructionOutlierDetector(PCA(4)).fit(X)
    with pytest.raises(NotImplementedError, match="not PCA"):
        skl2onnx.to_onnx(det, X[:1])
    clf = SAEClassifier((16,), 4, pretrain=False, **QUICK).fit(X, np.array(list("abc"))[y % 3])
    with pytest.raises(NotImplementedError, match="encode the labels as integers"):
        skl2onnx.to_onnx(clf, X[:1], options={id(clf): {"zipmap": False}})


@pytest.mark.parametrize("mixed", [False, True])
def test_the_imputer_refuses_to_export_and_says_what_to_do(mixed):
    import pandas as pd

    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.random(60), "b": rng.random(60)})
    if mixed:
        X["c"] = rng.choice(["x", "y"], 60)
    imputer = DAEImputer(max_epochs=1, random_state=0).fit(X)
    with pytest.raises(NotImplementedError, match="does not export to ONNX.*pipeline\\[1:\\]"):
        skl2onnx.to_onnx(imputer, X.iloc[:1, :2].to_numpy(np.float32))
