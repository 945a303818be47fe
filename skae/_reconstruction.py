"""What the autoencoders share on top of :class:`skae._base._NetEstimator`: encoding,
decoding and reconstruction scores (:class:`_BaseAutoencoder`), and the code's settings
(plain functions the estimators call from their hooks)."""

import warnings
from functools import partial
from numbers import Integral, Real

import numpy as np
import torch

from ._base import _NetEstimator, auto_hidden
from ._checks import check_codes
from ._columns import category_frame, decode_rows, entry_errors, is_mixed, layout_of
from ._data import dense
from ._inference import forward
from ._sklearn import Interval, StrOptions, _get_output_config
from .modules import ACTIVATIONS
from .objectives import l1_code

LOSSES = ("mse", "bce")

# The layers and code of an overcomplete autoencoder (n_components >= n_features),
# which hidden_sizes, latent_activation, sparsity and top_k "auto" pick: with no
# bottleneck, a linear code can copy its input; one layer with a sparse ReLU code,
# like an RBM's hidden units, cannot. Chosen on validation splits of digits and
# shifted digits under three downstream protocols by `benchmarks/run.py tune-digits`
# (benchmarks/results/tune-digits.md; tests/test_benchmarks.py checks these against
# its choice); below that size, the textbook layers and a linear code without
# penalty (the bottleneck is the regulariser).
OVERCOMPLETE = {"hidden_sizes": (), "latent_activation": "relu", "sparsity": 0.03, "top_k": None}
UNDERCOMPLETE = {
    "hidden_sizes": (512, 256),  # for 64 inputs or more; fewer: auto_hidden
    "latent_activation": "identity",
    "sparsity": 0.0,
    "top_k": None,
}

# the parameter of the estimators that read tables with categorical columns
TABLE_CONSTRAINTS = {"categorical_features": [StrOptions({"from_dtype"}), "array-like", None]}

# the parameters of a code whose "auto" depends on its size (AE, DAE, conv AE)
CODE_CONSTRAINTS = {
    "latent_activation": [StrOptions(set(ACTIVATIONS) | {"auto"})],
    "sparsity": [Interval(Real, 0, None, closed="left"), StrOptions({"auto"})],
    "top_k": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"}), None],
}


class _BaseAutoencoder(_NetEstimator):
    """Autoencoders: ``module_`` is a :class:`skae.modules.AutoEncoder` (or a network with
    its ``encoder`` and ``decoder``); ``transform`` encodes, ``inverse_transform`` decodes,
    ``score_samples`` and ``score`` measure reconstructions. ``loss`` and
    ``output_activation`` say how reconstructions are trained."""

    _parameter_constraints = {
        **_NetEstimator._parameter_constraints,
        "n_components": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "activation": [StrOptions(set(ACTIVATIONS))],
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

    def _output_activation(self):
        if self.output_activation is None:
            return "sigmoid" if self.loss == "bce" else "identity"
        return self.output_activation

    def _criterion(self, fitted):
        if is_mixed(fitted):
            return super()._criterion(fitted)
        return torch.nn.BCELoss if self.loss == "bce" else torch.nn.MSELoss

    def _validate_fit_data(self, X, y, reset):
        X, _, fitted = self._read_fit_data(X, reset=reset)
        if is_mixed(fitted) and (self.loss != "mse" or self._output_activation() != "identity"):
            raise ValueError(
                f"{type(self).__name__} reads a table with categorical columns: it scores "
                "each number by its squared error and each category by its cross-entropy, "
                "so loss='bce' and an output_activation other than None/'identity' do not "
                "apply. Leave them at their defaults, or encode the categories yourself."
            )
        if self.loss == "bce" and X.size and (X.min() < 0 or X.max() > 1):
            raise ValueError(
                "loss='bce' needs X in [0, 1] (it compares each feature to a "
                "probability): scale X first, e.g. with MinMaxScaler, or use loss='mse'."
            )
        return X, None, fitted

    def transform(self, X):
        """Encode ``X``: the code of each sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The samples to encode.

        Returns
        -------
        Z : ndarray of shape (n_samples, n_components), float32
            The codes.
        """
        X = self._validate_X(X)
        return forward(self, self._encoder(), X, self.n_components_)

    def inverse_transform(self, X):
        """Decode codes back to the input space.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_components)
            Codes, as returned by :meth:`transform`.

        Returns
        -------
        X_reconstructed : ndarray of shape (n_samples, n_features)
            The decoded rows, float32. On a table with categorical columns, an object
            array of the input's kinds: each categorical column its most probable
            category, each numeric column a number in the input's units; under
            ``set_output(transform="pandas")`` (or "polars") a DataFrame with the input's
            column names, the categorical columns of category dtype.
        """
        Z = check_codes(self, X, self.n_components_)
        if not is_mixed(self.__dict__):
            return forward(self, self.module_.decoder, Z, self.n_features_in_)
        output = forward(self, self.module_.decoder, Z, layout_of(self.__dict__).width)
        rows = decode_rows(output, self.__dict__)
        flavor = _get_output_config("transform", self)["dense"]
        if flavor in ("pandas", "polars"):
            names = getattr(self, "feature_names_in_", None)
            names = [f"x{i}" for i in range(self.n_features_in_)] if names is None else names
            return category_frame(rows, self.__dict__, list(names), flavor)
        return rows

    def _entry_errors(self, X):
        """Each entry's reconstruction error, float64 (n_samples, n_features): on a mixed
        table the standardized squared error of a number and the cross-entropy of a
        category (NaN where missing, see :func:`skae._columns.entry_errors`); else the
        squared error. ``X`` as :meth:`_validate_X` gives it."""
        if is_mixed(self.__dict__):
            layout, module = layout_of(self.__dict__), self.module_
            errors = forward(self, lambda x: entry_errors(module(x), x, layout), X, X.shape[1])
            return errors.astype(np.float64)
        X = dense(X)  # a sparse block of rows: the caller passes one inference chunk at a time
        reconstruction = forward(self, self.module_, X, X.shape[1])
        return np.square(reconstruction - X, dtype=np.float64)

    def score_samples(self, X):
        """Negative mean reconstruction error of each sample (higher is better).

        The squared error whatever ``loss`` trained the network, so that
        scores compare across losses. On a table with categorical columns,
        the mean over each row's observed entries of each number's squared
        error in standard deviations (the network reads the numbers
        standardized) and each category's cross-entropy (in nats): a wrong
        category costs about as much as a number two or three standard
        deviations off.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The samples to score.

        Returns
        -------
        scores : ndarray of shape (n_samples,), float64
            Higher for samples the network reconstructs better.
        """
        X = self._validate_X(X)
        if is_mixed(self.__dict__):
            with warnings.catch_warnings():  # a row with no observed entry: NaN
                warnings.simplefilter("ignore", RuntimeWarning)
                return -np.nanmean(self._entry_errors(X), axis=1)
        if hasattr(X, "tocsr"):  # one chunk of rows densified at a time, never the whole X
            step = self._chunk
            return -np.concatenate([self._entry_errors(X[start : start + step]).mean(axis=1)
                                    for start in range(0, X.shape[0], step)])  # fmt: skip
        reconstruction = forward(self, self.module_, X, X.shape[1])
        return -np.mean(np.square(reconstruction - X, dtype=np.float64), axis=1)

    def score(self, X, y=None):
        """Negative mean squared reconstruction error over ``X`` (higher is better).

        With it, ``GridSearchCV`` can choose sizes with no labels and no classifier.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The samples to score.
        y : None
            Ignored.

        Returns
        -------
        score : float
            The mean of :meth:`score_samples`.
        """
        return float(np.mean(self.score_samples(X)))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float32"]
        tags.input_tags.sparse = True
        return tags


def code_setting(est, name, n_features):
    """The value of ``est``'s parameter ``name`` for ``n_features`` inputs, "auto" resolved
    (see ``OVERCOMPLETE`` and ``UNDERCOMPLETE``)."""
    value = getattr(est, name)
    if value != "auto":
        return value
    if est._code_size(n_features) >= n_features:
        return OVERCOMPLETE[name]
    if name == "hidden_sizes":
        return auto_hidden(n_features)
    return UNDERCOMPLETE[name]


def check_top_k(est):
    """``top_k`` must not keep more units than the code has."""
    if est.top_k not in (None, "auto") and est.n_components != "auto" and \
            est.top_k > est.n_components:  # fmt: skip
        raise ValueError(
            f"top_k={est.top_k} keeps more units than the code has "
            f"(n_components={est.n_components}): use top_k <= n_components, or None."
        )


def sparse_code(est, n_features):
    """The L1 penalty on the code that ``sparsity`` asks for (an objective), or None."""
    weight = code_setting(est, "sparsity", n_features)
    return partial(l1_code, weight=weight) if weight else None
