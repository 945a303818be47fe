"""Bad input, at every public entry point of skae: a clear error before anything changes.

One module for every promise about bad input (the contracts found by introspection, and
the estimators' own cases: parameters, labels, divergence, random shapes, pickles).

Every public function and method of skae (the estimators' methods, the
Displays', ``sample``, the dataset loaders) is listed by walking ``skae``,
``skae.inspection`` and ``skae.datasets``. Then, as ``parametrize_with_checks``
does for estimators:

- each entry point taking ``X`` is called with every bad kind of ``X`` and must
  raise a clear ValueError or TypeError, leaving the fitted model's outputs
  as they were (and opening no figure); one row and a DataFrame work;
- each parameter of each entry point has sklearn constraints, and a bad value
  (a bool included, where no bool is asked for) is refused naming it.

A new public function or method is picked up here by itself: one that takes
``X`` fails until :data:`CALLS` says how to call it, one whose parameters skip
the shared validation (``skae._checks.validate_args``) fails outright.
"""

import inspect
import pickle
import subprocess
import sys

import joblib
import matplotlib
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch
from conftest import QUICK
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils._param_validation import (
    InvalidParameterError,
    generate_invalid_param_val,
    make_constraint,
)

import skae
import skae.datasets
import skae.inspection
from skae import (
    AETransformer,
    ConvAETransformer,
    DAEImputer,
    DAETransformer,
    ReconstructionOutlierDetector,
    SAEClassifier,
    SAETransformer,
    VAETransformer,
)
from skae.inspection import LatentSpaceDisplay, LossCurveDisplay, ReconstructionDisplay

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

MODULES = [skae, skae.inspection, skae.datasets]
ESTIMATORS = {
    AETransformer: dict(hidden_sizes=(16,), n_components=4),
    DAETransformer: dict(hidden_sizes=(16,), n_components=4, noise="salt_pepper"),
    ConvAETransformer: dict(image_shape=(1, 8, 8), channels=(4,), n_components=4),
    VAETransformer: dict(hidden_sizes=(16,), n_components=4),
    SAETransformer: dict(hidden_sizes=(16,), n_components=4),
    SAEClassifier: dict(hidden_sizes=(16,), n_components=4, early_stopping=True),
    ReconstructionOutlierDetector: dict(estimator=AETransformer((8,), 4, **QUICK)),
    DAEImputer: dict(hidden_sizes=(16,)),
}
# arguments that are not data nor settings: the thing acted on, where to draw, **kwargs
NOT_SETTINGS = {"self", "cls", "X", "y", "sample_weight", "estimator", "ax", "kwargs"}


def public_callables():
    """``{qualified name: callable}`` for every public function and method of skae."""
    found = {}
    for module in MODULES:
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isclass(obj):
                for attr in dir(obj):
                    method = getattr(obj, attr)
                    if not attr.startswith("_") and callable(method):
                        found[f"{name}.{attr}"] = method
            elif inspect.isfunction(obj):
                found[f"{module.__name__}.{name}"] = obj
    return found


PUBLIC = public_callables()


def takes_X(func):
    return "X" in inspect.signature(func).parameters


def skae_defined(func):
    return getattr(inspect.unwrap(func), "__module__", "").startswith("skae")


# --- the models the entry points act on ---------------------------------------------------------

rng = np.random.RandomState(0)
DATA = rng.rand(40, 64).astype(np.float32)
LABELS = np.arange(40) % 3


def fit(est, X=DATA):
    n = X.shape[0] if hasattr(X, "shape") else len(X)
    return est.fit(X, LABELS[:n]) if isinstance(est, SAEClassifier) else est.fit(X)


def fresh(cls):
    """An unfitted ``cls`` with the small settings of this module."""
    return cls(**ESTIMATORS[cls], **({} if cls is ReconstructionOutlierDetector else QUICK))


@pytest.fixture(scope="module")
def models():
    return {cls: fit(fresh(cls)) for cls in ESTIMATORS}


def outputs(est):
    """What a fitted model gives, to compare before and after a refused call."""
    out = [est.score_samples(DATA) if hasattr(est, "score_samples") else None]
    if hasattr(est, "transform"):
        out.append(est.transform(DATA))
    if hasattr(est, "predict_proba"):
        out.append(est.predict_proba(DATA))
    return out


def good_input(est, method):
    """The valid ``X`` of ``method``: codes for ``inverse_transform``, else the data."""
    return est.transform(DATA) if method == "inverse_transform" else DATA


# How to call each entry point taking X that is not a method of an estimator class.
# A new one fails test_every_entry_point_taking_X_is_covered until it is added here.
CALLS = {
    "ReconstructionDisplay.from_estimator": (
        AETransformer,
        lambda est, X: ReconstructionDisplay.from_estimator(est, X, image_shape=(8, 8)),
    ),
    "LatentSpaceDisplay.from_estimator": (
        AETransformer,
        lambda est, X: LatentSpaceDisplay.from_estimator(est, X),
    ),
}


def entry_points_taking_X():
    """``(name, estimator class, call(est, X), is_fit)`` for every entry point taking X."""
    points = []
    for name, func in PUBLIC.items():
        if not takes_X(func):
            continue
        cls_name, _, method = name.rpartition(".")
        cls = getattr(skae, cls_name, None)
        if name in CALLS:
            owner, call = CALLS[name]
            points.append((name, owner, call, False))
        elif cls in ESTIMATORS:
            fits = method in ("fit", "fit_transform", "fit_predict")

            def call(est, X, method=method):
                params = inspect.signature(getattr(est, method)).parameters
                n = X.shape[0] if hasattr(X, "shape") else len(X)
                y = LABELS[:n] if isinstance(est, SAEClassifier) else None
                if "y" in params and (y is not None or method == "score"):
                    return getattr(est, method)(X, y)
                return getattr(est, method)(X)

            points.append((name, cls, call, fits))
    return points


POINTS = entry_points_taking_X()

# kind -> (make the bad X from a good one, the error, what its message says)
BAD_X = {
    "text": (lambda X: X.astype(str), ValueError,
             "dtype='numeric' is not compatible|X contains text"),
    "numeric text in objects": (lambda X: X.astype(str).astype(object), ValueError,
                                "X contains text"),
    "a DataFrame column of text": (lambda X: pd.DataFrame(X).astype({0: str}), ValueError,
                                   "X contains text"),
    "NaN": (lambda X: np.where(np.eye(*X.shape, dtype=bool), np.nan, X), ValueError, "NaN"),
    "inf": (lambda X: np.where(np.eye(*X.shape, dtype=bool), np.inf, X), ValueError,
            "infinity"),
    "too large for float32": (lambda X: X.astype(np.float64) * 1e300, ValueError,
                              "too large for float32"),
    "wrong width": (lambda X: X[:, :-1], ValueError, "features"),
    "one feature": (lambda X: X[:, :1], ValueError, "features"),
    "1-D": (lambda X: X[:, 0], ValueError, "Expected a 2-dimensional container|Expected 2D array"),
    "3-D": (lambda X: X[:, :, None], ValueError, "dim 3"),
    "empty": (lambda X: X[:0], ValueError, "0 sample"),
    "sparse": (lambda X: sp.csr_matrix(X), TypeError,
               "Sparse data was passed.*dense data is required"),
    "complex": (lambda X: X + 1j, ValueError, "Complex data not supported"),
    "objects": (lambda X: np.full(X.shape, {"a": 1}, dtype=object), TypeError,
                "must be a string|number"),
}  # fmt: skip
# what DAEImputer takes as input: holes, and a DataFrame's text column (a categorical one)
IMPUTER_INPUT = ("NaN", "a DataFrame column of text")
# what an estimator with categorical_features fits on: a DataFrame's text column
TABLE_INPUT = ("a DataFrame column of text",)


def reads_tables(cls):
    return "categorical_features" in inspect.signature(cls).parameters


def reads_sparse(cls):
    return fresh(cls).__sklearn_tags__().input_tags.sparse


# a fit may change the number of features
WIDTH_KINDS = ("wrong width", "one feature")


def cases():
    for name, cls, call, fits in POINTS:
        for kind in BAD_X:
            if fits and kind in WIDTH_KINDS:
                continue
            if kind in IMPUTER_INPUT and cls is DAEImputer:  # its input: test_impute.py
                continue
            if kind in TABLE_INPUT and fits and reads_tables(cls):  # test_tables.py
                continue
            if kind == "sparse" and name not in CALLS and reads_sparse(cls):  # test_tables.py
                continue
            yield pytest.param(cls, call, kind, id=f"{name}-{kind}")


def test_every_entry_point_taking_X_is_covered():
    """A public function taking X and not an estimator's method needs an entry in CALLS."""
    covered = {name for name, *_ in POINTS}
    missing = [n for n, f in PUBLIC.items() if takes_X(f) and n not in covered]
    assert not missing, f"entry points taking X without a contract case: {missing}"
    assert len(covered) > 30  # every estimator's methods were found


@pytest.mark.parametrize("cls, call, kind", list(cases()))
def test_bad_X_is_refused_clearly_and_changes_nothing(models, cls, call, kind):
    est = models[cls]
    name = getattr(call, "__defaults__", None)
    method = name[0] if name else "transform"
    before, figures = outputs(est), plt.get_fignums()
    make, error, match = BAD_X[kind]
    with pytest.raises(error, match=match):
        call(est, make(good_input(est, method)))
    for a, b in zip(outputs(est), before):
        np.testing.assert_array_equal(a, b)
    assert plt.get_fignums() == figures


@pytest.mark.parametrize("kind", [k for k in BAD_X if k not in WIDTH_KINDS])
@pytest.mark.parametrize("cls", list(ESTIMATORS), ids=lambda c: c.__name__)
def test_bad_X_at_a_first_fit_is_refused_and_sets_nothing(cls, kind):
    if kind in IMPUTER_INPUT and cls is DAEImputer:  # its input: tested in test_impute.py
        return
    if kind in TABLE_INPUT and reads_tables(cls) or kind == "sparse" and reads_sparse(cls):
        return  # its input: tested in test_tables.py
    est = clone(fresh(cls))
    make, error, match = BAD_X[kind]
    with pytest.raises(error, match=match):
        fit(est, make(DATA))
    assert not hasattr(est, "n_features_in_") and not hasattr(est, "module_")


@pytest.mark.parametrize(
    "name, cls, call",
    [pytest.param(name, cls, call, id=name) for name, cls, call, fits in POINTS if not fits],
)
def test_one_row_and_a_dataframe_are_good_input(models, name, cls, call):
    est = models[cls]
    method = (getattr(call, "__defaults__", None) or ["transform"])[0]
    X = good_input(est, method)
    call(est, X[:2])  # two rows: score needs two labels for the classifier
    if name.startswith("LatentSpaceDisplay"):  # one point has no principal components
        with pytest.raises(ValueError, match="at least 2 samples"):
            call(est, X[:1])
    elif method not in ("score", "fit", "partial_fit"):
        call(est, X[:1])
    with pytest.warns(UserWarning, match="fitted without feature names"):
        frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
        if method == "inverse_transform":
            pytest.skip("codes carry no feature names")
        call(clone(est) if method in ("fit", "fit_transform", "fit_predict") else est, frame)
    plt.close("all")


@pytest.mark.parametrize(
    "cls, call",
    [pytest.param(cls, call, id=name) for name, cls, call, fits in POINTS
     if not fits and not name.endswith(("inverse_transform", "partial_fit"))],  # fmt: skip
)
def test_a_model_fitted_with_names_refuses_other_names(cls, call):
    columns = [f"pixel_{i}" for i in range(64)]
    est = fit(fresh(cls), pd.DataFrame(DATA, columns=columns))
    renamed = pd.DataFrame(DATA, columns=columns[::-1])
    with pytest.raises(ValueError, match="feature names should match"):
        call(est, renamed)
    with warnings_as_errors():
        call(est, pd.DataFrame(DATA, columns=columns))  # the right names: no warning
    plt.close("all")


def warnings_as_errors():
    import warnings

    class _Errors(warnings.catch_warnings):
        def __enter__(self):
            super().__enter__()
            warnings.simplefilter("error", UserWarning)

    return _Errors()


# --- parameters ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def displays(models):
    ae = models[AETransformer]
    return {
        "ReconstructionDisplay": ReconstructionDisplay(DATA[:2], DATA[:2], (8, 8)),
        "LossCurveDisplay": LossCurveDisplay([1.0, 0.5]),
        "LatentSpaceDisplay": LatentSpaceDisplay(ae.transform(DATA)[:, :2]),
    }


def settings_of(func):
    return [p for p in inspect.signature(func).parameters if p not in NOT_SETTINGS]


def test_every_public_function_validates_its_settings():
    """Settings of every skae-defined function and method go through the shared validation."""
    unvalidated = {}
    for name, func in PUBLIC.items():
        if not skae_defined(func) or name.split(".")[-1] in ("get_params", "set_params"):
            continue
        declared = getattr(func, "__skae_constraints__", {})
        missing = [p for p in settings_of(func) if p not in declared]
        if missing:
            unvalidated[name] = missing
    assert not unvalidated, f"settings without constraints (use validate_args): {unvalidated}"


def bad_values(constraints):
    """Values that satisfy none of ``constraints``: generated from each, a bool, an object."""
    made = [make_constraint(c) for c in constraints]
    candidates = [object(), True]
    for c in made:
        try:
            candidates.append(generate_invalid_param_val(c))
        except NotImplementedError:
            pass
    asks_bool = {"boolean", "verbose"} & {c for c in constraints if isinstance(c, str)}

    def refused(v):
        if isinstance(v, bool):
            return not asks_bool
        return not any(c.is_satisfied_by(v) for c in made)

    return [v for v in candidates if refused(v)]


def setting_cases():
    for name, func in PUBLIC.items():
        for param, constraints in getattr(func, "__skae_constraints__", {}).items():
            for i, value in enumerate(bad_values(constraints)):
                yield pytest.param(name, param, value, id=f"{name}-{param}-{i}")


def test_the_settings_cases_cover_every_entry_point():
    named = {name for name, _, _ in (c.values for c in setting_cases())}
    assert {"VAETransformer.sample", "skae.datasets.load_digits",
            "ReconstructionDisplay.from_estimator", "LossCurveDisplay.plot"} <= named  # fmt: skip


@pytest.mark.parametrize("name, param, value", list(setting_cases()))
def test_a_bad_setting_is_refused_naming_it(models, displays, name, param, value, tmp_path):
    func = PUBLIC[name]
    owner = name.split(".")[0]
    args, kwargs = [], {}
    if owner in displays and name.endswith(".plot"):
        args = [displays[owner]]
    elif owner in ("VAETransformer", "DAEImputer") or name.endswith(".get_feature_names_out"):
        args = [models[getattr(skae, owner)]]
    elif name.endswith("from_estimator"):
        kwargs = {"estimator": models[AETransformer]}
        if owner != "LossCurveDisplay":
            kwargs["X"] = DATA
    kwargs[param] = value
    figures = plt.get_fignums()
    with pytest.raises(InvalidParameterError, match=f"'{param}' parameter"):
        func(*args, **kwargs)
    assert plt.get_fignums() == figures


def estimator_setting_cases():
    for cls, params in ESTIMATORS.items():
        for param, constraints in cls._parameter_constraints.items():
            if {"boolean", "verbose"} & {c for c in constraints if isinstance(c, str)}:
                continue
            yield pytest.param(cls, params, param, id=f"{cls.__name__}-{param}")


@pytest.mark.parametrize("cls, params, param", list(estimator_setting_cases()))
def test_a_bool_is_no_number_for_any_estimator_parameter(cls, params, param):
    est = cls(**{**params, param: True})
    with pytest.raises(InvalidParameterError, match=f"'{param}' parameter"):
        fit(est)
    assert not hasattr(est, "n_features_in_")


# --- global settings ----------------------------------------------------------------------------


@pytest.mark.parametrize("output", ["pandas", "polars"])
def test_every_estimator_and_display_works_under_set_output(output):
    if output == "polars":
        pytest.importorskip("polars")
    from sklearn import config_context
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import MinMaxScaler

    with config_context(transform_output=output):
        for cls, params in ESTIMATORS.items():
            step = cls(**params, **({} if cls is ReconstructionOutlierDetector else QUICK))
            if cls is ReconstructionOutlierDetector:
                pipe = make_pipeline(MinMaxScaler(), step).fit(DATA)
                assert set(pipe.predict(DATA)) <= {-1, 1}
            elif cls is SAEClassifier:
                pipe = make_pipeline(MinMaxScaler(), step).fit(DATA, LABELS)
                assert pipe.predict_proba(DATA).shape == (40, 3)
            else:
                pipe = make_pipeline(MinMaxScaler(), step, LogisticRegression()).fit(DATA, LABELS)
                codes = pipe[:-1].transform(DATA)
                width = 64 if cls is DAEImputer else 4  # the imputer gives the columns back
                assert type(codes).__module__.startswith(output) and codes.shape == (40, width)
                assert pipe.score(DATA, LABELS) >= 0
            dae = pipe[1] if cls is not ReconstructionOutlierDetector else pipe[1].estimator_
            scaled = pipe[0].transform(DATA)
            if cls is ReconstructionOutlierDetector:  # its model is fitted on the checked array
                scaled = np.asarray(scaled)
            if hasattr(dae, "inverse_transform"):
                shown = ReconstructionDisplay.from_estimator(
                    dae, scaled, noise=cls is DAETransformer, random_state=0
                )
                assert shown.reconstructions.shape == (10, 64)
            if hasattr(dae, "transform"):
                assert LatentSpaceDisplay.from_estimator(dae, scaled).embedding.shape == (40, 2)
            assert len(LossCurveDisplay.from_estimator(dae).lines_) >= 1
            plt.close("all")


# --- the network estimators' own cases: features, parameters, labels, divergence ------------

SMALL = dict(hidden_sizes=(16,), n_components=4, **QUICK)
NETS = [AETransformer, DAETransformer, SAETransformer, SAEClassifier]


def fit_small(est, X, y=None):
    """Fit with labels for the classifier, without for the transformers."""
    if isinstance(est, SAEClassifier):
        return est.fit(X, np.arange(X.shape[0]) % 3 if y is None else y)
    return est.fit(X)


@pytest.fixture(scope="module")
def data():
    return np.random.RandomState(0).rand(60, 6).astype(np.float32)


@pytest.fixture(scope="module", params=NETS, ids=lambda c: c.__name__)
def fitted(request, data):
    return fit_small(request.param(**SMALL), data)


def assert_unchanged(est, X, before):
    np.testing.assert_array_equal(est.transform(X), before)


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
    for Estimator in NETS:
        with pytest.raises(NotFittedError, match="not fitted yet"):
            Estimator().transform(data)


@pytest.mark.parametrize("Estimator", NETS, ids=lambda c: c.__name__)
def test_dataframe_columns_renamed_or_reordered(Estimator, data):
    df = pd.DataFrame(data, columns=list("abcdef"))
    est = fit_small(Estimator(**SMALL), df)
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
@pytest.mark.parametrize("Estimator", NETS, ids=lambda c: c.__name__)
def test_bad_hyperparameters(Estimator, params, match, data):
    est = Estimator(**{**SMALL, **params})
    with pytest.raises(ValueError, match=match):
        fit_small(est, data)
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
        fit_small(Estimator(**{**SMALL, **params}), data)


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_unavailable_device_is_refused_before_training(data):
    est = AETransformer(**SMALL, device="cuda")
    with pytest.raises(ValueError, match="no CUDA device is available.*device='cpu'"):
        est.fit(data)
    assert not hasattr(est, "module_")
    # "auto" falls back to the CPU
    fitted = AETransformer(**SMALL, device="auto").fit(data)
    assert next(fitted.module_.parameters()).device.type == "cpu"


def test_early_stopping_needs_a_training_sample_left():
    with pytest.raises(ValueError, match="validation_fraction=0.5 leaves no training sample"):
        AETransformer(**SMALL, early_stopping=True, validation_fraction=0.5).fit(np.ones((1, 3)))


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
    clf = SAEClassifier(**SMALL)
    with pytest.raises(error, match=match):
        clf.fit(data, make_y(len(data)))
    assert not hasattr(clf, "classes_")
    with pytest.raises(TypeError, match="missing 1 required positional argument: 'y'"):
        clf.fit(data)


# --- divergence ---------------------------------------------------------------------------------


@pytest.mark.parametrize("Estimator", NETS, ids=lambda c: c.__name__)
def test_diverging_training_raises_and_keeps_the_previous_model(Estimator, data):
    est = fit_small(Estimator(**SMALL), data)
    before = est.transform(data)
    huge = data * 1e19  # finite in float32, but its squared error overflows
    with pytest.raises(ValueError, match="Training diverged.*scale it first"):
        fit_small(est, huge)
    assert est.n_features_in_ == data.shape[1]
    assert_unchanged(est, data, before)
    with pytest.raises(ValueError, match="Training diverged"):
        fit_small(Estimator(**SMALL), huge)


def test_failed_refit_with_other_shape_and_bad_params_keeps_the_model(data):
    ae = AETransformer(**SMALL).fit(data)
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
