"""The skorch side: fast batching, the held-out split, divergence checks, seeding.

skorch runs every training loop in skae. What is here only feeds it:

* :class:`TensorDataset` and :class:`BatchIterator` hand skorch whole
  mini-batches sliced from one tensor. skorch's default ``Dataset`` +
  ``DataLoader`` fetch samples one by one and collate them, which costs more
  than the forward and backward pass of a small network (skorch issues #433
  and #1100, and its docs' "performance" page).
* :class:`HoldOut` is the ``train_split`` used for early stopping.
* :class:`StopOnDivergence` turns a NaN / inf loss into a clear error.
* :func:`seeded` makes training reproducible without touching the caller's
  random state.
"""

import contextlib
import functools
import math

import numpy as np
import torch
from skorch import NeuralNet
from skorch.callbacks import Callback, EarlyStopping

# Keys of ``net_params`` that the estimators set themselves.
MANAGED_NET_PARAMS = {
    "module": None,
    "max_epochs": "max_epochs",
    "batch_size": "batch_size",
    "lr": "lr",
    "device": "device",
    "verbose": "verbose",
    "train_split": "early_stopping and validation_fraction",
    "dataset": None,
    "iterator_train": None,
    "iterator_valid": None,
}


class TensorDataset(torch.utils.data.Dataset):
    """Inputs and targets held as whole tensors; the target defaults to the input."""

    def __init__(self, X, y=None):
        self.X = X
        self.y = y

    def __len__(self):
        return len(self.X)

    def __getitem__(self, index):
        Xi = self.X[index]
        return Xi, (Xi if self.y is None else self.y[index])

    def subset(self, index):
        return TensorDataset(self.X[index], None if self.y is None else self.y[index])


class BatchIterator:
    """Mini-batches sliced from the tensors of a :class:`TensorDataset`.

    It does what ``DataLoader(dataset, batch_size, shuffle)`` does, a new
    random order every epoch included, with one indexing operation per batch
    instead of one ``__getitem__`` per sample plus a collate.
    """

    def __init__(self, dataset, batch_size, shuffle=False):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle

    def __len__(self):
        return math.ceil(len(self.dataset) / self.batch_size)

    def __iter__(self):
        X, y, n = self.dataset.X, self.dataset.y, len(self.dataset)
        if self.shuffle:
            order = torch.randperm(n).to(X.device)
            X = X[order]
            y = None if y is None else y[order]
        for start in range(0, n, self.batch_size):
            Xb = X[start : start + self.batch_size]
            yield Xb, (Xb if y is None else y[start : start + self.batch_size])


class HoldOut:
    """A skorch ``train_split``: a random ``fraction`` of the samples for validation."""

    def __init__(self, fraction):
        self.fraction = fraction

    def __call__(self, dataset, y=None, **fit_params):
        n = len(dataset)
        n_valid = max(1, round(self.fraction * n))
        if n - n_valid < 1:
            raise ValueError(
                f"validation_fraction={self.fraction} leaves no training sample "
                f"out of {n}; use fewer validation samples or more data."
            )
        order = torch.randperm(n).to(dataset.X.device)
        return dataset.subset(order[n_valid:]), dataset.subset(order[:n_valid])


class StopOnDivergence(Callback):
    """Raise a clear error as soon as a training batch's loss is NaN or infinite."""

    def on_batch_end(self, net, batch=None, training=False, loss=None, **kwargs):
        if training and not math.isfinite(loss.item()):
            raise ValueError(
                f"Training diverged: the loss became {loss.item()} in epoch "
                f"{len(net.history)}. The input is probably not scaled: scale it first "
                "(e.g. StandardScaler or MinMaxScaler in a Pipeline), or lower lr."
            )


def check_net_params(net_params):
    """Refuse ``net_params`` keys that an estimator parameter already controls."""
    for key in net_params or {}:
        root = key.split("__")[0]
        if root in MANAGED_NET_PARAMS:
            own = MANAGED_NET_PARAMS[root]
            hint = f"set the estimator's {own} instead" if own else "skae sets it itself"
            raise ValueError(f"net_params may not contain {key!r}: {hint}.")


def make_net(module, criterion, est, *, max_epochs=None):
    """A skorch ``NeuralNet`` for ``module`` with the estimator ``est``'s settings."""
    net_params = dict(est.net_params or {})
    callbacks = [("stop_on_divergence", StopOnDivergence())]
    train_split = None
    if est.early_stopping:
        train_split = HoldOut(est.validation_fraction)
        callbacks.append(
            (
                "early_stopping",
                EarlyStopping(patience=est.n_iter_no_change, threshold=est.tol, load_best=True),
            )
        )
    callbacks += list(net_params.pop("callbacks", None) or [])
    device = resolve_device(est.device)
    if "optimizer" not in net_params:
        net_params["optimizer"] = torch.optim.Adam
        if fused_adam_available(device):
            net_params.setdefault("optimizer__fused", True)
    return NeuralNet(
        module=module,
        criterion=criterion,
        lr=est.lr,
        batch_size=est.batch_size,
        max_epochs=est.max_epochs if max_epochs is None else max_epochs,
        device=device,
        train_split=train_split,
        dataset=TensorDataset,
        iterator_train=BatchIterator,
        iterator_valid=BatchIterator,
        iterator_train__shuffle=True,
        callbacks=callbacks,
        verbose=est.verbose,
        **net_params,
    )


@functools.lru_cache
def fused_adam_available(device):
    """Whether torch has the fused Adam kernel for ``device``.

    The fused kernel updates all parameters in one pass instead of a dozen
    element-wise passes: the same Adam, 2-3x faster a step on CPU for the
    textbook Fashion-MNIST model. CPU support arrived in torch 2.4.
    """
    try:
        torch.optim.Adam([torch.zeros(1, device=device, requires_grad=True)], fused=True)
    except (RuntimeError, ValueError, TypeError):
        return False
    return True


def resolve_device(device):
    """``"auto"`` -> ``"cuda"`` when available, else ``"cpu"``; check that cuda exists."""
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            "device='cuda' was requested but no CUDA device is available "
            "(torch.cuda.is_available() is False); use device='cpu' or device='auto'."
        )
    return device


def draw_seed(random_state):
    """A 32-bit seed from ``random_state``.

    ``None`` draws from fresh OS entropy rather than from numpy's global
    generator, so that fitting never changes the caller's random state.
    """
    if random_state is None:
        return int(np.random.SeedSequence().generate_state(1)[0])
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(np.iinfo(np.int32).max))
    return int(random_state) & 0xFFFFFFFF


@contextlib.contextmanager
def seeded(seed, device):
    """Seed torch's generators for ``device``, and restore them afterwards."""
    device = torch.device(device)
    cuda = [device.index or 0] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=cuda):
        torch.random.default_generator.manual_seed(seed)
        for index in cuda:
            with torch.cuda.device(index):
                torch.cuda.manual_seed(seed)
        yield


def train(net, X, y=None):
    """Fit ``net`` on the tensors ``X`` and ``y`` (the target; ``X`` itself by default)."""
    X = X.to(net.device)
    y = None if y is None else y.to(net.device)
    return net.fit(TensorDataset(X, y), None)
