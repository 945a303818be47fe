"""What every skae estimator shares.

:class:`_NetEstimator` holds the parameters, their validation, seeding and
the batched forward pass through a trained network. :class:`_BaseAutoencoder`
adds ``transform``, ``inverse_transform``, ``score`` and ``score_samples``;
the concrete autoencoders only say how to build and train their network.
"""

import contextlib
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from ._training import check_net_params, resolve_device
from .modules import ACTIVATIONS

# transform, predict and friends push fixed-size chunks of rows through the
# network, the last one padded with zeros: BLAS picks its kernel (and so its
# float rounding) by matrix shape, and with one fixed shape per model a
# sample's output is bit-for-bit the same whichever other samples it is
# transformed with. A chunk holds about this many activations of the widest
# layer: a few MiB, large enough to keep the matrix products efficient.
PREDICT_CHUNK_ACTIVATIONS = 2**20


def chunk_rows(module):
    """Rows per chunk for ``module``: a power of two from 256 to 8192."""
    widths = [d for m in module.modules() if isinstance(m, torch.nn.Linear) for d in m.weight.shape]
    return int(np.clip(2 ** int(np.log2(PREDICT_CHUNK_ACTIVATIONS / max(widths))), 256, 8192))


@contextlib.contextmanager
def unchanged_on_failure(est):
    """Restore ``est.__dict__`` if the body raises: a failed fit damages nothing."""
    saved = dict(est.__dict__)
    try:
        yield
    except BaseException:
        est.__dict__.clear()
        est.__dict__.update(saved)
        raise


class _NetEstimator(BaseEstimator):
    """Parameters, validation and batched inference shared by all skae estimators."""

    _parameter_constraints = {
        "hidden_sizes": [tuple, list],
        "latent_dim": [Interval(Integral, 1, None, closed="left")],
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

    def _check_params(self):
        """Validate what ``_parameter_constraints`` cannot express. Raises ValueError."""
        self._validate_params()
        sizes = self.hidden_sizes
        if not all(isinstance(s, Integral) and not isinstance(s, bool) and s > 0 for s in sizes):
            raise ValueError(
                "hidden_sizes must be a tuple of positive ints (the widths of the "
                f"encoder's hidden layers, before the code), got {sizes!r}."
            )
        noise = getattr(self, "noise", None)
        if noise is not None:
            level = self.noise_level
            if noise != "gaussian" and not 0 <= level < 1:
                raise ValueError(
                    f"noise_level is the fraction of corrupted entries for noise={noise!r} "
                    f"and must lie in [0, 1), got {level!r}."
                )
        check_net_params(self.net_params)
        resolve_device(self.device)

    def _forward(self, module, X, n_out):
        """``module`` (a part of ``net_.module_``, in evaluation mode) applied to
        the rows of ``X`` in batches; float32 numpy out."""
        device = self.net_.device
        self.net_.module_.eval()
        size = chunk_rows(self.net_.module_)
        out = np.empty((X.shape[0], n_out), dtype=np.float32)
        with torch.inference_mode():
            for start in range(0, X.shape[0], size):
                chunk = _as_tensor(X[start : start + size], device)
                rows = chunk.shape[0]
                chunk = torch.nn.functional.pad(chunk, (0, 0, 0, size - rows))
                out[start : start + rows] = module(chunk)[:rows].cpu().numpy()
        return out

    @property
    def module_(self):
        """The trained network, ``net_.module_``."""
        check_is_fitted(self)
        return self.net_.module_

    def _fitted(self, net):
        """Set the fitted attributes from a trained skorch ``net``."""
        net.module_.eval()
        self.net_ = net
        self.n_iter_ = len(net.history)
        self.loss_curve_ = [float(v) for v in net.history[:, "train_loss"]] if net.history else []
        self._n_features_out = self.latent_dim
        return self

    def _validate_X(self, X, y="no_validation", reset=False):
        """sklearn's input checks (and, unless ``reset``, the fitted check).

        With ``y`` given, returns ``(X, y)`` checked together, as
        ``validate_data`` does. Numeric input is kept in its dtype and cast to
        float32 batch by batch, so that transforming a large float64 array
        costs no float32 copy of it.
        """
        if not reset:
            check_is_fitted(self)
        check_no_strings(X)
        out = validate_data(self, X, y, reset=reset, dtype="numeric")
        if isinstance(out, tuple):
            return check_float32_range(out[0]), out[1]
        return check_float32_range(out)


class _EncoderMixin(TransformerMixin):
    """``transform`` = the encoder of ``net_.module_``; float32 output.

    ``transform`` must be defined in a ``TransformerMixin`` subclass for
    ``set_output`` to wrap it.
    """

    def transform(self, X):
        """Encode ``X``: the latent code of each sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features_in_)

        Returns
        -------
        Z : ndarray of shape (n_samples, latent_dim), float32
        """
        X = self._validate_X(X)
        return self._forward(self.net_.module_.encoder, X, self.latent_dim)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags


class _BaseAutoencoder(ClassNamePrefixFeaturesOutMixin, _EncoderMixin, _NetEstimator):
    """transform / inverse_transform / score for estimators whose ``net_.module_``
    is a :class:`skae.modules.AutoEncoder`."""

    def inverse_transform(self, X):
        """Decode codes back to the input space.

        Parameters
        ----------
        X : array-like of shape (n_samples, latent_dim)
            Codes, as returned by :meth:`transform`.

        Returns
        -------
        X_reconstructed : ndarray of shape (n_samples, n_features_in_), float32
        """
        check_is_fitted(self)
        check_no_strings(X)
        Z = check_float32_range(check_array(X, dtype="numeric", input_name="X"))
        if Z.shape[1] != self.latent_dim:
            raise ValueError(
                f"X has {Z.shape[1]} features, but {type(self).__name__}.inverse_transform "
                f"is expecting {self.latent_dim} features (latent_dim) as input."
            )
        return self._forward(self.net_.module_.decoder, Z, self.n_features_in_)

    def score_samples(self, X):
        """Negative mean squared reconstruction error of each sample (higher is better).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features_in_)

        Returns
        -------
        scores : ndarray of shape (n_samples,), float64
        """
        X = self._validate_X(X)
        reconstruction = self._forward(self.net_.module_, X, X.shape[1])
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


def _as_tensor(X, device):
    """A float32 tensor on ``device`` from a numpy block, without copying when possible."""
    X = np.ascontiguousarray(X, dtype=np.float32)
    if not X.flags.writeable:  # torch.from_numpy warns on read-only memory
        X = X.copy()
    return torch.from_numpy(X).to(device)
