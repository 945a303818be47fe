"""Tables as they come: every estimator that reads tables on a DataFrame of numbers, text,
categories and holes (``categorical_features``), and on sparse input."""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.decomposition import PCA

from skae import (
    AETransformer,
    ConvAETransformer,
    DAETransformer,
    ReconstructionOutlierDetector,
    SAEClassifier,
    SAETransformer,
    VAETransformer,
)

FAST = {"max_epochs": 3, "random_state": 0}
TRANSFORMERS = {
    "ae": AETransformer(**FAST),
    "dae_swap": DAETransformer(noise="swap", noise_level=0.15, **FAST),
    "dae_masking": DAETransformer(**FAST),
    "dae_gaussian": DAETransformer(noise="gaussian", noise_level=0.1, **FAST),
    "vae": VAETransformer(**FAST),
    "sae": SAETransformer(pretrain_epochs=2, **FAST),
}


def table(n=240, seed=0):
    """A table of every kind: a category, text, bool, numbers (one an int column), holes;
    the number ``x`` is decided by the text column, so that a model can learn it."""
    rng = np.random.default_rng(seed)
    colour = rng.choice(["red", "green", "blue"], n)
    x = np.select([colour == "red", colour == "green"], [-2.0, 0.0], 2.0) + 0.1 * rng.normal(
        size=n
    )
    frame = pd.DataFrame({
        "size": pd.Categorical(rng.choice(["S", "M", "L"], n)),
        "colour": colour,
        "flag": rng.random(n) < 0.3,
        "x": x,
        "count": rng.integers(0, 50, n),
    })  # fmt: skip
    frame.loc[3, "x"] = np.nan
    frame.loc[5, "colour"] = None
    return frame


def quiet_fit(est, X, y=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return est.fit(X) if y is None else est.fit(X, y)


@pytest.fixture(scope="module")
def fitted():
    X = table()
    return X, {name: quiet_fit(clone(est), X) for name, est in TRANSFORMERS.items()}


@pytest.mark.parametrize("name", list(TRANSFORMERS))
def test_a_mixed_table_gives_codes_and_rows_of_its_kinds(fitted, name):
    X, models = fitted
    est = models[name]
    assert est.categorical_.tolist() == [True, True, True, False, False]
    assert [list(c) for c in est.categories_] == [
        ["L", "M", "S"], ["blue", "green", "red"], [False, True]]  # fmt: skip
    # 5 columns read as 2 numbers + 3 + 3 + 2 one-hot columns: a width of 10, a code of 5
    assert est.n_components_ == 5
    Z = est.transform(X)
    assert Z.shape == (len(X), 5) and Z.dtype == np.float32 and np.isfinite(Z).all()
    back = est.inverse_transform(Z)
    assert back.shape == X.shape and back.dtype == object
    for j, categories in zip([0, 1, 2], est.categories_):
        assert set(back[:, j]) <= set(categories)
    assert all(isinstance(v, float) for v in back[:, 3])
    scores = est.score_samples(X)
    assert scores.shape == (len(X),) and np.isfinite(scores).all() and (scores <= 0).all()
    assert est.score(X) == pytest.approx(scores.mean())


def test_inverse_transform_under_set_output_keeps_the_kinds(fitted):
    X, models = fitted
    est = clone(TRANSFORMERS["ae"]).set_output(transform="pandas")
    quiet_fit(est, X)
    Z = est.transform(X)
    assert list(Z.columns) == [f"aetransformer{i}" for i in range(5)]
    back = est.inverse_transform(Z)
    assert list(back.columns) == list(X.columns)
    assert isinstance(back["colour"].dtype, pd.CategoricalDtype)
    assert list(back["colour"].cat.categories) == ["blue", "green", "red"]
    assert back["x"].dtype == np.float64


def test_a_trained_model_reconstructs_categories_and_numbers():
    X = table(600)
    est = quiet_fit(AETransformer(n_components=4, max_epochs=40, random_state=0), X)
    back = est.inverse_transform(est.transform(X))
    seen = X["colour"].notna().to_numpy()
    assert np.mean(back[seen, 1] == X["colour"].to_numpy()[seen]) > 0.95
    # x follows the colour: reconstructed far better than by its mean
    x, x_back = X["x"].to_numpy(), back[:, 3].astype(float)
    ok = ~np.isnan(x)
    assert np.mean((x_back[ok] - x[ok]) ** 2) < 0.1 * np.var(x[ok])
    # a row whose number contradicts its colour scores worse than the row as it was
    odd = X.iloc[:20].copy()
    odd["x"] = -3 * np.sign(np.nan_to_num(odd["x"].to_numpy()) + 0.5) * 2
    assert np.mean(est.score_samples(odd) < est.score_samples(X.iloc[:20])) > 0.9


def test_the_score_is_the_mean_of_squared_errors_and_cross_entropies():
    X = table()
    est = quiet_fit(clone(TRANSFORMERS["ae"]), X)
    codes = est._validate_X(X)
    errors = est._entry_errors(codes)
    assert np.isnan(errors[3, 3]) and np.isnan(errors[5, 1])  # holes are not scored
    np.testing.assert_allclose(est.score_samples(X), -np.nanmean(errors, axis=1), rtol=1e-6)
    # a category's error is its cross-entropy: -log of its probability, so positive
    assert (np.nan_to_num(errors[:, :3], nan=1.0) > 0).all()


@pytest.mark.parametrize("given", [["size", "colour", "flag"], [0, 1, 2],
                                   [True, True, True, False, False]])  # fmt: skip
def test_the_schema_may_be_listed(given):
    X = table()
    a = quiet_fit(AETransformer(categorical_features=given, **FAST), X)
    b = quiet_fit(AETransformer(**FAST), X)
    np.testing.assert_array_equal(a.transform(X), b.transform(X))


def test_an_array_of_objects_reads_with_a_list_of_indices():
    X = table()
    frame = quiet_fit(AETransformer(**FAST), X)
    array = quiet_fit(AETransformer(categorical_features=[0, 1, 2], **FAST), X.to_numpy())
    np.testing.assert_allclose(array.transform(X.to_numpy()), frame.transform(X), atol=1e-6)


def test_int_float32_and_float64_numbers_give_the_same_model():
    X = table()
    results = []
    for dtype in (np.int64, np.float32, np.float64):
        Xd = X.assign(count=X["count"].astype(dtype))
        results.append(quiet_fit(AETransformer(**FAST), Xd).transform(Xd))
    np.testing.assert_allclose(results[0], results[1], atol=1e-5)
    np.testing.assert_array_equal(results[0], results[2])


def test_an_unseen_category_and_holes_read_as_none():
    X = table()
    est = quiet_fit(AETransformer(**FAST), X)
    new = X.iloc[:4].copy()
    new["colour"] = ["purple", None, "red", np.nan]
    Z = est.transform(new)
    assert np.isfinite(Z).all()
    # an unseen category reads exactly as a missing one
    missing = new.copy()
    missing.loc[missing.index[0], "colour"] = None
    np.testing.assert_array_equal(Z, est.transform(missing))


def test_text_in_a_numeric_column_is_refused_naming_it():
    X = table().astype({"count": object})
    X.loc[7, "count"] = "many"
    est = AETransformer(categorical_features=["size", "colour", "flag"], **FAST)
    with pytest.raises(ValueError, match="text \\('many'\\) in column 4"):
        est.fit(X)
    assert not hasattr(est, "module_")


def test_a_fitted_model_is_not_damaged_by_a_bad_table():
    X = table()
    est = quiet_fit(AETransformer(**FAST), X)
    before = est.transform(X)
    with pytest.raises(ValueError, match="feature names|features"):
        est.transform(X.drop(columns="flag"))
    np.testing.assert_array_equal(est.transform(X), before)


def test_bce_is_refused_on_a_mixed_table():
    with pytest.raises(ValueError, match="categorical columns.*loss='bce'"):
        AETransformer(loss="bce", **FAST).fit(table())


def test_conv_ae_refuses_categorical_columns():
    X = table().drop(columns=["x"])
    with pytest.raises(ValueError, match="ConvAETransformer reads images and cannot read"):
        ConvAETransformer(**FAST).fit(X)


def test_the_classifier_reads_a_mixed_table():
    X = table(400)
    y = (X["colour"] == "red").to_numpy().astype(int)
    for pretrain in (True, False):
        clf = quiet_fit(SAEClassifier(max_epochs=30, pretrain=pretrain, pretrain_epochs=5,
                                      random_state=0), X, y)  # fmt: skip
        assert clf.categorical_.sum() == 3
        assert clf.score(X, y) > 0.95
        assert clf.transform(X).shape == (len(X), clf.n_components_)


def test_vae_samples_rows_of_the_input_kinds(fitted):
    _, models = fitted
    rows = models["vae"].sample(5, random_state=0)
    assert rows.shape == (5, 5) and set(rows[:, 1]) <= {"blue", "green", "red"}


@pytest.mark.parametrize("name", ["ae", "dae_swap", "sae"])
def test_a_mixed_model_round_trips_through_pickle_and_skops(fitted, name):
    X, models = fitted
    est = models[name]
    again = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(again.transform(X), est.transform(X))
    np.testing.assert_array_equal(again.inverse_transform(again.transform(X)),
                                  est.inverse_transform(est.transform(X)))  # fmt: skip
    sio = pytest.importorskip("skops.io")
    data = sio.dumps(est)
    loaded = sio.loads(data, trusted=sio.get_untrusted_types(data=data))
    np.testing.assert_array_equal(loaded.transform(X), est.transform(X))


# --- sparse input ------------------------------------------------------------------------------

SPARSE = {
    "ae": AETransformer(**FAST),
    "dae": DAETransformer(**FAST),
    "dae_salt_pepper": DAETransformer(noise="salt_pepper", **FAST),
    "vae": VAETransformer(**FAST),
    "sae": SAETransformer(pretrain_epochs=2, **FAST),
    "conv": ConvAETransformer(image_shape=(4, 5), channels=(4,), **FAST),
}


@pytest.fixture(scope="module")
def sparse_data():
    X = sp.random(150, 20, density=0.15, format="csr", random_state=0, dtype=np.float64)
    return X, X.toarray()


@pytest.mark.parametrize("name", list(SPARSE))
@pytest.mark.parametrize("kind", ["csr", "csc", "csr_array", "coo"])
def test_sparse_input_gives_the_dense_results(sparse_data, name, kind):
    X, dense = sparse_data
    Xs = {"csr": X, "csc": X.tocsc(), "csr_array": sp.csr_array(X), "coo": X.tocoo()}[kind]
    a, b = quiet_fit(clone(SPARSE[name]), Xs), quiet_fit(clone(SPARSE[name]), dense)
    np.testing.assert_array_equal(a.transform(Xs), b.transform(dense))
    np.testing.assert_array_equal(a.score_samples(Xs), b.score_samples(dense))


def test_the_classifier_reads_sparse_input(sparse_data):
    X, dense = sparse_data
    y = np.arange(X.shape[0]) % 2
    a = quiet_fit(SAEClassifier(**FAST), X, y)
    b = quiet_fit(SAEClassifier(**FAST), dense, y)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(dense))


def test_a_sparse_matrix_is_never_densified_whole(monkeypatch):
    X = sp.random(5000, 20, density=0.05, format="csr", random_state=0)
    calls = []
    real = sp.csr_matrix.toarray

    def toarray(self, *args, **kwargs):
        calls.append(self.shape[0])
        return real(self, *args, **kwargs)

    monkeypatch.setattr(sp.csr_matrix, "toarray", toarray)
    est = quiet_fit(AETransformer(batch_size=64, max_epochs=1, random_state=0), X)
    est.transform(X)
    est.score_samples(X)
    assert calls and max(calls) <= max(est._chunk, 1024) < X.shape[0]


# --- the detector -----------------------------------------------------------------------------


def test_the_detector_gives_int_and_float_input_the_same_scores():
    Xi = np.random.default_rng(0).integers(0, 5, (300, 5))
    scores = [ReconstructionOutlierDetector(random_state=0).fit(X).score_samples(X)
              for X in (Xi, Xi.astype(np.float64), Xi.astype(np.float32))]  # fmt: skip
    np.testing.assert_array_equal(scores[0], scores[1])
    np.testing.assert_allclose(scores[0], scores[2], rtol=1e-4, atol=1e-4)


def test_the_detector_scores_a_mixed_table_as_it_comes():
    X = table(600)
    det = quiet_fit(ReconstructionOutlierDetector(max_epochs=30, random_state=0), X)
    assert det.categorical_.tolist() == [True, True, True, False, False]
    assert det.estimator_.categorical_.tolist() == det.categorical_.tolist()
    assert (det.center_[det.categorical_] == 0).all() and (det.scale_[det.categorical_] == 1).all()
    normal = X.iloc[:30]
    odd = normal.copy()
    odd["x"] = np.where(odd["colour"] == "red", 2.0, -2.0)  # numbers that contradict the text
    assert np.mean(det.score_samples(odd) < det.score_samples(normal)) > 0.8
    assert set(det.predict(X)) <= {-1, 1}


def test_the_detector_passes_its_training_settings_to_its_model():
    X = table()
    det = quiet_fit(ReconstructionOutlierDetector(max_epochs=2, batch_size=64, lr=0.01,
                                                  n_components=3, hidden_sizes=(16,),
                                                  noise="swap", random_state=0), X)  # fmt: skip
    model = det.estimator_
    assert (model.max_epochs, model.batch_size, model.lr, model.n_components_) == (2, 64, 0.01, 3)
    assert model.hidden_sizes == (16,) and model.noise == "swap" and model.n_iter_ == 2


def test_a_model_that_cannot_read_categories_is_refused_on_a_mixed_table():
    det = ReconstructionOutlierDetector(PCA(2))
    with pytest.raises(ValueError, match="PCA cannot read"):
        det.fit(table())
    assert not hasattr(det, "estimator_")


def test_the_detector_reads_sparse_input(sparse_data):
    X, dense = sparse_data
    det = quiet_fit(ReconstructionOutlierDetector(random_state=0), X)
    assert (det.center_ == 0).all()
    scores = det.score_samples(X)
    assert scores.shape == (X.shape[0],) and np.isfinite(scores).all()
    # without scaling, sparse and dense input are the same data
    a = quiet_fit(ReconstructionOutlierDetector(scaling=None, random_state=0), X)
    b = quiet_fit(ReconstructionOutlierDetector(scaling=None, random_state=0), dense)
    np.testing.assert_allclose(a.score_samples(X), b.score_samples(dense), rtol=1e-6)


def test_onnx_export_of_a_mixed_model_is_refused_with_advice(fitted):
    pytest.importorskip("skl2onnx")
    from skl2onnx import to_onnx

    import skae.onnx  # noqa: F401  (registers the converters)

    _, models = fitted
    with pytest.raises(NotImplementedError, match="categorical columns.*OneHotEncoder"):
        to_onnx(models["ae"], np.zeros((1, 5), dtype=np.float32))
