"""What feeds skorch the data: batches gathered by index, and the held-out split.

:class:`ArrayDataset` and :class:`BatchIterator` hand skorch whole mini-batches
gathered by index from the caller's array (a numpy array or a memmap),
converted to float32 tensors one batch at a time. Nothing copies the whole
input: an epoch is a shuffled order of indices, the held-out split a split of
indices. skorch's default per-sample ``Dataset`` + ``DataLoader`` would cost
more than the network itself for small models (skorch issues #433 and #1100).
:class:`HoldOut` is the ``train_split`` used for early stopping.
"""

import math

import numpy as np
import torch
from sklearn.model_selection import train_test_split


def dense(X):
    """A block of rows as a numpy array: a scipy sparse block densified (only that block)."""
    return X.toarray() if hasattr(X, "toarray") else X


def as_tensor(X, device):
    """A float32 tensor on ``device`` from a numpy block (or a sparse block, densified),
    without copying when possible."""
    X = np.ascontiguousarray(dense(X), dtype=np.float32)
    if not X.flags.writeable:  # torch.from_numpy warns on read-only memory
        X = X.copy()
    return torch.from_numpy(X).to(device)


class ArrayDataset(torch.utils.data.Dataset):
    """Rows of the caller's array ``X`` (and labels ``y``), optionally a subset ``index``.

    The array is never copied: :meth:`batch` gathers the rows it is asked
    for and converts them to float32 tensors.
    """

    def __init__(self, X, y=None, index=None):
        self.X = X
        self.y = y
        self.index = index

    def __len__(self):
        return self.X.shape[0] if self.index is None else len(self.index)

    def rows(self, positions):
        """Row numbers in ``X`` of the given positions of this dataset."""
        return positions if self.index is None else self.index[positions]

    def batch(self, positions, device):
        # sorted rows read a memmap in order; the order within a batch does
        # not change a mean loss
        rows = np.sort(self.rows(positions))
        Xb = as_tensor(self.X[rows], device)
        yb = Xb if self.y is None else torch.as_tensor(self.y[rows]).to(device)
        return Xb, yb

    def __getitem__(self, i):  # per-sample access, for completeness; BatchIterator uses batch()
        return self.batch(np.array([i]), "cpu")

    def subset(self, positions):
        return ArrayDataset(self.X, self.y, self.rows(positions))


class BatchIterator:
    """Mini-batches of an :class:`ArrayDataset`, in a new random order every epoch.

    It does what ``DataLoader(dataset, batch_size, shuffle)`` does, with one
    gather per batch instead of one ``__getitem__`` per sample plus a collate.
    """

    def __init__(self, dataset, batch_size, shuffle=False, random_state=None, device="cpu"):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.random_state = random_state
        self.device = device

    def __len__(self):
        return math.ceil(len(self.dataset) / self.batch_size)

    def __iter__(self):
        n = len(self.dataset)
        order = self.random_state.permutation(n) if self.shuffle else np.arange(n)
        for start in range(0, n, self.batch_size):
            yield self.dataset.batch(order[start : start + self.batch_size], self.device)


class HoldOut:
    """A skorch ``train_split``: a random ``fraction`` of the rows for validation.

    The split is a split of indices (no copy of the data), stratified by
    the labels when ``stratify`` and the dataset has labels.
    """

    def __init__(self, fraction, random_state, stratify=False):
        self.fraction = fraction
        self.random_state = random_state
        self.stratify = stratify

    def __call__(self, dataset, y=None, **fit_params):
        n = len(dataset)
        n_valid = max(1, round(self.fraction * n))
        if n - n_valid < 1:
            raise ValueError(
                f"validation_fraction={self.fraction} leaves no training sample "
                f"out of {n}; use fewer validation samples or more data."
            )
        labels = None
        if self.stratify and dataset.y is not None:
            labels = dataset.y[dataset.rows(np.arange(n))]
        seed = int(self.random_state.integers(2**31 - 1))
        train, valid = train_test_split(
            np.arange(n), test_size=n_valid, random_state=seed, stratify=labels
        )
        return dataset.subset(np.sort(train)), dataset.subset(np.sort(valid))
