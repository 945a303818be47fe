"""VAETransformer: a variational autoencoder, as one module and one loss-terms hook."""

from functools import partial
from numbers import Integral, Real

import numpy as np
from sklearn.utils.validation import check_is_fitted
from torch import nn

from . import _docs
from ._checks import validate_args
from ._columns import decode_rows, input_of, input_width, is_mixed, layout_of
from ._inference import forward
from ._random import draw_seed
from ._reconstruction import TABLE_CONSTRAINTS, _BaseAutoencoder
from ._sklearn import Interval, StrOptions, _fit_context
from .modules import variational_autoencoder
from .objectives import gaussian_kl


@_docs.substitute
class VAETransformer(_BaseAutoencoder):
    """Variational autoencoder features: a Gaussian encoder and an MLP decoder.

    The encoder has hidden widths ``hidden_sizes`` and two heads, the mean
    and the log-variance of a diagonal Gaussian posterior q(z|x) over
    ``n_components`` latent dimensions; the decoder mirrors the hidden
    layers. Training minimises the negative evidence lower bound (ELBO): the
    reconstruction loss (``loss``) of a ``z`` drawn from q(z|x), plus
    ``beta`` times the KL divergence from q(z|x) to the prior N(0, I) (per
    sample, divided by the number of features, since the reconstruction
    loss is a mean over features; see :func:`skae.objectives.gaussian_kl`).
    ``beta`` above 1 is the beta-VAE.

    ``transform`` returns the posterior mean (deterministic);
    ``inverse_transform`` decodes codes; :meth:`sample` draws new rows from
    the prior; ``score_samples`` is the negative squared reconstruction
    error of the posterior mean, as for the other autoencoders (so that
    scores and outlier detectors compare across families), not the ELBO.
    With early stopping, the validation loss is the negative ELBO with the
    posterior mean decoded.

    Parameters
    ----------
    hidden_sizes : tuple of int or "auto", default='auto'
        Widths of the encoder's hidden layers, before the code; the decoder mirrors
        them. ``()`` gives a shallow autoencoder. "auto": ``(min(512, max(128, 8w)),
        min(256, max(64, 4w)))`` for an input width ``w`` (the number of features; on a
        mixed table the numbers and one column per category): ``(512, 256)`` for 64
        inputs or more.

    n_components : int or "auto", default='auto'
        Latent dimensions: the number of output features of ``transform`` (the posterior
        mean). "auto": ``min(32, max(1, w // 2))`` (32 for 64 inputs or more).

    {categorical_features}

    beta : float, default=0.3
        Weight of the KL term. 1 is the ELBO for ``loss="bce"`` (and for ``loss="mse"``
        under a Gaussian likelihood of variance 1/2); above 1 a beta-VAE (smoother
        codes, blurrier reconstructions); 0 an autoencoder with noisy codes. With MSE on
        data in [0, 1], beta=1 reconstructs little better than the mean: the KL term
        then switches off most of the code.

    activation : str, default='relu'
        Activation after every hidden layer: "relu", "leaky_relu", "elu", "gelu",
        "tanh", "sigmoid" or "identity".

    loss : {"mse", "bce"}, default='mse'
        Reconstruction loss: mean squared error, or binary cross-entropy (the usual
        choice for pixels in [0, 1]; it needs ``X`` in [0, 1] and a sigmoid output).
        ``score`` is the negative squared error either way.

    output_activation : str or None, default=None
        Activation of the reconstruction, one of the ``activation`` choices. None picks
        "identity" for ``loss="mse"`` and "sigmoid" for ``loss="bce"``; "sigmoid" also
        suits MSE on data in [0, 1].

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
    module_ : skae.modules.VariationalAutoEncoder
        The trained network: ``module_.encoder`` (to the posterior mean),
        ``module_.log_var``, ``module_.decoder``.

    {mixed_attributes}

    {fit_attributes}

    See Also
    --------
    AETransformer : The deterministic autoencoder.
    ReconstructionOutlierDetector : Outlier detection by reconstruction error.

    Examples
    --------
    >>> from skae import VAETransformer
    >>> from skae.datasets import load_digits
    >>> X, _ = load_digits(return_X_y=True)
    >>> vae = VAETransformer((64,), n_components=8, max_epochs=5, random_state=0).fit(X)
    >>> vae.transform(X[:3]).shape
    (3, 8)
    >>> vae.sample(4, random_state=0).shape
    (4, 64)
    """

    _parameter_constraints = {
        **_BaseAutoencoder._parameter_constraints,
        **TABLE_CONSTRAINTS,
        "hidden_sizes": [tuple, list, StrOptions({"auto"})],
        "beta": [Interval(Real, 0, None, closed="left")],
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
        beta=0.3,
        activation="relu",
        loss="mse",
        output_activation=None,
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
        self.beta = beta
        self.activation = activation
        self.loss = loss
        self.output_activation = output_activation
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
        width = input_width(fitted, n_features)
        module = variational_autoencoder(
            width,
            self._hidden(width),
            self._code_size(width),
            self.activation,
            self._output_activation(),
            n_outputs=layout_of(fitted).width if is_mixed(fitted) else None,
        )
        if is_mixed(fitted):  # the columns read one-hot (see skae._columns)
            module.encoder[0] = nn.Sequential(input_of(fitted), module.encoder[0])
        return module

    def _objective(self, width):  # the one hook: the ELBO's KL term
        return partial(gaussian_kl, beta=self.beta, n_features=width)

    def _warn_dead_codes(self, X):
        # latent units that the KL term switches off (posterior collapse) are how a VAE
        # chooses its dimension, not a failed fit: not reported
        return None

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None):
        """{partial_fit}"""
        return self._fit(X, None, incremental=True)

    @validate_args(n_samples=[Interval(Integral, 1, None, closed="left")],
                   random_state=["random_state"])  # fmt: skip
    def sample(self, n_samples=1, random_state=None):
        """Draw new rows: codes from the prior N(0, I), decoded.

        Parameters
        ----------
        n_samples : int, default=1
            Number of rows to draw.
        random_state : int, RandomState instance or None, default=None
            Seeds the draw (numpy's global generator is never used).

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_features), float32
            The decoded draws (on a mixed table, an object array of the input's kinds,
            as :meth:`inverse_transform` gives).
        """
        check_is_fitted(self)
        # None: fresh OS entropy, never numpy's global generator (check_random_state(None))
        Z = np.random.default_rng(draw_seed(random_state)).standard_normal(
            (n_samples, self.n_components_)
        )
        if is_mixed(self.__dict__):  # rows of the input's kinds
            output = forward(self, self.module_.decoder, Z.astype(np.float32),
                             layout_of(self.__dict__).width)  # fmt: skip
            return decode_rows(output, self.__dict__)
        return forward(self, self.module_.decoder, Z.astype(np.float32), self.n_features_in_)
