"""The base of every skae estimator that trains a network: its hooks, then its fit sequence.

Read it top to bottom. :class:`_NetEstimator` first declares, in one block,
every hook and flag the fit sequence reads, each with what it is for and
when it is called; an estimator must implement ``_architecture`` (abstract)
and may override the others. Then comes the one fit sequence, ``fit`` and
``partial_fit`` through ``_fit(X, y, *, incremental)``::

    _check_params -> _validate_fit_data -> _start (a stream: started or continued)
    -> stream.train -> _set_fitted

as in scikit-learn's MLP (``fit`` -> ``_fit`` -> ``_validate_input`` ->
``_initialize`` -> ``_fit_stochastic``). What continues training (the skorch
net and the fit's generators) is one object, :class:`skae._training._Trainer`.

A new architecture is one ``nn.Module`` (``skae/modules.py``) and one
``_architecture``; a new training objective is one function
(``skae/objectives.py``) returned by ``_objective``. Each estimator writes out
its parameters, its whole ``_parameter_constraints`` (merged explicitly with
``_NetEstimator._parameter_constraints``) and its docstring; the entries every
estimator shares are substituted from :mod:`skae._docs` by the visible
decorator ``@_docs.substitute``.
"""

import contextlib
import copy
import warnings
from abc import ABCMeta, abstractmethod
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import check_is_fitted

from ._checks import check_input, check_widths, refuse_bools, validate_args
from ._columns import ColumnLoss, input_width, is_mixed, layout_of, read_table, table_mask
from ._data import ArrayDataset, dense
from ._inference import forward, prepare_inference
from ._persistence import restore, saved_state
from ._random import Randomness, draw_seed, initialized, resolve_device
from ._sklearn import Interval, _fit_context, _generate_get_feature_names_out
from ._training import _Trainer, check_net_params, make_net

# rows of the training data (evenly spaced) encoded to look for dead code units
DEAD_CODE_ROWS = 1024


def auto_components(width):
    """``n_components="auto"``: half the network's input width, from 1 to 32 (32 for every
    image of 64 pixels or more, as before "auto" existed; 13 for a table one-hot encoded
    into 26 columns)."""
    return max(1, min(32, width // 2))


def auto_hidden(width):
    """``hidden_sizes="auto"`` below the input width: eight and four times the input width,
    at most 512 and 256 (the Fashion-MNIST widths, kept for every input of 64 or more) and
    at least 128 and 64 (narrower nets train too slowly in the default 10 passes)."""
    return (min(512, max(128, 8 * width)), min(256, max(64, 4 * width)))


@contextlib.contextmanager
def unchanged_on_failure(est):
    """Restore ``est.__dict__`` if the body raises: a failed fit damages nothing.

    KeyboardInterrupt included: an interrupted fit leaves the estimator as it was.
    """
    saved = dict(est.__dict__)
    try:
        yield
    except BaseException:
        est.__dict__.clear()
        est.__dict__.update(saved)
        raise


class _NetEstimator(TransformerMixin, BaseEstimator, metaclass=ABCMeta):
    """The training parameters, hooks and fit sequence of every skae network estimator."""

    # the parameters every network estimator has; each estimator merges them into its own,
    # in the open: {**_NetEstimator._parameter_constraints, "hidden_sizes": [...], ...}
    _parameter_constraints = {
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "net_params": [dict, None],
        "device": [str, torch.device],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    # --- the hooks and flags the fit sequence reads, in the order it reads them --------------

    #: Parameters that are tuples of layer widths (positive ints, or "auto"): checked by
    #: ``_check_params``.
    _width_params = ()
    #: Whether ``fit`` with ``warm_start=True`` continues from the fitted network (the
    #: estimators with ``partial_fit``); their last stream is kept for ``partial_fit``.
    _continues = False
    #: Whether early stopping's held-out split is stratified by the targets (the classifier).
    _stratify = False

    def _check_params(self):
        """Called first by every fit, after sklearn's ``_parameter_constraints``: the
        checks those cannot express (widths, ``net_params``, the device). Raises
        ValueError; an override calls ``super()._check_params()``."""
        for name in self._width_params:
            check_widths(name, getattr(self, name))
        check_net_params(self.net_params, self.get_params(deep=False))
        resolve_device(self.device)

    def _validate_fit_data(self, X, y, reset):
        """Called second: the checked training data, the targets the net trains on (None
        for an autoencoder) and the fitted attributes decided from the data (a dict).
        ``reset`` is False when the fit continues a fitted model (same features)."""
        return self._read_fit_data(X, reset=reset)

    @abstractmethod
    def _architecture(self, n_features, corruption, fitted):
        """The untrained network for rows of ``n_features``: THE hook of an architecture.

        ``corruption`` is the training noise module (None: none); ``fitted`` the
        fitted attributes the network depends on (e.g. ``image_shape_``,
        ``layers_``, ``classes_``). Called when a fit starts a new network (through
        ``_build_module``) and when a saved model is loaded: the loaded network is
        this one filled with the saved weights, so that no file holds a pickled
        network (see :mod:`skae._persistence`).
        """

    def _build_module(self, X, y, rng, found):
        """Called when a fit starts a new network: the network initialised from the fit's
        generators, and the fitted attributes it decides (a dict). ``found`` holds those
        ``_validate_fit_data`` decided. The stacked estimators override it to pretrain
        their layers first (deciding ``layers_``)."""
        module = self._architecture(X.shape[1], self._corruption(X, found), found)
        return initialized(module, rng), {}

    def _corruption(self, X, fitted):
        """The training corruption module for training data ``X`` (see :mod:`skae.noise`;
        ``fitted`` says which columns are categorical); None: none. Called by
        ``_build_module`` and when a saved model is loaded."""
        return None

    def _epochs(self, n_samples):
        """The passes ``fit`` makes over ``n_samples`` rows: ``max_epochs``."""
        return self.max_epochs

    def _stopping(self, n_samples):
        """The early stopping of a fit on ``n_samples`` rows: the settings of
        ``_training.KeepBestEpoch`` (patience in epochs, ``tol``, cooldown), or None for
        none (``early_stopping=False``)."""
        if not self.early_stopping:
            return None
        return {"patience": self._patience(n_samples), "tol": self.tol}

    def _patience(self, n_samples):
        """The epochs without improvement that early stopping and the convergence warning
        wait for, on ``n_samples`` rows: ``n_iter_no_change``."""
        return self.n_iter_no_change

    def _criterion(self, fitted):
        """The loss (a class or a module) skorch compares the network's output with the
        targets by: on a mixed table (``fitted``), each column by its kind (see
        :func:`skae._columns.column_loss`); else the squared error."""
        return ColumnLoss(layout_of(fitted)) if is_mixed(fitted) else torch.nn.MSELoss

    def _objective(self, width):
        """Loss terms added to the criterion's (see :mod:`skae.objectives`) for a network
        reading ``width`` inputs; None: none."""
        return None

    def _net_params(self, epochs, stopping):
        """The skorch settings of the training net (``epochs`` passes, ``stopping`` what
        ``_stopping`` gave): ``net_params`` and what the estimator adds to them (parameter
        groups, callbacks)."""
        return self.net_params

    def _fit_rows(self, targets):
        """The rows of ``X`` the net trains on (None: all), e.g. the labeled ones."""
        return None

    def _finish_fit(self, X):
        """Called last, once the trained network is in ``module_`` and ready for inference:
        what a fit sets from it (``X`` its training data). By default the output width and
        the dead-code check."""
        self._n_features_out = self.n_components_
        self._warn_dead_codes(X)

    def _encoder(self):
        """The part of ``module_`` that ``transform`` applies."""
        return self.module_.encoder

    def _weights_in_layers(self):
        """Whether ``module_`` is made of ``layers_``' own weights (saved once, with them)."""
        return False

    # --- the fit sequence ------------------------------------------------------------------------

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Train the network on ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data: a numeric array, memmap or DataFrame. Mini-batches
            are gathered from it by index; it is never copied whole.
        y : None
            Ignored by the autoencoders; the class labels for the classifier.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit(X, y, incremental=False)

    def _fit(self, X, y, *, incremental):
        """THE fit sequence, for ``fit`` and (``incremental``: one pass, no early
        stopping, continuing the stream) ``partial_fit``, as in sklearn's MLP."""
        with unchanged_on_failure(self):
            self._check_params()
            warm = hasattr(self, "module_") and (
                incremental or (self._continues and self.warm_start))  # fmt: skip
            X, targets, fitted = self._validate_fit_data(X, y, reset=not warm)
            if not warm:
                fitted = fitted | self._sizes(X.shape[1], fitted)
            stream = self._start(X, targets, fitted, warm, incremental)
            rows = self._fit_rows(targets) if targets is not None else None
            history = stream.train(ArrayDataset(X, targets, index=rows))
            self._set_fitted(stream, history, X, warm, incremental)
        return self

    def _start(self, X, targets, fitted, warm, incremental):
        """The stream this fit trains: a ``partial_fit`` stream continues on copies of its
        net and generators (so that a failure leaves the model as it was); any other fit
        starts fresh generators from ``random_state`` and trains the fitted network
        (``warm``) or a new one."""
        previous = getattr(self, "_trainer", None)
        if incremental and warm and previous is not None and previous.continues():
            return previous.copy(fitted)
        rng = Randomness(draw_seed(self.random_state), resolve_device(self.device))
        if warm:
            module = copy.deepcopy(self.module_)
        else:
            # torch's layers draw default weights from the global generator as they are
            # built; the fit's own generator then redraws them (fork_rng keeps the
            # caller's global state as it was)
            with torch.random.fork_rng(devices=[]):
                module, decided = self._build_module(X, targets, rng, fitted)
            fitted = fitted | decided
        epochs = 1 if incremental else self._epochs(X.shape[0])
        stopping = None if incremental else self._stopping(X.shape[0])
        net = None
        fitted_now = fitted if not warm else self.__dict__ | fitted
        if epochs:
            net = make_net(
                module, self._criterion(fitted_now), self, rng,
                max_epochs=epochs,
                net_params=self._net_params(epochs, stopping),
                stratify=self._stratify,
                stopping=stopping,
                objective=self._objective(input_width(fitted_now, X.shape[1])),
            )  # fmt: skip
        stream = _Trainer(net, rng, streaming=incremental, module=module, fitted=fitted)
        if incremental and previous is not None and previous.resume is not None:
            stream.resume_from(previous.resume)  # a stream loaded from a file, mid-way
        return stream

    def _set_fitted(self, stream, history, X, warm, incremental):
        """Every fitted attribute, in one place."""
        module = stream.module
        module.eval()
        self.__dict__.update(stream.fitted)
        self.module_ = module
        self.device_ = str(next(module.parameters()).device)
        losses = [float(h["train_loss"]) for h in history]
        start = self.n_iter_ if warm else 0  # the epochs before this training
        self.n_iter_ = start + len(losses)
        self.loss_curve_ = (self.loss_curve_ if warm else []) + losses
        self.history_ = history
        if not (incremental and warm):  # partial_fit adds nothing to fit's validation record
            scored = [(start + i, h) for i, h in enumerate(history, 1) if "valid_loss" in h]
            valid = [-float(h["valid_loss"]) for _, h in scored]
            self.validation_scores_ = valid or None
            self.validation_epochs_ = [epoch for epoch, _ in scored] or None
            self.best_validation_score_ = max(valid) if valid else None
        if self.validation_scores_ is None:
            self.best_loss_ = min(self.loss_curve_) if self.loss_curve_ else None
        else:
            self.best_loss_ = None
        if stream.net is not None and not incremental:
            self._warn_unconverged(losses, stream.net.max_epochs, X.shape[0])
        if self._continues:
            self._trainer = stream
        prepare_inference(self)
        self._finish_fit(X)

    # --- what a fit warns about ------------------------------------------------------------------

    def _warn_unconverged(self, losses, epochs, n_samples):
        """ConvergenceWarning when ``fit`` ran all its ``epochs`` (no early stop) and the
        training loss was still falling, as MLPClassifier warns at ``max_iter``.

        Still falling: the last epoch's loss is below the lowest loss of the epochs
        before the last ``n_iter_no_change`` by more than ``tol`` relative to it (the
        rule of MLPClassifier's stopping, on the training loss; ``n_samples``: the rows
        of the fit)."""
        patience = self._patience(n_samples)
        if len(losses) < epochs or len(losses) <= patience:
            return
        before = min(losses[: -patience])
        if losses[-1] < before - self.tol * abs(before):
            warnings.warn(
                f"{type(self).__name__} ran its {epochs} epochs and the training loss was "
                f"still falling ({before:.4g} -> {losses[-1]:.4g} over the last "
                f"{patience}): the network has not converged. Raise max_epochs, "
                "or set early_stopping=True to stop when the held-out loss stops improving.",
                ConvergenceWarning,
            )

    def _warn_dead_codes(self, X):
        """ConvergenceWarning when more than half of the code units are dead.

        A unit is dead when it is constant on every training row checked (up
        to 1,024, evenly spaced): it carries nothing. A unit silent on some
        rows only is sparse, which a sparsity penalty asks for; that is fine.
        """
        n = X.shape[0]
        if n < 10:
            return
        rows = np.linspace(0, n - 1, min(n, DEAD_CODE_ROWS)).astype(np.intp)
        Xs = dense(X[rows])
        if np.array_equal(Xs, np.broadcast_to(Xs[:1], Xs.shape), equal_nan=True):
            return
        Z = forward(self, self._encoder(), Xs, self.n_components_)
        dead = int(np.sum(np.ptp(Z, axis=0) <= 1e-6 * (1 + np.abs(Z).max(axis=0))))
        if dead > self.n_components_ / 2:
            warnings.warn(
                f"{dead} of the {self.n_components_} code units of "
                f"{type(self).__name__} are constant on the training data (dead units): "
                "the codes carry little information. Lower lr, scale X (e.g. "
                "StandardScaler or MinMaxScaler), or try activation='leaky_relu'.",
                ConvergenceWarning,
            )

    # --- input, output names, saving -------------------------------------------------------------

    def _validate_X(self, X, y="no_validation", reset=False):
        """The one input check of a fitted estimator (:func:`skae._checks.check_input`),
        on a mixed table :func:`skae._columns.read_table` with the fitted schema; with
        ``y``, ``(X, y)``."""
        if not reset and is_mixed(self.__dict__):
            check_is_fitted(self)
            out = read_table(self, X, y)
            return out[0] if isinstance(y, str) else out[:2]
        return check_input(self, X, y, reset=reset)

    def _read_fit_data(self, X, y="no_validation", reset=True):
        """The training data as the network reads it, and the fitted attributes of its
        columns (a dict): a numeric table checked as it is (no attribute), a mixed one
        (``categorical_features``) as codes (``categorical_``, ``categories_``, ``mean_``,
        ``scale_``: see :func:`skae._columns.read_table`). With ``y``: ``(X, y, fitted)``."""
        categorical = table_mask(self, X) if reset else None
        if categorical is None and (reset or not is_mixed(self.__dict__)):
            out = check_input(self, X, y, reset=reset)
            return (out, None, {}) if isinstance(y, str) else (*out, {})
        out = read_table(self, X, y, reset=reset, categorical=categorical)
        return (out[0], None, out[1]) if isinstance(y, str) else out

    def _sizes(self, n_features, fitted):
        """The sizes a fit decides from the data: ``n_components_``, ``n_components``
        with "auto" resolved for the network's input width (see ``auto_components``)."""
        if not hasattr(self, "n_components"):
            return {}
        return {"n_components_": self._code_size(input_width(fitted, n_features))}

    def _hidden(self, width):
        """``hidden_sizes`` for ``width`` inputs, "auto" resolved (``auto_hidden``)."""
        return auto_hidden(width) if self.hidden_sizes == "auto" else tuple(self.hidden_sizes)

    def _code_size(self, width):
        """``n_components`` for ``width`` inputs, "auto" resolved (``auto_components``)."""
        return auto_components(width) if self.n_components == "auto" else self.n_components

    def _validate_params(self):
        """sklearn's check of ``_parameter_constraints``, and bools refused where numbers
        are asked for (``_sklearn``'s ``Interval(Integral)`` accepts True)."""
        super()._validate_params()
        refuse_bools(self)

    @validate_args(input_features=["array-like", None])
    def get_feature_names_out(self, input_features=None):
        """Names of the output features: the class name in lower case and a number.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Ignored but for a check against ``feature_names_in_``.

        Returns
        -------
        feature_names_out : ndarray of str objects
            ``["aetransformer0", "aetransformer1", ...]``, as PCA names its components.
        """
        check_is_fitted(self, "_n_features_out")
        return _generate_get_feature_names_out(self, self._n_features_out, input_features)

    def __getstate__(self):
        """The state to save: settings, fitted attributes, the weights as numpy arrays
        (``_persistence.saved_state``); pickle, joblib and ``skops.io`` all call it."""
        return saved_state(self, dict(super().__getstate__()))  # a copy of the live __dict__

    def __setstate__(self, state):
        """Load a saved state, checked, and rebuild the network (``_persistence.restore``)."""
        restore(self, state, super().__setstate__)
