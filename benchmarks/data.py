"""The data sets of the benchmarks, by name: ``load(dataset, split, seed)`` gives
``(X_train, X_test, y_train, y_test)`` for every experiment's ``dataset``.

Images (digits, Fashion-MNIST, shifted digits), the imputation tables (GAIN's Letter and
Spam from ``../shared/data/uci``, scikit-learn's small tables), ADBench's sets
(``../shared/data/adbench``), one class of an image set at a time, and random rows for
the systems protocols. Files are read where they lie (``$SKAE_DATA`` overrides
``../shared/data``); nothing is downloaded.
"""

import functools
import os
from pathlib import Path

import numpy as np
from sklearn.model_selection import train_test_split

ROOT = Path(__file__).resolve().parents[1]


def load(dataset, split="test", seed=0):
    """``(X_train, X_test, y_train, y_test)`` of ``dataset``.

    ``split="test"``: Fashion-MNIST's official split; digits 75% / 25%, stratified by
    ``seed``. ``split="validation"``: the training part of that split, cut again (a sixth
    of Fashion-MNIST, a quarter of digits, stratified, seed 0), so that tuning never sees
    the test set. ``"shifted-digits"`` is digits with its four one-pixel shifts appended.
    The tables, ADBench's sets, the one-class sets and the random rows of the systems
    protocols: see :func:`table`, :func:`adbench`, :func:`one_class`, :func:`random_rows`.
    """
    if dataset.startswith("random/"):  # drawn again each time, never held in a cache
        return random_rows(dataset, seed)
    return _load(dataset, split, seed)


@functools.cache
def _load(dataset, split, seed):
    from skae.datasets import fetch_fashion_mnist, load_digits

    if dataset in TABLES:
        return table(dataset, split)
    if dataset.startswith("adbench/"):
        return adbench(dataset, split, seed)
    if dataset.startswith("one-class/"):
        return one_class(dataset, split, seed)
    if dataset == "fashion-mnist":
        X_train, y_train = fetch_fashion_mnist(subset="train", return_X_y=True)
        X_test, y_test = fetch_fashion_mnist(subset="test", return_X_y=True)
    else:
        X, y = load_digits(return_X_y=True)
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, stratify=y, random_state=seed if split == "test" else 0
        )
    if split == "validation":
        size = 10_000 if dataset == "fashion-mnist" else 0.25
        X_train, X_test, y_train, y_test = train_test_split(
            X_train, y_train, test_size=size, stratify=y_train, random_state=0
        )
    if dataset == "shifted-digits":
        (X_train, y_train), (X_test, y_test) = shifted(X_train, y_train), shifted(X_test, y_test)
    return X_train, X_test, y_train, y_test


TABLES = ("letter", "spam", "breast_cancer", "wine", "diabetes", "digits-table")
UCI = {"letter": ("LetterRecognition.csv", "lettr"), "spam": ("spam.csv", "type")}


def shared_data():
    """``../shared/data`` beside the repository, or ``$SKAE_DATA`` where the user says."""
    return Path(os.environ.get("SKAE_DATA", ROOT.parent / "shared" / "data"))


def table(dataset, split):
    """A table for imputation, every column min-max scaled to [0, 1] as GAIN's protocol has
    it: ``(X, None, y, None)``. ``split="test"``: every row (the reported draws);
    ``"validation"``: a fixed half of the rows, for choosing defaults."""
    import pandas as pd
    import sklearn.datasets

    if dataset in UCI:
        name, label = UCI[dataset]
        path = shared_data() / "uci" / name
        if not path.exists():
            raise FileNotFoundError(f"{path} not found: set SKAE_DATA to the folder holding "
                                    "uci/ (see ../shared/data/README.md).")  # fmt: skip
        frame = pd.read_csv(path)
        X, y = frame.drop(columns=label).to_numpy(float), frame[label].to_numpy()
    else:
        loader = getattr(sklearn.datasets, f"load_{dataset.removesuffix('-table')}")
        X, y = loader(return_X_y=True)
    low, span = X.min(axis=0), np.ptp(X, axis=0)
    X = (X - low) / np.where(span > 0, span, 1)
    if split == "validation":
        rows = np.random.default_rng(12345).permutation(len(X))[: len(X) // 2]
        X, y = X[np.sort(rows)], y[np.sort(rows)]
    return X, None, y, None


def shifted(X, y):
    """``X`` (8x8 images as rows) with its four one-pixel shifts appended, ``y`` repeated."""
    images = X.reshape(-1, 8, 8)
    out = [images]
    for axis, step in ((1, 1), (1, -1), (2, 1), (2, -1)):
        moved = np.roll(images, step, axis=axis)
        edge = [slice(None)] * 3
        edge[axis] = 0 if step == 1 else -1
        moved[tuple(edge)] = 0
        out.append(moved)
    return np.concatenate(out).reshape(-1, 64), np.tile(y, 5)


# -- anomaly detection on tables: ADBench -----------------------------------------------------

FIT_ROWS, SCORE_ROWS = 10_000, 20_000  # the row caps of the anomaly protocol


def adbench(name, split, seed):
    """An ADBench set (``adbench/<file stem>``) under ADBench's unsupervised protocol: a
    70/30 split stratified by the labels, drawn by ``seed``; the detectors fit the 70% with
    its anomalies and no labels and score the 30%. On the largest sets at most
    ``FIT_ROWS`` rows of the 70% are fitted and ``SCORE_ROWS`` of the 30% scored (stratified
    subsamples, the same for every detector). ``split="validation"``: the 70% cut 70/30 again
    in the same way, for choosing settings without the reported 30%."""
    path = shared_data() / f"{name}.npz"
    if not path.exists():
        raise FileNotFoundError(f"{path} not found: set SKAE_DATA to the folder holding "
                                "adbench/ (see ../shared/data/README.md).")  # fmt: skip
    with np.load(path, allow_pickle=False) as f:
        X, y = f["X"].astype(np.float64), f["y"].astype(int)
    X_fit, X_score, y_fit, y_score = train_test_split(X, y, test_size=0.3, stratify=y,
                                                      random_state=seed)  # fmt: skip
    if split == "validation":
        X_fit, X_score, y_fit, y_score = train_test_split(
            X_fit, y_fit, test_size=0.3, stratify=y_fit, random_state=seed)  # fmt: skip
    (X_fit, y_fit), (X_score, y_score) = (_cap(X_fit, y_fit, FIT_ROWS, seed),
                                          _cap(X_score, y_score, SCORE_ROWS, seed))  # fmt: skip
    return X_fit, X_score, y_fit, y_score


def one_class(name, split, seed):
    """``one-class/<data set>/<class>``: the training rows of one class (no outliers, no
    labels) to fit, every test row to score, labelled 1 (an anomaly) where of another
    class: the one-class protocol of Ruff et al. (2018) under the anomaly protocol."""
    _, dataset, label = name.split("/")
    X_train, X_test, y_train, y_test = load(dataset, split, seed)
    normal = y_train == int(label)
    return X_train[normal], X_test, np.zeros(normal.sum(), int), (y_test != int(label)) * 1


def _cap(X, y, rows, seed):
    if len(X) <= rows:
        return X, y
    X, _, y, _ = train_test_split(X, y, train_size=rows, stratify=y, random_state=seed)
    return X, y


def random_rows(dataset, seed):
    """``"random/<rows>x<columns>"``: float32 uniform in [0, 1] (as ``X_train``, drawn by
    ``seed``), for the speed and memory protocols."""
    n, d = map(int, dataset.removeprefix("random/").split("x"))
    return np.random.default_rng(seed).random((n, d), dtype=np.float32), None, None, None
