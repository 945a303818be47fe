"""ConvAETransformer: a convolutional (denoising) autoencoder on rows that hold images."""

import math

from ._base import _PartialFitMixin
from ._checks import positive_ints
from ._reconstruction import _BaseAutoencoder, _CodeSettingsMixin, _NoiseMixin
from .modules import conv_autoencoder


def resolve_image_shape(image_shape, n_features):
    """``(C, H, W)`` for rows of ``n_features`` values; see ConvAETransformer's ``image_shape``."""
    if image_shape is None:
        side = math.isqrt(n_features)
        return (1, side, side) if side * side == n_features else (1, 1, n_features)
    shape = tuple(image_shape)
    if len(shape) not in (2, 3) or not positive_ints(shape):
        raise ValueError(
            "image_shape must be (H, W) or (C, H, W) of positive ints, or None, "
            f"got {image_shape!r}."
        )
    shape = (1, *shape) if len(shape) == 2 else shape
    if math.prod(shape) != n_features:
        raise ValueError(
            f"image_shape {tuple(image_shape)} holds {math.prod(shape)} values, but X has "
            f"{n_features} features per row. Set image_shape to the shape of one image, "
            "(H, W) or (C, H, W), or to None (a square image, or a 1 x n_features strip)."
        )
    return shape


class ConvAETransformer(_CodeSettingsMixin, _NoiseMixin, _PartialFitMixin, _BaseAutoencoder):
    """Convolutional autoencoder features for images stored as rows.

    Each row of ``X`` is one flattened image of ``image_shape``. The encoder
    applies one stride-2 3x3 convolution per entry of ``channels`` (each
    halves the height and width, rounding up), then a linear layer to the
    ``n_components`` code that ``transform`` returns; the decoder mirrors it
    with transposed convolutions and ``inverse_transform`` returns flat rows.
    With ``noise`` set it is a convolutional denoising autoencoder, with the
    corruptions of :class:`DAETransformer`.

    Parameters
    ----------
    {{parameters}}

    Attributes
    ----------
    {{attributes}}

    See Also
    --------
    AETransformer : The MLP autoencoder.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skae import ConvAETransformer
    >>> X = load_digits().data / 16
    >>> cae = ConvAETransformer((8, 8), channels=(8, 16), n_components=10,
    ...                         max_epochs=2, random_state=0).fit(X)
    >>> cae.transform(X).shape
    (1797, 10)
    >>> cae.inverse_transform(cae.transform(X[:2])).shape
    (2, 64)
    """

    _parameter_constraints = {"image_shape": [tuple, list, None], "channels": [tuple, list]}
    _param_docs = {
        "activation": 'Activation after every convolution: "relu", "leaky_relu", "elu", '
        '"gelu", "tanh", "sigmoid" or "identity".'
    }
    _fitted_attributes = _BaseAutoencoder._fitted_attributes + ("image_shape_",)
    _width_params = ("channels",)

    def __init__(
        self,
        image_shape=None,
        channels=(32, 64),
        n_components=32,
        *,
        activation="relu",
        latent_activation="auto",
        noise=None,
        noise_level=0.25,
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
        self.image_shape = image_shape
        self.channels = channels
        self.n_components = n_components
        self.activation = activation
        self.latent_activation = latent_activation
        self.noise = noise
        self.noise_level = noise_level
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

    def _validate_fit_data(self, X, y, reset):
        X, y, fitted = super()._validate_fit_data(X, y, reset)
        fitted["image_shape_"] = resolve_image_shape(self.image_shape, X.shape[1])
        return X, y, fitted

    def _architecture(self, n_features, corruption, fitted):
        return conv_autoencoder(
            fitted["image_shape_"],
            tuple(self.channels),
            self.n_components,
            self.activation,
            self._code_setting("latent_activation", n_features),
            self._output_activation(),
            corruption,
            self._code_setting("top_k", n_features),
        )
