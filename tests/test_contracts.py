"""The contract of every public entry point of skae, found by introspection.

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

import matplotlib
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.base import clone
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
QUICK = dict(max_epochs=2, random_state=0)
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
    return est.fit(X, LABELS[: len(X)]) if isinstance(est, SAEClassifier) else est.fit(X)


@pytest.fixture(scope="module")
def models():
    return {cls: fit(cls(**params, **({} if cls is ReconstructionOutlierDetector else QUICK)))
            for cls, params in ESTIMATORS.items()}  # fmt: skip


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

BAD_X = {
    "text": (lambda X: X.astype(str), "dtype='numeric' is not compatible|X contains text"),
    "numeric text in objects": (lambda X: X.astype(str).astype(object), "X contains text"),
    "a DataFrame column of text": (
        lambda X: pd.DataFrame(X).astype({0: str}),
        "X contains text",
    ),
    "NaN": (lambda X: np.where(np.eye(*X.shape, dtype=bool), np.nan, X), "NaN"),
    "inf": (lambda X: np.where(np.eye(*X.shape, dtype=bool), np.inf, X), "infinity"),
    "too large for float32": (lambda X: X.astype(np.float64) * 1e300, "too large for float32"),
    "wrong width": (lambda X: X[:, :-1], "features"),
    "one feature": (lambda X: X[:, :1], "features"),
    "1-D": (lambda X: X[:, 0], "Expected a 2-dimensional container|Expected 2D array"),
    "3-D": (lambda X: X[:, :, None], "dim 3"),
    "empty": (lambda X: X[:0], "0 sample"),
    "sparse": (lambda X: sp.csr_matrix(X), "Sparse data was passed.*dense data is required"),
    "complex": (lambda X: X + 1j, "Complex data not supported"),
    "objects": (lambda X: np.full(X.shape, {"a": 1}, dtype=object), "must be a string|number"),
}
# a fit may change the number of features
WIDTH_KINDS = ("wrong width", "one feature")


def cases():
    for name, cls, call, fits in POINTS:
        for kind in BAD_X:
            if fits and kind in WIDTH_KINDS:
                continue
            if kind == "NaN" and cls is DAEImputer:  # its input: tested in test_impute.py
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
    make, match = BAD_X[kind]
    with pytest.raises((ValueError, TypeError), match=match):
        call(est, make(good_input(est, method)))
    for a, b in zip(outputs(est), before):
        np.testing.assert_array_equal(a, b)
    assert plt.get_fignums() == figures


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
    est = fit(cls(**ESTIMATORS[cls], **({} if cls is ReconstructionOutlierDetector else QUICK)),
              pd.DataFrame(DATA, columns=columns))  # fmt: skip
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
