"""AETransformer and DAETransformer: one MLP autoencoder, trained end to end (the second
on corrupted input)."""

from numbers import Real

from . import _docs
from ._reconstruction import (
    TABLE_CONSTRAINTS,
    CODE_CONSTRAINTS,
    _BaseAutoencoder,
    check_top_k,
    code_setting,
    sparse_code,
)
from ._columns import input_width, is_mixed, layout_of, reading_columns
from ._sklearn import Interval, StrOptions, _fit_context
from .modules import mirrored_autoencoder
from .noise import NOISE_KINDS, check_noise_level, corruption_for


def mlp_autoencoder(est, n_features, corruption, fitted):
    """The mirrored MLP autoencoder of ``est``'s settings (AE and DAE), "auto" resolved for
    the width it reads; on a mixed table (``fitted``) it reads the columns one-hot and
    writes one output per number and one logit per category (see :mod:`skae._columns`)."""
    width = input_width(fitted, n_features)
    module = mirrored_autoencoder(
        width,
        tuple(code_setting(est, "hidden_sizes", width)),
        est._code_size(width),
        est.activation,
        code_setting(est, "latent_activation", width),
        est._output_activation(),
        corruption,
        code_setting(est, "top_k", width),
        n_outputs=layout_of(fitted).width if is_mixed(fitted) else None,
    )
    reading_columns(module.encoder, fitted)
    return module


@_docs.substitute
class AETransformer(_BaseAutoencoder):
    """Autoencoder features: an MLP encoder and a mirrored decoder.

    The encoder has widths ``(n_features, *hidden_sizes, n_components)``,
    the decoder the same in reverse, and the pair is trained to reproduce
    ``X``. ``transform`` gives the code, ``inverse_transform`` decodes codes,
    ``score`` is the negative reconstruction error. The defaults follow the
    input's width: on images of 64 pixels or more, the classic Fashion-MNIST
    model (784-512-256-32, Adam with lr 1e-3, MSE, batch 32, 10 epochs); on a
    narrower table, proportionally narrower layers and a code of half its
    width (see ``hidden_sizes`` and ``n_components``). At or above the input
    width (an overcomplete code) the defaults change to one layer with a
    sparse ReLU code (see ``latent_activation`` and ``sparsity``). A
    DataFrame with text and category columns is read as it comes (see
    ``categorical_features``); so is a sparse matrix, a batch at a time.

    Parameters
    ----------
    hidden_sizes : tuple of int or "auto", default='auto'
        Widths of the encoder's hidden layers, before the code; the decoder mirrors
        them. ``()`` gives a shallow autoencoder. "auto": when ``n_components`` is
        smaller than the input width ``w`` (the number of features; on a mixed table the
        numbers and one column per category), ``(min(512, max(128, 8w)), min(256,
        max(64, 4w)))``: ``(512, 256)`` for 64 inputs or more, ``(208, 104)`` for 26;
        else ``()``: an overcomplete code reads the input directly, like an RBM's
        hidden units.

    n_components : int or "auto", default='auto'
        Size of the code: the number of output features of ``transform`` (as in PCA and
        BernoulliRBM). "auto": half the input width ``w``, from 1 to 32 (``min(32,
        max(1, w // 2))``): 32 for an image of 64 pixels or more, 13 for a table one-hot
        encoded into 26 columns, so that a small table gets a code narrower than
        itself. The fitted size is ``n_components_``.

    {categorical_features}

    activation : str, default='relu'
        Activation after every hidden layer: "relu", "leaky_relu", "elu", "gelu",
        "tanh", "sigmoid" or "identity".

    latent_activation : str or "auto", default='auto'
        Activation of the code layer, one of the ``activation`` choices. "auto":
        "identity" (a linear code) when ``n_components`` is smaller than the number of
        features, else "relu". With as many code units as inputs or more, a linear code
        without a penalty can copy its input; a sparse ReLU code, like an RBM's hidden
        units, stays useful. So swapping ``BernoulliRBM(n_components=100)`` for an skae
        transformer with ``n_components=100`` needs no other change. (The "auto" values
        were chosen on validation data; the user guide says how.)

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

    {mixed_attributes}

    {fit_attributes}

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

    _parameter_constraints = {
        **_BaseAutoencoder._parameter_constraints,
        **TABLE_CONSTRAINTS,
        **CODE_CONSTRAINTS,
        "hidden_sizes": [tuple, list, StrOptions({"auto"})],
        "warm_start": ["boolean"],
    }
    _width_params = ("hidden_sizes",)
    # a file written before the parameter existed (a numeric model) loads with this value
    _added_params = {"categorical_features": "from_dtype"}
    _continues = True

    def __init__(
        self,
        hidden_sizes="auto",
        n_components="auto",
        *,
        categorical_features="from_dtype",
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
        self.categorical_features = categorical_features
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

    def _check_params(self):
        super()._check_params()
        check_top_k(self)

    def _architecture(self, n_features, corruption, fitted):
        return mlp_autoencoder(self, n_features, corruption, fitted)

    def _objective(self, n_features):
        return sparse_code(self, n_features)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None):
        """{partial_fit}"""
        return self._fit(X, None, incremental=True)


@_docs.substitute
class DAETransformer(_BaseAutoencoder):
    """Denoising autoencoder features.

    An :class:`AETransformer` trained to reproduce the clean ``X`` from a
    corrupted copy. Fresh noise is drawn for every batch while training;
    ``transform``, ``inverse_transform`` and ``score`` never add noise.

    Parameters
    ----------
    hidden_sizes : tuple of int or "auto", default='auto'
        Widths of the encoder's hidden layers, before the code; the decoder mirrors
        them. ``()`` gives a shallow autoencoder. "auto": when ``n_components`` is
        smaller than the input width ``w`` (the number of features; on a mixed table the
        numbers and one column per category), ``(min(512, max(128, 8w)), min(256,
        max(64, 4w)))``: ``(512, 256)`` for 64 inputs or more, ``(208, 104)`` for 26;
        else ``()``: an overcomplete code reads the input directly, like an RBM's
        hidden units.

    n_components : int or "auto", default='auto'
        Size of the code: the number of output features of ``transform`` (as in PCA and
        BernoulliRBM). "auto": half the input width ``w``, from 1 to 32 (``min(32,
        max(1, w // 2))``): 32 for an image of 64 pixels or more, 13 for a table one-hot
        encoded into 26 columns, so that a small table gets a code narrower than
        itself. The fitted size is ``n_components_``.

    {categorical_features}

    noise : {"gaussian", "masking", "salt_pepper", "swap"}, default='masking'
        ``"gaussian"`` adds N(0, noise_level²); ``"masking"`` sets a fraction
        ``noise_level`` of the entries to 0; ``"salt_pepper"`` sets a fraction
        ``noise_level`` of the entries to their feature's training minimum or maximum,
        each with probability 1/2; ``"swap"`` replaces a fraction ``noise_level`` of the
        entries by the same column's entry in another row of the batch (the swap noise
        of the Porto Seguro DAE: a corrupted entry is always a value its column takes).

    noise_level : float, default=0.5
        The gaussian standard deviation (≥ 0), or the corrupted fraction in [0, 1).

    activation : str, default='relu'
        Activation after every hidden layer: "relu", "leaky_relu", "elu", "gelu",
        "tanh", "sigmoid" or "identity".

    latent_activation : str or "auto", default='auto'
        Activation of the code layer, one of the ``activation`` choices. "auto":
        "identity" (a linear code) when ``n_components`` is smaller than the number of
        features, else "relu". With as many code units as inputs or more, a linear code
        without a penalty can copy its input; a sparse ReLU code, like an RBM's hidden
        units, stays useful. So swapping ``BernoulliRBM(n_components=100)`` for an skae
        transformer with ``n_components=100`` needs no other change. (The "auto" values
        were chosen on validation data; the user guide says how.)

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

    {mixed_attributes}

    {fit_attributes}

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

    _parameter_constraints = {
        **_BaseAutoencoder._parameter_constraints,
        **TABLE_CONSTRAINTS,
        **CODE_CONSTRAINTS,
        "hidden_sizes": [tuple, list, StrOptions({"auto"})],
        "noise": [StrOptions(set(NOISE_KINDS))],
        "noise_level": [Interval(Real, 0, None, closed="left")],
        "warm_start": ["boolean"],
    }
    _width_params = ("hidden_sizes",)
    # a file written before the parameter existed (a numeric model) loads with this value
    _added_params = {"categorical_features": "from_dtype"}
    _continues = True

    def __init__(
        self,
        hidden_sizes="auto",
        n_components="auto",
        *,
        categorical_features="from_dtype",
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
        self.hidden_sizes = hidden_sizes
        self.n_components = n_components
        self.categorical_features = categorical_features
        self.noise = noise
        self.noise_level = noise_level
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

    def _check_params(self):
        super()._check_params()
        check_top_k(self)
        check_noise_level(self.noise, self.noise_level)

    def _corruption(self, X, fitted):
        return corruption_for(self.noise, self.noise_level, X, fitted)

    def _architecture(self, n_features, corruption, fitted):
        return mlp_autoencoder(self, n_features, corruption, fitted)

    def _objective(self, n_features):
        return sparse_code(self, n_features)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None):
        """{partial_fit}"""
        return self._fit(X, None, incremental=True)
