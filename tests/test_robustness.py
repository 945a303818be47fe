"""Bad input gets a clear error before anything changes; no fitted model is damaged."""

import pickle
import subprocess
import sys

import joblib
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.exceptions import NotFittedError

from skae import AETransformer, DAETransformer, SAEClassifier, SAETransformer

QUICK = dict(hidden_sizes=(16,), n_components=4, max_epochs=2, random_state=0)
ESTIMATORS = [AETransformer, DAETransformer, SAETransformer, SAEClassifier]


def fit(est, X, y=None):
    """Fit with labels for the classifier, without for the transformers."""
    if isinstance(est, SAEClassifier):
        return est.fit(X, np.arange(X.shape[0]) % 3 if y is None else y)
    return est.fit(X)


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    return rng.rand(60, 6).astype(np.float32)


@pytest.fixture(scope="module", params=ESTIMATORS, ids=lambda c: c.__name__)
def fitted(request, data):
    return fit(request.param(**QUICK), data)


def assert_unchanged(est, X, before):
    np.testing.assert_array_equal(est.transform(X), before)


# --- X ------------------------------------------------------------------------------------------

BAD_X = {
    "nan": (lambda X: np.where(np.eye(*X.shape, dtype=bool), np.nan, X), ValueError, "NaN"),
    "inf": (lambda X: np.where(np.eye(*X.shape, dtype=bool), np.inf, X), ValueError, "infinity"),
    "too large for float32": (
        lambda X: X.astype(np.float64) * 1e300,
        ValueError,
        "too large for float32",
    ),
    "empty": (lambda X: X[:0], ValueError, "0 sample"),
    "1-D": (lambda X: X[:, 0], ValueError, "Expected a 2-dimensional container|Expected 2D array"),
    "3-D": (lambda X: X[:, :, None], ValueError, "dim 3"),
    "strings": (
        lambda X: X.astype(str),
        ValueError,
        "dtype='numeric' is not compatible with arrays of bytes/strings",
    ),
    "numeric text in an object array": (
        lambda X: X.astype(str).astype(object),
        ValueError,
        "X contains text",
    ),
    "a DataFrame column of numeric text": (
        lambda X: pd.DataFrame(X).astype({0: str}),
        ValueError,
        "X contains text",
    ),
    "objects": (
        lambda X: np.full(X.shape, {"a": 1}, dtype=object),
        TypeError,
        "must be a string|number",
    ),
    "complex": (lambda X: X + 1j, ValueError, "Complex data not supported"),
    "sparse": (
        lambda X: sp.csr_matrix(X),
        TypeError,
        "Sparse data was passed.*dense data is required",
    ),
}


@pytest.mark.parametrize("case", list(BAD_X))
@pytest.mark.parametrize("Estimator", ESTIMATORS, ids=lambda c: c.__name__)
def test_bad_X_at_fit_is_refused_clearly(Estimator, case, data):
    make, error, match = BAD_X[case]
    est = Estimator(**QUICK)
    with pytest.raises(error, match=match):
        fit(est, make(data))
    assert not hasattr(est, "n_features_in_") and not hasattr(est, "module_")


@pytest.mark.parametrize("case", [c for c in BAD_X if c not in ("empty",)])
def test_bad_X_after_fit_is_refused_and_the_model_survives(fitted, case, data):
    make, error, match = BAD_X[case]
    before = fitted.transform(data)
    methods = (
        ["transform", "predict", "predict_proba"]
        if isinstance(fitted, SAEClassifier)
        else ["transform", "score", "score_samples", "inverse_transform"]
    )
    for method in methods:
        with pytest.raises(error, match=match):
            getattr(fitted, method)(make(data))
    with pytest.raises(error, match=match):  # a failed refit keeps the old model
        fit(fitted, make(data))
    assert_unchanged(fitted, data, before)


def test_wrong_number_of_features(fitted, data):
    msg = "X has 5 features, but .* is expecting 6 features"
    for method in (
        ("transform", "predict") if isinstance(fitted, SAEClassifier) else ("transform", "score")
    ):
        with pytest.raises(ValueError, match=msg):
            getattr(fitted, method)(data[:, :5])
    if hasattr(fitted, "inverse_transform"):
        with pytest.raises(
            ValueError, match="X has 6 features, but .*inverse_transform is expecting 4"
        ):
            fitted.inverse_transform(data)


def test_unfitted_estimator_says_fit_first(data):
    for Estimator in ESTIMATORS:
        with pytest.raises(NotFittedError, match="not fitted yet"):
            Estimator().transform(data)


@pytest.mark.parametrize("Estimator", ESTIMATORS, ids=lambda c: c.__name__)
def test_dataframe_columns_renamed_or_reordered(Estimator, data):
    df = pd.DataFrame(data, columns=list("abcdef"))
    est = fit(Estimator(**QUICK), df)
    before = est.transform(df)
    with pytest.raises(ValueError, match="Feature names unseen at fit time"):
        est.transform(df.rename(columns={"a": "z"}))
    with pytest.raises(ValueError, match="Feature names must be in the same order"):
        est.transform(df[list("bacdef")])
    np.testing.assert_array_equal(est.transform(df), before)


# --- hyperparameters ----------------------------------------------------------------------------

BAD_PARAMS = [
    ({"n_components": 0}, "'n_components' parameter"),
    ({"n_components": 2.5}, "'n_components' parameter"),
    ({"hidden_sizes": 64}, "'hidden_sizes' parameter"),
    ({"hidden_sizes": "64"}, "'hidden_sizes' parameter"),
    ({"hidden_sizes": (64, 0)}, "hidden_sizes must be a tuple of positive ints"),
    ({"hidden_sizes": (-3,)}, "hidden_sizes must be a tuple of positive ints"),
    ({"hidden_sizes": (64.0,)}, "hidden_sizes must be a tuple of positive ints"),
    ({"hidden_sizes": (True,)}, "hidden_sizes must be a tuple of positive ints"),
    ({"batch_size": 0}, "'batch_size' parameter"),
    ({"max_epochs": -1}, "'max_epochs' parameter"),
    ({"max_epochs": 1.5}, "'max_epochs' parameter"),
    ({"lr": 0}, "'lr' parameter"),
    ({"lr": -0.1}, "'lr' parameter"),
    ({"lr": float("nan")}, "'lr' parameter"),
    ({"lr": float("inf")}, "'lr' parameter"),
    ({"lr": "fast"}, "'lr' parameter"),
    ({"activation": "swish"}, "'activation' parameter"),
    ({"device": "tpu"}, "device='tpu' is not a device torch knows"),
    ({"validation_fraction": 1.0}, "'validation_fraction' parameter"),
    ({"net_params": {"max_epochs": 3}}, "net_params may not contain 'max_epochs'"),
    ({"net_params": ["optimizer"]}, "'net_params' parameter"),
]


@pytest.mark.parametrize("params, match", BAD_PARAMS)
@pytest.mark.parametrize("Estimator", ESTIMATORS, ids=lambda c: c.__name__)
def test_bad_hyperparameters(Estimator, params, match, data):
    est = Estimator(**{**QUICK, **params})
    with pytest.raises(ValueError, match=match):
        fit(est, data)
    assert not hasattr(est, "module_")


@pytest.mark.parametrize(
    "params, match",
    [
        ({"noise": "pink"}, "'noise' parameter"),
        ({"noise": "gaussian", "noise_level": -0.1}, "'noise_level' parameter"),
        ({"noise": "gaussian", "noise_level": float("inf")}, "'noise_level' parameter"),
        ({"noise": "masking", "noise_level": 1.5}, r"must lie in \[0, 1\)"),
        ({"noise": "salt_pepper", "noise_level": 1.0}, r"must lie in \[0, 1\)"),
    ],
)
@pytest.mark.parametrize("Estimator", [DAETransformer, SAETransformer, SAEClassifier])
def test_bad_noise(Estimator, params, match, data):
    with pytest.raises(ValueError, match=match):
        fit(Estimator(**{**QUICK, **params}), data)


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_unavailable_device_is_refused_before_training(data):
    est = AETransformer(**QUICK, device="cuda")
    with pytest.raises(ValueError, match="no CUDA device is available.*device='cpu'"):
        est.fit(data)
    assert not hasattr(est, "module_")
    # "auto" falls back to the CPU
    fitted = AETransformer(**QUICK, device="auto").fit(data)
    assert next(fitted.module_.parameters()).device.type == "cpu"


def test_early_stopping_needs_a_training_sample_left():
    with pytest.raises(ValueError, match="validation_fraction=0.5 leaves no training sample"):
        AETransformer(**QUICK, early_stopping=True, validation_fraction=0.5).fit(np.ones((1, 3)))


# --- labels -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make_y, error, match",
    [
        (lambda n: np.where(np.arange(n) == 3, np.nan, np.arange(n) % 2), ValueError, "NaN"),
        (lambda n: np.arange(n - 1) % 2, ValueError, "inconsistent numbers of samples"),
        (lambda n: np.zeros(n, dtype=int), ValueError, "at least 2 classes"),
        (lambda n: np.linspace(0, 1, n), ValueError, "Unknown label type"),
        (lambda n: None, ValueError, "requires y to be passed"),
    ],
    ids=["nan", "wrong length", "single class", "continuous", "None"],
)
def test_bad_labels(make_y, error, match, data):
    clf = SAEClassifier(**QUICK)
    with pytest.raises(error, match=match):
        clf.fit(data, make_y(len(data)))
    assert not hasattr(clf, "classes_")
    with pytest.raises(TypeError, match="missing 1 required positional argument: 'y'"):
        clf.fit(data)


# --- divergence ---------------------------------------------------------------------------------


@pytest.mark.parametrize("Estimator", ESTIMATORS, ids=lambda c: c.__name__)
def test_diverging_training_raises_and_keeps_the_previous_model(Estimator, data):
    est = fit(Estimator(**QUICK), data)
    before = est.transform(data)
    huge = data * 1e19  # finite in float32, but its squared error overflows
    with pytest.raises(ValueError, match="Training diverged.*scale it first"):
        fit(est, huge)
    assert est.n_features_in_ == data.shape[1]
    assert_unchanged(est, data, before)
    with pytest.raises(ValueError, match="Training diverged"):
        fit(Estimator(**QUICK), huge)


def test_failed_refit_with_other_shape_and_bad_params_keeps_the_model(data):
    ae = AETransformer(**QUICK).fit(data)
    before, state = ae.transform(data), dict(ae.__dict__)
    ae.set_params(lr=-1)
    with pytest.raises(ValueError):
        ae.fit(np.random.rand(10, 3))
    assert ae.n_features_in_ == 6 and ae.module_ is state["module_"]
    assert_unchanged(ae, data, before)


# --- random shapes and values -------------------------------------------------------------------


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    X=arrays(
        np.float64,
        st.tuples(st.integers(1, 40), st.just(6)),
        elements=st.floats(-1e6, 1e6, allow_nan=False, width=32),
    )
)
def test_any_finite_input_gives_finite_codes_independent_of_the_batch(fitted, X):
    Z = fitted.transform(X)
    assert Z.shape == (len(X), 4) and Z.dtype == np.float32
    assert np.all(np.isfinite(Z))
    np.testing.assert_array_equal(fitted.transform(X[-1:]), Z[-1:])


# --- persistence --------------------------------------------------------------------------------

FRESH_PROCESS = """
import pickle, sys
import joblib, numpy as np
X = np.load(sys.argv[1])
for path, load in ((sys.argv[2], lambda p: pickle.load(open(p, "rb"))), (sys.argv[3], joblib.load)):
    est = load(path)
    if hasattr(est, "predict_proba"):
        out = est.predict_proba(X)
    else:
        out = est.inverse_transform(est.transform(X))
    np.save(path + ".out.npy", np.concatenate([est.transform(X), out], axis=1))
"""


def test_pickle_and_joblib_round_trips_in_a_fresh_process(fitted, data, tmp_path):
    X_path, pkl, jbl = tmp_path / "X.npy", str(tmp_path / "m.pkl"), str(tmp_path / "m.joblib")
    np.save(X_path, data)
    with open(pkl, "wb") as f:
        pickle.dump(fitted, f)
    joblib.dump(fitted, jbl)
    subprocess.run([sys.executable, "-c", FRESH_PROCESS, str(X_path), pkl, jbl], check=True)
    out = (
        fitted.predict_proba(data)
        if hasattr(fitted, "predict_proba")
        else fitted.inverse_transform(fitted.transform(data))
    )
    expected = np.concatenate([fitted.transform(data), out], axis=1)
    for path in (pkl, jbl):
        np.testing.assert_array_equal(np.load(path + ".out.npy"), expected)
