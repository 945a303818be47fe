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
import torch
from scipy.special import softmax
from sklearn.base import ClassifierMixin, ClassNamePrefixFeaturesOutMixin
from sklearn.preprocessing import LabelEncoder
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from torch import nn

from ._base import (
    _BaseAutoencoder,
    _EncoderMixin,
    _NetEstimator,
    unchanged_on_failure,
)
from ._training import draw_seed, make_net, resolve_device, seeded, train
from .autoencoder import _EPOCHS_DOC, _TRAINING_PARAMS_DOC, AETransformer, DAETransformer
from .modules import ACTIVATIONS, AutoEncoder, Classifier, mlp
from .noise import NOISE_KINDS, corruption_for

_NOISE_CONSTRAINTS = {
    "noise": [StrOptions(set(NOISE_KINDS)), None],
    "noise_level": [Interval(Real, 0, None, closed="left")],
}

_LAYER_PARAMS = (
    "activation",
    "batch_size",
    "lr",
    "early_stopping",
    "validation_fraction",
    "n_iter_no_change",
    "tol",
    "net_params",
    "device",
    "verbose",
)


def pretrain_layers(est, X, seeds, max_epochs, output_activation):
    """Greedy layer-wise pretraining with the settings of the stacked estimator ``est``.

    Layer ``k`` is a shallow autoencoder from width ``k - 1`` to width ``k``
    of ``(n_features, *est.hidden_sizes, est.latent_dim)``, fitted on the
    codes of layer ``k - 1`` (on ``X`` for the first). Inner codes use
    ``est.activation``, the top code is linear; the first layer reconstructs
    ``X`` through ``output_activation``, the others reconstruct the codes
    below them through ``est.activation`` (which made those codes), so that
    the stacked decoder is as deep and non-linear as the stacked encoder.
    With ``est.noise`` set, each layer is a denoising autoencoder.

    Returns the list of fitted layer estimators.
    """
    widths = (*est.hidden_sizes, est.latent_dim)
    layers, codes = [], X
    for k, (width, seed) in enumerate(zip(widths, seeds)):
        params = {name: getattr(est, name) for name in _LAYER_PARAMS}
        params.update(
            hidden_sizes=(),
            latent_dim=width,
            latent_activation="identity" if k == len(widths) - 1 else est.activation,
            output_activation=output_activation if k == 0 else est.activation,
            max_epochs=max_epochs,
            random_state=seed,
        )
        if est.noise is None:
            layer = AETransformer(**params)
        else:
            layer = DAETransformer(noise=est.noise, noise_level=est.noise_level, **params)
        if est.verbose:
            print(f"Pretraining layer {k + 1}/{len(widths)}: {codes.shape[1]} -> {width}")
        layers.append(layer.fit(codes))
        codes = layer.transform(codes)
    return layers


def stacked_encoder(layers):
    """One deep encoder: copies of the pretrained layers' encoders, in order."""
    return nn.Sequential(*(copy.deepcopy(b) for layer in layers for b in layer.module_.encoder))


def stacked_decoder(layers):
    """One deep decoder: copies of the pretrained layers' decoders, in reverse order."""
    return nn.Sequential(
        *(copy.deepcopy(b) for layer in reversed(layers) for b in layer.module_.decoder)
    )


def _layer_seeds(seed, n_layers):
    """One seed per pretraining layer and one for fine-tuning, all from ``seed``."""
    seeds = np.random.RandomState(seed).randint(np.iinfo(np.int32).max, size=n_layers + 1)
    return [int(s) for s in seeds]


def _corruption(est, X):
    if est.noise is None:
        return None
    return corruption_for(est.noise, est.noise_level, X)


class SAETransformer(_BaseAutoencoder):
    __doc__ = f"""Stacked autoencoder features: greedy layer-wise pretraining.

    A shallow autoencoder per layer — the first trained on ``X``, each next
    one on the codes of the previous — then the encoders stacked into one
    deep encoder with widths ``(n_features, *hidden_sizes, latent_dim)``
    and the decoders stacked in reverse. With ``noise`` set this is a stacked
    denoising autoencoder; with ``finetune_epochs > 0`` the whole stack is
    then trained end to end as one deep autoencoder. ``transform`` gives the
    top code.

    Parameters
    ----------
    hidden_sizes : tuple of int, default=(512, 256)
        Widths of the hidden layers, before the code: one pretrained layer each.

    latent_dim : int, default=32
        Width of the top code: the number of output features.

    noise : {{"gaussian", "masking", "salt_pepper"}} or None, default=None
        Corruption while pretraining each layer (and while fine-tuning), as in
        :class:`DAETransformer`; ``None`` for plain autoencoders.

    noise_level : float, default=0.25
        Gaussian standard deviation, or the corrupted fraction in [0, 1).

    activation : str, default="relu"
        Activation of every code but the top one, which is linear: "relu",
        "leaky_relu", "elu", "gelu", "tanh", "sigmoid" or "identity".

    output_activation : same choices, default="identity"
        Activation of the reconstruction of ``X``.

    finetune_epochs : int, default=0
        Epochs of unsupervised end-to-end training after pretraining.

{_TRAINING_PARAMS_DOC.replace(_EPOCHS_DOC, "Pretraining epochs of each layer.")}
    Attributes
    ----------
    layers_ : list of AETransformer or DAETransformer
        The pretrained shallow autoencoders, in order; ``layers_[k]`` was
        fitted on ``layers_[k - 1].transform(...)`` of the training data.

    net_ : skorch.NeuralNet
        The net holding the stacked autoencoder (trained further when
        ``finetune_epochs > 0``).

    module_ : skae.modules.AutoEncoder
        The stacked network, ``net_.module_``.

    n_iter_ : int
        Epochs run in all: every layer's pretraining plus fine-tuning.

    loss_curve_ : list of float
        Mean training loss of each fine-tuning epoch (empty without fine-tuning).

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
    >>> sae = SAETransformer(hidden_sizes=(32,), latent_dim=8, random_state=0).fit(X)
    >>> [layer.n_features_in_ for layer in sae.layers_]
    [64, 32]
    >>> sae.transform(X).shape
    (1797, 8)
    """

    _parameter_constraints = {
        **_BaseAutoencoder._parameter_constraints,
        **_NOISE_CONSTRAINTS,
        "output_activation": [StrOptions(set(ACTIVATIONS))],
        "finetune_epochs": [Interval(Integral, 0, None, closed="left")],
    }

    def __init__(
        self,
        hidden_sizes=(512, 256),
        latent_dim=32,
        *,
        noise=None,
        noise_level=0.25,
        activation="relu",
        output_activation="identity",
        finetune_epochs=0,
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
        self.latent_dim = latent_dim
        self.noise = noise
        self.noise_level = noise_level
        self.activation = activation
        self.output_activation = output_activation
        self.finetune_epochs = finetune_epochs
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

    def fit(self, X, y=None):
        """Pretrain the layers greedily, stack them, and optionally fine-tune.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored

        Returns
        -------
        self : object
        """
        with unchanged_on_failure(self):
            self._check_params()
            X = self._validate_X(X, reset=True).astype(np.float32, copy=False)
            *seeds, seed = _layer_seeds(draw_seed(self.random_state), len(self.hidden_sizes) + 1)
            layers = pretrain_layers(self, X, seeds, self.max_epochs, self.output_activation)
            with seeded(seed, resolve_device(self.device)):
                module = AutoEncoder(
                    stacked_encoder(layers),
                    stacked_decoder(layers),
                    _corruption(self, X),
                )
                net = make_net(module, torch.nn.MSELoss, self, max_epochs=self.finetune_epochs)
                if self.finetune_epochs:
                    train(net, torch.tensor(X))
                else:
                    net.initialize()
            self.layers_ = layers
            self._fitted(net)
            self.n_iter_ += sum(layer.n_iter_ for layer in layers)
        return self


class SAEClassifier(ClassifierMixin, ClassNamePrefixFeaturesOutMixin, _EncoderMixin, _NetEstimator):
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

    latent_dim : int, default=32
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

    pretrain_epochs : int, default=10
        Pretraining epochs of each layer.

    dropout : float, default=0.0
        Dropout rate after every layer of the encoder during fine-tuning
        (pretraining uses none). ``transform`` and ``predict`` never drop.

{_TRAINING_PARAMS_DOC.replace(_EPOCHS_DOC, "Epochs of supervised fine-tuning.")}
    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels.

    layers_ : list of AETransformer or DAETransformer
        The pretrained shallow autoencoders (empty with ``pretrain=False``).

    net_ : skorch.NeuralNet
        The fine-tuned net.

    module_ : skae.modules.Classifier
        The fine-tuned network: ``module_.encoder`` and the softmax layer ``module_.head``.

    n_iter_ : int
        Epochs of fine-tuning run.

    loss_curve_ : list of float
        Mean training cross-entropy of each fine-tuning epoch.

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
    >>> clf = SAEClassifier(hidden_sizes=(64,), latent_dim=16, random_state=0)
    >>> bool(clf.fit(X_train, y_train).score(X_test, y_test) > 0.9)
    True
    """

    _parameter_constraints = {
        **_NetEstimator._parameter_constraints,
        **_NOISE_CONSTRAINTS,
        "pretrain": ["boolean"],
        "pretrain_epochs": [Interval(Integral, 1, None, closed="left")],
        "dropout": [Interval(Real, 0, 1, closed="left")],
    }

    def __init__(
        self,
        hidden_sizes=(512, 256),
        latent_dim=32,
        *,
        noise=None,
        noise_level=0.25,
        activation="relu",
        pretrain=True,
        pretrain_epochs=10,
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
        self.latent_dim = latent_dim
        self.noise = noise
        self.noise_level = noise_level
        self.activation = activation
        self.pretrain = pretrain
        self.pretrain_epochs = pretrain_epochs
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
        with unchanged_on_failure(self):
            self._check_params()
            X, y = self._validate_X(X, y, reset=True)
            X = X.astype(np.float32, copy=False)
            check_classification_targets(y)
            encoder = LabelEncoder().fit(y)
            if len(encoder.classes_) < 2:
                raise ValueError(
                    f"{type(self).__name__} needs samples of at least 2 classes, but y "
                    f"holds only one class: {encoder.classes_[0]!r}."
                )
            *seeds, seed = _layer_seeds(draw_seed(self.random_state), len(self.hidden_sizes) + 1)
            layers = []
            if self.pretrain:
                layers = pretrain_layers(self, X, seeds, self.pretrain_epochs, "identity")
            with seeded(seed, resolve_device(self.device)):
                if layers:
                    body = stacked_encoder(layers)
                else:
                    widths = (X.shape[1], *self.hidden_sizes, self.latent_dim)
                    body = mlp(widths, self.activation, "identity")
                if self.dropout:
                    body = nn.Sequential(
                        *(nn.Sequential(*b, nn.Dropout(self.dropout)) for b in body)
                    )
                module = Classifier(body, nn.Linear(self.latent_dim, len(encoder.classes_)))
                net = make_net(module, torch.nn.CrossEntropyLoss, self)
                train(net, torch.tensor(X), torch.as_tensor(encoder.transform(y)))
            self.classes_ = encoder.classes_
            self.layers_ = layers
            self._fitted(net)
        return self

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
        logits = self._forward(self.net_.module_, X, len(self.classes_))
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
        logits = self._forward(self.net_.module_, X, len(self.classes_))
        return self.classes_[np.argmax(logits, axis=1)]
