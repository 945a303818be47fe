"""ReconstructionOutlierDetector: scikit-learn's outlier API over reconstruction error."""

from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator, MetaEstimatorMixin, OutlierMixin, clone

from ._base import unchanged_on_failure
from ._checks import _InputChecks
from ._sklearn import HasMethods, Interval, StrOptions, _fit_context


class ReconstructionOutlierDetector(OutlierMixin, MetaEstimatorMixin, _InputChecks, BaseEstimator):
    """Outlier detection by reconstruction error, over any model with ``inverse_transform``.

    The model (an skae autoencoder, ``PCA``, ``KernelPCA(fit_inverse_transform=True)``,
    ...) is fitted on ``X``; a sample's score is minus its mean squared
    reconstruction error, ``-mean((inverse_transform(transform(x)) - x)²)``, so
    that, as in ``IsolationForest`` and ``LocalOutlierFactor``, a higher
    ``score_samples`` is more normal. ``decision_function`` is
    ``score_samples - offset_`` (negative for outliers) and ``predict`` gives
    +1 for inliers and -1 for outliers.

    Parameters
    ----------
    estimator : estimator with ``transform`` and ``inverse_transform``, default=None
        The model whose reconstructions are scored; it is cloned, never fitted
        in place. None: ``AETransformer(hidden_sizes=(128,), n_components=k)``
        with ``k = max(1, min(32, n_features // 4))``, an undercomplete code
        (an overcomplete one could learn to reconstruct outliers too).

    contamination : "auto" or float, default="auto"
        Sets ``offset_``, the threshold on the training scores. A float in
        (0, 0.5]: the expected fraction of outliers in the training data,
        ``offset_`` being that percentile of the training scores. "auto":
        Tukey's fence on the training reconstruction errors, ``offset_ =
        -(Q3 + 1.5 * IQR)`` (an error above the third quartile by more than
        1.5 interquartile ranges is an outlier), which needs no guess of the
        fraction.

    random_state : int, RandomState instance or None, default=None
        Passed to the default estimator (a given ``estimator`` keeps its own).

    Attributes
    ----------
    estimator_ : estimator
        The fitted clone of ``estimator``.

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
        "contamination": [StrOptions({"auto"}), Interval(Real, 0, 0.5, closed="right")],
        "random_state": ["random_state"],
    }

    def __init__(self, estimator=None, *, contamination="auto", random_state=None):
        self.estimator = estimator
        self.contamination = contamination
        self.random_state = random_state

    def _make_estimator(self, n_features):
        if self.estimator is not None:
            return clone(self.estimator)
        from .autoencoder import AETransformer

        k = max(1, min(32, n_features // 4))
        return AETransformer(hidden_sizes=(128,), n_components=k, random_state=self.random_state)

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
            X = self._validate_X(X, reset=True)
            estimator = self._make_estimator(X.shape[1]).fit(X)
            scores = _scores(estimator, X)
            if self.contamination == "auto":
                q1, q3 = np.percentile(-scores, [25, 75])
                offset = -(q3 + 1.5 * (q3 - q1))
            else:
                offset = np.percentile(scores, 100.0 * self.contamination)
            self.estimator_ = estimator
            self.offset_ = float(offset)
        return self

    def score_samples(self, X):
        """Minus the mean squared reconstruction error of each sample (higher is more normal).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The samples to score.

        Returns
        -------
        scores : ndarray of shape (n_samples,), float64
            ``-mean((inverse_transform(transform(x)) - x)²)`` per sample.
        """
        X = self._validate_X(X)
        return _scores(self.estimator_, X)

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


def _scores(estimator, X):
    reconstruction = np.asarray(estimator.inverse_transform(estimator.transform(X)))
    return -np.mean(np.square(reconstruction - X, dtype=np.float64), axis=1)
