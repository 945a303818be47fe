"""The net skorch trains: skae's ``NeuralNet``, its callbacks, and the training call.

skorch runs every training loop in skae. What is here sets it up:

* :class:`Net` sums the module's named loss terms (a sparsity penalty, a KL
  term) into skorch's loss.
* :class:`KeepBestEpoch` stops as ``MLPClassifier`` does and keeps the
  weights of the epoch with the lowest validation loss;
  :class:`StopOnDivergence` turns a NaN / inf loss into a clear error.
* ``make_net`` builds the net from an estimator's parameters and
  ``net_params``; ``train`` runs it for some epochs.
* :class:`_Trainer` is the one stream state of a fit: its net, generators and
  network, what ``partial_fit`` continues and a saved model resumes.

The data that feeds it is in ``_data.py``; its generators and devices in
``_random.py``.
"""

import copy
import functools
import math
import re
import sys

import torch
from skorch import NeuralNet
from skorch.callbacks import Callback, EarlyStopping, ProgressBar
from skorch.history import History
from skorch.utils import to_tensor

from ._data import BatchIterator, HoldOut
from ._random import follow_thread_limit, fused_adam_available, random_source, resolve_device

# Keys of ``net_params`` that estimator parameters control, by root key, and the
# parameters that control them (empty: skae sets it itself).
MANAGED_NET_PARAMS = {
    "module": (),
    "criterion": ("loss",),
    "max_epochs": ("max_epochs",),
    "batch_size": ("batch_size",),
    "lr": ("lr",),
    "device": ("device",),
    "verbose": ("verbose",),
    "warm_start": ("warm_start",),
    "train_split": ("early_stopping", "validation_fraction"),
    "dataset": (),
    "iterator_train": (),
    "iterator_valid": (),
}
# nested keys (root__sub) that estimator parameters control
MANAGED_NESTED_NET_PARAMS = {
    "optimizer__lr": ("lr",),
    "callbacks__print_log": ("verbose",),
    "callbacks__progress_bar": ("verbose",),
    "callbacks__keep_best_epoch": ("early_stopping", "n_iter_no_change", "tol"),
    "callbacks__stop_on_divergence": (),
}

# rows gathered at once when a whole pass needs no gradient (validation)
VALID_BATCH_ROWS = 1024


class StopTraining(Exception):
    """Raised by :class:`KeepBestEpoch` to end training early (not a KeyboardInterrupt)."""


class StopOnDivergence(Callback):
    """Raise a clear error as soon as a training batch's loss is NaN or infinite."""

    def on_batch_end(self, net, batch=None, training=False, loss=None, **kwargs):
        if training and not math.isfinite(loss.item()):
            raise ValueError(
                f"Training diverged: the loss became {loss.item()} in epoch "
                f"{len(net.history)}. The input is probably not scaled: scale it first "
                "(e.g. StandardScaler or MinMaxScaler in a Pipeline), or lower lr."
            )


class KeepBestEpoch(Callback):
    """Early stopping as in ``MLPClassifier``, keeping the best epoch's weights.

    An epoch counts as an improvement when its validation loss is lower
    than the best so far by more than ``tol`` (absolute); after ``patience``
    epochs in a row without one, training stops. Whatever stopped it, the
    weights kept at the end are those of the epoch with the lowest
    validation loss (``best_epoch_``, counted from 1).

    With ``cooldown`` (a fraction), training does not stop there: the learning
    rate first goes down to 0 along a cosine over ``cooldown`` times the epochs
    run so far (at least one), then training stops (a constant rate, then a short
    decay, as the "warmup-stable-decay" schedules of Hu et al., 2024). The
    cooldown starts early enough to end by ``max_epochs`` when the loss is still
    improving.
    """

    def __init__(self, patience, tol, cooldown=0.0):
        self.patience = patience
        self.tol = tol
        self.cooldown = cooldown

    def on_train_begin(self, net, **kwargs):
        self.best_loss_, self.best_epoch_, self.misses_ = math.inf, 0, 0
        self._best_state = None
        self.cooldown_ = None  # (first epoch, epochs, the rate it starts from) once it starts

    def on_epoch_end(self, net, **kwargs):
        loss, epoch = net.history[-1, "valid_loss"], len(net.history)
        self.misses_ = self.misses_ + 1 if loss > self.best_loss_ - self.tol else 0
        if loss < self.best_loss_:
            self.best_loss_, self.best_epoch_ = loss, epoch
            self._best_state = {
                k: v.detach().clone() for k, v in net.module_.state_dict().items()
            }
        if not self.cooldown:
            if self.misses_ >= self.patience:
                raise StopTraining
            return
        if self.cooldown_ is None and (
            self.misses_ >= self.patience or epoch * (1 + self.cooldown) >= net.max_epochs
        ):
            lr = net.optimizer_.param_groups[0]["lr"]
            self.cooldown_ = (epoch, max(1, math.ceil(self.cooldown * epoch)), lr)
        if self.cooldown_ is not None:
            start, length, lr = self.cooldown_
            done = epoch - start + 1
            if done > length:
                raise StopTraining
            for group in net.optimizer_.param_groups:
                group["lr"] = lr * 0.5 * (1 + math.cos(math.pi * done / length))

    def on_train_end(self, net, **kwargs):
        if self._best_state is not None:
            net.module_.load_state_dict(self._best_state)
        self._best_state = None  # no second copy of the weights kept (or pickled)


class TrimHistory(Callback):
    """Drop the per-batch records of each finished epoch from ``net.history``.

    They hold one entry per mini-batch (tens of thousands in a long fit);
    the per-epoch losses stay.
    """

    def on_epoch_end(self, net, **kwargs):
        net.history[-1].pop("batches", None)


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def print_plain(text, name=""):
    """Print skorch's epoch table, each line after ``name`` (the estimator, so that the
    lines of fits running side by side can be told apart), without its colour codes
    unless stdout is a terminal."""
    text = text if sys.stdout.isatty() else _ANSI.sub("", text)
    print("\n".join(f"{name}{line}" for line in text.split("\n")))


def verbose_name(est):
    """The prefix of ``est``'s verbose lines: its repr (the parameters set), on one line."""
    return f"[{' '.join(repr(est).split())}] "


class Net(NeuralNet):
    """skorch's NeuralNet trained on named loss terms.

    The loss-terms protocol: a module with a ``terms(x)`` method returns,
    for a batch, a dict of named tensors. ``terms["output"]`` is what the
    criterion compares with the target (a reconstruction, logits); the other
    entries are whatever the estimator's objective needs (the code, a mean
    and a log-variance, ...). ``objective(terms, training)`` returns a dict of
    named scalar losses added to the criterion's: a sparsity penalty, a KL
    divergence. ``terms["weight"]``, where given, weighs each entry of the target (0:
    not scored), handed to the criterion as its third argument. A module without
    ``terms`` is trained on ``forward``'s output alone. ``forward`` stays the
    inference path (the reconstruction, or the logits), so inference never sees the
    terms.
    """

    def __init__(self, *args, objective=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.objective = objective

    def infer(self, x, **fit_params):
        x = to_tensor(x, device=self.device)
        terms = getattr(self.module_, "terms", None)
        return terms(x, **fit_params) if terms is not None else self.module_(x, **fit_params)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        if not isinstance(y_pred, dict):
            return super().get_loss(y_pred, y_true, X=X, training=training)
        if "weight" in y_pred:  # each entry of the target weighed (0: not scored)
            loss = self.criterion_(y_pred["output"], y_true, y_pred["weight"])
        else:
            loss = super().get_loss(y_pred["output"], y_true, X=X, training=training)
        if self.objective is not None:
            for value in self.objective(y_pred, training).values():
                loss = loss + value
        return loss


def check_net_params(net_params, params, name="net_params", renames=None):
    """Refuse keys (nested ones too) that an estimator parameter already controls.

    ``params`` are the names of the estimator's parameters: the error names
    only those it has (``renames`` maps a net key to the parameters that
    control it for this ``name``, e.g. ``max_epochs`` -> ``("pretrain_epochs",)``).
    """
    renames = renames or {}
    for key in net_params or {}:
        root = key.split("__")[0]
        own = None
        if root in MANAGED_NET_PARAMS:
            own = renames.get(root, MANAGED_NET_PARAMS[root])
        for nested, names in MANAGED_NESTED_NET_PARAMS.items():
            if key == nested or key.startswith(nested + "__"):
                own = names
        if own is None:
            continue
        if own and all(n in params for n in own):
            listed = " and ".join(filter(None, (", ".join(own[:-1]), own[-1])))
            hint = f"set the estimator's {listed} instead"
        else:
            hint = "skae sets it itself"
        raise ValueError(f"{name} may not contain {key!r}: {hint}.")


def make_net(
    module, criterion, est, rng, *, max_epochs, net_params, stopping, stratify, objective
):
    """A skorch net for ``module`` with the estimator ``est``'s settings; ``stopping``: the
    settings of its :class:`KeepBestEpoch` (None: no early stopping).

    Every callback in ``net_params`` is copied, so that no two nets share
    one (a learning-rate schedule holds its optimizer).
    """
    net_params = copy.deepcopy(dict(net_params or {}))
    callbacks = [("stop_on_divergence", StopOnDivergence())]
    if est.verbose >= 2:
        callbacks.append(("progress_bar", ProgressBar()))
    callbacks += list(net_params.pop("callbacks", None) or [])
    callbacks.append(("trim_history", TrimHistory()))
    train_split = None
    if stopping is not None:
        # last, so that every other callback has seen the epoch before it stops
        train_split = HoldOut(est.validation_fraction, rng.numpy, stratify=stratify)
        callbacks.append(("keep_best_epoch", KeepBestEpoch(**stopping)))
    if est.verbose:
        net_params["callbacks__print_log__sink"] = functools.partial(
            print_plain, name=verbose_name(est))
    device = resolve_device(est.device)
    if "optimizer" not in net_params:
        net_params["optimizer"] = torch.optim.Adam
        if fused_adam_available(device):
            net_params.setdefault("optimizer__fused", True)
    return Net(
        module=module,
        criterion=criterion,
        lr=est.lr,
        batch_size=est.batch_size,
        max_epochs=max_epochs,
        device=device,
        train_split=train_split,
        iterator_train=BatchIterator,
        iterator_valid=BatchIterator,
        iterator_train__shuffle=True,
        iterator_train__random_state=rng.numpy,
        iterator_train__device=device,
        iterator_valid__device=device,
        iterator_valid__batch_size=max(est.batch_size, VALID_BATCH_ROWS),
        callbacks=callbacks,
        verbose=est.verbose,
        objective=objective,
        **net_params,
    )


def train(net, dataset, rng, epochs):
    """Run ``epochs`` epochs of ``net`` on ``dataset`` (an :class:`ArrayDataset`).

    As ``net.partial_fit`` does, except that a KeyboardInterrupt from the
    user propagates (skorch swallows it, since its own EarlyStopping stops
    training that way); early stopping, skae's or skorch's, still stops.
    """
    follow_thread_limit()
    with random_source(rng.torch):
        if not net.initialized_:
            net.initialize()
        net.notify("on_train_begin", X=dataset, y=None)
        try:
            net.fit_loop(dataset, None, epochs=epochs)
        except StopTraining:
            pass
        except KeyboardInterrupt:
            if not any(
                isinstance(cb, EarlyStopping) and getattr(cb, "misses_", 0) >= cb.patience
                for _, cb in net.callbacks_
            ):
                raise
        net.notify("on_train_end", X=dataset, y=None)
    net.module_.eval()
    return net


class _Trainer:
    """The one stream state: what a fit trains and what continues training.

    ``net`` is the skorch net (None when a fit makes no epoch), ``rng`` the fit's
    generators (the net's shuffling generator is ``rng.numpy``), ``module`` the
    network (the net's once it has trained), ``fitted`` the fitted attributes the
    fit decided, ``streaming`` whether it comes from ``partial_fit`` (a stream, saved
    with its optimizer), and, for a stream loaded from a file, ``resume``: the saved
    optimizer state and generators in place of the net.
    """

    def __init__(self, net, rng, streaming, resume=None, module=None, fitted=None):
        self.net, self.rng, self.streaming, self.resume = net, rng, streaming, resume
        self.module, self.fitted = module, fitted or {}

    def continues(self):
        """Whether ``partial_fit`` continues this stream's own net and generators."""
        return self.streaming and self.net is not None

    def copy(self, fitted):
        """A copy of the stream to continue (deepcopy keeps the net's link to ``rng``), so
        that a failed ``partial_fit`` leaves this one as it was."""
        net, rng = copy.deepcopy((self.net, self.rng))
        return _Trainer(net, rng, streaming=True, fitted=fitted)

    def resume_from(self, resume):
        """Load a saved stream's generators and optimizer state into this new one."""
        self.rng.set_state(resume["rng"])
        self.net.initialize()
        self.net.optimizer_.load_state_dict(resume["optimizer"])

    def train(self, dataset):
        """Run the net's epochs on ``dataset``; the history of this training."""
        if self.net is None:
            return History()
        done = len(self.net.history) if self.net.initialized_ else 0
        train(self.net, dataset, self.rng, self.net.max_epochs)
        self.module = self.net.module_
        return self.net.history[done:]
