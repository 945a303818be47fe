"""ConvAETransformer: a convolutional (denoising) autoencoder on rows that hold images."""

import math
from numbers import Integral


from ._base import _BaseAutoencoder, _CodeMixin, _NoiseMixin, _PartialFitMixin
from ._training import initialized
from .autoencoder import (
    _CODE_PARAMS_DOC,
    _FITTED_ATTRIBUTES_DOC,
    _RECONSTRUCTION_PARAMS_DOC,
    _TRAINING_PARAMS_DOC,
    _WARM_START_DOC,
)
from .modules import conv_autoencoder


def resolve_image_shape(image_shape, n_features):
    """``(C, H, W)`` for rows of ``n_features`` values; see ConvAETransformer's ``image_shape``."""
    if image_shape is None:
        side = math.isqrt(n_features)
        return (1, side, side) if side * side == n_features else (1, 1, n_features)
    shape = tuple(image_shape)
    if len(shape) not in (2, 3) or not all(
        isinstance(s, Integral) and not isinstance(s, bool) and s > 0 for s in shape
    ):
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


class ConvAETransformer(_CodeMixin, _NoiseMixin, _PartialFitMixin, _BaseAutoencoder):
    __doc__ = f"""Convolutional autoencoder features for images stored as rows.

    Each row of ``X`` is one flattened image of ``image_shape``. The encoder
    applies one stride-2 3x3 convolution per entry of ``channels`` (each
    halves the height and width, rounding up), then a linear layer to the
    ``n_components`` code that ``transform`` returns; the decoder mirrors it
    with transposed convolutions and ``inverse_transform`` returns flat rows.
    With ``noise`` set it is a convolutional denoising autoencoder, with the
    corruptions of :class:`DAETransformer`.

    Parameters
    ----------
    image_shape : tuple of int or None, default=None
        ``(H, W)`` or ``(C, H, W)`` of one image, rows being C-ordered
        flattenings (``(28, 28)`` for Fashion-MNIST, ``(8, 8)`` for digits).
        None: a square single-channel image when ``n_features`` is a square
        number, else each row as a 1 x n_features strip, so that any data
        fits.

    channels : tuple of int, default=(32, 64)
        Output channels of the convolution stages.

    n_components : int, default=32
        Size of the code: the number of output features of ``transform``.

    activation : str, default="relu"
        Activation after every convolution: "relu", "leaky_relu", "elu",
        "gelu", "tanh", "sigmoid" or "identity".

{_CODE_PARAMS_DOC}
    noise : {{"gaussian", "masking", "salt_pepper"}} or None, default=None
        Corruption of the input while training (a denoising autoencoder), as in
        :class:`DAETransformer`; None for a plain autoencoder.

    noise_level : float, default=0.25
        The gaussian standard deviation, or the corrupted fraction in [0, 1).

{_RECONSTRUCTION_PARAMS_DOC}
{_WARM_START_DOC}
{_TRAINING_PARAMS_DOC}
    Attributes
    ----------
{_FITTED_ATTRIBUTES_DOC}
    image_shape_ : tuple of int
        The ``(C, H, W)`` the rows were read as.

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

    _parameter_constraints = {
        **_BaseAutoencoder._parameter_constraints,
        **_NoiseMixin._parameter_constraints,
        **_CodeMixin._parameter_constraints,
        "image_shape": [tuple, list, None],
        "channels": [tuple, list],
        "warm_start": ["boolean"],
    }
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
        output_activation=None,
        loss="mse",
        sparsity="auto",
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
        self.output_activation = output_activation
        self.loss = loss
        self.sparsity = sparsity
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
        X, y = super()._validate_fit_data(X, y, reset)
        self.image_shape_ = resolve_image_shape(self.image_shape, X.shape[1])
        return X, y

    def _build_module(self, X, y, rng):
        module = conv_autoencoder(
            self.image_shape_,
            tuple(self.channels),
            self.n_components,
            self.activation,
            self._code_setting("latent_activation", X.shape[1]),
            self._output_activation(),
            self._corruption(X),
        )
        return initialized(module, rng)
