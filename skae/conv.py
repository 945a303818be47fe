"""ConvAETransformer: a convolutional (denoising) autoencoder on rows that hold images."""

from numbers import Real

from . import _docs
from ._checks import resolve_image_shape
from ._columns import categorical_mask
from ._reconstruction import (
    CODE_CONSTRAINTS,
    _BaseAutoencoder,
    check_top_k,
    code_setting,
    sparse_code,
)
from ._sklearn import Interval, StrOptions, _fit_context
from .modules import conv_autoencoder
from .noise import NOISE_KINDS, check_noise_level, corruption_for


@_docs.substitute
class ConvAETransformer(_BaseAutoencoder):
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
    image_shape : tuple of int or None, default=None
        ``(H, W)`` or ``(C, H, W)`` of one image, rows being C-ordered flattenings
        (``(28, 28)`` for Fashion-MNIST, ``(8, 8)`` for digits). None: a square single-
        channel image when ``n_features`` is a square number, else each row as a 1 x
        n_features strip, so that any data fits.

    channels : tuple of int, default=(32, 64)
        Output channels of the convolution stages.

    n_components : int, default=32
        Size of the code: the number of output features of ``transform`` (as in PCA and
        BernoulliRBM).

    activation : str, default='relu'
        Activation after every convolution: "relu", "leaky_relu", "elu", "gelu", "tanh",
        "sigmoid" or "identity".

    latent_activation : str or "auto", default='auto'
        Activation of the code layer, one of the ``activation`` choices. "auto":
        "identity" (a linear code) when ``n_components`` is smaller than the number of
        features, else "relu". With as many code units as inputs or more, a linear code
        without a penalty can copy its input; a sparse ReLU code, like an RBM's hidden
        units, stays useful. So swapping ``BernoulliRBM(n_components=100)`` for an skae
        transformer with ``n_components=100`` needs no other change. (The "auto" values
        were chosen on validation data; the user guide says how.)

    noise : {"gaussian", "masking", "salt_pepper"} or None, default=None
        ``"gaussian"`` adds N(0, noise_level²); ``"masking"`` sets a fraction
        ``noise_level`` of the entries to 0; ``"salt_pepper"`` sets a fraction
        ``noise_level`` of the entries to their feature's training minimum or maximum,
        each with probability 1/2. None: no corruption. Noise is drawn fresh for every
        batch while training; ``transform``, ``inverse_transform`` and ``score`` never
        add noise.

    noise_level : float, default=0.25
        The gaussian standard deviation (≥ 0), or the corrupted fraction in [0, 1).

    loss : {"mse", "bce"}, default='mse'
        Reconstruction loss: mean squared error, or binary cross-entropy (the usual
        choice for pixels in [0, 1]; it needs ``X`` in [0, 1] and a sigmoid output).
        ``score`` is the negative squared error either way.

    output_activation : str or None, default=None
        Activation of the reconstruction, one of the ``activation`` choices. None picks
        "identity" for ``loss="mse"`` and "sigmoid" for ``loss="bce"``; "sigmoid" also
        suits MSE on data in [0, 1].

    sparsity : float or "auto", default='auto'
        Weight of an L1 penalty on the code (its mean absolute value) added to the loss
        while training: a sparse autoencoder; 0 turns it off. "auto": 0 when
        ``n_components`` is smaller than the number of features (the bottleneck is the
        regulariser), else 0.03.

    top_k : int, None or "auto", default='auto'
        Keep only the ``top_k`` largest code units of each sample and set the others to
        0, while training and in ``transform`` (a k-sparse autoencoder, Makhzani & Frey
        2013): an exact sparsity, with no penalty weight to tune. None: every unit. It
        must not exceed ``n_components``. "auto": None (see ``sparsity`` for the
        overcomplete default).

    warm_start : bool, default=False
        When True, ``fit`` continues from the fitted network (on data with the same
        features) instead of starting anew, as in ``MLPRegressor``.

    max_epochs : int, default=10
        Passes over the training data.

    batch_size : int, default=32
        Samples per gradient step. Batches are gathered from ``X`` by index in a new
        random order every epoch.

    lr : float, default=0.001
        Learning rate of the optimizer: Adam (torch's fused kernel where available),
        unless ``net_params`` names another.

    {training_parameters}

    Attributes
    ----------
    module_ : skae.modules.AutoEncoder
        The trained network: ``module_.encoder``, ``module_.decoder``.

    {fit_attributes}

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
        **CODE_CONSTRAINTS,
        "image_shape": [tuple, list, None],
        "channels": [tuple, list],
        "noise": [StrOptions(set(NOISE_KINDS)), None],
        "noise_level": [Interval(Real, 0, None, closed="left")],
        "warm_start": ["boolean"],
    }
    _width_params = ("channels",)
    _continues = True

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

    def _check_params(self):
        super()._check_params()
        check_top_k(self)
        check_noise_level(self.noise, self.noise_level)

    def _validate_fit_data(self, X, y, reset):
        if hasattr(X, "dtypes") and categorical_mask(X, "from_dtype").any():
            names = [str(c) for c, m in zip(X.columns, categorical_mask(X, "from_dtype")) if m]
            raise ValueError(
                f"X contains text or categories (columns {names}), but ConvAETransformer "
                "reads images and cannot read categorical columns: use AETransformer (or "
                "another MLP transformer), which reads tables with text and category "
                "columns, or encode them as numbers first."
            )
        X, y, fitted = super()._validate_fit_data(X, y, reset)
        fitted["image_shape_"] = resolve_image_shape(self.image_shape, X.shape[1])
        return X, y, fitted

    def _architecture(self, n_features, corruption, fitted):
        return conv_autoencoder(
            fitted["image_shape_"],
            tuple(self.channels),
            self._code_size(n_features),
            self.activation,
            code_setting(self, "latent_activation", n_features),
            self._output_activation(),
            corruption,
            code_setting(self, "top_k", n_features),
        )

    def _corruption(self, X, fitted):
        return corruption_for(self.noise, self.noise_level, X, fitted)

    def _objective(self, n_features):
        return sparse_code(self, n_features)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None):
        """{partial_fit}"""
        return self._fit(X, None, incremental=True)
