"""AETransformer and DAETransformer: one MLP autoencoder, trained end to end."""

from sklearn.utils._param_validation import StrOptions

from ._base import _BaseAutoencoder, _CodeMixin, _NoiseMixin, _PartialFitMixin
from ._training import initialized
from .modules import mirrored_autoencoder
from .noise import NOISE_CONSTRAINTS

_EPOCHS_DOC = "Passes over the training data."
# the stacked estimators swap _EPOCHS_DOC for what their max_epochs means
_TRAINING_PARAMS_DOC = (
    f"""\
    max_epochs : int, default=10
        {_EPOCHS_DOC}

"""
    + """\
    batch_size : int, default=32
        Samples per gradient step. Batches are gathered from ``X`` by index
        in a new random order every epoch.

    lr : float, default=1e-3
        Learning rate of the optimizer: Adam (torch's fused kernel where
        available), unless ``net_params`` names another.

    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data (stratified
        by class for the classifier), stop when its loss has not fallen by
        more than ``tol`` for ``n_iter_no_change`` epochs in a row, and keep
        the weights of the epoch with the lowest validation loss, as
        ``MLPClassifier`` does.

    validation_fraction : float, default=0.1
        The held-out fraction, used only with ``early_stopping=True``.

    n_iter_no_change : int, default=5
        Patience of early stopping, in epochs.

    tol : float, default=1e-4
        Smallest fall of the validation loss (absolute) that counts as an
        improvement. It decides when to stop, not which weights are kept.

    net_params : dict, default=None
        Extra keyword arguments for the :class:`skorch.NeuralNet` that trains
        the network, for what skae has no parameter of its own: e.g.
        ``{"optimizer": torch.optim.SGD, "optimizer__momentum": 0.9}``,
        ``{"optimizer__weight_decay": 1e-5}`` or
        ``{"callbacks": [skorch.callbacks.LRScheduler(...)]}``. Each net
        gets its own copy of every callback. Keys that an estimator
        parameter controls, nested ones included (``lr``, ``optimizer__lr``,
        ``max_epochs``, ``batch_size``, ``criterion``, ``warm_start``,
        ``device``, ``verbose``, ``train_split``, ``module``, ``dataset``,
        ``iterator_*``), are refused.

    device : {"cpu", "cuda", "auto"}, default="cpu"
        Where to train and encode. ``"auto"`` takes CUDA when available.
        A model fitted on a GPU unpickles on a CPU-only machine.

    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling, noise, dropout and the
        validation split, through generators of the fit's own: the same
        value gives the same features on the same device, also when fits
        run concurrently in threads. Fitting never reads or changes numpy's
        or torch's global random state (with ``None``, the seed comes from
        fresh OS entropy).

    verbose : int, default=0
        0 is silent; 1 prints a line per epoch (skorch's log); 2 adds a
        progress bar over the batches of each epoch.
"""
)

_FITTED_ATTRIBUTES_DOC = """\
    module_ : skae.modules.AutoEncoder
        The trained network: ``module_.encoder``, ``module_.decoder``.

    history_ : skorch.history.History
        skorch's per-epoch record of the training run (losses, durations).

    n_iter_ : int
        Epochs run (fewer than ``max_epochs`` when early stopping stopped).

    loss_curve_ : list of float
        Mean training loss of each epoch.

    best_loss_ : float or None
        The lowest training loss; None with early stopping.

    validation_scores_ : list of float or None
        With early stopping, the score on the held-out data after each
        epoch: the negative validation loss (higher is better); else None.

    best_validation_score_ : float or None
        The best of ``validation_scores_``: the epoch whose weights are kept.

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features seen during fit, when ``X`` had string column names.
"""

_RECONSTRUCTION_PARAMS_DOC = """\
    loss : {"mse", "bce"}, default="mse"
        Reconstruction loss: mean squared error, or binary cross-entropy
        (the usual choice for pixels in [0, 1]; it needs ``X`` in [0, 1] and
        a sigmoid output). ``score`` is the negative squared error either way.

    output_activation : str or None, default=None
        Activation of the reconstruction, one of the ``activation`` choices.
        None picks "identity" for ``loss="mse"`` and "sigmoid" for
        ``loss="bce"``; "sigmoid" also suits MSE on data in [0, 1].

    sparsity : float or "auto", default="auto"
        Weight of an L1 penalty on the code (its mean absolute value) added
        to the loss while training: a sparse autoencoder; 0 turns it off.
        "auto": 0 when ``n_components`` is smaller than the number of
        features (the bottleneck is the regulariser), else 0.03 (see below).
"""

_CODE_PARAMS_DOC = """\
    latent_activation : str or "auto", default="auto"
        Activation of the code layer, one of the ``activation`` choices.
        "auto": "identity" (a linear code) when ``n_components`` is smaller
        than the number of features, else "relu". With as many code units
        as inputs or more, a linear code without a penalty can copy its
        input and its features then help a classifier no more than the raw
        input; a sparse ReLU code, like an RBM's hidden units, stays useful.
        So swapping ``BernoulliRBM(n_components=100)`` for an skae
        transformer with ``n_components=100`` needs no other change. (The
        "auto" values were chosen on a validation split of digits by
        ``benchmarks/tune.py``.)
"""

_WARM_START_DOC = """\
    warm_start : bool, default=False
        When True, ``fit`` continues from the fitted network (on data with the
        same features) instead of starting anew, as in ``MLPRegressor``.
"""


class AETransformer(_CodeMixin, _PartialFitMixin, _BaseAutoencoder):
    __doc__ = f"""Autoencoder features: an MLP encoder and a mirrored decoder.

    The encoder has widths ``(n_features, *hidden_sizes, n_components)``,
    the decoder the same in reverse, and the pair is trained to reproduce
    ``X``. ``transform`` gives the code, ``inverse_transform`` decodes codes,
    ``score`` is the negative reconstruction error. The defaults are the
    classic Fashion-MNIST model: 784-512-256-32, Adam with lr 1e-3, MSE,
    batch 32, 10 epochs.

    Parameters
    ----------
    hidden_sizes : tuple of int, default=(512, 256)
        Widths of the encoder's hidden layers, before the code; the decoder
        mirrors them. ``()`` gives a shallow autoencoder.

    n_components : int, default=32
        Size of the code: the number of output features of ``transform``
        (as in PCA and BernoulliRBM).

    activation : str, default="relu"
        Activation after every hidden layer: "relu", "leaky_relu", "elu",
        "gelu", "tanh", "sigmoid" or "identity".

{_CODE_PARAMS_DOC}
{_RECONSTRUCTION_PARAMS_DOC}
{_WARM_START_DOC}
{_TRAINING_PARAMS_DOC}
    Attributes
    ----------
{_FITTED_ATTRIBUTES_DOC}
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
        **_CodeMixin._parameter_constraints,
        "hidden_sizes": [tuple, list],
        "warm_start": ["boolean"],
    }

    def __init__(
        self,
        hidden_sizes=(512, 256),
        n_components=32,
        *,
        activation="relu",
        latent_activation="auto",
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
        self.hidden_sizes = hidden_sizes
        self.n_components = n_components
        self.activation = activation
        self.latent_activation = latent_activation
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

    def _build_module(self, X, y, rng):
        module = mirrored_autoencoder(
            X.shape[1],
            tuple(self.hidden_sizes),
            self.n_components,
            self.activation,
            self._code_setting("latent_activation", X.shape[1]),
            self._output_activation(),
            self._corruption(X),
        )
        return initialized(module, rng)


class DAETransformer(_NoiseMixin, AETransformer):
    __doc__ = f"""Denoising autoencoder features.

    An :class:`AETransformer` trained to reproduce the clean ``X`` from a
    corrupted copy. Fresh noise is drawn for every batch while training;
    ``transform``, ``inverse_transform`` and ``score`` never add noise.

    Parameters
    ----------
    hidden_sizes : tuple of int, default=(512, 256)
        Widths of the encoder's hidden layers, before the code.

    n_components : int, default=32
        Size of the code.

    noise : {{"gaussian", "masking", "salt_pepper"}}, default="masking"
        ``"gaussian"`` adds N(0, noise_level²); ``"masking"`` sets a fraction
        ``noise_level`` of the entries to 0; ``"salt_pepper"`` sets a fraction
        ``noise_level`` of the entries to their feature's training minimum or
        maximum, each with probability 1/2.

    noise_level : float, default=0.25
        The gaussian standard deviation (≥ 0), or the corrupted fraction in [0, 1).

    activation : str, default="relu"
        As for :class:`AETransformer`.

{_CODE_PARAMS_DOC}
{_RECONSTRUCTION_PARAMS_DOC}
{_WARM_START_DOC}
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
    >>> dae = DAETransformer(hidden_sizes=(64,), n_components=8, noise="gaussian",
    ...                      noise_level=0.2, random_state=0).fit(X)
    >>> dae.transform(X).shape
    (1797, 8)
    """

    _parameter_constraints = {
        **AETransformer._parameter_constraints,
        **NOISE_CONSTRAINTS,
        "noise": [StrOptions({"gaussian", "masking", "salt_pepper"})],
    }

    def __init__(
        self,
        hidden_sizes=(512, 256),
        n_components=32,
        *,
        noise="masking",
        noise_level=0.25,
        activation="relu",
        latent_activation="auto",
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
        super().__init__(
            hidden_sizes=hidden_sizes,
            n_components=n_components,
            activation=activation,
            latent_activation=latent_activation,
            output_activation=output_activation,
            loss=loss,
            sparsity=sparsity,
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
