"""Input checks: sklearn's validation, a fast path for small plain arrays, and what
sklearn lets through that skae refuses (text, values beyond float32)."""

from numbers import Integral

import numpy as np
from sklearn.utils.validation import check_is_fitted, validate_data

# inputs of at most this many values may take the fast path of input checks
SMALL_INPUT = 2**16


class _InputChecks:
    """``_validate_X``: the one input check of every skae estimator."""

    def _validate_X(self, X, y="no_validation", reset=False):
        """sklearn's input checks (and, unless ``reset``, the fitted check).

        With ``y`` given, returns ``(X, y)`` checked together, as
        ``validate_data`` does. Numeric input is kept in its dtype (a memmap
        stays a memmap) and cast to float32 batch by batch.
        """
        if not reset:
            check_is_fitted(self)
            if isinstance(y, str) and self._plainly_valid(X):
                return check_float32_range(X)
        check_no_strings(X)
        out = validate_data(self, X, y, reset=reset, dtype="numeric")
        if isinstance(out, tuple):
            return check_float32_range(out[0]), out[1]
        return check_float32_range(out)

    def _plainly_valid(self, X):
        """Whether a small ``X`` is a plain float array that ``validate_data`` would
        pass unchanged: a fast path for single rows and small batches.

        Anything else (DataFrames, other dtypes or widths, non-finite values,
        an estimator fitted with feature names) takes sklearn's full check,
        which raises its usual errors.
        """
        return (
            type(X) is np.ndarray
            and X.ndim == 2
            and X.dtype.kind == "f"
            and 0 < X.size <= SMALL_INPUT
            and X.shape[1] == self.n_features_in_
            and not hasattr(self, "feature_names_in_")
            and bool(np.isfinite(X).all())
        )


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
        columns = [X[c] for c, dt in zip(X.columns, X.dtypes) if dt == object or dt == "string"]
        values = (v for col in columns for v in col.to_numpy())
    elif isinstance(X, np.ndarray) and X.dtype == object:
        values = X.flat
    else:
        return
    for v in values:
        if isinstance(v, (str, bytes)):
            raise ValueError(
                f"X contains text ({v!r}); skae needs numbers. Convert the data to a "
                "numeric dtype first (e.g. X.astype(float) or pandas.to_numeric), or "
                "encode categories (e.g. with OneHotEncoder)."
            )


def check_float32_range(X):
    """Refuse values that float32, which the networks compute in, cannot hold."""
    # max and min rather than abs: no temporary copy of a large X
    if X.dtype != np.float32 and X.size and max(X.max(), -X.min()) > np.finfo(np.float32).max:
        raise ValueError(
            "X contains values too large for float32 (above 3.4e38 in magnitude), "
            "in which skae computes: scale it first."
        )
    return X
