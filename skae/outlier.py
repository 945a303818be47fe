"""ReconstructionOutlierDetector: scikit-learn's outlier API over reconstruction error."""

import warnings
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator, MetaEstimatorMixin, OutlierMixin, clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.neighbors import NearestNeighbors
from sklearn.utils import check_random_state

from ._base import unchanged_on_failure
from ._checks import check_input, check_widths, refuse_bools
from ._columns import input_width, read_table, table_mask
from ._random import resolve_device
from ._reconstruction import TABLE_CONSTRAINTS
from ._sklearn import HasMethods, Interval, StrOptions, _fit_context
from .noise import NOISE_KINDS, check_noise_level


class ReconstructionOutlierDetector(OutlierMixin, MetaEstimatorMixin, BaseEstimator):
    """Outlier detection by reconstruction error, over any model with ``inverse_transform``.

    The model (an skae autoencoder, ``PCA``, ``KernelPCA(fit_inverse_transform=True)``,
    ...) is fitted on the robustly scaled columns of ``X``. A row's outlyingness is its
    reconstruction error (each feature's squared error in units of that feature's mean
    over the training rows), plus (``latent_weight``) how far its code lies from the
    training codes, each term in units of its interquartile range over the training
    rows. ``score_samples`` is minus the outlyingness, so that, as in
    ``IsolationForest`` and ``LocalOutlierFactor``, a higher score is more normal;
    ``decision_function`` is ``score_samples - offset_`` (negative for outliers) and
    ``predict`` gives +1 for inliers and -1 for outliers.

    The defaults were chosen on ADBench's tables and on Fashion-MNIST one class at a
    time, on validation cuts that the reported benchmarks never score
    (``benchmarks/results/tune-detector.md``).

    Parameters
    ----------
    estimator : estimator with ``transform`` and ``inverse_transform``, default=None
        The model whose reconstructions are scored; it is cloned, never fitted in
        place. None: a shallow denoising autoencoder, ``DAETransformer`` with the
        detector's own ``hidden_sizes``, ``n_components``, ``noise``, ``noise_level``,
        ``max_epochs``, ``batch_size``, ``lr``, ``device``, ``verbose`` and
        ``random_state``: by default an undercomplete code of a quarter of the input
        width, trained for 10 passes, too small and too briefly trained to learn the
        rare rows by heart. On a table with categorical columns the model must be an
        skae autoencoder (it is given the categorical columns).

    scaling : "robust" or None, default="robust"
        "robust": each column is centred on its median and divided by its
        interquartile range / 1.349 (its standard deviation where that range is 0),
        so that heavy tails do not set the scale; a column's scale is at least half
        the median scale of the columns, so that nearly constant columns (rare
        flags, an image's faint pixels) are not blown up. A column narrower than
        that is weighed as if it were that wide: on a table that mixes very narrow
        columns with wide ones, scale the columns yourself and pass None. None: the
        model sees ``X`` as given.

    error : {"standardized", "squared"}, default="standardized"
        The reconstruction error of a row. "standardized": the mean over the features
        of each feature's squared error divided by its mean over the training rows
        (at least half the mean over all features, so that features the model
        reconstructs almost perfectly, such as an image's constant border, are not
        blown up): a feature that is hard to reconstruct for every row does not
        decide the error alone. "squared": the mean squared error.

    latent : {"neighbors", "mahalanobis"}, default="neighbors"
        How far a row's code lies from the training codes. "neighbors": the mean
        Euclidean distance to its 5 nearest training codes, not counting one that it
        coincides with, so that a training row is not its own neighbour (at most 10,000
        training codes are kept, a random subset beyond that); "mahalanobis": the squared
        Mahalanobis distance under a gaussian fitted to the training codes.

    latent_weight : float in [0, 1], default=0.3
        The weight of the latent term in the outlyingness; the reconstruction error
        has ``1 - latent_weight``. 0: the reconstruction error alone.

    trim : float in [0, 0.5), default=0.1
        The fraction of training rows with the largest reconstruction errors left
        out of a second fit (the first fit only finds them): training data usually
        holds some outliers, which a model fitted on them learns to reconstruct.
        0: one fit on every row.

    contamination : "auto" or float, default="auto"
        Sets ``offset_``, the threshold on the training scores. A float in
        (0, 0.5]: the expected fraction of outliers in the training data,
        ``offset_`` being that percentile of the training scores. "auto":
        Tukey's fence on the training outlyingness, ``offset_ = -(Q3 + 1.5 *
        IQR)`` (a row above the third quartile by more than 1.5 interquartile
        ranges is an outlier), which needs no guess of the fraction.

    categorical_features : "from_dtype", array-like of str, int or bool, or None, \
default='from_dtype'
        Which columns of ``X`` hold categories. "from_dtype": the category, text
        (object/string) and bool columns of a pandas or polars DataFrame; none of a
        numpy array or sparse matrix. Else a list of column names or indices, or a
        boolean mask; None: none. On such a table the numeric columns are scaled
        (``scaling``), the categorical ones read as categories by the model, and a
        categorical entry's error is its cross-entropy (in nats) where a number's is
        its squared error (in scaled units): each feature's error is then divided by
        its mean (``error="standardized"``), which puts the two kinds on one scale.
        Missing entries (NaN, None) are allowed there and left out of a row's error.

    hidden_sizes : tuple of int, default=()
        The default model's hidden widths (``()``: one layer, the code).

    n_components : int or "auto", default='auto'
        The default model's code size. "auto": a quarter of the input width (the
        number of features; on a mixed table the numbers and one column per
        category), from 1 to 32.

    noise : {"masking", "gaussian", "salt_pepper", "swap"}, default='masking'
        The default model's training corruption (see :class:`DAETransformer`).

    noise_level : float, default=0.2
        Its level.

    max_epochs : int, default=10
        The default model's passes over the training rows (a short training on
        purpose: see ``estimator``).

    batch_size : int, default=32
        The default model's rows per gradient step.

    lr : float, default=0.001
        The default model's learning rate (Adam).

    device : str or torch.device, default='cpu'
        Where the default model trains and computes ("cuda", "auto", ...).

    random_state : int, RandomState instance or None, default=None
        Passed to the default estimator (a given ``estimator`` keeps its own), and
        seeds the subset of reference codes.

    verbose : int, default=0
        The default model's progress printing (see :class:`AETransformer`).

    Attributes
    ----------
    estimator_ : estimator
        The fitted clone of ``estimator`` (on the rows kept by ``trim``).

    center_, scale_ : ndarray of shape (n_features,)
        The column scaling: the model sees ``(X - center_) / scale_`` (0 and 1
        when ``scaling=None``, and for the categorical columns; ``center_`` is 0
        for sparse ``X``, which is scaled and not centred, as ``RobustScaler``
        requires of sparse input).

    categorical_ : ndarray of bool of shape (n_features,)
        Which columns were read as categories; set only when some were.

    categories_ : list of ndarray
        The categories of each categorical column seen in ``fit``; set only with
        ``categorical_``.

    error_scale_ : ndarray of shape (n_features,)
        Each feature's unit of squared error (ones when ``error="squared"``).

    units_ : ndarray of shape (2,)
        The interquartile ranges over the training rows of the reconstruction
        error and of the latent term, their units in the outlyingness; 1 and 1
        when ``latent_weight=0`` (the outlyingness is then the reconstruction
        error itself).

    reference_codes_ : ndarray of shape (n_codes, n_components)
        The training codes the "neighbors" latent term measures from; None
        otherwise.

    code_mean_, code_precision_ : ndarray
        The gaussian of the training codes (mean, pseudo-inverse of the
        covariance) of the "mahalanobis" latent term; None otherwise.

    offset_ : float
        The threshold: ``decision_function = score_samples - offset_``.

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (n_features,)
        Names of the features seen during fit, when ``X`` had string column names.

    See Also
    --------
    sklearn.ensemble.IsolationForest : The same API, by random splits.
    sklearn.neighbors.LocalOutlierFactor : The same API, by local density.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.decomposition import PCA
    >>> from skae import ReconstructionOutlierDetector
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 2)) @ [[1.0, 2.0, 3.0], [0.5, 0.0, -1.0]]  # on a plane
    >>> det = ReconstructionOutlierDetector(PCA(n_components=2), contamination=0.05).fit(X)
    >>> det.predict([[0.0, 0.0, 0.0], [3.0, -3.0, 3.0]])  # on the plane, far off it
    array([ 1, -1])
    """

    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "transform", "inverse_transform"]), None],
        "scaling": [StrOptions({"robust"}), None],
        "error": [StrOptions({"standardized", "squared"})],
        "latent": [StrOptions({"neighbors", "mahalanobis"})],
        "latent_weight": [Interval(Real, 0, 1, closed="both")],
        "trim": [Interval(Real, 0, 0.5, closed="left")],
        "contamination": [StrOptions({"auto"}), Interval(Real, 0, 0.5, closed="right")],
        **TABLE_CONSTRAINTS,
        "hidden_sizes": [tuple, list],
        "n_components": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "noise": [StrOptions(set(NOISE_KINDS))],
        "noise_level": [Interval(Real, 0, None, closed="left")],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "device": [str, torch.device],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }
    # a file written before these parameters existed loads with the values it was fitted with
    _added_params = {"categorical_features": "from_dtype", "hidden_sizes": (),
                     "n_components": "auto", "noise": "masking", "noise_level": 0.2,
                     "max_epochs": 10, "batch_size": 32, "lr": 1e-3, "device": "cpu",
                     "verbose": 0}  # fmt: skip

    def __init__(
        self,
        estimator=None,
        *,
        scaling="robust",
        error="standardized",
        latent="neighbors",
        latent_weight=0.3,
        trim=0.1,
        contamination="auto",
        categorical_features="from_dtype",
        hidden_sizes=(),
        n_components="auto",
        noise="masking",
        noise_level=0.2,
        max_epochs=10,
        batch_size=32,
        lr=1e-3,
        device="cpu",
        random_state=None,
        verbose=0,
    ):
        self.estimator = estimator
        self.scaling = scaling
        self.error = error
        self.latent = latent
        self.latent_weight = latent_weight
        self.trim = trim
        self.contamination = contamination
        self.categorical_features = categorical_features
        self.hidden_sizes = hidden_sizes
        self.n_components = n_components
        self.noise = noise
        self.noise_level = noise_level
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    def _validate_params(self):
        super()._validate_params()
        refuse_bools(self)
        check_widths("hidden_sizes", self.hidden_sizes)
        check_noise_level(self.noise, self.noise_level)
        resolve_device(self.device)

    def _make_estimator(self, width, categorical):
        """An unfitted model for rows ``width`` wide as the network reads them (on a mixed
        table, ``categorical`` marks the columns of category codes)."""
        if self.estimator is not None:
            estimator = clone(self.estimator)
            if categorical is None:
                return estimator
            if "categorical_features" not in estimator.get_params(deep=False) or not hasattr(
                    estimator, "_entry_errors"):  # fmt: skip
                raise ValueError(
                    f"X has categorical columns, which {type(estimator).__name__} cannot "
                    "read: leave estimator=None (the default model reads them), pass an "
                    "skae autoencoder, or one-hot encode the columns first."
                )
            return estimator.set_params(categorical_features=categorical)
        from .autoencoder import DAETransformer

        k = default_code_size(width) if self.n_components == "auto" else self.n_components
        return DAETransformer(
            hidden_sizes=tuple(self.hidden_sizes), n_components=k,
            categorical_features=categorical, noise=self.noise,
            noise_level=self.noise_level, max_epochs=self.max_epochs,
            batch_size=self.batch_size, lr=self.lr, device=self.device,
            random_state=self.random_state, verbose=self.verbose,
        )  # fmt: skip

    def _fit_estimator(self, Z, width, categorical):
        """A fitted clone of the model on the scaled rows ``Z``. The default model is trained
        briefly by design (a few passes, so that it does not learn the rare rows by heart):
        its loss still falls when it stops, which is no reason to warn."""
        estimator = self._make_estimator(width, categorical)
        if self.estimator is not None:
            return estimator.fit(Z)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "DAETransformer ran its", ConvergenceWarning)
            return estimator.fit(Z)

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None):
        """Fit the model on ``X`` and set ``offset_`` from the training scores.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data, mostly normal.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted detector.
        """
        with unchanged_on_failure(self):
            Z, table = self._scaled(X, reset=True)
            categorical = table.get("categorical_")
            width = input_width(table, Z.shape[1])
            estimator = self._fit_estimator(Z, width, categorical)
            if self.trim:
                errors = _row_mean(self._errors(estimator, Z, estimator.transform(Z)))
                kept = errors <= np.percentile(errors, 100.0 * (1.0 - self.trim))
                estimator = self._fit_estimator(Z[np.flatnonzero(kept)], width, categorical)
            codes = np.asarray(estimator.transform(Z), dtype=np.float64)
            squared = self._errors(estimator, Z, codes)
            error_scale = np.ones(Z.shape[1])
            if self.error == "standardized":
                with warnings.catch_warnings():  # a column never observed: no unit of its own
                    warnings.simplefilter("ignore", RuntimeWarning)
                    error_scale = np.nan_to_num(np.nanmean(squared, axis=0))
                error_scale = np.maximum(error_scale, max(0.5 * error_scale.mean(), 1e-12))
            mean = precision = reference = None
            if self.latent_weight and self.latent == "mahalanobis":
                mean = codes.mean(axis=0)
                covariance = np.atleast_2d(np.cov(codes, rowvar=False))
                precision = np.linalg.pinv(covariance, hermitian=True)
            elif self.latent_weight:
                rows = np.arange(len(codes))
                if len(codes) > MAX_REFERENCE_CODES:
                    rng = check_random_state(self.random_state)
                    rows = np.sort(rng.choice(len(codes), MAX_REFERENCE_CODES, replace=False))
                reference = codes[rows]
            self.error_scale_, self.reference_codes_ = error_scale, reference
            self.code_mean_, self.code_precision_ = mean, precision
            terms = self._terms(codes, squared)
            units = np.ones(2)
            if self.latent_weight:  # the two terms in comparable units
                q1, q3 = np.percentile(terms, [25, 75], axis=0)
                units = np.where(q3 > q1, q3 - q1, np.maximum(terms.mean(axis=0), 1e-12))
            self.__dict__.update(table)
            self.units_ = units
            self.estimator_ = estimator
            scores = self._combine(terms)
            if self.contamination == "auto":
                q1, q3 = np.percentile(-scores, [25, 75])
                offset = -(q3 + 1.5 * (q3 - q1))
            else:
                offset = np.percentile(scores, 100.0 * self.contamination)
            self.offset_ = float(offset)
        return self

    def _scaled(self, X, reset=False):
        """``X`` as the model reads it, and (with ``reset``) the scaling's fitted attributes:
        each numeric column robustly scaled (``scaling``), float (an int column is not cut
        back to ints); a sparse ``X`` scaled, not centred; on a mixed table, each category
        its code (see :mod:`skae._columns`)."""
        categorical = table_mask(self, X) if reset else getattr(self, "categorical_", None)
        if categorical is None:
            X = check_input(self, X, reset=reset)
            Xf = X.astype(np.float64) if X.dtype.kind != "f" else X
            if not reset:
                return _scale(Xf, self.center_, self.scale_), {}
            center, scale = _column_scaling(Xf) if self.scaling == "robust" else (
                np.zeros(X.shape[1]), np.ones(X.shape[1]))  # fmt: skip
            return _scale(Xf, center, scale), {"center_": center, "scale_": scale}
        if not reset:
            return read_table(self, X, scaling=(self.center_, self.scale_))[0], {}
        codes, table = read_table(self, X, reset=True, categorical=categorical)
        # standardized by read_table; the robust scaling of those numbers, composed with it
        numeric = ~table["categorical_"]
        center, scale = np.zeros(codes.shape[1]), np.ones(codes.shape[1])
        if self.scaling == "robust":
            center[numeric], scale[numeric] = _column_scaling(codes[:, numeric].astype(np.float64))
        codes[:, numeric] = (codes[:, numeric] - center[numeric]) / scale[numeric]
        mean, std = table.pop("mean_"), table.pop("scale_")
        table["center_"] = np.where(numeric, mean + center * std, 0.0)
        table["scale_"] = np.where(numeric, std * scale, 1.0)
        return codes, table

    def _errors(self, estimator, Z, codes):
        """Each entry's reconstruction error (float64, NaN where an entry is missing)."""
        if hasattr(estimator, "categorical_"):  # an skae model of a mixed table
            return estimator._entry_errors(estimator._validate_X(Z))
        return _squared_errors(estimator, Z, codes)

    def _terms(self, codes, squared):
        """Each row's (reconstruction error, latent term)."""
        error = _row_mean(squared / self.error_scale_)
        distance = np.zeros_like(error)
        if self.code_mean_ is not None:
            centred = codes - self.code_mean_
            distance = np.einsum("ij,jk,ik->i", centred, self.code_precision_, centred)
        elif self.reference_codes_ is not None:
            distance = _neighbor_distance(self.reference_codes_, codes)
        return np.column_stack([error, distance])

    def _combine(self, terms):
        weights = np.array([1.0 - self.latent_weight, self.latent_weight])
        return -(terms / self.units_) @ weights

    def score_samples(self, X):
        """Minus each row's outlyingness (higher is more normal).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The samples to score.

        Returns
        -------
        scores : ndarray of shape (n_samples,), float64
            ``-((1 - w) * error / units_[0] + w * distance / units_[1])`` per row,
            ``error`` the reconstruction error of the scaled row (see ``error``),
            ``distance`` its code's latent term (see ``latent``) and ``w`` the
            ``latent_weight``.
        """
        Z, _ = self._scaled(X)
        codes = np.asarray(self.estimator_.transform(Z), dtype=np.float64)
        squared = self._errors(self.estimator_, Z, codes)
        return self._combine(self._terms(codes, squared))

    def decision_function(self, X):
        """``score_samples - offset_``: negative for outliers, positive for inliers.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The samples to score.

        Returns
        -------
        decision : ndarray of shape (n_samples,), float64
            The shifted scores.
        """
        return self.score_samples(X) - self.offset_

    def predict(self, X):
        """+1 for inliers, -1 for outliers.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The samples to classify.

        Returns
        -------
        is_inlier : ndarray of shape (n_samples,), int
            +1 where ``decision_function >= 0``, else -1.
        """
        decision = self.decision_function(X)
        is_inlier = np.ones(decision.shape[0], dtype=int)
        is_inlier[decision < 0] = -1
        return is_inlier

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


def default_code_size(n_features):
    """The code size of the default model on ``n_features`` columns: a quarter of them, from
    1 to 32."""
    return max(1, min(32, n_features // 4))


def _scale(X, center, scale):
    """``(X - center) / scale`` in ``X``'s float dtype; a sparse ``X`` only scaled."""
    if hasattr(X, "tocsr"):
        return X.multiply(1.0 / scale).tocsr().astype(X.dtype)
    return ((X - center) / scale).astype(X.dtype, copy=False)


def _row_mean(errors):
    """Each row's mean error over its observed entries (0 for a row with none)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nan_to_num(np.nanmean(errors, axis=1))


def _column_scaling(X):
    """Median and robust scale of each column (see ``scaling="robust"``), missing entries
    left out; a sparse ``X``: no centre, the scale of each column with its zeros, one
    column densified at a time."""
    if hasattr(X, "tocsr"):
        X = X.tocsc()
        scale = np.empty(X.shape[1])
        for j in range(X.shape[1]):
            scale[j] = _column_scaling(X[:, [j]].toarray())[1][0]
        return np.zeros(X.shape[1]), scale
    with warnings.catch_warnings():  # a column with no observed entry: 0 and 1
        warnings.simplefilter("ignore", RuntimeWarning)
        center = np.nan_to_num(np.nanmedian(X, axis=0))
        q1, q3 = np.nan_to_num(np.nanpercentile(X, [25, 75], axis=0))
        std = np.nan_to_num(np.nanstd(X, axis=0))
    scale = (q3 - q1) / 1.349  # the IQR of a unit gaussian
    scale = np.where(scale > 0, scale, std)
    positive = scale[scale > 0]
    floor = 0.5 * np.median(positive) if positive.size else 1.0
    return center.astype(np.float64), np.maximum(scale, floor).astype(np.float64)


SPARSE_BLOCK = 4096  # rows of a sparse X densified at a time to measure its errors
N_NEIGHBORS = 5  # the "neighbors" latent term: the mean distance to this many training codes
MAX_REFERENCE_CODES = 10_000  # at most this many training codes are kept for it
SAME = 1e-3  # a code this close to a reference code, relative to its neighbours, is that row


def _squared_errors(estimator, Z, codes):
    """Each entry's squared reconstruction error, ``(n_samples, n_features)``, float64;
    ``codes`` may be any array-like (a model under ``set_output`` gives DataFrames); a
    sparse ``Z`` densified a block of rows at a time."""
    codes = np.asarray(codes, dtype=Z.dtype)
    if not hasattr(Z, "tocsr"):
        reconstruction = np.asarray(estimator.inverse_transform(codes))
        return np.square(reconstruction - Z, dtype=np.float64)
    out = np.empty(Z.shape, dtype=np.float64)
    for start in range(0, Z.shape[0], SPARSE_BLOCK):
        rows = slice(start, start + SPARSE_BLOCK)
        reconstruction = np.asarray(estimator.inverse_transform(codes[rows]))
        out[rows] = np.square(reconstruction - Z[rows].toarray(), dtype=np.float64)
    return out


def _neighbor_distance(reference, codes):
    """The mean distance of each code to its ``N_NEIGHBORS`` nearest reference codes, not
    counting one that it coincides with (a training row is not its own neighbour)."""
    k = min(N_NEIGHBORS, len(reference) - 1)
    if k < 1:
        return np.zeros(len(codes))
    nn = NearestNeighbors(n_neighbors=k + 1, algorithm="brute").fit(reference)
    distances = nn.kneighbors(codes)[0]
    itself = distances[:, 0] <= SAME * distances.mean(axis=1)
    return (distances.sum(axis=1) - np.where(itself, distances[:, 0], distances[:, -1])) / k
