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


def test_the_default_model_is_a_shallow_undercomplete_denoising_autoencoder(one_class):
    Xn, Xte, normal = one_class
    det = ReconstructionOutlierDetector(random_state=0).fit(Xn)
    assert isinstance(det.estimator_, DAETransformer) and det.estimator_.n_components == 16
    assert det.estimator_.hidden_sizes == () and det.estimator_.noise_level == 0.2
    assert roc_auc_score(normal, det.score_samples(Xte)) > 0.9


def test_the_defaults_are_the_committed_tuning_choice():
    # benchmarks/run.py tune-detector chose them on ADBench's and Fashion-MNIST's validation cuts
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "benchmarks" / "configs" / "tune-detector.json"
    chosen = json.loads(path.read_text())["defaults"]
    params = ReconstructionOutlierDetector().get_params()
    expected = {"scaling": "robust"} | chosen["settings"]
    assert {k: params[k] for k in expected} == expected
    model = ReconstructionOutlierDetector()._make_estimator(64, None)
    assert model.hidden_sizes == tuple(chosen["hidden_sizes"])
    assert getattr(model, "noise_level", None) == chosen["noise_level"]


def test_without_scaling_latent_term_or_trim_the_score_is_minus_the_error(one_class):
    Xn, Xte, _ = one_class
    det = ReconstructionOutlierDetector(PCA(4), scaling=None, error="squared", latent_weight=0,
                                        trim=0).fit(Xn)  # fmt: skip
    pca = PCA(4).fit(Xn)
    error = np.mean((pca.inverse_transform(pca.transform(Xte)) - Xte) ** 2, axis=1)
    np.testing.assert_allclose(det.score_samples(Xte), -error, rtol=1e-6)


def test_the_robust_scaling_makes_the_scores_independent_of_the_columns_units():
    rng = np.random.default_rng(0)
    X = rng.standard_t(3, size=(300, 5)) * [1.0, 1.2, 1.5, 2.0, 3.0]  # heavy tails
    X_new = rng.standard_t(3, size=(50, 5)) * [1.0, 1.2, 1.5, 2.0, 3.0]
    det = ReconstructionOutlierDetector(PCA(2)).fit(X)
    for units in ([1e4] * 5, [1.0, 1.0, 1.0, 1.0, 1e3]):  # no column under the floor
        other = ReconstructionOutlierDetector(PCA(2)).fit(X * units)
        np.testing.assert_allclose(other.score_samples(X_new * units), det.score_samples(X_new),
                                   rtol=1e-6)  # fmt: skip
    np.testing.assert_allclose(det.center_, np.median(X, axis=0))


def test_nearly_constant_columns_get_the_floor_scale_not_a_division_by_zero(one_class):
    Xn, Xte, normal = one_class  # digits' border pixels are constant (0)
    det = ReconstructionOutlierDetector(PCA(4)).fit(Xn)
    floor = 0.5 * np.median(det.scale_[np.std(Xn, axis=0) > 0])
    assert np.isclose(det.scale_.min(), floor, rtol=0.2) and np.all(det.scale_ >= det.scale_.min())
    assert np.all(np.isfinite(det.score_samples(Xte)))
    assert roc_auc_score(normal, det.score_samples(Xte)) > 0.9


@pytest.mark.parametrize("latent", ["neighbors", "mahalanobis"])
def test_the_latent_term_flags_a_row_far_along_the_code(latent):
    # rows on a plane: a point on the plane but far out reconstructs perfectly; its code is
    # far from the training codes
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 2)) @ [[1.0, 2.0, 3.0], [0.5, 0.0, -1.0]]
    X += rng.normal(scale=0.1, size=X.shape)  # near the plane
    far = np.array([[20.0, 40.0, 60.0]])
    error_only = ReconstructionOutlierDetector(PCA(2), latent_weight=0).fit(X)
    with_latent = ReconstructionOutlierDetector(PCA(2), latent=latent, latent_weight=0.3).fit(X)
    assert error_only.predict(far)[0] == 1 and with_latent.predict(far)[0] == -1
    if latent == "mahalanobis":
        assert with_latent.code_mean_.shape == (2,) and with_latent.code_precision_.shape == (2, 2)
        assert with_latent.reference_codes_ is None
    else:
        assert with_latent.reference_codes_.shape == (300, 2) and with_latent.code_mean_ is None
    assert error_only.code_mean_ is None and error_only.reference_codes_ is None


def test_the_neighbors_term_is_the_mean_distance_to_the_five_nearest_other_training_codes():
    rng = np.random.default_rng(0)
    X, X_new = rng.normal(size=(60, 4)), rng.normal(size=(7, 4))
    det = ReconstructionOutlierDetector(PCA(2), latent_weight=1.0, trim=0).fit(X)
    codes, new = det.estimator_.transform((X - det.center_) / det.scale_), det.estimator_.transform(
        (X_new - det.center_) / det.scale_)  # fmt: skip

    def mean_of_five_nearest(d):
        return np.sort(d, axis=1)[:, :5].mean(axis=1)

    pairwise = np.linalg.norm(codes[:, None] - codes[None], axis=2)
    np.fill_diagonal(pairwise, np.inf)  # a training row is not its own neighbour
    training = mean_of_five_nearest(pairwise)
    q1, q3 = np.percentile(training, [25, 75])
    np.testing.assert_allclose(det.units_[1], q3 - q1, rtol=1e-6)
    expected = mean_of_five_nearest(np.linalg.norm(new[:, None] - codes[None], axis=2))
    np.testing.assert_allclose(det.score_samples(X_new), -expected / det.units_[1], rtol=1e-5)


def test_the_reference_codes_are_a_random_subset_of_at_most_ten_thousand_rows(monkeypatch):
    from skae import outlier

    monkeypatch.setattr(outlier, "MAX_REFERENCE_CODES", 50)
    X = np.random.default_rng(0).normal(size=(80, 4))
    det = ReconstructionOutlierDetector(PCA(2), trim=0, random_state=0).fit(X)
    codes = det.estimator_.transform((X - det.center_) / det.scale_)
    assert det.reference_codes_.shape == (50, 2)
    assert all(np.isclose(codes, c).all(axis=1).any() for c in det.reference_codes_)
    assert np.all(np.isfinite(det.score_samples(X)))


def test_standardized_errors_weigh_each_feature_by_its_mean_training_error():
    # a noisy feature that no model reconstructs sets the plain error; standardized, an
    # error in a well-reconstructed feature counts as much
    rng = np.random.default_rng(0)
    X = rng.normal(scale=3.0, size=(400, 2)) @ [[1.0, 1.0, 1.0, 0.0], [1.0, -1.0, 0.0, 0.0]]
    X[:, 3] = rng.normal(size=400)  # noise, unrelated to the others
    X[:, :3] += rng.normal(scale=0.05, size=(400, 3))
    odd = X[:20].copy()
    odd[:, 2] += 1.0  # off the plane in well-reconstructed features
    options = dict(scaling=None, latent_weight=0, trim=0)
    plain = ReconstructionOutlierDetector(PCA(2), error="squared", **options).fit(X)
    standardized = ReconstructionOutlierDetector(PCA(2), **options).fit(X)
    assert np.all(plain.error_scale_ == 1.0)
    assert standardized.error_scale_[3] > 4 * standardized.error_scale_[:3].max()
    assert np.mean(standardized.predict(odd) == -1) > np.mean(plain.predict(odd) == -1)
    pca = PCA(2).fit(X)
    squared = (pca.inverse_transform(pca.transform(odd)) - odd) ** 2
    np.testing.assert_allclose(-standardized.score_samples(odd),
                               np.mean(squared / standardized.error_scale_, axis=1), rtol=1e-5)


def test_trim_refits_without_the_worst_reconstructed_training_rows():
    rng = np.random.default_rng(0)
    basis = np.array([[1.0, 2.0, 3.0], [0.5, 0.0, -1.0]])
    normal = np.cross(*basis) / np.linalg.norm(np.cross(*basis))
    X = rng.normal(size=(200, 2)) @ basis + rng.normal(scale=0.05, size=(200, 3))
    X[:20] += 2.0 * normal  # 10% of the rows off the plane, all to one side
    options = dict(scaling=None, latent_weight=0)

    def tilt(det):  # how far the fitted plane leans towards the outliers
        return np.linalg.norm(det.estimator_.components_ @ normal)

    trimmed = ReconstructionOutlierDetector(PCA(2), trim=0.1, **options).fit(X)
    fooled = ReconstructionOutlierDetector(PCA(2), trim=0, **options).fit(X)
    assert trimmed.estimator_.n_samples_ == 180 and fooled.estimator_.n_samples_ == 200
    assert tilt(trimmed) < 0.01 and tilt(fooled) > 0.03


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
