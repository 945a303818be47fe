"""THE fit sequence of every skae estimator, its hooks, and the one trainer state.

:class:`_NetEstimator` holds the shared parameters and the one fit sequence:
check parameters, validate the data, seed, build the module, make the net,
train, set the fitted state (all fitted attributes in one place,
:meth:`_NetEstimator._set_fitted`). A concrete estimator adds its
parameters and implements one hook, ``_architecture``; a new training
objective is the hook ``_objective`` (see :mod:`skae.objectives`).
:class:`_PartialFitMixin` adds ``partial_fit`` and ``warm_start``.

Parameter constraints are declared by the class or mixin that introduces
each parameter and merged along the MRO at class creation; a parameter of
``__init__`` without a constraint is an error at import. Each class writes out
its docstring; the entries every estimator shares are substituted from
:mod:`skae._docs`.
"""

import contextlib
import copy
import inspect
import warnings
from numbers import Integral, Real

import numpy as np
import torch
from skorch.history import History
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning

from . import _docs
from ._checks import _InputChecks, check_widths
from ._inference import forward, prepare_inference
from ._persistence import restore, saved_state
from ._sklearn import Interval, StrOptions, _fit_context
from ._data import ArrayDataset
from ._random import Randomness, draw_seed, initialized, resolve_device
from ._training import check_net_params, make_net, train
from .modules import ACTIVATIONS

# rows of the training data (evenly spaced) encoded to look for dead code units
DEAD_CODE_ROWS = 1024


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


class _Trainer:
    """The one stream state: what continues training. The skorch net and the fit's
    generators, whether they come from ``partial_fit`` (a stream, which pickles with its
    optimizer), and, for a stream loaded from a file, the saved optimizer state and
    generators (``resume``) in place of the net."""

    def __init__(self, net, rng, streaming, resume=None):
        self.net, self.rng, self.streaming, self.resume = net, rng, streaming, resume


class _NetEstimator(_InputChecks, BaseEstimator):
    """Parameters, THE fit sequence, batched inference and pickling of all skae estimators."""

    _parameter_constraints = {
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "net_params": [dict, None],
        "device": [StrOptions({"cpu", "cuda", "auto"})],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }
    # parameters that are tuples of positive ints (layer widths)
    _width_params = ()
    # fit continues from the fitted module (warm_start / partial_fit)
    _continues = False
    # the early-stopping split is stratified by the labels
    _stratify = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        merged = {}
        for klass in reversed(cls.__mro__):
            merged.update(klass.__dict__.get("_parameter_constraints", {}))
        cls._parameter_constraints = merged
        if "__init__" in cls.__dict__:
            params = [p for p in inspect.signature(cls.__init__).parameters if p != "self"]
            missing = [p for p in params if p not in merged]
            if missing:
                raise TypeError(
                    f"{cls.__name__} has parameters without constraints: {missing}; declare "
                    "them in _parameter_constraints of the class or mixin that introduces them."
                )
            cls._parameter_constraints = {p: merged[p] for p in params}  # its own only
        _docs.substitute(cls)

    # --- hooks ----------------------------------------------------------------------------------

    def _architecture(self, n_features, corruption, fitted):
        """The untrained network for rows of ``n_features``. One per architecture.

        ``corruption`` is the training noise module (None: none); ``fitted`` the
        fitted attributes the network depends on (e.g. ``image_shape_``,
        ``layers_``, ``classes_``). Fitting initialises it (``_build_module``);
        loading a saved model fills it with the saved weights (see
        :mod:`skae._persistence`), so that no file holds a pickled network.
        """
        raise NotImplementedError

    def _build_module(self, X, y, rng, found):
        """The initialised network to train on ``X`` (and targets ``y``), and the
        fitted attributes it decides (a builder that trains parts first, the stacked
        layers, decides ``layers_``). ``found`` holds those found validating the data.
        """
        module = self._architecture(X.shape[1], self._corruption(X), found)
        return initialized(module, rng), {}

    def _weights_in_layers(self):
        """Whether ``module_`` is made of ``layers_``' own weights (nothing to save twice)."""
        return False

    def __getstate__(self):
        """The state to save: settings, fitted attributes, the weights as numpy arrays
        (``_persistence.saved_state``); pickle, joblib and ``skops.io`` all call it."""
        return saved_state(self, dict(super().__getstate__()))  # a copy of the live __dict__

    def __setstate__(self, state):
        """Load a saved state, checked, and rebuild the network (``_persistence.restore``)."""
        restore(self, state, super().__setstate__)

    def _corruption(self, X):
        """The training corruption of the input (see :mod:`skae.noise`); None: none."""
        return None

    def _criterion(self):
        return torch.nn.MSELoss

    def _objective(self, n_features):
        """Loss terms added to the criterion's (see :mod:`skae.objectives`); None: none."""
        return None

    def _encoder(self):
        return self.module_.encoder

    def _net_params(self):
        """The skorch settings of the training net: ``net_params`` and what the
        estimator adds to them (e.g. parameter groups, callbacks)."""
        return self.net_params

    def _fit_rows(self, targets):
        """The rows of ``X`` the net trains on (None: all), e.g. the labeled ones."""
        return None

    def _validate_fit_data(self, X, y, reset):
        """Checked training data, targets (None for autoencoders), and fitted attributes."""
        return self._validate_X(X, reset=reset), None, {}

    # --- the fit sequence -----------------------------------------------------------------------

    def _check_params(self):
        """Checks that ``_parameter_constraints`` cannot express. Raises ValueError."""
        for name in self._width_params:
            check_widths(name, getattr(self, name))
        check_net_params(self.net_params, self.get_params(deep=False))
        resolve_device(self.device)

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
            fitted_before = hasattr(self, "module_")
            continued = fitted_before and (incremental or (self._continues and self.warm_start))
            X, targets, found = self._validate_fit_data(X, y, reset=not continued)
            net, module, rng, fitted = self._start(X, targets, found, continued, incremental)
            history = History()
            if net is not None:
                done = len(net.history) if net.initialized_ else 0
                rows = self._fit_rows(targets) if targets is not None else None
                train(net, ArrayDataset(X, targets, index=rows), rng, net.max_epochs)
                module, history = net.module_, net.history[done:]
            self._set_fitted(module, history, X, fitted, continued, incremental)
            if self._continues:
                self._trainer = _Trainer(net, rng, streaming=incremental)
        return self

    def _start(self, X, targets, found, continued, incremental):
        """The net (None: no epochs), module, generators and fitted attributes this fit
        starts from: a stream continues on copies of its net and generators (the net's
        shuffling generator is ``rng.numpy``; deepcopy keeps that link), so that a failure
        leaves the model as it was; any other fit starts fresh generators from
        ``random_state`` and the fitted module (continued) or a new one."""
        trainer = getattr(self, "_trainer", None)
        streaming = trainer is not None and trainer.streaming
        if incremental and continued and streaming and trainer.net is not None:
            net, rng = copy.deepcopy((trainer.net, trainer.rng))
            return net, None, rng, found
        rng = Randomness(draw_seed(self.random_state), resolve_device(self.device))
        if continued:
            module, fitted = copy.deepcopy(self.module_), found
        else:
            # torch's layers draw default weights from the global generator as they are
            # built; the fit's own generator then redraws them (fork_rng keeps the
            # caller's global state as it was)
            with torch.random.fork_rng(devices=[]):
                module, decided = self._build_module(X, targets, rng, found)
            fitted = found | decided
        if incremental:
            net = self._make_net(module, rng, 1, False, X.shape[1])
            if streaming and trainer.resume is not None:  # loaded mid-stream
                rng.set_state(trainer.resume["rng"])
                net.initialize()
                net.optimizer_.load_state_dict(trainer.resume["optimizer"])
            return net, module, rng, fitted
        if not self.max_epochs:
            return None, module, rng, fitted
        net = self._make_net(module, rng, self._epochs(X.shape[0]), self.early_stopping,
                             X.shape[1])
        return net, module, rng, fitted

    def _epochs(self, n_samples):
        """The passes ``fit`` makes over ``n_samples`` rows: ``max_epochs``."""
        return self.max_epochs

    def _make_net(self, module, rng, epochs, early_stopping, n_features):
        """The skorch net that trains ``module`` with this estimator's settings."""
        return make_net(
            module,
            self._criterion(),
            self,
            rng,
            max_epochs=epochs,
            net_params=self._net_params(),
            stratify=self._stratify,
            early_stopping=early_stopping,
            objective=self._objective(n_features),
        )

    def _set_fitted(self, module, history, X, fitted, continued, incremental):
        """Every fitted attribute, in one place."""
        module.eval()
        self.__dict__.update(fitted)
        self.module_ = module
        losses = [float(h["train_loss"]) for h in history]
        start = self.n_iter_ if continued else 0  # the epochs before this training
        self.n_iter_ = start + len(losses)
        self.loss_curve_ = (self.loss_curve_ if continued else []) + losses
        self.history_ = history
        if not (incremental and continued):  # partial_fit adds nothing to fit's validation record
            scored = [(start + i, h) for i, h in enumerate(history, 1) if "valid_loss" in h]
            epochs = [epoch for epoch, _ in scored]
            valid = [-float(h["valid_loss"]) for _, h in scored]
            self.validation_scores_ = valid or None
            self.validation_epochs_ = epochs or None
            self.best_validation_score_ = max(valid) if valid else None
        if self.validation_scores_ is None:
            self.best_loss_ = min(self.loss_curve_) if self.loss_curve_ else None
        else:
            self.best_loss_ = None
        prepare_inference(self)
        self._finish_fit(X)

    def _finish_fit(self, X):
        """What a fit sets once the network is trained (``X`` its training data)."""
        self._n_features_out = self.n_components
        self._warn_dead_codes(X)

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
        Xs = X[rows]
        if np.all(Xs == Xs[:1]):
            return
        Z = forward(self, self._encoder(), Xs, self.n_components)
        dead = int(np.sum(np.ptp(Z, axis=0) <= 1e-6 * (1 + np.abs(Z).max(axis=0))))
        if dead > self.n_components / 2:
            warnings.warn(
                f"{dead} of the {self.n_components} code units of "
                f"{type(self).__name__} are constant on the training data (dead units): "
                "the codes carry little information. Lower lr, scale X (e.g. "
                "StandardScaler or MinMaxScaler), or try activation='leaky_relu'.",
                ConvergenceWarning,
            )


class _PartialFitMixin:
    """``partial_fit`` and ``warm_start``, as in ``MLPRegressor``."""

    _continues = True
    _parameter_constraints = {"warm_start": ["boolean"]}

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None):
        """One pass over the block ``X``, continuing from the current state.

        The first call builds the network (as ``fit`` does, with
        ``random_state``); later calls check that ``X`` has the same
        features and continue the stream with the same optimizer state and
        random generators, so that passes over the same data equal the
        epochs of ``fit``. ``partial_fit`` trains on every row of the
        block: it never holds rows out and never stops early, whatever
        ``early_stopping`` says (as in ``MLPRegressor``). It adds one entry
        to ``loss_curve_`` and one to ``n_iter_``, and nothing to
        ``validation_scores_``, which describes ``fit``'s epochs.

        After ``fit`` (or ``warm_start``), the stream starts with a fresh
        optimizer from the fitted weights, pickled or not. A model whose
        last training was ``partial_fit`` pickles its optimizer state and
        generators too (for Adam, twice the weights more), so that a stream
        of blocks continues exactly after a trip through pickle, as
        dask-ml's ``Incremental`` makes between workers.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            One block of training data.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The updated estimator.
        """
        return self._fit(X, None, incremental=True)
