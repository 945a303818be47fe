"""AETransformer and DAETransformer: one MLP autoencoder, trained end to end."""

from ._base import _PartialFitMixin
from ._reconstruction import _BaseAutoencoder, _CodeSettingsMixin, _NoiseMixin
from ._sklearn import StrOptions
from .modules import mirrored_autoencoder


class AETransformer(_CodeSettingsMixin, _PartialFitMixin, _BaseAutoencoder):
    """Autoencoder features: an MLP encoder and a mirrored decoder.

    The encoder has widths ``(n_features, *hidden_sizes, n_components)``,
    the decoder the same in reverse, and the pair is trained to reproduce
    ``X``. ``transform`` gives the code, ``inverse_transform`` decodes codes,
    ``score`` is the negative reconstruction error. The defaults are the
    classic Fashion-MNIST model: 784-512-256-32, Adam with lr 1e-3, MSE,
    batch 32, 10 epochs. At or above the number of features (an overcomplete
    code) the defaults change to one layer with a sparse ReLU code (see
    ``hidden_sizes``, ``latent_activation`` and ``sparsity``).

    Parameters
    ----------
    {{parameters}}

    Attributes
    ----------
    {{attributes}}

    See Also
    --------
    DAETransformer : The same, trained on corrupted input.
    ConvAETransformer : A convolutional autoencoder for images.
    SAETransformer : Greedy layer-wise pretrained stack of autoencoders.
    sklearn.decomposition.PCA : The linear counterpart.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skae import AETransformer
    >>> X = load_digits().data / 16
    >>> ae = AETransformer(hidden_sizes=(64,), n_components=8, random_state=0).fit(X)
    >>> ae.transform(X).shape
    (1797, 8)
    >>> ae.inverse_transform(ae.transform(X[:2])).shape
    (2, 64)
    >>> bool(ae.score(X) > -0.05)
    True
    """

    _parameter_constraints = {"hidden_sizes": [tuple, list, StrOptions({"auto"})]}
    _width_params = ("hidden_sizes",)
    _param_docs = {
        "hidden_sizes": (
            'tuple of int or "auto"',
            "Widths of the encoder's hidden layers, before the code; the decoder mirrors "
            'them. ``()`` gives a shallow autoencoder. "auto": ``(512, 256)`` when '
            "``n_components`` is smaller than the number of features, else ``()``: an "
            "overcomplete code reads the input directly, like an RBM's hidden units.",
        )
    }

    def __init__(
        self,
        hidden_sizes="auto",
        n_components=32,
        *,
        activation="relu",
        latent_activation="auto",
        loss="mse",
        output_activation=None,
        sparsity="auto",
        top_k="auto",
        warm_start=False,
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
        self.activation = activation
        self.latent_activation = latent_activation
        self.loss = loss
        self.output_activation = output_activation
        self.sparsity = sparsity
        self.top_k = top_k
        self.warm_start = warm_start
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

    def _architecture(self, n_features, corruption, fitted):
        return mirrored_autoencoder(
            n_features,
            tuple(self._code_setting("hidden_sizes", n_features)),
            self.n_components,
            self.activation,
            self._code_setting("latent_activation", n_features),
            self._output_activation(),
            corruption,
            self._code_setting("top_k", n_features),
        )


class DAETransformer(_NoiseMixin, AETransformer):
    """Denoising autoencoder features.

    An :class:`AETransformer` trained to reproduce the clean ``X`` from a
    corrupted copy. Fresh noise is drawn for every batch while training;
    ``transform``, ``inverse_transform`` and ``score`` never add noise.

    Parameters
    ----------
    {{parameters}}

    Attributes
    ----------
    {{attributes}}

    See Also
    --------
    AETransformer : The same without noise.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skae import DAETransformer
    >>> X = load_digits().data / 16
    >>> dae = DAETransformer(hidden_sizes=(64,), n_components=8, noise="gaussian",
    ...                      noise_level=0.2, random_state=0).fit(X)
    >>> dae.transform(X).shape
    (1797, 8)
    """

    _parameter_constraints = {"noise": [StrOptions({"gaussian", "masking", "salt_pepper"})]}
    _param_docs = {
        "noise": (
            '{"gaussian", "masking", "salt_pepper"}',
            '``"gaussian"`` adds N(0, noise_level²); ``"masking"`` sets a fraction '
            '``noise_level`` of the entries to 0; ``"salt_pepper"`` sets a fraction '
            "``noise_level`` of the entries to their feature's training minimum or maximum, "
            "each with probability 1/2.",
        ),
        "noise_level": (
            "float",
            "The gaussian standard deviation (≥ 0), or the corrupted fraction in [0, 1).",
        ),
    }

    def __init__(
        self,
        hidden_sizes="auto",
        n_components=32,
        *,
        noise="masking",
        noise_level=0.5,
        activation="relu",
        latent_activation="auto",
        loss="mse",
        output_activation=None,
        sparsity="auto",
        top_k="auto",
        warm_start=False,
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
            n_components=n_components,
            activation=activation,
            latent_activation=latent_activation,
            loss=loss,
            output_activation=output_activation,
            sparsity=sparsity,
            top_k=top_k,
            warm_start=warm_start,
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
