"""AETransformer and DAETransformer: one MLP autoencoder, trained end to end."""

from numbers import Real

import numpy as np
import torch
from sklearn.utils._param_validation import Interval, StrOptions

from ._base import _BaseAutoencoder, unchanged_on_failure
from ._training import draw_seed, make_net, resolve_device, seeded, train
from .modules import ACTIVATIONS, mirrored_autoencoder
from .noise import NOISE_KINDS, corruption_for

_EPOCHS_DOC = "Passes over the training data."
# the stacked estimators swap _EPOCHS_DOC for what their max_epochs means
_TRAINING_PARAMS_DOC = (
    f"""\
    max_epochs : int, default=10
        {_EPOCHS_DOC}

"""
    + """\
    batch_size : int, default=32
        Samples per gradient step. Batches are reshuffled every epoch.

    lr : float, default=1e-3
        Learning rate of the optimizer: Adam (torch's fused kernel where
        available), unless ``net_params`` names another.

    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data, stop when its
        loss has not improved by ``tol`` (relative) for ``n_iter_no_change``
        epochs, and keep the weights of the best epoch.

    validation_fraction : float, default=0.1
        The held-out fraction, used only with ``early_stopping=True``.

    n_iter_no_change : int, default=5
        Patience of early stopping, in epochs.

    tol : float, default=1e-4
        Smallest relative improvement of the validation loss that counts.

    net_params : dict, default=None
        Extra keyword arguments for the :class:`skorch.NeuralNet` that trains
        the network, for what skae has no parameter of its own: e.g.
        ``{"optimizer": torch.optim.SGD, "optimizer__momentum": 0.9}``,
        ``{"optimizer__weight_decay": 1e-5}`` or
        ``{"callbacks": [skorch.callbacks.LRScheduler(...)]}``. Keys that an
        estimator parameter controls (``lr``, ``max_epochs``, ``batch_size``,
        ``device``, ``verbose``, ``train_split``, ``module``, ``dataset``,
        ``iterator_*``) are refused. The stacked estimators pass them to
        every net they train: each layer's pretraining and the fine-tuning.

    device : {"cpu", "cuda", "auto"}, default="cpu"
        Where to train and encode. ``"auto"`` takes CUDA when available.
        A model fitted on a GPU unpickles on a CPU-only machine.

    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling, noise and the validation
        split; the same value gives the same features on the same device.
        Fitting never changes numpy's or torch's global random state (with
        ``None``, the seed comes from fresh OS entropy).

    verbose : int, default=0
        0 is silent; 1 or more prints a line per epoch (skorch's log).
"""
)

_FITTED_ATTRIBUTES_DOC = """\
    net_ : skorch.NeuralNet
        The trained skorch net; ``net_.history`` holds the per-epoch losses.

    module_ : skae.modules.AutoEncoder
        The trained network, ``net_.module_``: ``module_.encoder``, ``module_.decoder``.

    n_iter_ : int
        Epochs run (fewer than ``max_epochs`` when early stopping stopped).

    loss_curve_ : list of float
        Mean training loss of each epoch.

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features seen during fit, when ``X`` had string column names.
"""


class AETransformer(_BaseAutoencoder):
    __doc__ = f"""Autoencoder features: an MLP encoder and a mirrored decoder.

    The encoder has widths ``(n_features, *hidden_sizes, latent_dim)``, the
    decoder the same in reverse, and the pair is trained with the mean
    squared error to reproduce ``X``. ``transform`` gives the code,
    ``inverse_transform`` decodes codes, ``score`` is the negative
    reconstruction error. The defaults are the classic Fashion-MNIST model:
    784-512-256-32, Adam with lr 1e-3, batch 32, 10 epochs.

    Parameters
    ----------
    hidden_sizes : tuple of int, default=(512, 256)
        Widths of the encoder's hidden layers, before the code; the decoder
        mirrors them. ``()`` gives a shallow autoencoder.

    latent_dim : int, default=32
        Size of the code: the number of output features of ``transform``.

    activation : str, default="relu"
        Activation after every hidden layer: "relu", "leaky_relu", "elu",
        "gelu", "tanh", "sigmoid" or "identity".

    latent_activation : same choices, default="identity"
        Activation of the code layer (linear by default).

    output_activation : same choices, default="identity"
        Activation of the reconstruction. ``"sigmoid"`` suits data in [0, 1].

{_TRAINING_PARAMS_DOC}
    Attributes
    ----------
{_FITTED_ATTRIBUTES_DOC}
    See Also
    --------
    DAETransformer : The same, trained on corrupted input.
    SAETransformer : Greedy layer-wise pretrained stack of autoencoders.
    sklearn.decomposition.PCA : The linear counterpart.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skae import AETransformer
    >>> X = load_digits().data / 16
    >>> ae = AETransformer(hidden_sizes=(64,), latent_dim=8, random_state=0).fit(X)
    >>> ae.transform(X).shape
    (1797, 8)
    >>> ae.inverse_transform(ae.transform(X[:2])).shape
    (2, 64)
    >>> bool(ae.score(X) > -0.05)
    True
    """

    _parameter_constraints = {
        **_BaseAutoencoder._parameter_constraints,
        "latent_activation": [StrOptions(set(ACTIVATIONS))],
        "output_activation": [StrOptions(set(ACTIVATIONS))],
    }

    def __init__(
        self,
        hidden_sizes=(512, 256),
        latent_dim=32,
        *,
        activation="relu",
        latent_activation="identity",
        output_activation="identity",
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
        self.activation = activation
        self.latent_activation = latent_activation
        self.output_activation = output_activation
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

    def _corruption(self, X):
        return None

    def fit(self, X, y=None):
        """Train the autoencoder to reproduce ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data; a numeric array or DataFrame.
        y : ignored

        Returns
        -------
        self : object
        """
        with unchanged_on_failure(self):
            self._check_params()
            X = self._validate_X(X, reset=True).astype(np.float32, copy=False)
            with seeded(draw_seed(self.random_state), resolve_device(self.device)):
                module = mirrored_autoencoder(
                    X.shape[1],
                    tuple(self.hidden_sizes),
                    self.latent_dim,
                    self.activation,
                    self.latent_activation,
                    self.output_activation,
                    self._corruption(X),
                )
                net = train(make_net(module, torch.nn.MSELoss, self), torch.tensor(X))
            self._fitted(net)
        return self


class DAETransformer(AETransformer):
    __doc__ = f"""Denoising autoencoder features.

    An :class:`AETransformer` trained to reproduce the clean ``X`` from a
    corrupted copy. Fresh noise is drawn for every batch while training;
    ``transform``, ``inverse_transform`` and ``score`` never add noise.

    Parameters
    ----------
    hidden_sizes : tuple of int, default=(512, 256)
        Widths of the encoder's hidden layers, before the code.

    latent_dim : int, default=32
        Size of the code.

    noise : {{"gaussian", "masking", "salt_pepper"}}, default="masking"
        ``"gaussian"`` adds N(0, noise_level²); ``"masking"`` sets a fraction
        ``noise_level`` of the entries to 0; ``"salt_pepper"`` sets a fraction
        ``noise_level`` of the entries to their feature's training minimum or
        maximum, each with probability 1/2.

    noise_level : float, default=0.25
        The gaussian standard deviation (≥ 0), or the corrupted fraction in [0, 1).

    activation, latent_activation, output_activation : str
        As for :class:`AETransformer`.

{_TRAINING_PARAMS_DOC}
    Attributes
    ----------
{_FITTED_ATTRIBUTES_DOC}
    See Also
    --------
    AETransformer : The same without noise.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skae import DAETransformer
    >>> X = load_digits().data / 16
    >>> dae = DAETransformer(hidden_sizes=(64,), latent_dim=8, noise="gaussian",
    ...                      noise_level=0.2, random_state=0).fit(X)
    >>> dae.transform(X).shape
    (1797, 8)
    """

    _parameter_constraints = {
        **AETransformer._parameter_constraints,
        "noise": [StrOptions(set(NOISE_KINDS))],
        "noise_level": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(
        self,
        hidden_sizes=(512, 256),
        latent_dim=32,
        *,
        noise="masking",
        noise_level=0.25,
        activation="relu",
        latent_activation="identity",
        output_activation="identity",
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
        super().__init__(
            hidden_sizes=hidden_sizes,
            latent_dim=latent_dim,
            activation=activation,
            latent_activation=latent_activation,
            output_activation=output_activation,
            max_epochs=max_epochs,
            batch_size=batch_size,
            lr=lr,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change,
            tol=tol,
            net_params=net_params,
            device=device,
            random_state=random_state,
            verbose=verbose,
        )
        self.noise = noise
        self.noise_level = noise_level

    def _corruption(self, X):
        return corruption_for(self.noise, self.noise_level, X)
