"""What every skae estimator shares: THE fit sequence, inference, persistence.

:class:`_NetEstimator` holds the shared parameters and the one fit
sequence (check parameters, validate, seed, build the module, make the net,
train, set the fitted state); a concrete estimator adds its parameters and
one hook, ``_build_module``. :class:`_BaseAutoencoder` adds ``transform``,
``inverse_transform``, ``score`` and ``score_samples``; :class:`_PartialFitMixin`
adds ``partial_fit`` and ``warm_start`` to the autoencoders trained end to end.
"""

import contextlib
import copy
import warnings
from numbers import Integral, Real

import numpy as np
import torch
from skorch.history import History
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from ._training import (
    ArrayDataset,
    Randomness,
    as_tensor,
    check_net_params,
    draw_seed,
    make_net,
    resolve_device,
    train,
)
from .modules import ACTIVATIONS
from .noise import NOISE_CONSTRAINTS, check_noise_level, corruption_for

# Inference pushes chunks of rows through the network. A chunk holds about
# this many activations of the widest layer: a few MiB, large enough to keep
# the matrix products efficient, small enough to keep memory flat.
PREDICT_CHUNK_ACTIVATIONS = 2**19
# BLAS libraries pick other kernels (and so other float rounding) for one
# row, or for a ragged tail of rows; with the rows padded to a multiple of 4
# (or 8), the kernels checked here give each row the same result bit for bit
# whatever the number of rows. The smallest multiple that passes the probe
# on this machine is used (a smaller one makes a single row cheaper).
ROW_MULTIPLES = (4, 8)
# inputs of at most this many values may take the fast path of input checks
SMALL_INPUT = 2**16
# rows of the training data (evenly spaced) encoded to look for dead code units
DEAD_CODE_ROWS = 1024

LOSSES = ("mse", "bce")

# The code of an overcomplete autoencoder (n_components >= n_features), which
# latent_activation="auto" and sparsity="auto" pick: with no bottleneck, a
# linear code can copy its input; a sparse ReLU code, like an RBM's hidden
# units, cannot. Chosen on a validation split by `benchmarks/tune.py --task
# sparsity` (benchmarks/results/tune-digits.md); below that size, a linear
# code without penalty (the bottleneck is the regulariser).
OVERCOMPLETE = {"latent_activation": "relu", "sparsity": 0.03}
UNDERCOMPLETE = {"latent_activation": "identity", "sparsity": 0.0}


def chunk_rows(module):
    """Rows per inference chunk for ``module``: a power of two from 64 to 8192."""
    widths = [d for m in module.modules() if isinstance(m, torch.nn.Linear) for d in m.weight.shape]
    widest = max(widths + [getattr(module, "activation_width", 1)])
    return int(np.clip(2 ** int(np.log2(PREDICT_CHUNK_ACTIVATIONS / widest)), 64, 8192))


def padded(chunk, multiple):
    """``chunk`` with zero rows appended up to a multiple of ``multiple`` rows."""
    rows = chunk.shape[0]
    return torch.nn.functional.pad(chunk, (0, 0, 0, -rows % multiple))


def rows_are_independent(module, n_features, size, multiple, _known={}):
    """Whether ``module`` gives a row the same output, bit for bit, in any batch of
    up to ``size`` rows padded to a multiple of ``multiple``, on this machine.

    Checked by experiment: ``size`` random rows in one batch against the
    same rows in batches of other sizes. Kernels are chosen by shapes, so
    the answer is remembered per architecture, device and thread count.
    """
    device = next(module.parameters()).device
    key = (
        repr(module),
        tuple(p.shape for p in module.parameters()),
        str(device),
        torch.get_num_threads(),
        n_features,
        size,
        multiple,
    )
    if key not in _known:
        _known[key] = _probe(module, n_features, size, multiple, device)
    return _known[key]


def _probe(module, n_features, size, multiple, device):
    probe = torch.rand(size, n_features, generator=torch.Generator().manual_seed(0)).to(device)
    with torch.inference_mode():
        whole = module(probe)
        start = 0
        for rows in (1, 2, 3, 5, 7, 8, 9, 13, 31, 100, 257):
            part = padded(probe[start : start + rows], multiple)
            if not torch.equal(module(part)[:rows], whole[start : start + rows]):
                return False
            start += rows
    return True


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


class _NetEstimator(BaseEstimator):
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
    _width_params = ("hidden_sizes",)
    # fit continues from the fitted module (warm_start / partial_fit)
    _continues = False
    # the early-stopping split is stratified by the labels
    _stratify = False

    # --- hooks ----------------------------------------------------------------------------------

    def _build_module(self, X, y, rng):
        """The initialised network to train on ``X`` (and targets ``y``). One per architecture."""
        raise NotImplementedError

    def _criterion(self):
        return torch.nn.MSELoss

    def _encoder(self):
        return self.module_.encoder

    def _code_penalty(self, n_features):
        """Weight of the L1 penalty on the code while training (none by default)."""
        return 0.0

    # --- the fit sequence -----------------------------------------------------------------------

    def _check_params(self):
        """Checks that ``_parameter_constraints`` cannot express. Raises ValueError."""
        for name in self._width_params:
            sizes = getattr(self, name)
            if not all(
                isinstance(s, Integral) and not isinstance(s, bool) and s > 0 for s in sizes
            ):
                raise ValueError(
                    f"{name} must be a tuple of positive ints (layer widths), got {sizes!r}."
                )
        check_net_params(self.net_params)
        resolve_device(self.device)

    def _validate_fit_data(self, X, y, reset):
        """Checked training data and targets (None for autoencoders)."""
        return self._validate_X(X, reset=reset), None

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Train the network on ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data: a numeric array, memmap or DataFrame. Mini-batches
            are gathered from it by index; it is never copied whole.
        y : ignored by the autoencoders; the class labels for the classifier.

        Returns
        -------
        self : object
        """
        with unchanged_on_failure(self):
            self._check_params()
            warm = self._continues and self.warm_start and hasattr(self, "module_")
            X, targets = self._validate_fit_data(X, y, reset=not warm)
            rng = Randomness(draw_seed(self.random_state), resolve_device(self.device))
            if warm:
                module = copy.deepcopy(self.module_)
            else:
                # torch's layers draw default weights from the global generator as they
                # are built; the fit's own generator then redraws them (fork_rng keeps
                # the caller's global state as it was)
                with torch.random.fork_rng(devices=[]):
                    module = self._build_module(X, targets, rng)
            self._train(module, X, targets, rng, self.max_epochs, self.early_stopping, warm)
            self._streaming = False
        return self

    def _train(self, module, X, targets, rng, epochs, early_stopping, continued, net=None):
        """Train ``module`` (or continue ``net``) for ``epochs``; set the fitted state."""
        if epochs and net is None:
            net = self._make_net(module, rng, epochs, early_stopping, X.shape[1])
        history = History()
        if epochs:
            done = len(net.history) if net.initialized_ else 0
            train(net, ArrayDataset(X, targets), rng, epochs)
            module = net.module_
            history = net.history[done:]
        self._set_fitted(module, history, X, continued)
        if self._continues:
            self._net, self._rng = net, rng
            self.__dict__.pop("_resume", None)
        return self

    def _make_net(self, module, rng, epochs, early_stopping, n_features):
        """The skorch net that trains ``module`` with this estimator's settings."""
        return make_net(
            module,
            self._criterion(),
            self,
            rng,
            max_epochs=epochs,
            net_params=self.net_params,
            stratify=self._stratify,
            early_stopping=early_stopping,
            sparsity=self._code_penalty(n_features),
        )

    def _set_fitted(self, module, history, X, continued):
        module.eval()
        self.module_ = module
        losses = [float(h["train_loss"]) for h in history]
        valid = [-float(h["valid_loss"]) for h in history if "valid_loss" in h]
        if continued:
            self.n_iter_ += len(losses)
            self.loss_curve_ = self.loss_curve_ + losses
        else:
            self.n_iter_ = len(losses)
            self.loss_curve_ = losses
        self.history_ = history
        if valid:
            self.validation_scores_ = valid
            self.best_validation_score_ = max(valid)
            self.best_loss_ = None
        else:
            self.validation_scores_ = self.best_validation_score_ = None
            self.best_loss_ = min(self.loss_curve_) if self.loss_curve_ else None
        self._n_features_out = self.n_components
        self._prepare_inference()
        self._warn_dead_codes(X)

    def _prepare_inference(self):
        """Chunk size and padding of inference for the fitted module, on this machine."""
        self._chunk = chunk_rows(self.module_)
        self._device = next(self.module_.parameters()).device
        # where small batches round differently, every chunk is padded to the
        # full size: one shape, one kernel, the same rounding for every row
        self._pad_rows = next(
            (
                m
                for m in ROW_MULTIPLES
                if rows_are_independent(self.module_, self.n_features_in_, self._chunk, m)
            ),
            self._chunk,
        )

    def _warn_dead_codes(self, X):
        """ConvergenceWarning when more than half of the code units are constant on X.

        With a sparsity penalty, silent units are what the penalty asks for:
        then only a code that is constant as a whole is reported.
        """
        n = X.shape[0]
        if n < 10:
            return
        rows = np.linspace(0, n - 1, min(n, DEAD_CODE_ROWS)).astype(np.intp)
        Xs = X[rows]
        if np.all(Xs == Xs[:1]):
            return
        Z = self._forward(self._encoder(), Xs, self.n_components)
        constant = int(np.sum(np.ptp(Z, axis=0) <= 1e-6 * (1 + np.abs(Z).max(axis=0))))
        sparse = self._code_penalty(X.shape[1]) > 0
        if constant == self.n_components or (not sparse and constant > self.n_components / 2):
            warnings.warn(
                f"{constant} of the {self.n_components} code units of "
                f"{type(self).__name__} are constant on the training data (dead units): "
                "the codes carry little information. Lower lr, scale X (e.g. "
                "StandardScaler or MinMaxScaler), or try activation='leaky_relu'.",
                ConvergenceWarning,
            )

    # --- inference ------------------------------------------------------------------------------

    def _forward(self, module, X, n_out):
        """``module`` (a part of ``module_``, in evaluation mode) applied to the rows of
        ``X`` in chunks; float32 numpy out.

        A sample's output does not depend on the rows it comes with: every
        chunk is zero-padded to a multiple of 4 or 8 rows (``_pad_rows``), which on
        the kernels checked at fit time gives each row the same result
        whatever the chunk's size, or, where that check failed, to the one
        full chunk size.
        """
        device, size, pad_to = self._device, self._chunk, self._pad_rows
        out = np.empty((X.shape[0], n_out), dtype=np.float32)
        with torch.inference_mode():
            for start in range(0, X.shape[0], size):
                chunk = as_tensor(X[start : start + size], device)
                rows = chunk.shape[0]
                out[start : start + rows] = module(padded(chunk, pad_to))[:rows].cpu().numpy()
        return out

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

    # --- persistence ----------------------------------------------------------------------------

    def __getstate__(self):
        """Pickle the weights, not the optimizer: a fitted model pickles to about its weights.

        The module is pickled on the CPU, so a model fitted on a GPU loads on
        a machine without one. The optimizer state and the generators are
        kept only for a model in the middle of a ``partial_fit`` stream.
        """
        state = dict(super().__getstate__())  # a copy: object's is the live __dict__
        net, rng = state.pop("_net", None), state.pop("_rng", None)
        if net is not None and state.get("_streaming"):
            optimizer = optimizer_state_to_cpu(net.optimizer_.state_dict())
            state["_resume"] = {"optimizer": optimizer, "rng": rng.get_state()}
        for private in ("_chunk", "_pad_rows", "_device"):
            state.pop(private, None)
        module = state.get("module_")
        if module is not None and next(module.parameters()).device.type != "cpu":
            state["module_"] = copy.deepcopy(module).cpu()
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        if "module_" in state:
            if self.device in ("cuda", "auto") and torch.cuda.is_available():
                self.module_.to("cuda")
            self._prepare_inference()


class _EncoderMixin(TransformerMixin):
    """``transform`` = the encoder of ``module_``; float32 output.

    ``transform`` must be defined in a ``TransformerMixin`` subclass for
    ``set_output`` to wrap it.
    """

    def transform(self, X):
        """Encode ``X``: the code of each sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features_in_)

        Returns
        -------
        Z : ndarray of shape (n_samples, n_components), float32
        """
        X = self._validate_X(X)
        return self._forward(self._encoder(), X, self.n_components)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags


class _BaseAutoencoder(ClassNamePrefixFeaturesOutMixin, _EncoderMixin, _NetEstimator):
    """Autoencoders: ``module_`` is a :class:`skae.modules.AutoEncoder`;
    ``loss`` and ``output_activation`` say how reconstructions are scored."""

    _parameter_constraints = {
        **_NetEstimator._parameter_constraints,
        "loss": [StrOptions(set(LOSSES))],
        "output_activation": [StrOptions(set(ACTIVATIONS)), None],
    }

    def _check_params(self):
        super()._check_params()
        if self.loss == "bce" and self.output_activation not in (None, "sigmoid"):
            raise ValueError(
                "loss='bce' needs reconstructions in [0, 1]: use output_activation='sigmoid' "
                f"(or None, which picks it), not {self.output_activation!r}."
            )

    def _corruption(self, X):
        """The training-time corruption of the input: none for a plain autoencoder."""
        return None

    def _output_activation(self):
        if self.output_activation is None:
            return "sigmoid" if self.loss == "bce" else "identity"
        return self.output_activation

    def _criterion(self):
        return torch.nn.BCELoss if self.loss == "bce" else torch.nn.MSELoss

    def _validate_fit_data(self, X, y, reset):
        X = self._validate_X(X, reset=reset)
        if self.loss == "bce" and X.size and (X.min() < 0 or X.max() > 1):
            raise ValueError(
                "loss='bce' needs X in [0, 1] (it compares each feature to a "
                "probability): scale X first, e.g. with MinMaxScaler, or use loss='mse'."
            )
        return X, None

    def inverse_transform(self, X):
        """Decode codes back to the input space.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_components)
            Codes, as returned by :meth:`transform`.

        Returns
        -------
        X_reconstructed : ndarray of shape (n_samples, n_features_in_), float32
        """
        check_is_fitted(self)
        check_no_strings(X)
        Z = check_float32_range(check_array(X, dtype="numeric", input_name="X"))
        if Z.shape[1] != self.n_components:
            raise ValueError(
                f"X has {Z.shape[1]} features, but {type(self).__name__}.inverse_transform "
                f"is expecting {self.n_components} features (n_components) as input."
            )
        return self._forward(self.module_.decoder, Z, self.n_features_in_)

    def score_samples(self, X):
        """Negative mean squared reconstruction error of each sample (higher is better).

        The squared error whatever ``loss`` trained the network, so that
        scores compare across losses.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features_in_)

        Returns
        -------
        scores : ndarray of shape (n_samples,), float64
        """
        X = self._validate_X(X)
        reconstruction = self._forward(self.module_, X, X.shape[1])
        return -np.mean(np.square(reconstruction - X, dtype=np.float64), axis=1)

    def score(self, X, y=None):
        """Negative mean squared reconstruction error over ``X`` (higher is better).

        With it, ``GridSearchCV`` can choose sizes with no labels and no classifier.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features_in_)
        y : ignored

        Returns
        -------
        score : float
        """
        return float(np.mean(self.score_samples(X)))


class _CodeMixin:
    """``latent_activation`` and ``sparsity``, whose "auto" depends on the code's size."""

    _parameter_constraints = {
        "latent_activation": [StrOptions(set(ACTIVATIONS) | {"auto"})],
        "sparsity": [Interval(Real, 0, None, closed="left"), StrOptions({"auto"})],
    }

    def _code_setting(self, name, n_features):
        """The value of parameter ``name`` for ``n_features`` inputs, "auto" resolved."""
        value = getattr(self, name)
        if value != "auto":
            return value
        return (OVERCOMPLETE if self.n_components >= n_features else UNDERCOMPLETE)[name]

    def _code_penalty(self, n_features):
        return self._code_setting("sparsity", n_features)


class _NoiseMixin:
    """The ``noise`` and ``noise_level`` parameters, checked and applied once for all."""

    _parameter_constraints = NOISE_CONSTRAINTS

    def _check_params(self):
        super()._check_params()
        check_noise_level(self.noise, self.noise_level)

    def _corruption(self, X):
        return corruption_for(self.noise, self.noise_level, X)


class _PartialFitMixin:
    """``partial_fit`` and ``warm_start``, as in ``MLPRegressor``."""

    _continues = True

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None):
        """One pass over the block ``X``, continuing from the current state.

        The first call builds the network (as ``fit`` does, with
        ``random_state``); later calls check that ``X`` has the same
        features and continue with the same optimizer state and random
        generators, so that passes over the same data equal the epochs of
        ``fit``. Early stopping does not apply.

        A model whose last training was ``partial_fit`` pickles its optimizer
        state and generators too (for Adam, twice the weights more), so that
        a stream of blocks continues exactly after a trip through pickle,
        as dask-ml's ``Incremental`` makes between workers. A model fitted
        by ``fit`` pickles its weights only; ``partial_fit`` after unpickling
        it continues from those weights with a fresh optimizer.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored

        Returns
        -------
        self : object
        """
        with unchanged_on_failure(self):
            first = not hasattr(self, "module_")
            self._check_params()
            X, _ = self._validate_fit_data(X, None, reset=first)
            net = getattr(self, "_net", None)
            resume = getattr(self, "_resume", None)
            if net is None:  # first call, or unpickled: a new trainer and generators
                rng = Randomness(draw_seed(self.random_state), resolve_device(self.device))
                if first:
                    with torch.random.fork_rng(devices=[]):
                        module = self._build_module(X, None, rng)
                else:
                    module = copy.deepcopy(self.module_)
                if resume is not None:  # unpickled mid-stream: where the stream was
                    rng.set_state(resume["rng"])
                    net = self._make_net(module, rng, 1, False, X.shape[1]).initialize()
                    net.optimizer_.load_state_dict(resume["optimizer"])
                    module = None
            else:
                # continue on copies (the net's shuffling generator is rng.numpy, and
                # deepcopy keeps that link), so that a failure leaves the model as it was
                net, rng = copy.deepcopy((net, self._rng))
                module = None
            self._train(module, X, None, rng, 1, False, not first, net=net)
            self._streaming = True
        return self


def optimizer_state_to_cpu(state):
    """An optimizer's ``state_dict`` with its tensors on the CPU (loading moves them back)."""
    return {
        "state": {
            k: {n: v.cpu() if torch.is_tensor(v) else v for n, v in s.items()}
            for k, s in state["state"].items()
        },
        "param_groups": state["param_groups"],
    }


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
