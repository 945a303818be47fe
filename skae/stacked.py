"""Stacked autoencoders: greedy layer-wise pretraining, then fine-tuning.

:func:`pretrain_layers` trains one shallow autoencoder per layer — the first
on ``X``, each next one on the codes of the one before — as ordinary
:class:`AETransformer` / :class:`DAETransformer` estimators, kept in
``layers_``. Their encoders are stacked into one deep encoder, which
:class:`SAETransformer` may fine-tune as a deep autoencoder and
:class:`SAEClassifier` fine-tunes under a softmax layer.
"""

import copy
from numbers import Integral, Real

import numpy as np
from scipy.special import softmax
from sklearn.base import ClassifierMixin, ClassNamePrefixFeaturesOutMixin
from sklearn.preprocessing import LabelEncoder
from sklearn.utils._param_validation import Interval
from sklearn.utils.multiclass import check_classification_targets
from torch import nn

from ._base import _BaseAutoencoder, _EncoderMixin, _NetEstimator, _NoiseMixin
from ._training import check_net_params, initialized
from .autoencoder import _EPOCHS_DOC, _TRAINING_PARAMS_DOC, AETransformer, DAETransformer
from .modules import AutoEncoder, Classifier, Dropout, mlp

# the stacked estimator's parameters that each pretraining layer takes as they are
_LAYER_PARAMS = (
    "activation",
    "batch_size",
    "lr",
    "early_stopping",
    "validation_fraction",
    "n_iter_no_change",
    "tol",
    "device",
    "verbose",
)

_PRETRAIN_PARAMS_DOC = """\
    pretrain_epochs : int, default=10
        Pretraining epochs of each layer.

    pretrain_net_params : dict, default=None
        ``net_params`` of each pretraining layer's net (each gets its own
        copies of the callbacks); ``net_params`` apply to fine-tuning only.
        The other training parameters (``batch_size``, ``lr``, early
        stopping, ``device``, ``verbose``) apply to every layer and to
        fine-tuning alike.
"""


def pretrain_layers(est, X, rng, output_activation, loss):
    """Greedy layer-wise pretraining with the settings of the stacked estimator ``est``.

    Layer ``k`` is a shallow autoencoder from width ``k - 1`` to width ``k``
    of ``(n_features, *est.hidden_sizes, est.n_components)``, fitted for
    ``est.pretrain_epochs`` epochs on the codes of layer ``k - 1`` (on ``X``
    for the first). Inner codes use ``est.activation``, the top code is
    linear; the first layer reconstructs ``X`` through ``output_activation``
    with ``loss``, the others reconstruct the codes below them (MSE) through
    ``est.activation`` (which made those codes), so that the stacked decoder
    is as deep and non-linear as the stacked encoder. With ``est.noise``
    set, each layer is a denoising autoencoder.

    Returns the list of fitted layer estimators.
    """
    widths = (*est.hidden_sizes, est.n_components)
    layers, codes = [], X
    for k, (width, seed) in enumerate(zip(widths, rng.spawn(len(widths)))):
        params = {name: getattr(est, name) for name in _LAYER_PARAMS}
        params.update(
            hidden_sizes=(),
            n_components=width,
            latent_activation="identity" if k == len(widths) - 1 else est.activation,
            output_activation=output_activation if k == 0 else est.activation,
            loss=loss if k == 0 else "mse",
            max_epochs=est.pretrain_epochs,
            net_params=est.pretrain_net_params,
            random_state=seed,
        )
        if est.noise is None:
            layer = AETransformer(**params)
        else:
            layer = DAETransformer(noise=est.noise, noise_level=est.noise_level, **params)
        if est.verbose:
            print(f"Pretraining layer {k + 1}/{len(widths)}: {codes.shape[1]} -> {width}")
        layers.append(layer.fit(codes))
        del layer._net, layer._rng  # no optimizer state kept for layers that train no more
        codes = layer.transform(codes)
    return layers


def stacked_encoder(layers, copy_weights):
    """One deep encoder from the pretrained layers' encoders, in order.

    The blocks are the layers' own (shared, so kept and pickled once)
    unless ``copy_weights``, for a stack that trains further.
    """
    blocks = [b for layer in layers for b in layer.module_.encoder]
    return nn.Sequential(*(copy.deepcopy(blocks) if copy_weights else blocks))


def stacked_decoder(layers, copy_weights):
    """One deep decoder from the pretrained layers' decoders, in reverse order."""
    blocks = [b for layer in reversed(layers) for b in layer.module_.decoder]
    return nn.Sequential(*(copy.deepcopy(blocks) if copy_weights else blocks))


class _StackedMixin:
    """What both stacked estimators check: their pretraining layers' net_params too."""

    def _check_params(self):
        super()._check_params()
        check_net_params(self.pretrain_net_params, "pretrain_net_params")


class SAETransformer(_StackedMixin, _NoiseMixin, _BaseAutoencoder):
    __doc__ = f"""Stacked autoencoder features: greedy layer-wise pretraining.

    A shallow autoencoder per layer — the first trained on ``X``, each next
    one on the codes of the previous — then the encoders stacked into one
    deep encoder with widths ``(n_features, *hidden_sizes, n_components)``
    and the decoders stacked in reverse. With ``noise`` set this is a stacked
    denoising autoencoder; with ``max_epochs > 0`` the whole stack is then
    fine-tuned end to end as one deep autoencoder. ``transform`` gives the
    top code.

    Parameters
    ----------
    hidden_sizes : tuple of int, default=(512, 256)
        Widths of the hidden layers, before the code: one pretrained layer each.

    n_components : int, default=32
        Width of the top code: the number of output features.

    noise : {{"gaussian", "masking", "salt_pepper"}} or None, default=None
        Corruption while pretraining each layer (and while fine-tuning), as in
        :class:`DAETransformer`; ``None`` for plain autoencoders.

    noise_level : float, default=0.25
        Gaussian standard deviation, or the corrupted fraction in [0, 1).

    activation : str, default="relu"
        Activation of every code but the top one, which is linear: "relu",
        "leaky_relu", "elu", "gelu", "tanh", "sigmoid" or "identity".

    loss : {{"mse", "bce"}}, default="mse"
        Loss of the reconstruction of ``X`` (the first layer and fine-tuning);
        inner layers reconstruct codes with the squared error.

    output_activation : str or None, default=None
        Activation of the reconstruction of ``X``; None picks "identity" for
        MSE and "sigmoid" for BCE.

{_PRETRAIN_PARAMS_DOC}
{_TRAINING_PARAMS_DOC.replace(
    "max_epochs : int, default=10", "max_epochs : int, default=0").replace(
    _EPOCHS_DOC, "Epochs of end-to-end fine-tuning after pretraining (0: none).")}
    Stacked estimators have no ``partial_fit``: greedy pretraining needs
    whole passes over the data, layer after layer.

    Attributes
    ----------
    layers_ : list of AETransformer or DAETransformer
        The pretrained shallow autoencoders, in order; ``layers_[k]`` was
        fitted on ``layers_[k - 1].transform(...)`` of the training data.
        Their ``n_iter_`` and ``loss_curve_`` describe the pretraining.

    module_ : skae.modules.AutoEncoder
        The stacked network. Without fine-tuning it is made of the layers'
        own blocks (the weights are kept once); with it, of trained copies.

    history_ : skorch.history.History
        skorch's record of the fine-tuning epochs.

    n_iter_ : int
        Fine-tuning epochs run (0 without fine-tuning).

    loss_curve_ : list of float
        Mean training loss of each fine-tuning epoch (empty without fine-tuning).

    best_loss_, validation_scores_, best_validation_score_
        As for :class:`AETransformer`, over the fine-tuning epochs.

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features seen during fit, when ``X`` had string column names.

    See Also
    --------
    SAEClassifier : The same pretraining, fine-tuned with labels.
    AETransformer : One autoencoder trained end to end.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skae import SAETransformer
    >>> X = load_digits().data / 16
    >>> sae = SAETransformer(hidden_sizes=(32,), n_components=8, random_state=0).fit(X)
    >>> [layer.n_features_in_ for layer in sae.layers_]
    [64, 32]
    >>> sae.transform(X).shape
    (1797, 8)
    """

    _parameter_constraints = {
        **_BaseAutoencoder._parameter_constraints,
        **_NoiseMixin._parameter_constraints,
        "hidden_sizes": [tuple, list],
        "pretrain_epochs": [Interval(Integral, 1, None, closed="left")],
        "pretrain_net_params": [dict, None],
        "max_epochs": [Interval(Integral, 0, None, closed="left")],
    }

    def __init__(
        self,
        hidden_sizes=(512, 256),
        n_components=32,
        *,
        noise=None,
        noise_level=0.25,
        activation="relu",
        loss="mse",
        output_activation=None,
        pretrain_epochs=10,
        pretrain_net_params=None,
        max_epochs=0,
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
        self.noise = noise
        self.noise_level = noise_level
        self.activation = activation
        self.loss = loss
        self.output_activation = output_activation
        self.pretrain_epochs = pretrain_epochs
        self.pretrain_net_params = pretrain_net_params
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

    def _build_module(self, X, y, rng):
        self.layers_ = pretrain_layers(self, X, rng, self._output_activation(), self.loss)
        finetune = self.max_epochs > 0
        return AutoEncoder(
            stacked_encoder(self.layers_, copy_weights=finetune),
            stacked_decoder(self.layers_, copy_weights=finetune),
            self._corruption(X),
        )


class SAEClassifier(
    _StackedMixin,
    _NoiseMixin,
    ClassifierMixin,
    ClassNamePrefixFeaturesOutMixin,
    _EncoderMixin,
    _NetEstimator,
):
    __doc__ = f"""Stacked autoencoder classifier: pretraining, a softmax layer, fine-tuning.

    The encoder is pretrained greedily as in :class:`SAETransformer`, a
    softmax layer is put on the top code, and the whole network is trained
    with the cross-entropy on the labels. With ``pretrain=False`` the same
    network starts from random weights (a plain MLP classifier), for the
    ablation. ``transform`` gives the fine-tuned top code.

    Parameters
    ----------
    hidden_sizes : tuple of int, default=(512, 256)
        Widths of the hidden layers, before the code.

    n_components : int, default=32
        Width of the top code, under the softmax layer.

    noise : {{"gaussian", "masking", "salt_pepper"}} or None, default=None
        Corruption while pretraining each layer (stacked denoising
        autoencoder). Fine-tuning uses clean input.

    noise_level : float, default=0.25
        Gaussian standard deviation, or the corrupted fraction in [0, 1).

    activation : str, default="relu"
        Activation of every hidden layer; the top code is linear. One of "relu",
        "leaky_relu", "elu", "gelu", "tanh", "sigmoid" or "identity".

    pretrain : bool, default=True
        Whether to pretrain the encoder layer by layer before fine-tuning.

{_PRETRAIN_PARAMS_DOC}
    dropout : float, default=0.0
        Dropout rate after every layer of the encoder during fine-tuning
        (pretraining uses none). ``transform`` and ``predict`` never drop.

{_TRAINING_PARAMS_DOC.replace(_EPOCHS_DOC, "Epochs of supervised fine-tuning.")}
    Stacked estimators have no ``partial_fit``: greedy pretraining needs
    whole passes over the data, layer after layer.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels.

    layers_ : list of AETransformer or DAETransformer
        The pretrained shallow autoencoders (empty with ``pretrain=False``).

    module_ : skae.modules.Classifier
        The fine-tuned network: ``module_.encoder`` and the softmax layer ``module_.head``.

    history_ : skorch.history.History
        skorch's record of the fine-tuning epochs.

    n_iter_ : int
        Epochs of fine-tuning run.

    loss_curve_ : list of float
        Mean training cross-entropy of each fine-tuning epoch.

    best_loss_, validation_scores_, best_validation_score_
        As for :class:`AETransformer`; the validation score is the negative
        cross-entropy on the held-out data.

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features seen during fit, when ``X`` had string column names.

    See Also
    --------
    SAETransformer : The unsupervised stacked autoencoder.
    sklearn.neural_network.MLPClassifier : An MLP without pretraining.

    Examples
    --------
    >>> from sklearn.model_selection import train_test_split
    >>> from skae import SAEClassifier
    >>> from skae.datasets import load_digits
    >>> X, y = load_digits(return_X_y=True)
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    >>> clf = SAEClassifier(hidden_sizes=(64,), n_components=16, random_state=0)
    >>> bool(clf.fit(X_train, y_train).score(X_test, y_test) > 0.9)
    True
    """

    _parameter_constraints = {
        **_NetEstimator._parameter_constraints,
        **_NoiseMixin._parameter_constraints,
        "hidden_sizes": [tuple, list],
        "pretrain": ["boolean"],
        "pretrain_epochs": [Interval(Integral, 1, None, closed="left")],
        "pretrain_net_params": [dict, None],
        "dropout": [Interval(Real, 0, 1, closed="left")],
    }
    _stratify = True

    def __init__(
        self,
        hidden_sizes=(512, 256),
        n_components=32,
        *,
        noise=None,
        noise_level=0.25,
        activation="relu",
        pretrain=True,
        pretrain_epochs=10,
        pretrain_net_params=None,
        dropout=0.0,
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
        self.noise = noise
        self.noise_level = noise_level
        self.activation = activation
        self.pretrain = pretrain
        self.pretrain_epochs = pretrain_epochs
        self.pretrain_net_params = pretrain_net_params
        self.dropout = dropout
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
        """Pretrain (unless ``pretrain=False``), add the softmax layer, fine-tune on ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            Class labels of any kind (ints, strings, ...), at least two classes.

        Returns
        -------
        self : object
        """
        return super().fit(X, y)

    def _validate_fit_data(self, X, y, reset):
        X, y = self._validate_X(X, y, reset=reset)
        check_classification_targets(y)
        encoder = LabelEncoder().fit(y)
        if len(encoder.classes_) < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least 2 classes, but y "
                f"holds only one class: {encoder.classes_[0]!r}."
            )
        self.classes_ = encoder.classes_
        return X, encoder.transform(y)

    def _criterion(self):
        return nn.CrossEntropyLoss

    def _build_module(self, X, y, rng):
        if self.pretrain:
            self.layers_ = pretrain_layers(self, X, rng, "identity", "mse")
            body = stacked_encoder(self.layers_, copy_weights=True)
        else:
            self.layers_ = []
            widths = (X.shape[1], *self.hidden_sizes, self.n_components)
            body = initialized(mlp(widths, self.activation, "identity"), rng)
        if self.dropout:
            body = nn.Sequential(*(nn.Sequential(*b, Dropout(self.dropout)) for b in body))
        head = initialized(nn.Linear(self.n_components, len(self.classes_)), rng)
        return Classifier(body, head)

    def predict_proba(self, X):
        """Class probabilities: the softmax of the network's output.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features_in_)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes), float64
        """
        X = self._validate_X(X)
        logits = self._forward(self.module_, X, len(self.classes_))
        return softmax(logits.astype(np.float64), axis=1)

    def predict(self, X):
        """The most probable class of each sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features_in_)

        Returns
        -------
        y : ndarray of shape (n_samples,)
        """
        X = self._validate_X(X)
        logits = self._forward(self.module_, X, len(self.classes_))
        return self.classes_[np.argmax(logits, axis=1)]
