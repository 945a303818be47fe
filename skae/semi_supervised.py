"""SAEClassifier: the stacked autoencoder's pretraining under a softmax layer, fine-tuned
with labels, semi-supervised (rows labeled ``unlabeled`` pretrain only).

The pretraining is :func:`skae._pretraining.pretrain_layers`, as in
:class:`SAETransformer`; the classifier stacks the pretrained encoders under a
softmax layer and fine-tunes the whole network on the labeled rows.
"""

from numbers import Integral, Real

import numpy as np
from scipy.special import softmax
from sklearn.base import ClassifierMixin
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.multiclass import check_classification_targets
from skorch.callbacks import Freezer, Unfreezer
from torch import nn

from . import _docs
from ._base import _NetEstimator
from ._columns import input_width, reading_columns
from ._inference import forward
from ._pretraining import STACK_CONSTRAINTS, check_pretraining, pretrain_layers, stacked_encoder
from ._random import initialized
from ._reconstruction import TABLE_CONSTRAINTS
from ._sklearn import Interval, StrOptions
from .modules import ACTIVATIONS, Classifier, Dropout, mlp
from .noise import NOISE_KINDS, check_noise_level

# the label of unlabeled rows, as in sklearn's SelfTrainingClassifier and LabelSpreading
UNLABELED = -1


@_docs.substitute
class SAEClassifier(ClassifierMixin, _NetEstimator):
    """Stacked autoencoder classifier: pretraining, a softmax layer, fine-tuning.

    The encoder is pretrained greedily as in :class:`SAETransformer`, a
    softmax layer is put on the top code, and the whole network is trained
    with the cross-entropy on the labels. With ``pretrain=False`` the same
    network starts from random weights (a plain MLP classifier), for the
    ablation. ``transform`` gives the fine-tuned top code.

    Semi-supervised fitting follows scikit-learn's convention
    (``SelfTrainingClassifier``, ``LabelSpreading``): rows labeled ``-1``
    (``unlabeled``) are unlabeled. Pretraining uses every row; fine-tuning,
    and early stopping's held-out split, use the labeled rows only;
    ``classes_`` never holds the marker. For string labels, set
    ``unlabeled`` to a string (e.g. ``"unlabeled"``); ``unlabeled=None``
    makes every row labeled (then ``-1`` is a class like any other). There
    is no ``partial_fit``: greedy pretraining needs whole passes over the data.

    Parameters
    ----------
    hidden_sizes : tuple of int or "auto", default='auto'
        Widths of the hidden layers, before the code: one pretrained layer each.
        "auto": ``(min(512, max(128, 8w)), min(256, max(64, 4w)))`` for an input
        width ``w`` (the number of features; on a mixed table the numbers and one column
        per category): ``(512, 256)`` for 64 inputs or more.

    n_components : int or "auto", default='auto'
        Width of the top code, under the softmax layer. "auto": ``min(32, w)`` (32 for
        32 inputs or more): a classifier's code need not be narrower than its input.

    {categorical_features}

    noise : {"gaussian", "masking", "salt_pepper"} or None, default='masking'
        Corruption while pretraining each layer (stacked denoising autoencoder); None:
        plain autoencoders. Fine-tuning uses clean input.

    noise_level : float, default=0.25
        The gaussian standard deviation (≥ 0), or the corrupted fraction in [0, 1).

    activation : str, default='relu'
        Activation of every code but the top one, which is linear: "relu", "leaky_relu",
        "elu", "gelu", "tanh", "sigmoid" or "identity".

    pretrain : bool, default=True
        Whether to pretrain the encoder layer by layer before fine-tuning.

    pretrain_epochs : int, default=10
        Pretraining epochs of each layer.

    pretrain_net_params : dict, default=None
        ``net_params`` of each pretraining layer's net (each gets its own copies of the
        callbacks); ``net_params`` apply to fine-tuning only. The other training
        parameters (``batch_size``, ``lr``, early stopping, ``device``, ``verbose``)
        apply to every layer and to fine-tuning alike.

    dropout : float, default=0.0
        Dropout rate after every layer of the encoder during fine-tuning (pretraining
        uses none). ``transform`` and ``predict`` never drop.

    encoder_lr : float or None, default=None
        Learning rate of the pretrained encoder while fine-tuning, the softmax layer
        keeping ``lr``: a lower one keeps more of what pretraining learned (the usual
        advice with few labels). None: ``lr`` for both. Ignored with ``pretrain=False``
        (nothing pretrained to keep), so that the ablation is a plain MLP.

    head_epochs : int, default=0
        The first ``head_epochs`` of the ``max_epochs`` fine-tuning epochs train the
        softmax layer alone, the pretrained encoder frozen; then the whole network
        trains. 0: the whole network from the start. Ignored with ``pretrain=False``.

    unlabeled : int, str or None, default=-1
        The label of unlabeled rows: -1 as in scikit-learn's semi-supervised estimators
        (for integer labels), a string for string labels, or None (every row is
        labeled).

    max_epochs : int, default=10
        Epochs of supervised fine-tuning.

    batch_size : int, default=32
        Samples per gradient step. Batches are gathered from ``X`` by index in a new
        random order every epoch.

    lr : float, default=0.001
        Learning rate of the optimizer: Adam (torch's fused kernel where available),
        unless ``net_params`` names another.

    {training_parameters}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels.

    layers_ : list of AETransformer or DAETransformer
        The pretrained shallow autoencoders (empty with ``pretrain=False``).

    module_ : skae.modules.Classifier
        The fine-tuned network: ``module_.encoder`` and the softmax layer
        ``module_.head``.

    {mixed_attributes}

    {fit_attributes}

    See Also
    --------
    SAETransformer : The unsupervised stacked autoencoder.
    sklearn.neural_network.MLPClassifier : An MLP without pretraining.
    sklearn.semi_supervised.SelfTrainingClassifier : The same -1 convention.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.model_selection import train_test_split
    >>> from skae import SAEClassifier
    >>> from skae.datasets import load_digits
    >>> X, y = load_digits(return_X_y=True)
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    >>> clf = SAEClassifier(hidden_sizes=(64,), n_components=16, random_state=0)
    >>> bool(clf.fit(X_train, y_train).score(X_test, y_test) > 0.9)
    True
    >>> y_few = np.where(np.arange(len(y_train)) % 5 == 0, y_train, -1)  # 20% labeled
    >>> clf.fit(X_train, y_few).classes_
    array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    """

    _parameter_constraints = {
        **_NetEstimator._parameter_constraints,
        **STACK_CONSTRAINTS,
        "n_components": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        **TABLE_CONSTRAINTS,
        "noise": [StrOptions(set(NOISE_KINDS)), None],
        "noise_level": [Interval(Real, 0, None, closed="left")],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "pretrain": ["boolean"],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "encoder_lr": [Interval(Real, 0, None, closed="neither"), None],
        "head_epochs": [Interval(Integral, 0, None, closed="left")],
        "unlabeled": [Integral, str, None],
    }
    _width_params = ("hidden_sizes",)
    # a file written before the parameter existed (a numeric model) loads with this value
    _added_params = {"categorical_features": "from_dtype"}
    _stratify = True

    def __init__(
        self,
        hidden_sizes="auto",
        n_components="auto",
        *,
        categorical_features="from_dtype",
        noise="masking",
        noise_level=0.25,
        activation="relu",
        pretrain=True,
        pretrain_epochs=10,
        pretrain_net_params=None,
        dropout=0.0,
        encoder_lr=None,
        head_epochs=0,
        unlabeled=UNLABELED,
        max_epochs=10,
        batch_size=32,
        lr=1e-3,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=5,
        tol=1e-4,
        net_params=None,
        device="cpu",
        random_state=None,
        verbose=0,
    ):
        self.hidden_sizes = hidden_sizes
        self.n_components = n_components
        self.categorical_features = categorical_features
        self.noise = noise
        self.noise_level = noise_level
        self.activation = activation
        self.pretrain = pretrain
        self.pretrain_epochs = pretrain_epochs
        self.pretrain_net_params = pretrain_net_params
        self.dropout = dropout
        self.encoder_lr = encoder_lr
        self.head_epochs = head_epochs
        self.unlabeled = unlabeled
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.net_params = net_params
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    def fit(self, X, y):
        """Pretrain (unless ``pretrain=False``) on every row, fine-tune on the labeled ones.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data, labeled and unlabeled rows alike.
        y : array-like of shape (n_samples,)
            Class labels of any kind (ints, strings, ...), at least two classes.
            Rows labeled ``unlabeled`` (-1 by default) are unlabeled.

        Returns
        -------
        self : object
            The fitted classifier.
        """
        return super().fit(X, y)

    def _validate_fit_data(self, X, y, reset):
        X, y, fitted = self._read_fit_data(X, y, reset=reset)
        check_classification_targets(y)
        unlabeled = self._unlabeled_rows(y)
        encoder = LabelEncoder().fit(y[~unlabeled])
        if len(encoder.classes_) < 2:
            n = len(encoder.classes_)
            raise ValueError(
                f"{type(self).__name__} needs labeled samples of at least 2 classes, but the "
                f"labeled rows of y hold {n} class{'' if n == 1 else 'es'} "
                f"{encoder.classes_.tolist()} (rows labeled {self.unlabeled!r} are "
                "unlabeled). Label samples of at least two classes."
            )
        targets = np.full(len(y), UNLABELED, dtype=np.int64)
        targets[~unlabeled] = encoder.transform(y[~unlabeled])
        return X, targets, fitted | {"classes_": encoder.classes_}

    def _unlabeled_rows(self, y):
        """Rows whose label is the ``unlabeled`` marker (compared only with labels of its kind)."""
        marker, kind = self.unlabeled, y.dtype.kind
        if marker is None or kind not in ("OUS" if isinstance(marker, str) else "iufO"):
            return np.zeros(len(y), dtype=bool)
        if kind == "O":  # mixed objects: compare one by one (True == 1 is no marker)
            return np.array([v == marker and type(v) is not bool for v in y], dtype=bool)
        return y == marker

    def _check_params(self):
        super()._check_params()
        check_pretraining(self)
        check_noise_level(self.noise, self.noise_level)
        if self.head_epochs > self.max_epochs:
            raise ValueError(
                f"head_epochs={self.head_epochs} is more than the max_epochs={self.max_epochs} "
                "fine-tuning epochs it is counted in: use head_epochs <= max_epochs."
            )
        if self.encoder_lr is not None and "optimizer__param_groups" in (self.net_params or {}):
            raise ValueError(
                "encoder_lr sets the optimizer's parameter groups, which net_params sets too "
                "(optimizer__param_groups): use one of them."
            )

    def _net_params(self, epochs, stopping):
        """``net_params`` with the fine-tuning recipe: the encoder's learning rate and the
        head-first epochs (skorch's parameter groups and Freezer / Unfreezer callbacks)."""
        net_params = dict(self.net_params or {})
        if not self.pretrain:
            return net_params
        if self.encoder_lr is not None:
            net_params["optimizer__param_groups"] = [("encoder.*", {"lr": self.encoder_lr})]
        if self.head_epochs:
            net_params["callbacks"] = [
                *(net_params.get("callbacks") or []),
                ("freeze_encoder", Freezer("encoder.*", at=1)),
                ("unfreeze_encoder", Unfreezer("encoder.*", at=self.head_epochs + 1)),
            ]
        return net_params

    def _finish_fit(self, X):
        for param in self.module_.parameters():  # a fit that ended head-first leaves none frozen
            param.requires_grad_(True)
        super()._finish_fit(X)

    def _fit_rows(self, targets):
        """The rows fine-tuning trains on: the labeled ones."""
        return np.flatnonzero(targets != UNLABELED)

    def _code_size(self, width):
        return min(32, width) if self.n_components == "auto" else self.n_components

    def _criterion(self, fitted):
        return nn.CrossEntropyLoss

    def _architecture(self, n_features, corruption, fitted):
        if self.pretrain:
            body = stacked_encoder(fitted["layers_"], copy_weights=True)
        else:
            width = input_width(fitted, n_features)
            body = reading_columns(mlp((width, *self._hidden(width), self._code_size(width)),
                                       self.activation, "identity"), fitted)  # fmt: skip
        if self.dropout:
            body = nn.Sequential(*(nn.Sequential(*b, Dropout(self.dropout)) for b in body))
        k = self._code_size(input_width(fitted, n_features))
        return Classifier(body, nn.Linear(k, len(fitted["classes_"])))

    def _build_module(self, X, y, rng, found):
        layers = pretrain_layers(self, X, rng, "identity", "mse", found) if self.pretrain \
            else []  # fmt: skip
        decided = {"layers_": layers}
        module = self._architecture(X.shape[1], None, found | decided)
        if not self.pretrain:  # the body's weights, then the head's, from the fit's generator
            initialized(module.encoder, rng)
        initialized(module.head, rng)
        return module, decided

    def transform(self, X):
        """Encode ``X``: the fine-tuned top code of each sample.

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

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float32"]
        tags.input_tags.sparse = True
        return tags

    def predict_proba(self, X):
        """Class probabilities: the softmax of the network's output.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The samples to classify.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes), float64
            The probability of each class in ``classes_``.
        """
        X = self._validate_X(X)
        logits = forward(self, self.module_, X, len(self.classes_))
        return softmax(logits.astype(np.float64), axis=1)

    def score(self, X, y, sample_weight=None):
        """Mean accuracy on ``X`` against the labels ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The samples to classify.
        y : array-like of shape (n_samples,)
            Their true labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples.

        Returns
        -------
        score : float
            The fraction of samples whose predicted class is ``y``.
        """
        return super().score(X, y, sample_weight=sample_weight)

    def predict(self, X):
        """The most probable class of each sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The samples to classify.

        Returns
        -------
        y : ndarray of shape (n_samples,)
            One of ``classes_`` per sample.
        """
        X = self._validate_X(X)
        logits = forward(self, self.module_, X, len(self.classes_))
        return self.classes_[np.argmax(logits, axis=1)]
