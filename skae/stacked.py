"""Stacked autoencoders: greedy layer-wise pretraining, then fine-tuning.

:func:`pretrain_layers` trains one shallow autoencoder per layer — the first
on ``X``, each next one on the codes of the one before — as ordinary
:class:`AETransformer` / :class:`DAETransformer` estimators, kept in
``layers_``. Their encoders are stacked into one deep encoder, which
:class:`SAETransformer` may fine-tune as a deep autoencoder (and
:class:`SAEClassifier`, in ``semi_supervised.py``, fine-tunes under a softmax layer).
"""

import warnings
from numbers import Integral, Real

from . import _docs
from ._pretraining import (
    STACK_CONSTRAINTS,
    check_pretraining,
    pretrain_layers,
    stacked_decoder,
    stacked_encoder,
)
from ._reconstruction import TABLE_CONSTRAINTS, _BaseAutoencoder
from ._sklearn import Interval, StrOptions
from .modules import AutoEncoder
from .noise import NOISE_KINDS, check_noise_level, corruption_for


@_docs.substitute
class SAETransformer(_BaseAutoencoder):
    """Stacked autoencoder features: greedy layer-wise pretraining.

    A shallow autoencoder per layer — the first trained on ``X``, each next
    one on the codes of the previous — then the encoders stacked into one
    deep encoder with widths ``(n_features, *hidden_sizes, n_components)``
    and the decoders stacked in reverse. With ``noise`` set this is a stacked
    denoising autoencoder; with ``max_epochs > 0`` the whole stack is then
    fine-tuned end to end as one deep autoencoder. ``transform`` gives the
    top code. Stacked estimators have no ``partial_fit``: greedy
    pretraining needs whole passes over the data, layer after layer.

    Parameters
    ----------
    hidden_sizes : tuple of int or "auto", default='auto'
        Widths of the hidden layers, before the code: one pretrained layer each.
        "auto": ``(min(512, max(128, 8w)), min(256, max(64, 4w)))`` for an input
        width ``w`` (the number of features; on a mixed table the numbers and one column
        per category): ``(512, 256)`` for 64 inputs or more.

    n_components : int or "auto", default='auto'
        Size of the code: the number of output features of ``transform`` (as in PCA and
        BernoulliRBM). "auto": ``min(32, max(1, w // 2))`` (32 for 64 inputs or more).

    {categorical_features}

    noise : {"gaussian", "masking", "salt_pepper"} or None, default=None
        Corruption while pretraining each layer, as in :class:`DAETransformer` (a
        stacked denoising autoencoder); None for plain autoencoders.

    noise_level : float, default=0.25
        The gaussian standard deviation (≥ 0), or the corrupted fraction in [0, 1).

    activation : str, default='relu'
        Activation of every code but the top one, which is linear: "relu", "leaky_relu",
        "elu", "gelu", "tanh", "sigmoid" or "identity".

    loss : {"mse", "bce"}, default='mse'
        Loss of the reconstruction of ``X`` (the first layer and fine-tuning); inner
        layers reconstruct codes with the squared error.

    output_activation : str or None, default=None
        Activation of the reconstruction, one of the ``activation`` choices. None picks
        "identity" for ``loss="mse"`` and "sigmoid" for ``loss="bce"``; "sigmoid" also
        suits MSE on data in [0, 1].

    pretrain_epochs : int, default=10
        Pretraining epochs of each layer.

    pretrain_net_params : dict, default=None
        ``net_params`` of each pretraining layer's net (each gets its own copies of the
        callbacks); ``net_params`` apply to fine-tuning only. The other training
        parameters (``batch_size``, ``lr``, early stopping, ``device``, ``verbose``)
        apply to every layer and to fine-tuning alike.

    max_epochs : int, default=0
        Epochs of end-to-end fine-tuning after pretraining (0: none).

    batch_size : int, default=32
        Samples per gradient step. Batches are gathered from ``X`` by index in a new
        random order every epoch.

    lr : float, default=0.001
        Learning rate of the optimizer: Adam (torch's fused kernel where available),
        unless ``net_params`` names another.

    {training_parameters}

    Attributes
    ----------
    layers_ : list of AETransformer or DAETransformer
        The pretrained shallow autoencoders, in order; ``layers_[k]`` was fitted on
        ``layers_[k - 1].transform(...)`` of the training data. Their ``n_iter_`` and
        ``loss_curve_`` describe the pretraining.

    module_ : skae.modules.AutoEncoder
        The stacked network. Without fine-tuning it is made of the layers' own blocks
        (the weights are kept once); with it, of trained copies.

    {mixed_attributes}

    {fit_attributes}

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
        **TABLE_CONSTRAINTS,
        **STACK_CONSTRAINTS,
        "noise": [StrOptions(set(NOISE_KINDS)), None],
        "noise_level": [Interval(Real, 0, None, closed="left")],
        "max_epochs": [Interval(Integral, 0, None, closed="left")],  # 0: no fine-tuning
    }
    _width_params = ("hidden_sizes",)
    # a file written before the parameter existed (a numeric model) loads with this value
    _added_params = {"categorical_features": "from_dtype"}

    def __init__(
        self,
        hidden_sizes="auto",
        n_components="auto",
        *,
        categorical_features="from_dtype",
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
        self.categorical_features = categorical_features
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

    def _check_params(self):
        super()._check_params()
        check_pretraining(self)
        check_noise_level(self.noise, self.noise_level)

    def _corruption(self, X, fitted):
        return corruption_for(self.noise, self.noise_level, X, fitted)

    def _architecture(self, n_features, corruption, fitted):
        # without fine-tuning, the stack is the layers' own blocks (shared, saved once)
        finetune = self.max_epochs > 0
        return AutoEncoder(
            stacked_encoder(fitted["layers_"], copy_weights=finetune),
            stacked_decoder(fitted["layers_"], copy_weights=finetune),
            corruption,
        )

    def _weights_in_layers(self):
        return self.max_epochs == 0

    def _build_module(self, X, y, rng, found):
        layers = pretrain_layers(self, X, rng, self._output_activation(), self.loss, found)
        decided = {"layers_": layers}
        return self._architecture(X.shape[1], self._corruption(X, found), found | decided), \
            decided


def __getattr__(name):
    """SAEClassifier lived here up to skae 0.3.0: files and pickles that name it
    ``skae.stacked.SAEClassifier`` still find it, with a FutureWarning."""
    if name == "SAEClassifier":
        warnings.warn(
            "skae.stacked.SAEClassifier has moved to skae.semi_supervised: import it from "
            "skae (or skae.semi_supervised). The old path will be removed in a later release.",
            FutureWarning,
            stacklevel=2,
        )
        from .semi_supervised import SAEClassifier

        return SAEClassifier
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
