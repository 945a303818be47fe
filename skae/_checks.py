"""The one validation path of every public entry point of skae, and the image-shape rule.

Input: :func:`check_input` (sklearn's validation, plus what sklearn lets
through that skae refuses: text, values beyond float32), with a fast path for
small plain arrays. Parameters: :func:`check_params` (sklearn's constraints,
and bools are not ints), applied to estimators by ``_validate_params`` and to
functions and methods by the :func:`validate_args` decorator.
"""

import functools
import inspect
import math
from numbers import Integral

import numpy as np
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from ._sklearn import InvalidParameterError, validate_parameter_constraints

# inputs of at most this many values may take the fast path of input checks
SMALL_INPUT = 2**16


def check_input(estimator, X, y="no_validation", reset=False):
    """THE input check: ``X`` (and ``y``) for ``estimator``, as sklearn checks them, and more.

    No text (even text that reads as numbers), finite (NaN allowed where the
    estimator's ``allow_nan`` tag says so: the imputer), 2-D, at least one row,
    within float32; unless ``reset``, the estimator must be fitted and ``X``
    must have its features (number and names). Raises ValueError, TypeError or
    NotFittedError before anything changes; sets ``n_features_in_`` (and
    ``feature_names_in_``) only when ``reset``.
    """
    if not reset:
        check_is_fitted(estimator)
        if isinstance(y, str) and _plainly_valid(estimator, X):
            return check_float32_range(X)
    check_no_strings(X)
    tags = estimator.__sklearn_tags__().input_tags
    finite = "allow-nan" if tags.allow_nan else True
    sparse = ["csr"] if tags.sparse else False  # any sparse format becomes CSR (rows by index)
    out = validate_data(estimator, X, y, reset=reset, dtype="numeric", ensure_all_finite=finite,
                        accept_sparse=sparse, accept_large_sparse=True)  # fmt: skip
    if isinstance(out, tuple):
        return check_float32_range(out[0]), out[1]
    return check_float32_range(out)


def check_codes(estimator, X, width, what="n_components"):
    """:func:`check_input` for codes (``inverse_transform``): ``width`` columns, no names."""
    check_is_fitted(estimator)
    check_no_strings(X)
    Z = check_float32_range(check_array(X, dtype="numeric", input_name="X"))
    if Z.shape[1] != width:
        raise ValueError(
            f"X has {Z.shape[1]} features, but {type(estimator).__name__}.inverse_transform "
            f"is expecting {width} features ({what}) as input."
        )
    return Z


def _plainly_valid(estimator, X):
    """Whether a small ``X`` is a plain float array that ``validate_data`` would
    pass unchanged: a fast path for single rows and small batches.

    Anything else (DataFrames, other dtypes or widths, non-finite values, an
    estimator fitted with feature names) takes sklearn's full check, which
    raises its usual errors.
    """
    return (
        type(X) is np.ndarray
        and X.ndim == 2
        and X.dtype.kind == "f"
        and 0 < X.size <= SMALL_INPUT
        and X.shape[1] == getattr(estimator, "n_features_in_", None)
        and not hasattr(estimator, "feature_names_in_")
        and bool(np.isfinite(X).all())
    )


def _is_bool(value):
    return isinstance(value, (bool, np.bool_))


def check_params(constraints, values, caller):
    """sklearn's parameter validation, and a bool is refused where a bool is not asked for.

    sklearn's ``Interval(Integral, ...)`` and ``Integral`` accept ``True`` (a
    bool is an int in Python); skae refuses it everywhere but for "boolean" and
    "verbose" parameters, so that ``unlabeled=True`` or ``n_images=True`` is an
    error naming the parameter, not the number 1.
    """
    validate_parameter_constraints(constraints, values, caller_name=caller)
    for name, value in values.items():
        allowed = constraints.get(name, "no_validation")
        if _is_bool(value) and allowed != "no_validation" and not (
            {"boolean", "verbose"} & {c for c in allowed if isinstance(c, str)}
        ):
            raise InvalidParameterError(
                f"The {name!r} parameter of {caller} must not be a bool; got {value!r}."
            )


def refuse_bools(estimator):
    """An estimator's bools where its constraints want numbers or strings: refused, named."""
    constraints = estimator._parameter_constraints
    values = {k: v for k, v in estimator.get_params(deep=False).items() if k in constraints}
    check_params(
        {k: v for k, v in constraints.items() if k in values},
        {k: v for k, v in values.items() if _is_bool(v)},
        type(estimator).__name__,
    )


def validate_args(**constraints):
    """Validate a function's (or method's) arguments with :func:`check_params` on each call.

    The constraints are sklearn's (``Interval``, ``StrOptions``, "boolean",
    ...); every parameter but ``self``, ``cls``, ``X``, ``y``, ``ax``,
    ``estimator`` and ``**kwargs`` must have one, which the contract test
    checks for every public function of skae (``__skae_constraints__``).
    """

    def decorate(func):
        signature = inspect.signature(func)

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            values = {k: bound.arguments[k] for k in constraints}
            check_params(constraints, values, func.__qualname__)
            return func(*args, **kwargs)

        wrapper.__skae_constraints__ = constraints
        return wrapper

    return decorate


def positive_ints(values):
    """Whether every value is a positive int (bools are not ints here)."""
    return all(isinstance(v, Integral) and not isinstance(v, bool) and v > 0 for v in values)


def check_widths(name, sizes):
    """Refuse layer widths that are not positive ints ("auto" is resolved at fit)."""
    if sizes != "auto" and not positive_ints(sizes):
        raise ValueError(f"{name} must be a tuple of positive ints (layer widths), got {sizes!r}.")


def check_no_strings(X):
    """Refuse text in X, even text that reads as numbers.

    sklearn refuses string arrays but silently parses strings held in object
    arrays and DataFrame columns; a column of text is almost always a loading
    mistake, so skae refuses both alike.
    """
    if hasattr(X, "dtypes") and hasattr(X, "columns"):  # a DataFrame
        for name, dt in zip(X.columns, X.dtypes):
            numeric = str(getattr(getattr(dt, "categories", None), "dtype", "")) not in (
                "", "object", "str", "string")  # pandas categories of numbers read as numbers
            if str(dt).lower().startswith(("category", "categorical", "enum")) and not numeric:
                raise ValueError(
                    f"X has a categorical column ({name!r}), which this estimator cannot "
                    "read as it is: give it categorical_features (its default 'from_dtype' "
                    "reads category, text and bool columns) where it has one, or encode "
                    "the column (e.g. with OneHotEncoder)."
                )
        columns = [X[c] for c, dt in zip(X.columns, X.dtypes)
                   if dt == object or str(dt).lower() in ("string", "str")]  # fmt: skip
        values = (v for col in columns for v in col.to_numpy())
    elif isinstance(X, np.ndarray) and X.dtype == object:
        values = X.flat
    else:
        return
    for v in values:
        if isinstance(v, (str, bytes)):
            raise ValueError(
                f"X contains text ({v!r}) in a column read as numbers. Name the text "
                "columns in categorical_features (by index for an array; a DataFrame's "
                "text and category columns are found by its default 'from_dtype') where "
                "the estimator has it, convert them to numbers (e.g. pandas.to_numeric), "
                "or encode them (e.g. with OneHotEncoder)."
            )


def check_float32_range(X):
    """Refuse values that float32, which the networks compute in, cannot hold."""
    # max and min rather than abs: no temporary copy of a large X (fmax/fmin skip NaN)
    values = X.data if hasattr(X, "tocsr") else X  # a sparse matrix: its stored values
    if X.dtype == np.float32 or not values.size:
        return X
    if max(np.fmax.reduce(values, axis=None), -np.fmin.reduce(values, axis=None)) > \
            np.finfo(np.float32).max:  # fmt: skip
        raise ValueError(
            "X contains values too large for float32 (above 3.4e38 in magnitude), "
            "in which skae computes: scale it first."
        )
    return X


def resolve_image_shape(image_shape, n_features):
    """``(C, H, W)`` of rows of ``n_features`` values: THE image-shape rule of skae
    (ConvAETransformer's ``image_shape`` and the Displays). None: a square single-channel
    image when ``n_features`` is a square number, else each row as a 1 x n_features strip."""
    if image_shape is None:
        side = math.isqrt(n_features)
        return (1, side, side) if side * side == n_features else (1, 1, n_features)
    if not isinstance(image_shape, (tuple, list)):
        raise ValueError(
            f"image_shape must be (H, W) or (C, H, W) of positive ints, or None, got "
            f"{image_shape!r}."
        )
    shape = tuple(image_shape)
    if len(shape) not in (2, 3) or not positive_ints(shape):
        raise ValueError(
            "image_shape must be (H, W) or (C, H, W) of positive ints, or None, "
            f"got {image_shape!r}."
        )
    shape = (1, *shape) if len(shape) == 2 else shape
    if math.prod(shape) != n_features:
        raise ValueError(
            f"image_shape {tuple(image_shape)} holds {math.prod(shape)} values, but X has "
            f"{n_features} features per row. Set image_shape to the shape of one image, "
            "(H, W) or (C, H, W), or to None (a square image, or a 1 x n_features strip)."
        )
    return shape
