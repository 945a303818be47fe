"""DAEImputer: missing values filled by a denoising autoencoder, in sklearn.impute's API.

The network reads a row with its holes set to the column mean, beside the
mask of which entries are observed, and writes every entry of the row. While
training, a fraction ``noise_level`` of the *observed* entries is hidden
from it as well (the denoising corruption), and the loss is the squared
error on every observed entry, hidden or seen: it learns to predict entries
it cannot see from those it can, which is what filling a hole asks. This is
MIDAS's scheme (Lall & Robinson, Political Analysis 2022); GAIN (Yoon et al.,
2018) feeds the network the mask in the same way. How the defaults were
chosen, and what was tried, is in the user guide's "Missing values" page.
"""

import functools
import math
import warnings
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.impute import MissingIndicator
from sklearn.utils.validation import check_is_fitted, validate_data
from skorch.callbacks import LRScheduler
from torch import nn
from torch.optim.lr_scheduler import CosineAnnealingLR

from . import _docs
from ._base import _NetEstimator
from ._inference import forward
from ._checks import validate_args
from ._sklearn import (
    Interval,
    MissingValues,
    StrOptions,
    _check_feature_names_in,
    _get_output_config,
)
from ._columns import (
    ColumnInput,
    ColumnLoss,
    ColumnOutput,
    ColumnSchema,
    choose,
    holes_of,
    is_mixed,
    layout_of,
    table_mask,
    typed_frame,
)
from ._random import current_generator, draw_seed, random_source
from .modules import ACTIVATIONS, mlp
from .noise import swap

# rows of the training data (evenly spaced) used to measure each column's
# prediction error for sample_posterior
RESIDUAL_ROWS = 4096
# max_epochs="auto" without early stopping: at least AUTO_STEPS gradient steps, and from
# AUTO_EPOCHS to MAX_EPOCHS passes over the rows; with early stopping, MAX_EPOCHS at most
AUTO_STEPS, AUTO_EPOCHS, MAX_EPOCHS = 20_000, 100, 1000
# n_iter_no_change="auto": the epochs of PATIENCE_STEPS gradient steps, at least PATIENCE_EPOCHS
PATIENCE_STEPS, PATIENCE_EPOCHS = 1000, 10
# the cosine after the held-out score stops improving: this fraction of the epochs run so far
COOLDOWN = 0.25
# early stopping holds rows out when at least this many would be held out
MIN_HELD_OUT = 2
# the seed of the entries hidden from the held-out rows when early stopping scores them
VALIDATION_SEED = 0


def auto_epochs(n_samples, batch_size, steps=AUTO_STEPS):
    """``max_epochs="auto"``: the passes over ``n_samples`` rows that make at least ``steps``
    gradient steps, from ``AUTO_EPOCHS`` to ``MAX_EPOCHS``."""
    batches = math.ceil(n_samples / batch_size)
    return min(MAX_EPOCHS, max(AUTO_EPOCHS, math.ceil(steps / batches)))


class MaskedMSELoss(nn.Module):
    """Mean squared error over the entries where the target is observed (not NaN), each
    entry weighed by ``weight`` where given."""

    def forward(self, output, target, weight=None):
        observed = ~torch.isnan(target)
        error = torch.where(observed, output - torch.nan_to_num(target), 0).square()
        if weight is None:
            return error.sum() / observed.sum().clamp(min=1)
        weight = torch.where(observed, weight, 0)
        return (error * weight).sum() / weight.sum().clamp(min=1e-12)


class ImputationNet(nn.Module):
    """An MLP from ``(row with holes at 0, observed mask)`` to the whole row.

    Rows come scaled (the column means at 0) with NaN in their holes. On a mixed table
    (``categorical``), rows come as codes (see :mod:`skae._columns`): the numbers scaled,
    each category its index; the network reads the categories one-hot and writes one
    logit per category.
    ``forward`` (the inference path) reads every observed entry; ``terms``
    (training and validation) and :meth:`draw` hide a random fraction
    ``level`` of them as well, drawn from the fit's generator (training with
    ``noise="swap"`` swaps them instead: see :func:`skae.noise.swap`).
    """

    def __init__(self, n_features, hidden_sizes, activation, level, categorical=None,
                 n_categories=(), noise="hide", emphasis=1.0):  # fmt: skip
        super().__init__()
        self.noise, self.emphasis = noise, float(emphasis)
        width_in, width_out = n_features, n_features
        self.columns = self.layout = None
        if categorical is not None and np.any(categorical):  # a mixed table: codes in
            self.columns = ColumnInput(categorical, n_categories)
            self.layout = ColumnOutput(categorical, n_categories)
            width_in, width_out = self.columns.width, self.layout.width
        self.net = mlp((width_in + n_features, *hidden_sizes, width_out), activation,
                       "identity")  # fmt: skip
        self.level = float(level)

    def _fill(self, x, hide, generator=None, noise="hide"):
        seen = ~torch.isnan(x)
        if hide and self.level and noise == "swap":  # entries of other rows, shown as seen
            x = swap(x, self.level, current_generator(x.device))
            seen = ~torch.isnan(x)
        elif hide and self.level:
            generator = generator or current_generator(x.device)
            seen = seen & (torch.empty_like(x).uniform_(generator=generator) >= self.level)
        if self.columns is None:
            shown = torch.where(seen, x, 0)
        else:  # numbers as they are, categories one-hot, the hidden entries as holes
            shown = self.columns(torch.where(seen, x, torch.nan))
        return self.net(torch.cat([shown, seen.to(x.dtype)], dim=1)), seen

    def terms(self, x):
        if self.training:  # scored on every observed entry, corrupted or not (MIDAS)
            output, seen = self._fill(x, hide=True, noise=self.noise)
            if self.emphasis == 1 or self.noise != "hide":
                return {"output": output}
            # the hidden entries weigh ``emphasis`` times the seen ones (Vincent et al.)
            hidden = ~torch.isnan(x) & ~seen
            return {"output": output, "weight": 1 + (self.emphasis - 1) * hidden.to(x.dtype)}
        # validation: scored on the observed entries it hid, the same ones at every epoch
        # (a fixed draw), so that the held-out score measures filling holes, without noise
        generator = torch.Generator(device=x.device).manual_seed(VALIDATION_SEED)
        output, seen = self._fill(x, hide=True, generator=generator)
        return {"output": output, "weight": (~torch.isnan(x) & ~seen).to(x.dtype)}

    def draw(self, x):
        """A prediction of every entry with a random part of the observed ones hidden."""
        return self._fill(x, hide=True)[0]

    def draw_and_hidden(self, x):
        """:meth:`draw`, beside the mask (0/1) of the observed entries it hid."""
        output, seen = self._fill(x, hide=True)
        return torch.cat([output, (~torch.isnan(x) & ~seen).to(x.dtype)], dim=1)

    def averaged(self, x, draws):
        """The mean of ``draws`` predictions, each with a fixed random fraction ``level`` of
        the columns hidden (the same columns in every row, so that a row's prediction does
        not depend on the rows beside it): numbers averaged, and each category's
        probability, given back as its log (as logits)."""
        generator = torch.Generator().manual_seed(VALIDATION_SEED)
        hidden = (torch.rand(draws, x.shape[1], generator=generator) < self.level).to(x.device)
        total = 0.0
        for columns in hidden:
            output = self._fill(torch.where(columns, torch.nan, x), hide=False)[0]
            if self.layout is not None:  # logits to probabilities, per categorical column
                output = output.clone()
                for s in self.layout.slices:
                    output[:, s] = torch.softmax(output[:, s], dim=1)
            total = total + output
        mean = total / draws
        if self.layout is not None:
            for s in self.layout.slices:
                mean[:, s] = torch.log(mean[:, s].clamp(min=1e-30))
        return mean

    def forward(self, x):
        return self._fill(x, hide=False)[0]


def _nan_marker(missing_values):
    """Whether ``missing_values`` marks holes as NaN does (NaN, or pandas.NA)."""
    return bool(not isinstance(missing_values, Real) or np.isnan(missing_values))


@_docs.substitute
class DAEImputer(_NetEstimator):
    """Imputation of missing values by a denoising autoencoder.

    Each column is centred and scaled by the mean and standard deviation of
    its observed values (so no scaler is needed in front); the network sees
    a row with its holes at the column mean beside the mask of its observed
    entries, and is trained to give back the observed entries while a
    fraction ``noise_level`` of them is hidden from it at every step (the
    loss is on observed entries only: the rows may all have holes).
    ``transform`` fills only the missing entries, with the network's
    prediction clipped to the column's observed range; observed entries come
    back unchanged, bit for bit. A column with no observed value in ``fit``
    is dropped, or with ``keep_empty_features=True`` filled with 0, as
    :class:`~sklearn.impute.SimpleImputer` does.

    Parameters
    ----------
    missing_values : int, float, np.nan or pandas.NA, default=nan
        The placeholder of the missing values; every occurrence of it is imputed.

    categorical_features : "from_dtype", list of str or int, array-like of bool or None, \
default='from_dtype'
        The categorical columns. "from_dtype": the columns of a pandas or polars DataFrame
        whose dtype is category, object, string or bool (as
        ``HistGradientBoostingClassifier``'s parameter; a numpy array has none); or a list
        of column names or indices, or a boolean mask; None: none. A table with
        categorical columns is read as codes (see the user guide): the network reads each
        category one-hot, writes one logit per category and is scored by the
        cross-entropy there; ``transform`` fills a categorical hole with one of the
        categories seen in ``fit`` (the most probable, or a draw with
        ``sample_posterior=True``) and returns an object array. A category ``fit`` never
        saw is read as none and comes back as it was.

    hidden_sizes : tuple of int, default=(256, 256)
        Widths of the network's hidden layers, from the ``2 * n_features`` inputs (the
        row and its mask) to the ``n_features`` outputs.

    noise_level : float, default=0.25
        The fraction of the observed entries corrupted at each training step (the
        denoising corruption), in [0, 1).

    emphasis : float, default=1.0
        The weight, in the training loss, of the observed entries hidden from the
        network against the entries it sees (the emphasized denoising of Vincent et
        al., JMLR 2010): 1 scores every observed entry alike (MIDAS's loss); a larger
        value stresses predicting what is hidden, which filling a hole asks. With
        ``noise="hide"`` only.

    noise : {'hide', 'swap'}, default='hide'
        The training corruption. 'hide': the entries are shown to the network as
        holes, as a hole is at ``transform`` (MIDAS's corruption); 'swap': each is
        replaced by the same column's entry in another row of the batch, shown as
        observed (the swap noise of the Porto Seguro DAE; a category stays a category).
        Either way the loss is on every observed entry, and early stopping scores
        hidden entries.

    activation : str, default='relu'
        Activation after every hidden layer: "relu", "leaky_relu", "elu", "gelu",
        "tanh", "sigmoid" or "identity".

    n_draws : int, default=0
        With ``n_draws`` > 0, the prediction that fills a hole is the mean of
        ``n_draws`` predictions, each with a fixed random fraction ``noise_level`` of the
        columns hidden, as the network saw rows in training (the same columns for every
        row, so the fill of a row does not depend on the rows beside it; a category's
        probabilities are averaged); 0: one prediction from every observed entry.

    sample_posterior : bool, default=False
        Whether ``transform`` draws each missing entry instead of giving the network's
        mean prediction, as ``IterativeImputer``'s ``sample_posterior``: a prediction
        with a random part of the observed entries hidden, plus gaussian noise of the
        column's prediction error (``residual_std_``). Transforms with different
        ``random_state`` give the draws of a multiple imputation; one ``random_state``
        gives the same draws for the same rows.

    add_indicator : bool, default=False
        Whether to append a :class:`~sklearn.impute.MissingIndicator` of the columns
        that had holes in ``fit`` to the output.

    keep_empty_features : bool, default=False
        Whether a column with no observed value in ``fit`` is kept (filled with 0)
        instead of dropped from the output.

    copy : bool, default=True
        Whether ``transform`` fills a copy of ``X``; False fills a float numpy ``X`` in
        place where it can.

    max_epochs : int or 'auto', default='auto'
        Passes over the training data at most; ``'auto'``: 1000 with early stopping,
        else enough for 20,000 gradient steps (rows / ``batch_size`` per pass), from
        100 to 1000 passes.

    batch_size : int, default=256
        Rows per gradient step.

    lr : float, default=0.003
        Learning rate of the optimizer: Adam (torch's fused kernel where available),
        unless ``net_params`` names another.

    lr_schedule : {'cosine', 'constant'}, default='cosine'
        The learning rate over the fit. 'cosine' with early stopping: ``lr`` until
        the held-out score stops improving, then down to 0 along a cosine over a
        quarter of the epochs run so far, then stop (started earlier where needed
        to end by ``max_epochs``); without: from ``lr`` down to 0 along a cosine over
        ``max_epochs``. 'constant': ``lr`` throughout.

    early_stopping : bool, default=True
        Hold out ``validation_fraction`` of the rows and score, after each epoch, how
        well the network predicts their observed entries when a fixed random fraction
        ``noise_level`` of them is hidden from it (filling holes, on rows it does not
        train on); stop as ``lr_schedule`` says once that score has not improved by
        more than ``tol`` for ``n_iter_no_change`` epochs in a row, and keep the
        weights of the epoch with the best score. False (or fewer than 2 rows to hold
        out): train on every row for ``max_epochs``.

    validation_fraction : float, default=0.1
        The held-out fraction of the rows, used only with ``early_stopping=True``.

    n_iter_no_change : int or 'auto', default='auto'
        Patience of early stopping, in epochs; ``'auto'``: the epochs of 1,000
        gradient steps, at least 10.

    tol : float, default=0.0001
        Smallest fall of the held-out loss (absolute) that counts as an improvement.
        It decides when to stop, not which weights are kept.

    {net_parameters}

    Attributes
    ----------
    statistics_ : ndarray of shape (n_features,)
        The mean of each column's observed values in ``fit`` (NaN for a column with
        none).

    scale_ : ndarray of shape (n_features,)
        The standard deviation of each column's observed values (1 where it is 0 or
        undefined): the network works on ``(X - statistics_) / scale_``.

    residual_std_ : ndarray of shape (n_features,)
        Each column's root mean squared prediction error on hidden observed training
        entries, in the column's units: the noise of ``sample_posterior`` draws.

    indicator_ : MissingIndicator or None
        The indicator appended with ``add_indicator``; else None.

    {fit_attributes}

    module_ : skae.impute.ImputationNet
        The trained network, on scaled columns.

    See Also
    --------
    sklearn.impute.IterativeImputer : Each column regressed on the others, in turns.
    sklearn.impute.KNNImputer : The mean of the nearest rows.
    sklearn.impute.SimpleImputer : A column statistic.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_diabetes
    >>> from skae import DAEImputer
    >>> X = load_diabetes().data
    >>> holes = np.random.default_rng(0).random(X.shape) < 0.2
    >>> X_missing = np.where(holes, np.nan, X)
    >>> imputer = DAEImputer(max_epochs=20, random_state=0).fit(X_missing)
    >>> X_filled = imputer.transform(X_missing)
    >>> bool(np.isnan(X_filled).any()), bool((X_filled[~holes] == X[~holes]).all())
    (False, True)
    """

    _parameter_constraints = {
        **_NetEstimator._parameter_constraints,
        "missing_values": [MissingValues(numeric_only=True)],
        "categorical_features": [StrOptions({"from_dtype"}), "array-like", None],
        "hidden_sizes": [tuple, list],
        "noise_level": [Interval(Real, 0, 1, closed="left")],
        "emphasis": [Interval(Real, 0, None, closed="left")],
        "noise": [StrOptions({"hide", "swap"})],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "n_draws": [Interval(Integral, 0, None, closed="left")],
        "sample_posterior": ["boolean"],
        "add_indicator": ["boolean"],
        "keep_empty_features": ["boolean"],
        "copy": ["boolean"],
        "max_epochs": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "lr_schedule": [StrOptions({"cosine", "constant"})],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
    }
    _width_params = ("hidden_sizes",)
    # parameters added since skae 0.3.0, with the value a model saved before them had
    _added_params = {"noise": "hide", "n_draws": 0, "emphasis": 1.0}

    def __init__(
        self,
        *,
        missing_values=np.nan,
        categorical_features="from_dtype",
        hidden_sizes=(256, 256),
        noise_level=0.25,
        emphasis=1.0,
        noise="hide",
        activation="relu",
        n_draws=0,
        sample_posterior=False,
        add_indicator=False,
        keep_empty_features=False,
        copy=True,
        max_epochs="auto",
        batch_size=256,
        lr=3e-3,
        lr_schedule="cosine",
        early_stopping=True,
        validation_fraction=0.1,
        n_iter_no_change="auto",
        tol=1e-4,
        net_params=None,
        device="cpu",
        random_state=None,
        verbose=0,
    ):
        self.missing_values = missing_values
        self.categorical_features = categorical_features
        self.hidden_sizes = hidden_sizes
        self.noise_level = noise_level
        self.emphasis = emphasis
        self.noise = noise
        self.activation = activation
        self.n_draws = n_draws
        self.sample_posterior = sample_posterior
        self.add_indicator = add_indicator
        self.keep_empty_features = keep_empty_features
        self.copy = copy
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.lr_schedule = lr_schedule
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.net_params = net_params
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    # --- the hooks of the fit sequence ----------------------------------------------------------

    def _architecture(self, n_features, corruption, fitted):
        categorical = fitted.get("categorical_")  # None: a numeric table (or a 0.3.0 file)
        n_categories = [len(c) for c in fitted.get("categories_", [])]
        return ImputationNet(n_features, tuple(self.hidden_sizes), self.activation,
                             self.noise_level, categorical, n_categories,
                             self.noise, self.emphasis)  # fmt: skip

    def _criterion(self, fitted):
        # on a mixed table, each column scored by its kind
        return ColumnLoss(layout_of(fitted)) if is_mixed(fitted) else MaskedMSELoss

    def _holds_out(self, n_samples):
        """Whether a fit on ``n_samples`` rows stops early: ``early_stopping``, with at
        least ``MIN_HELD_OUT`` rows to hold out."""
        return self.early_stopping and n_samples * self.validation_fraction >= MIN_HELD_OUT

    def _epochs(self, n_samples):
        if self.max_epochs != "auto":
            return self.max_epochs
        if self._holds_out(n_samples):
            return MAX_EPOCHS
        return auto_epochs(n_samples, self.batch_size)

    def _patience(self, n_samples):
        """``n_iter_no_change``, "auto" resolved: the epochs of ``PATIENCE_STEPS`` steps over
        the rows trained on (those early stopping does not hold out)."""
        if self.n_iter_no_change != "auto":
            return self.n_iter_no_change
        batches = math.ceil(n_samples * (1 - self.validation_fraction) / self.batch_size)
        return max(PATIENCE_EPOCHS, math.ceil(PATIENCE_STEPS / batches))

    def _stopping(self, n_samples):
        if not self._holds_out(n_samples):
            return None
        cooldown = COOLDOWN if self.lr_schedule == "cosine" else 0.0
        return {"patience": self._patience(n_samples), "tol": self.tol, "cooldown": cooldown}

    def _encoder(self):
        return self.module_

    def _net_params(self, epochs, stopping):
        net_params = dict(self.net_params or {})
        if self.lr_schedule == "cosine" and stopping is None:  # stepped after each epoch
            decay = ("lr_schedule", LRScheduler(CosineAnnealingLR, T_max=epochs))
            net_params["callbacks"] = [decay, *(net_params.get("callbacks") or [])]
        return net_params

    def _warn_unconverged(self, losses, epochs, n_samples):
        # a cosine schedule takes the learning rate down to 0 at the last epoch: the fit
        # ends where it was planned to, whatever the loss still does
        if self.lr_schedule != "cosine":
            super()._warn_unconverged(losses, epochs, n_samples)

    def _validate_fit_data(self, X, y, reset):
        categorical = table_mask(self, X)
        if categorical is not None:
            return self._validate_mixed(X, categorical, reset)
        X = self._validate_X(X, reset=reset)
        holes = self._holes(X)
        observed = np.where(holes, np.nan, X).astype(np.float64)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            mean = np.nanmean(observed, axis=0)
            std = np.nanstd(observed, axis=0)
            low, high = np.nanmin(observed, axis=0), np.nanmax(observed, axis=0)
        empty = np.isnan(mean)
        mean[empty], low[empty], high[empty] = 0.0, 0.0, 0.0
        std[~(std > 0)] = 1.0  # constant and empty columns
        indicator = None
        if self.add_indicator:
            marker = np.nan if _nan_marker(self.missing_values) else self.missing_values
            indicator = MissingIndicator(missing_values=marker, error_on_new=False)
            indicator.fit(np.where(holes, marker, 0.0))
        fitted = {
            "statistics_": np.where(empty, np.nan, mean),
            "scale_": std,
            "_low": low,
            "_high": high,
            "indicator_": indicator,
            "categorical_": np.zeros(X.shape[1], dtype=bool),
            "categories_": [],
            "_empty": None,
        }
        scaled = ((observed - mean) / std).astype(np.float32)
        return scaled, None, fitted

    def _validate_mixed(self, X, categorical, reset):
        """A mixed table as codes: the numbers scaled as on a numeric table, each category
        its index in ``categories_``, NaN in the holes (see :mod:`skae._columns`)."""
        Xo = validate_data(self, X, dtype=None, ensure_all_finite=False, reset=reset)
        holes = self._mixed_holes(Xo)
        schema = ColumnSchema.fit(Xo, categorical, holes=holes)
        codes = schema.encode(Xo, holes=holes).astype(np.float64)
        numeric = ~categorical
        if np.isinf(codes[:, numeric]).any():
            raise ValueError("Input X contains infinity: replace it (or mark it missing).")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            mean = np.nanmean(codes, axis=0)
            std = np.nanstd(codes, axis=0)
            low, high = np.nanmin(codes, axis=0), np.nanmax(codes, axis=0)
        empty = np.isnan(mean)  # a numeric column with no observed value
        empty[categorical] = [not k for k in schema.n_categories]  # a category column, none
        mean[categorical | empty], low[categorical | empty] = 0.0, 0.0
        high[categorical | empty] = 0.0
        std[categorical | ~(std > 0)] = 1.0
        codes[:, numeric] = (codes[:, numeric] - mean[numeric]) / std[numeric]
        statistics = np.array([None if e else float(m) for e, m in zip(empty, mean)],
                              dtype=object)  # fmt: skip
        cats = iter(schema.categories_)
        for j in np.flatnonzero(categorical):  # the most frequent category, as SimpleImputer
            categories = next(cats)
            if len(categories):
                seen = codes[:, j][~np.isnan(codes[:, j])].astype(np.intp)
                statistics[j] = categories[np.bincount(seen, minlength=len(categories)).argmax()]
        indicator = None
        if self.add_indicator:
            indicator = MissingIndicator(missing_values=np.nan, error_on_new=False)
            indicator.fit(np.where(holes, np.nan, 0.0))
        fitted = {"statistics_": statistics, "scale_": std, "_low": low, "_high": high,
                  "indicator_": indicator, "categorical_": categorical,
                  "categories_": schema.categories_, "_empty": empty}  # fmt: skip
        return codes.astype(np.float32), None, fitted

    def _mixed_holes(self, Xo):
        """The holes of an object array: NaN, None, pandas.NA, or ``missing_values``."""
        return holes_of(Xo, None if _nan_marker(self.missing_values) else self.missing_values)

    def _empty_features(self):
        """The columns with no observed value in ``fit``."""
        empty = getattr(self, "_empty", None)
        return np.isnan(self.statistics_) if empty is None else empty

    def _finish_fit(self, X):
        """Each column's prediction error on hidden observed entries (``residual_std_``).

        Measured on up to ``RESIDUAL_ROWS`` training rows, over the observed
        entries a draw hid (over all observed ones for a column with none
        hidden, as with ``noise_level=0``).
        """
        rows = np.linspace(0, X.shape[0] - 1, min(X.shape[0], RESIDUAL_ROWS)).astype(np.intp)
        Xs, n = X[rows], X.shape[1]
        layout = layout_of(self.__dict__) if is_mixed(self.__dict__) else None
        width = n if layout is None else layout.width
        numeric = ~self.categorical_
        generator = torch.Generator(device=self._device).manual_seed(0)
        with random_source(generator):
            out = forward(self, self.module_.draw_and_hidden, Xs, width + n)
        predicted = out[:, :n] if layout is None else out[:, : numeric.sum()]
        error = np.full(Xs.shape, np.nan)  # NaN where not observed, and for categories
        error[:, numeric] = np.square(predicted - Xs[:, numeric], dtype=np.float64)
        hidden = out[:, width:] > 0
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            on_hidden = np.sqrt(np.nanmean(np.where(hidden, error, np.nan), axis=0))
            on_observed = np.sqrt(np.nanmean(error, axis=0))
        rmse = np.where(hidden.any(axis=0), on_hidden, on_observed)
        self.residual_std_ = np.where(numeric, np.nan_to_num(rmse) * self.scale_, np.nan)
        self._n_features_out = None

    # --- imputation -----------------------------------------------------------------------------

    def _holes(self, X):
        if _nan_marker(self.missing_values):
            return np.isnan(X)
        return X == self.missing_values

    def transform(self, X):
        """Fill the missing entries of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows with holes (``missing_values``), with the features of ``fit``.

        Returns
        -------
        X_imputed : ndarray of shape (n_samples, n_features_out)
            ``X`` with every hole filled (its float dtype kept, float64 for
            other input), the columns empty in ``fit`` dropped unless
            ``keep_empty_features``, and the missing indicator appended with
            ``add_indicator``.
        """
        if getattr(self, "categorical_", np.zeros(0, dtype=bool)).any():
            return self._transform_mixed(X)
        X = self._validate_X(X)
        holes = self._holes(X)
        float_input = X.dtype.kind == "f"
        out = X if float_input else X.astype(np.float64)
        if self.copy and float_input or not out.flags.writeable:
            out = out.copy()
        if holes.any():
            scaled = np.where(holes, np.nan, (X - self.statistics_) / self.scale_)
            scaled = np.nan_to_num(scaled, nan=np.nan, posinf=np.nan, neginf=np.nan)
            filled = self._predict_scaled(scaled.astype(np.float32))
            filled = np.clip(filled * self.scale_ + np.nan_to_num(self.statistics_),
                             self._low, self._high)  # fmt: skip
            out[holes] = filled[holes]
        empty = self._empty_features()
        if self.keep_empty_features:
            out[:, empty] = np.where(holes[:, empty], 0, out[:, empty])
        else:
            out = out[:, ~empty]
        if self.indicator_ is not None:
            indicator = self.indicator_.transform(np.where(holes, np.nan, 0.0))
            out = np.hstack([out, indicator.astype(out.dtype)])
        return out

    def _transform_mixed(self, X):
        """:meth:`transform` of a mixed table: an object array, each hole filled with a
        number or with one of the categories seen in ``fit``."""
        check_is_fitted(self)
        Xo = validate_data(self, X, dtype=None, ensure_all_finite=False, reset=False)
        holes = self._mixed_holes(Xo)
        categorical, numeric = self.categorical_, ~self.categorical_
        schema = ColumnSchema(categorical)
        schema.categories_ = self.categories_
        codes = schema.encode(Xo, holes=holes)
        mean = np.array([0.0 if c or s is None else s
                         for c, s in zip(categorical, self.statistics_)])  # fmt: skip
        codes[:, numeric] = (codes[:, numeric] - mean[numeric]) / self.scale_[numeric]
        out = np.array(Xo, dtype=object)  # a copy: the caller's X is never filled in place
        if holes.any():
            layout = ColumnOutput(categorical, [len(c) for c in self.categories_])
            raw = self._predict_scaled(codes.astype(np.float32), layout.width)
            filled = np.empty(Xo.shape, dtype=object)
            numbers = raw[:, : numeric.sum()] * self.scale_[numeric] + mean[numeric]
            filled[:, numeric] = np.clip(numbers, self._low[numeric], self._high[numeric])
            rng = np.random.default_rng(draw_seed(self.random_state))
            for j, s, categories in zip(np.flatnonzero(categorical), layout.slices,
                                        self.categories_):  # fmt: skip
                filled[:, j] = 0 if not len(categories) else categories[
                    choose(raw[:, s], rng if self.sample_posterior else None)]
            out[holes] = filled[holes]
        empty = self._empty_features()
        if self.keep_empty_features:
            out[:, empty] = np.where(holes[:, empty], 0, out[:, empty])
        else:
            out = out[:, ~empty]
        columns = list(np.flatnonzero(~empty) if not self.keep_empty_features
                       else range(len(empty)))  # fmt: skip
        if self.indicator_ is not None:
            indicator = self.indicator_.transform(np.where(holes, np.nan, 0.0))
            out = np.hstack([out, indicator])
            columns += [None] * indicator.shape[1]
        flavor = _get_output_config("transform", self)["dense"]
        if flavor in ("pandas", "polars"):  # each column in the input's dtype
            return typed_frame(out, X, columns, self.get_feature_names_out(), flavor)
        return out

    def _predict_scaled(self, scaled, width=None):
        """The network's prediction of every entry (scaled), or a draw of it."""
        width = scaled.shape[1] if width is None else width
        if not self.sample_posterior:
            module = self.module_
            if self.n_draws:
                module = functools.partial(self.module_.averaged, draws=self.n_draws)
            return forward(self, module, scaled, width).astype(np.float64)
        seed = draw_seed(self.random_state)
        generator = torch.Generator(device=self._device).manual_seed(seed)
        with random_source(generator):
            drawn = forward(self, self.module_.draw, scaled, width)
        if width != scaled.shape[1]:  # a mixed table: the numbers' noise, not the logits'
            numeric = ~self.categorical_
            noise = np.random.default_rng(seed).standard_normal((len(drawn), numeric.sum()))
            drawn = drawn.astype(np.float64)
            drawn[:, : numeric.sum()] += noise * (self.residual_std_ / self.scale_)[numeric]
            return drawn
        noise = np.random.default_rng(seed).standard_normal(drawn.shape)
        return drawn + noise * (self.residual_std_ / self.scale_)

    @validate_args(input_features=["array-like", None])
    def get_feature_names_out(self, input_features=None):
        """Names of the output columns: the kept inputs, then the indicator's.

        Parameters
        ----------
        input_features : array-like of str or None
            The input names; None: ``feature_names_in_``, or ``x0``, ``x1``, ...

        Returns
        -------
        feature_names_out : ndarray of str
        """
        check_is_fitted(self)
        names = _check_feature_names_in(self, input_features)
        kept = names if self.keep_empty_features else names[~self._empty_features()]
        if self.indicator_ is None:
            return kept
        return np.concatenate([kept, self.indicator_.get_feature_names_out(names)])

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = _nan_marker(self.missing_values)
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


__all__ = ["DAEImputer", "ImputationNet", "MaskedMSELoss"]
