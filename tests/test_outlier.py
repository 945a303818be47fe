"""ReconstructionOutlierDetector: scikit-learn's outlier API over any reconstructing model."""

import numpy as np
import pytest
from sklearn.decomposition import PCA, KernelPCA
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skae import (
    AETransformer,
    ConvAETransformer,
    DAETransformer,
    ReconstructionOutlierDetector,
    VAETransformer,
)


@pytest.fixture(scope="module")
def one_class(digits):
    """Digits 0 as the normal class; the test set mixes them with every other digit."""
    Xtr, Xte, ytr, yte = digits
    return Xtr[ytr == 0], Xte, (yte == 0).astype(int)


SKAE = [
    AETransformer((32,), 4, max_epochs=40, random_state=0),
    DAETransformer((32,), 4, max_epochs=40, random_state=0),
    ConvAETransformer((8, 8), (8,), 4, max_epochs=40, random_state=0),
    VAETransformer((32,), 4, beta=0.1, max_epochs=40, random_state=0),
]


@pytest.mark.parametrize(
    "estimator", SKAE + [PCA(4), KernelPCA(4, kernel="rbf", fit_inverse_transform=True)],
    ids=lambda e: type(e).__name__,
)
def test_every_reconstructing_model_detects_the_other_digits(estimator, one_class):
    Xn, Xte, normal = one_class
    det = ReconstructionOutlierDetector(estimator).fit(Xn)
    assert roc_auc_score(normal, det.score_samples(Xte)) > 0.9
    assert set(np.unique(det.predict(Xte))) == {-1, 1}


def test_the_api_of_isolation_forest(one_class):
    Xn, Xte, _ = one_class
    det = ReconstructionOutlierDetector(PCA(4), contamination=0.1).fit(Xn)
    np.testing.assert_allclose(det.decision_function(Xte), det.score_samples(Xte) - det.offset_)
    np.testing.assert_array_equal(det.predict(Xte), np.where(det.decision_function(Xte) < 0, -1, 1))
    assert np.isclose(np.mean(det.predict(Xn) == -1), 0.1, atol=0.02)  # the contamination
    errors = -det.score_samples(Xn)
    q1, q3 = np.percentile(errors, [25, 75])
    auto = ReconstructionOutlierDetector(PCA(4)).fit(Xn)
    assert np.isclose(auto.offset_, -(q3 + 1.5 * (q3 - q1)))  # Tukey's fence
    assert np.mean(auto.predict(Xn) == -1) < 0.1


def test_the_default_model_is_an_undercomplete_autoencoder(one_class):
    Xn, Xte, normal = one_class
    det = ReconstructionOutlierDetector(random_state=0).fit(Xn)
    assert isinstance(det.estimator_, AETransformer) and det.estimator_.n_components == 16
    assert roc_auc_score(normal, det.score_samples(Xte)) > 0.9


def test_in_a_pipeline_after_a_scaler(one_class):
    Xn, Xte, normal = one_class
    pipe = make_pipeline(StandardScaler(), ReconstructionOutlierDetector(PCA(4)))
    assert pipe.fit(Xn).predict(Xte).shape == (len(Xte),)
    assert roc_auc_score(normal, pipe.score_samples(Xte)) > 0.9


def test_bad_input_is_refused_and_the_detector_survives(one_class):
    Xn, Xte, _ = one_class
    det = ReconstructionOutlierDetector(PCA(4)).fit(Xn)
    before = det.score_samples(Xte)
    with pytest.raises(ValueError, match="features"):
        det.score_samples(Xte[:, :10])
    with pytest.raises(ValueError, match="text"):
        det.fit(np.array([["a"] * 64] * 5, dtype=object))
    with pytest.raises(ValueError, match="NaN"):
        det.fit(np.full((10, 64), np.nan))
    with pytest.raises(TypeError, match="inverse_transform|estimator"):
        ReconstructionOutlierDetector(StandardScaler().set_output()).fit(Xn) if False else (
            ReconstructionOutlierDetector(object()).fit(Xn))
    np.testing.assert_array_equal(det.score_samples(Xte), before)
