"""The columns of a table: which hold numbers and which categories, and how each kind
enters a network, leaves it and is scored.

One place for every estimator that reads tables (DAEImputer uses it today). A
:class:`ColumnSchema` is decided at ``fit`` from the data:
``categorical_features="from_dtype"`` (as in ``HistGradientBoostingClassifier``: for
pandas and polars input, columns of category, object/string or bool dtype are
categorical, numbers numeric; a numpy array has none), or an explicit list of names or
indices, or a boolean mask. Its ``categories_`` are each categorical column's categories
seen in ``fit``, sorted, as ``OneHotEncoder`` has them.

The data keep their shape on the way in: :meth:`ColumnSchema.encode` turns rows into a
float32 array of the same width, numbers as they are and each category as its index in
``categories_`` (a category ``fit`` never saw as -1, a missing entry as NaN), so that
batches are still gathered by index from one array. The network then reads that array
through :class:`ColumnInput` (numbers as they are, each categorical column one-hot), and
writes one output per number and one logit per category (:class:`ColumnOutput` splits
them); :func:`column_loss` scores each column by its own kind: the squared error of a
number, the cross-entropy of a category, every observed entry, each column weighted
alike so that neither kind drowns the other. :func:`swap` is the swap noise of the Porto
Seguro DAE, at the level of columns, so that a swapped category is always a valid one.
"""

from numbers import Integral

import numpy as np
import torch
from torch import nn

# the code of a category that fit never saw: read as no category (an all-zero one-hot)
UNKNOWN = -1


def _is_frame(X):
    return hasattr(X, "columns") and hasattr(X, "dtypes")


def _categorical_dtype(dtype):
    """Whether a pandas or polars column dtype holds categories (category, text, bool)."""
    name = str(dtype).lower()
    if name in ("category", "object", "bool", "boolean", "string", "str", "utf8"):
        return True
    return name.startswith(("categorical", "enum", "string", "str"))


def categorical_mask(X, categorical_features, feature_names=None):
    """The boolean mask of ``X``'s categorical columns.

    ``categorical_features`` is "from_dtype", None (no column), a boolean mask, or a list
    of column indices or names (names need a DataFrame, or ``feature_names``). Raises
    ValueError naming what does not fit.
    """
    n = X.shape[1]
    if categorical_features is None:
        return np.zeros(n, dtype=bool)
    if isinstance(categorical_features, str):  # "from_dtype"
        if not _is_frame(X):
            return np.zeros(n, dtype=bool)
        return np.array([_categorical_dtype(dt) for dt in X.dtypes], dtype=bool)
    values = np.asarray(categorical_features)
    if values.dtype == bool:
        if values.shape != (n,):
            raise ValueError(
                f"categorical_features as a boolean mask needs one entry per column ({n}), "
                f"got {values.shape[0] if values.ndim else 'a scalar'}."
            )
        return values.copy()
    mask = np.zeros(n, dtype=bool)
    names = list(X.columns) if _is_frame(X) else (
        None if feature_names is None else list(feature_names))  # fmt: skip
    for value in categorical_features:
        if isinstance(value, str):
            if names is None or value not in names:
                raise ValueError(
                    f"categorical_features names the column {value!r}, which X does not have"
                    + ("" if names is None else f" (its columns: {names})") + "."
                )
            mask[names.index(value)] = True
        elif isinstance(value, Integral) and not isinstance(value, bool) and -n <= value < n:
            mask[value] = True
        else:
            raise ValueError(
                f"categorical_features holds {value!r}: give column names, indices from "
                f"0 to {n - 1}, a boolean mask, 'from_dtype' or None."
            )
    return mask


def _column(X, j):
    """Column ``j`` of ``X`` (numpy array, pandas or polars DataFrame) as a numpy array."""
    if hasattr(X, "iloc"):
        return X.iloc[:, j].to_numpy()
    if _is_frame(X):  # polars
        return X[:, j].to_numpy()
    return np.asarray(X)[:, j]


def _missing(values):
    """Where a column's entries are missing: NaN, None or pandas.NA."""
    if values.dtype.kind in "fc":
        return np.isnan(values)
    if values.dtype.kind != "O":
        return np.zeros(values.shape, dtype=bool)
    return np.array([v is None or (isinstance(v, float) and v != v)
                     or type(v).__name__ == "NAType" for v in values], dtype=bool)  # fmt: skip


def holes_of(X, marker=None):
    """The holes of a table (an object array or a DataFrame): NaN, None, pandas.NA, and
    the entries equal to ``marker`` (a bool is never a marker)."""
    holes = np.zeros(X.shape, dtype=bool)
    for j in range(X.shape[1]):
        values = _column(X, j)
        holes[:, j] = _missing(values)
        if marker is not None:
            holes[:, j] |= np.array([v == marker and not isinstance(v, bool) for v in values],
                                    dtype=bool)  # fmt: skip
    return holes


def choose(logits, rng=None):
    """Each row's category from its logits (numpy): the most probable, or, with ``rng``, a
    draw from their softmax."""
    if rng is None:
        return logits.argmax(axis=1)
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    return (p.cumsum(axis=1) < rng.random((len(p), 1))).sum(axis=1).clip(0, p.shape[1] - 1)


class ColumnSchema:
    """The kinds of a table's columns and each categorical column's categories.

    Parameters
    ----------
    categorical : ndarray of bool, shape (n_features,)
        Which columns are categorical.
    """

    def __init__(self, categorical):
        self.categorical = np.asarray(categorical, dtype=bool)
        self.categories_ = []

    @classmethod
    def fit(cls, X, categorical_features="from_dtype", feature_names=None, holes=None):
        """The schema of ``X``: its categorical columns and their categories (sorted, the
        missing entries, and those ``holes`` marks, left out)."""
        schema = cls(categorical_mask(X, categorical_features, feature_names))
        for j in np.flatnonzero(schema.categorical):
            values = _column(X, j)
            missing = _missing(values) if holes is None else holes[:, j] | _missing(values)
            seen = values[~missing]
            schema.categories_.append(np.array(sorted(set(seen.tolist()), key=_order)))
        return schema

    @property
    def n_categories(self):
        """The number of categories of each categorical column."""
        return [len(c) for c in self.categories_]

    @property
    def mixed(self):
        """Whether any column is categorical (numeric tables take today's path)."""
        return bool(self.categorical.any())

    def encode(self, X, holes=None):
        """``X``'s rows as float32 codes of the same width: numbers as they are, each
        category its index in ``categories_`` (-1 for one ``fit`` never saw), NaN where an
        entry is missing (or ``holes`` says so). Text in a numeric column is refused,
        naming the column."""
        out = np.empty((X.shape[0], len(self.categorical)), dtype=np.float32)
        cats = iter(self.categories_)
        for j, categorical in enumerate(self.categorical):
            values = _column(X, j)
            missing = _missing(values) if holes is None else holes[:, j] | _missing(values)
            if not categorical:
                out[:, j] = np.nan
                try:
                    out[~missing, j] = values[~missing].astype(np.float64)
                except (TypeError, ValueError):
                    text = next(v for v in values[~missing] if not _number(v))
                    raise ValueError(
                        f"X contains text ({text!r}) in column {j}, which is not "
                        "categorical: list it in categorical_features (or give it the "
                        "category or string dtype), or convert it to numbers."
                    ) from None
                continue
            categories = next(cats)
            lookup = {v: i for i, v in enumerate(categories.tolist())}
            codes = np.array([lookup.get(v, UNKNOWN) for v in values[~missing].tolist()],
                             dtype=np.float32)  # fmt: skip
            out[:, j] = np.nan
            out[~missing, j] = codes
        return out

    def decode(self, codes, X=None):
        """Codes back to an object array of the input's kinds: categories where the codes
        say so; where ``X`` is given, its own entries where the code is UNKNOWN (a category
        ``fit`` never saw stays as it was)."""
        out = np.empty(codes.shape, dtype=object)
        cats = iter(self.categories_)
        for j, categorical in enumerate(self.categorical):
            if not categorical:
                out[:, j] = codes[:, j].astype(np.float64)
                continue
            categories = next(cats)
            column = codes[:, j]
            known = (column >= 0) & ~np.isnan(column)
            out[known, j] = categories[column[known].astype(np.intp)]
            if X is not None:
                out[~known, j] = _column(X, j)[~known]
            else:
                out[~known, j] = None
        return out


def _number(value):
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return not isinstance(value, (str, bytes))


def _order(value):
    """Sort key of a category: numbers before text, each in its own order (as
    ``OneHotEncoder`` sorts one kind)."""
    return (isinstance(value, str), value)


class ColumnInput(nn.Module):
    """Codes (see :meth:`ColumnSchema.encode`) into what the network reads: each numeric
    column as it is (0 where missing) and each categorical column one-hot (all zeros
    where missing or unknown), the one-hot blocks written by one scatter."""

    def __init__(self, categorical, n_categories):
        super().__init__()
        categorical = torch.as_tensor(np.asarray(categorical, dtype=bool))
        self.register_buffer("numeric_", torch.nonzero(~categorical).flatten())
        self.register_buffer("categorical_", torch.nonzero(categorical).flatten())
        self.n_categories = [int(k) for k in n_categories]
        # where each categorical column's one-hot block starts
        starts = np.concatenate([[0], np.cumsum(self.n_categories)[:-1]]).astype(np.int64)
        self.register_buffer("starts_", torch.as_tensor(starts))
        self.register_buffer("sizes_", torch.as_tensor(self.n_categories, dtype=torch.int64))
        self.width = int((~categorical).sum()) + sum(self.n_categories)

    def forward(self, x):
        numbers = torch.nan_to_num(x[:, self.numeric_], nan=0.0)
        n_onehot = sum(self.n_categories)
        if not n_onehot:
            return numbers
        code = torch.nan_to_num(x[:, self.categorical_], nan=UNKNOWN).long()
        known = (code >= 0) & (code < self.sizes_)
        # a missing or unknown entry writes to one spare column past the end, dropped
        where = torch.where(known, code + self.starts_, n_onehot)
        one_hot = x.new_zeros(len(x), n_onehot + 1).scatter_(1, where, 1.0)
        return torch.cat([numbers, one_hot[:, :n_onehot]], dim=1)


class ColumnOutput:
    """Where each column's outputs lie in the network's last layer: one per numeric column
    first, then ``n_categories[k]`` logits per categorical column."""

    def __init__(self, categorical, n_categories):
        categorical = np.asarray(categorical, dtype=bool)
        self.numeric = np.flatnonzero(~categorical)
        self.categorical = np.flatnonzero(categorical)
        bounds = np.cumsum([len(self.numeric), *n_categories])
        self.slices = [slice(a, b) for a, b in zip(bounds[:-1], bounds[1:])]
        self.width = int(bounds[-1])

    def numeric_index(self, device):
        """The numeric columns' indices in the codes, as a tensor on ``device``."""
        return torch.as_tensor(self.numeric, device=device)

    def categorical_index(self, device):
        """The categorical columns' indices in the codes, as a tensor on ``device``."""
        return torch.as_tensor(self.categorical, device=device)

    def padded_index(self, device):
        """Each categorical column's logit positions, padded to the widest column: an
        index of shape (columns, widest) into the last layer, and the mask of the pads."""
        widest = max(1, max(s.stop - s.start for s in self.slices))
        index = np.zeros((len(self.slices), widest), dtype=np.int64)
        pad = np.ones((len(self.slices), widest), dtype=bool)
        for i, s in enumerate(self.slices):
            index[i, : s.stop - s.start] = np.arange(s.start, s.stop)
            pad[i, : s.stop - s.start] = False
        return torch.as_tensor(index, device=device), torch.as_tensor(pad, device=device)

    def split(self, output):
        """The numeric outputs, and the logits of each categorical column."""
        return output[:, : len(self.numeric)], [output[:, s] for s in self.slices]

    def decode(self, output):
        """The most probable code of each column: numbers as they are, categories by their
        largest logit (float32 codes, as :meth:`ColumnSchema.encode` gives)."""
        numbers, logits = self.split(output)
        codes = torch.empty(output.shape[0], len(self.numeric) + len(self.categorical),
                            dtype=output.dtype, device=output.device)  # fmt: skip
        codes[:, torch.as_tensor(self.numeric)] = numbers
        for column, z in zip(self.categorical, logits):
            best = z.argmax(dim=1) if z.shape[1] else torch.full((len(z),), UNKNOWN)
            codes[:, int(column)] = best.to(output.dtype)
        return codes


def column_loss(output, target, layout, weight=None):
    """The mean over columns of each column's loss on its observed entries: the squared
    error of a numeric column, the cross-entropy of a categorical one (an unknown category
    is not scored), so that each column weighs alike whatever its kind.

    ``output`` is the network's last layer (``layout.width`` wide), ``target`` the codes,
    ``weight`` (where given) each entry's weight in its column's mean. The categorical
    columns are scored together, their logits padded to the widest.
    """
    if weight is None:
        weight = torch.ones_like(target)
    losses = []
    if len(layout.numeric):
        numbers = output[:, : len(layout.numeric)]
        index = layout.numeric_index(output.device)
        truth = target[:, index]
        w = torch.where(~torch.isnan(truth), weight[:, index], 0)
        error = (numbers - torch.nan_to_num(truth)).square()
        losses.append((error * w).sum(dim=0) / w.sum(dim=0).clamp(min=1e-12))
    if len(layout.categorical):
        index, pad = layout.padded_index(output.device)  # (columns, widest)
        logits = output[:, index].masked_fill(pad, -torch.inf)  # (rows, columns, widest)
        index = layout.categorical_index(output.device)
        code = target[:, index]
        seen = ~torch.isnan(code) & (code >= 0) & ~pad.all(dim=1)
        w = torch.where(seen, weight[:, index], 0)
        log_p = torch.log_softmax(logits, dim=2)
        picked = log_p.gather(2, torch.where(seen, code, 0).long().unsqueeze(2)).squeeze(2)
        ce = torch.where(seen, -picked * w, 0).sum(dim=0) / w.sum(dim=0).clamp(min=1e-12)
        losses.append(ce)
    return torch.cat(losses).mean()


class ColumnLoss(nn.Module):
    """:func:`column_loss` as a criterion for skorch: ``(output, target) -> loss``."""

    def __init__(self, layout):
        super().__init__()
        self.layout = layout

    def forward(self, output, target, weight=None):
        return column_loss(output, target, self.layout, weight)


def typed_frame(out, X, columns, names, flavor):
    """The object array ``out`` as a pandas or polars (``flavor``) DataFrame named ``names``,
    each column ``columns[i]`` of ``X`` (None: an added column, e.g. a missing indicator)
    in that column's dtype where ``X`` is a DataFrame: a category stays a category, text
    text, an integer column integers where every value is whole (else float64). Without
    a dtype, a column of numbers is float64 and any other stays object (bool for an
    indicator)."""
    pandas_in = hasattr(X, "iloc")
    series = {}
    for i, (j, name) in enumerate(zip(columns, names)):
        values = out[:, i]
        dtype = None if j is None or not _is_frame(X) else X.dtypes.iloc[j] if pandas_in \
            else X.dtypes[j]  # fmt: skip
        series[name] = _typed(values, dtype, flavor, j is None, name)
    if flavor == "polars":
        import polars as pl

        return pl.DataFrame(list(series.values()))
    import pandas as pd

    frame = pd.DataFrame(series)  # built on positions, then given X's index (not aligned)
    if pandas_in:
        frame.index = X.index
    return frame


def _typed(values, dtype, flavor, indicator, name):
    """One output column in ``dtype`` (see :func:`typed_frame`)."""
    import pandas as pd

    if indicator:
        values = values.astype(bool)
    elif dtype is None:
        try:
            values = values.astype(np.float64)
        except (TypeError, ValueError):
            pass
    if flavor == "polars":
        import polars as pl

        series = pl.Series(name, values.tolist(), strict=False)
        if dtype is not None:
            try:
                series = series.cast(dtype)
            except Exception:  # e.g. a filled float in an integer column: kept as it is
                pass
        return series
    series = pd.Series(values, name=name)
    if dtype is None:
        return series
    if isinstance(dtype, pd.CategoricalDtype):
        seen = pd.Index(pd.unique(series.dropna()))
        return series.astype(pd.CategoricalDtype(dtype.categories.union(seen, sort=False),
                                                 ordered=dtype.ordered))  # fmt: skip
    if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
        numbers = series.astype(np.float64)
        whole = pd.api.types.is_float_dtype(dtype) or bool(
            (numbers.dropna() == numbers.dropna().round()).all())
        return numbers.astype(dtype) if whole else numbers
    try:
        return series.astype(dtype)
    except (TypeError, ValueError):
        return series


# --- the autoencoders' side: a mixed table in, codes and reconstructions out -------------------


def table_mask(est, X):
    """The mask of ``X``'s categorical columns under ``est.categorical_features``, or None
    for a numeric table, which takes the numeric path (as before categorical columns
    existed). Sparse input is numeric."""
    features = getattr(est, "categorical_features", None)
    if features is None or hasattr(X, "tocsr") or (
            isinstance(features, str) and not _is_frame(X)):  # fmt: skip
        return None
    if not hasattr(X, "shape"):
        X = np.asarray(X, dtype=object)
    if getattr(X, "ndim", 2) != 2:
        return None  # the input checks say what is wrong
    mask = categorical_mask(X, features)
    return mask if mask.any() else None


def is_mixed(fitted):
    """Whether the fitted attributes ``fitted`` (a dict) are those of a mixed table."""
    categorical = fitted.get("categorical_")
    return categorical is not None and bool(np.any(categorical))


def read_table(est, X, y="no_validation", reset=False, categorical=None, scaling=None):
    """A mixed table as the network reads it: float32 codes of the same width, the numbers
    standardized (``mean_``, ``scale_`` of the numeric columns), each category its index in
    ``categories_`` (-1 for one ``fit`` never saw), NaN where an entry is missing.

    With ``reset`` the schema is decided from ``X`` (``categorical`` its mask); else the
    fitted one of ``est`` is used, and ``scaling`` (a pair of arrays) replaces its
    ``mean_`` and ``scale_`` where given. Returns the codes (and ``y`` where given) and the
    schema's fitted attributes (a dict: ``categorical_``, ``categories_``, ``mean_``,
    ``scale_``)."""
    from sklearn.utils.validation import validate_data

    out = validate_data(est, X, y, dtype=None, ensure_all_finite=False, reset=reset)
    Xo, y = out if isinstance(out, tuple) else (out, y)
    if reset:
        schema = ColumnSchema.fit(Xo, categorical)
    else:
        schema = ColumnSchema(est.categorical_)
        schema.categories_ = est.categories_
    codes = schema.encode(Xo).astype(np.float64)
    numeric = ~schema.categorical
    if np.isinf(codes[:, numeric]).any():
        raise ValueError("Input X contains infinity: replace it (or mark it missing).")
    if reset:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            mean, scale = np.nanmean(codes, axis=0), np.nanstd(codes, axis=0)
        mean[schema.categorical | np.isnan(mean)] = 0.0
        scale[schema.categorical | ~(scale > 0)] = 1.0
    else:
        mean, scale = (est.mean_, est.scale_) if scaling is None else scaling
    codes[:, numeric] = (codes[:, numeric] - mean[numeric]) / scale[numeric]
    fitted = {"categorical_": schema.categorical, "categories_": schema.categories_,
              "mean_": mean, "scale_": scale}  # fmt: skip
    codes = codes.astype(np.float32)
    return (codes, fitted) if isinstance(y, str) else (codes, y, fitted)


def input_width(fitted, n_features):
    """The width of what the network reads: ``n_features``, or on a mixed table the numbers
    and every category's one-hot column."""
    if not is_mixed(fitted):
        return n_features
    return int((~np.asarray(fitted["categorical_"])).sum()) + sum(
        len(c) for c in fitted["categories_"])  # fmt: skip


def layout_of(fitted):
    """The :class:`ColumnOutput` of a mixed table's fitted attributes."""
    return ColumnOutput(fitted["categorical_"], [len(c) for c in fitted["categories_"]])


def input_of(fitted):
    """The :class:`ColumnInput` of a mixed table's fitted attributes."""
    return ColumnInput(fitted["categorical_"], [len(c) for c in fitted["categories_"]])


def reading_columns(mlp_layers, fitted):
    """``mlp_layers`` (a ``Sequential`` of ``Sequential(Linear, activation)`` blocks, see
    :func:`skae.modules.mlp`) reading a mixed table: :class:`ColumnInput` first in the first
    block, so that the blocks keep their shape (layer-wise stacking, dropout per block)."""
    if is_mixed(fitted):
        mlp_layers[0].insert(0, input_of(fitted))
    return mlp_layers


def entry_errors(output, codes, layout):
    """Each entry's error (torch, rows x columns): the squared error of a number (in
    standard deviations: the codes are standardized), the cross-entropy of a category
    (nats), NaN where the entry is missing or its category unknown."""
    errors = torch.full_like(codes, torch.nan)
    if len(layout.numeric):
        index = layout.numeric_index(output.device)
        errors[:, index] = (output[:, : len(layout.numeric)] - codes[:, index]).square()
    if len(layout.categorical):
        index, pad = layout.padded_index(output.device)
        logits = output[:, index].masked_fill(pad, -torch.inf)
        where = layout.categorical_index(output.device)
        code = codes[:, where]
        seen = ~torch.isnan(code) & (code >= 0)
        log_p = torch.log_softmax(logits, dim=2)
        picked = log_p.gather(2, torch.where(seen, code, 0).long().unsqueeze(2)).squeeze(2)
        errors[:, where] = torch.where(seen, -picked, torch.nan)
    return errors


def decode_rows(output, fitted):
    """The network's outputs (numpy, ``layout.width`` wide) as rows of the input's kinds: an
    object array, each number unstandardized, each category the most probable one."""
    layout = layout_of(fitted)
    codes = layout.decode(torch.as_tensor(output)).numpy().astype(np.float64)
    numeric = ~np.asarray(fitted["categorical_"])
    codes[:, numeric] = codes[:, numeric] * fitted["scale_"][numeric] + fitted["mean_"][numeric]
    schema = ColumnSchema(fitted["categorical_"])
    schema.categories_ = fitted["categories_"]
    return schema.decode(codes)


def category_frame(rows, fitted, names, flavor):
    """Decoded rows (:func:`decode_rows`) as a pandas or polars DataFrame: each categorical
    column of the fitted categories' dtype, each numeric column float64."""
    import pandas as pd

    series = {}
    cats = iter(fitted["categories_"])
    for j, (name, categorical) in enumerate(zip(names, fitted["categorical_"])):
        if categorical:
            series[name] = pd.Categorical(rows[:, j], categories=next(cats))
        else:
            series[name] = rows[:, j].astype(np.float64)
    frame = pd.DataFrame(series)
    if flavor == "polars":
        import polars as pl

        return pl.from_pandas(frame)
    return frame
