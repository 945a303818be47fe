"""Display objects: reconstructions, loss curves and the latent space.

scikit-learn's pattern (``RocCurveDisplay``, ``PartialDependenceDisplay``):
``from_estimator(...)`` computes what is drawn, the object stores it, and
``plot(ax=None, ...)`` draws it on ``ax`` (a new figure when None), sets
``ax_`` and ``figure_`` (and the artists) and returns ``self``. matplotlib
is optional: it is imported only by ``plot``, with a clear ImportError when
missing.
"""

from numbers import Integral, Real

import numpy as np
import torch
from sklearn.utils.validation import check_consistent_length, check_is_fitted, column_or_1d

from ._checks import check_input, validate_args
from ._displays import (
    _RECONSTRUCTOR,
    _TRANSFORMER,
    _array,
    _axes,
    _check_image_shape,
    _check_matplotlib_support,
    _image_shape,
    _like,
    _noise_of,
    _rows,
)
from ._sklearn import HasMethods, Interval, StrOptions
from ._random import draw_seed, random_source

__all__ = ["LatentSpaceDisplay", "LossCurveDisplay", "ReconstructionDisplay"]


def dense_input(estimator, X):
    """The Displays' input check: :func:`check_input`, and a dense array (a Display draws
    rows as images or points; sparse input is refused as scikit-learn refuses it)."""
    if hasattr(X, "tocsr"):
        raise TypeError(
            "Sparse data was passed for X, but dense data is required: the Displays "
            "draw rows. Use X.toarray() on the rows to draw."
        )
    return check_input(estimator, X)


class ReconstructionDisplay:
    """Images above their reconstructions (and, for a denoiser, the noisy input).

    Use :meth:`from_estimator` to make one; the constructor stores arrays.

    Parameters
    ----------
    originals : ndarray of shape (n_images, n_features)
        The rows shown, each one flattened image.
    reconstructions : ndarray of shape (n_images, n_features)
        Their reconstructions (from ``noisy`` when given).
    image_shape : tuple of int
        ``(H, W)`` of one image, or ``(C, H, W)`` (channels drawn side by side).
    noisy : ndarray of shape (n_images, n_features), default=None
        The corrupted input the reconstructions were made from: the denoising view.
    estimator_name : str, default=None
        Shown in the row label of the reconstructions.

    Attributes
    ----------
    image_ : matplotlib AxesImage
        The mosaic of images.
    ax_ : matplotlib Axes
        The axes drawn on.
    figure_ : matplotlib Figure
        The figure holding ``ax_``.

    See Also
    --------
    LossCurveDisplay : The training curves.
    LatentSpaceDisplay : The codes in two dimensions.

    Examples
    --------
    >>> from skae import AETransformer
    >>> from skae.datasets import load_digits
    >>> from skae.inspection import ReconstructionDisplay
    >>> X, _ = load_digits(return_X_y=True)
    >>> ae = AETransformer((32,), 8, max_epochs=5, random_state=0).fit(X)
    >>> display = ReconstructionDisplay.from_estimator(ae, X[:8])
    >>> display.originals.shape, display.reconstructions.shape
    ((8, 64), (8, 64))
    """

    def __init__(self, originals, reconstructions, image_shape, *, noisy=None,
                 estimator_name=None):  # fmt: skip
        self.originals = originals
        self.reconstructions = reconstructions
        self.image_shape = image_shape
        self.noisy = noisy
        self.estimator_name = estimator_name

    @classmethod
    @validate_args(
        estimator=[_RECONSTRUCTOR],
        n_images=[Interval(Integral, 1, None, closed="left")],
        image_shape=[tuple, list, None],
        noise=["boolean"],
        random_state=["random_state"],
    )
    def from_estimator(cls, estimator, X, *, n_images=10, image_shape=None, noise=False,
                       random_state=None, ax=None, **kwargs):  # fmt: skip
        """Reconstruct the first ``n_images`` rows of ``X`` with ``estimator`` and plot them.

        Parameters
        ----------
        estimator : fitted estimator with ``transform`` and ``inverse_transform``
            An skae autoencoder, PCA, ...
        X : array-like of shape (n_samples, n_features)
            Rows holding images.
        n_images : int, default=10
            How many rows (the first ones) to show.
        image_shape : tuple of int, default=None
            ``(H, W)`` or ``(C, H, W)`` of one row; None: the estimator's
            ``image_shape_``, else square. Channels are drawn side by side.
        noise : bool, default=False
            The denoising view: corrupt the rows with the estimator's own training
            noise (its ``noise`` and ``noise_level``) and reconstruct from the noisy rows.
        random_state : int, RandomState instance or None, default=None
            Seeds the noise (numpy's global generator is never used).
        ax : matplotlib Axes, default=None
            Where to draw; a new figure when None.
        **kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        display : ReconstructionDisplay
            The display, drawn.
        """
        shown = np.array(dense_input(estimator, X)[:n_images], dtype=np.float32)  # a copy
        shape = _image_shape(estimator, shown.shape[1], image_shape)
        # a DataFrame goes on as one, so that a model fitted with feature names gets them
        source = _rows(X, len(shown)) if hasattr(X, "columns") else shown
        noisy = None
        if noise:
            corruption = _noise_of(estimator)
            generator = torch.Generator().manual_seed(draw_seed(random_state))
            with torch.no_grad(), random_source(generator):
                noisy = corruption(torch.as_tensor(shown)).numpy()
            source = _like(source, noisy)
        reconstructions = _array(estimator.inverse_transform(estimator.transform(source)))
        display = cls(shown, reconstructions, shape, noisy=noisy,
                      estimator_name=type(estimator).__name__)  # fmt: skip
        return display.plot(ax=ax, **kwargs)

    @validate_args(
        rows=[tuple, list, None], row_labels=[tuple, list, None], cmap=[str]
    )
    def plot(self, ax=None, *, rows=None, row_labels=None, cmap="gray_r"):
        """Draw the images as one mosaic, a row of images per kind.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; a new figure when None.
        rows : tuple of {"noisy", "reconstruction", "original"}, default=None
            Which rows to draw, in order; None: noisy (when stored),
            reconstruction, original for the denoising view, else original
            then reconstruction.
        row_labels : tuple of str, default=None
            A label per row; None: names from ``rows`` (and the estimator).
        cmap : str, default="gray_r"
            The colormap of the pixels (shown in [0, 1]).

        Returns
        -------
        display : ReconstructionDisplay
            ``self``, with ``ax_``, ``figure_`` and ``image_`` set.
        """
        _check_matplotlib_support("ReconstructionDisplay.plot")
        if rows is None:
            rows = (
                ("noisy", "reconstruction", "original")
                if self.noisy is not None
                else ("original", "reconstruction")
            )
        data = {"original": self.originals, "reconstruction": self.reconstructions,
                "noisy": self.noisy}  # fmt: skip
        for name in rows:
            if data.get(name) is None:
                raise ValueError(f"rows may name 'original', 'reconstruction' or 'noisy' "
                                 f"(when stored), got {name!r}.")  # fmt: skip
        if row_labels is None:
            name = self.estimator_name or "model"
            default = {"original": "original", "reconstruction": f"reconstructed\n({name})",
                       "noisy": "noisy input"}  # fmt: skip
            row_labels = [default[r] for r in rows]
        if len(row_labels) != len(rows):
            raise ValueError(f"row_labels needs one label per row ({len(rows)}), got "
                             f"{len(row_labels)}.")  # fmt: skip
        n, n_features = np.shape(self.originals)
        shape = _check_image_shape(self.image_shape, n_features)
        c, (h, w) = (shape[0] if len(shape) == 3 else 1), shape[-2:]
        for name in rows:
            if np.shape(data[name]) != (n, n_features):
                raise ValueError(f"{name} must have the shape of originals, {(n, n_features)}, "
                                 f"got {np.shape(data[name])}.")  # fmt: skip
        pad = 1
        n_cells = n * c  # the channels of an image side by side
        mosaic = np.full((len(rows) * (h + pad) - pad, n_cells * (w + pad) - pad), np.nan)
        for i, name in enumerate(rows):
            images = np.clip(np.asarray(data[name], dtype=float), 0, 1).reshape(n_cells, h, w)
            for j, image in enumerate(images):
                mosaic[i * (h + pad) : i * (h + pad) + h, j * (w + pad) : j * (w + pad) + w] = image
        ax = _axes(ax, figsize=(1.0 * n_cells * w / h + 1.5, 1.1 * len(rows) + 0.3))
        import matplotlib

        cmap_ = matplotlib.colormaps[cmap].with_extremes(bad="white")  # the gaps
        self.image_ = ax.imshow(mosaic, cmap=cmap_, vmin=0, vmax=1, interpolation="nearest")
        ax.set_xticks([])
        ax.set_yticks([i * (h + pad) + (h - 1) / 2 for i in range(len(rows))], row_labels)
        ax.tick_params(left=False)
        for spine in ax.spines.values():
            spine.set_visible(False)
        self.ax_, self.figure_ = ax, ax.figure
        return self


class LossCurveDisplay:
    """The training loss of each epoch and, with early stopping, the validation loss.

    Parameters
    ----------
    loss_curve : list of float
        The mean training loss of each epoch (an estimator's ``loss_curve_``).
    validation_loss : list of float, default=None
        The validation loss of each epoch of ``fit`` (minus ``validation_scores_``).
    validation_epochs : list of int, default=None
        The epoch (from 1, as in ``loss_curve``) of each validation loss (an
        estimator's ``validation_epochs_``); None: 1, 2, ...
    estimator_name : str, default=None
        Shown in the title.

    Attributes
    ----------
    lines_ : list of matplotlib Line2D
        The training curve, then the validation curve when there is one.
    ax_ : matplotlib Axes
        The axes drawn on.
    figure_ : matplotlib Figure
        The figure holding ``ax_``.

    See Also
    --------
    ReconstructionDisplay : Images and their reconstructions.

    Examples
    --------
    >>> from skae import AETransformer
    >>> from skae.datasets import load_digits
    >>> from skae.inspection import LossCurveDisplay
    >>> X, _ = load_digits(return_X_y=True)
    >>> ae = AETransformer((32,), 8, max_epochs=5, early_stopping=True, random_state=0).fit(X)
    >>> display = LossCurveDisplay.from_estimator(ae)
    >>> len(display.loss_curve) == len(display.validation_loss) == ae.n_iter_
    True
    """

    def __init__(self, loss_curve, *, validation_loss=None, validation_epochs=None,
                 estimator_name=None):  # fmt: skip
        self.loss_curve = loss_curve
        self.validation_loss = validation_loss
        self.validation_epochs = validation_epochs
        self.estimator_name = estimator_name

    @classmethod
    @validate_args(estimator=[HasMethods(["fit"])])
    def from_estimator(cls, estimator, *, ax=None, **kwargs):
        """Read a fitted estimator's ``loss_curve_`` and ``validation_scores_`` (at its
        ``validation_epochs_``) and plot them.

        Parameters
        ----------
        estimator : fitted skae estimator
            Anything with ``loss_curve_`` (``MLPClassifier`` too).
        ax : matplotlib Axes, default=None
            Where to draw; a new figure when None.
        **kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        display : LossCurveDisplay
            The display, drawn.
        """
        check_is_fitted(estimator)
        if not hasattr(estimator, "loss_curve_"):
            raise ValueError(f"{type(estimator).__name__} records no loss_curve_ to draw.")
        scores = getattr(estimator, "validation_scores_", None)
        validation = None if scores is None else [-s for s in scores]
        epochs = getattr(estimator, "validation_epochs_", None)
        display = cls(list(estimator.loss_curve_), validation_loss=validation,
                      validation_epochs=None if epochs is None else list(epochs),
                      estimator_name=type(estimator).__name__)  # fmt: skip
        return display.plot(ax=ax, **kwargs)

    @validate_args(log_scale=["boolean"])
    def plot(self, ax=None, *, log_scale=False):
        """Draw the curves against the epoch.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; a new figure when None.
        log_scale : bool, default=False
            A logarithmic loss axis.

        Returns
        -------
        display : LossCurveDisplay
            ``self``, with ``ax_``, ``figure_`` and ``lines_`` set.
        """
        _check_matplotlib_support("LossCurveDisplay.plot")
        ax = _axes(ax, figsize=(6, 4))
        epochs = np.arange(1, len(self.loss_curve) + 1)
        self.lines_ = ax.plot(epochs, self.loss_curve, marker="o", ms=3, label="training loss")
        if self.validation_loss is not None:
            loss = np.asarray(self.validation_loss, dtype=float)
            at = self.validation_epochs
            at = np.arange(1, len(loss) + 1) if at is None else np.asarray(at)
            if at.shape != loss.shape or loss.ndim != 1:
                raise ValueError(f"validation_epochs needs one epoch per validation loss "
                                 f"({loss.shape}), got {at.shape}.")  # fmt: skip
            self.lines_ += ax.plot(at, loss, marker="s", ms=3, label="validation loss")
            best = int(at[np.argmin(loss)])
            ax.axvline(best, color="gray", ls=":", label=f"best epoch ({best})")
        if log_scale:
            ax.set_yscale("log")
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss")
        ax.set_title(f"{self.estimator_name or 'training'}: loss per epoch")
        ax.grid(alpha=0.3)
        ax.legend()
        self.ax_, self.figure_ = ax, ax.figure
        return self


class LatentSpaceDisplay:
    """The codes of samples in two dimensions, coloured by their labels.

    Parameters
    ----------
    embedding : ndarray of shape (n_samples, 2)
        The points drawn: the codes, or their projection onto two dimensions.
    y : ndarray of shape (n_samples,), default=None
        Labels that colour the points.
    projection : str, default=None
        How the codes were brought to two dimensions (shown on the axes), None
        when they had two.
    estimator_name : str, default=None
        Shown in the title.

    Attributes
    ----------
    scatter_ : matplotlib PathCollection
        The points.
    ax_ : matplotlib Axes
        The axes drawn on.
    figure_ : matplotlib Figure
        The figure holding ``ax_``.

    See Also
    --------
    ReconstructionDisplay : Images and their reconstructions.

    Examples
    --------
    >>> from skae import AETransformer
    >>> from skae.datasets import load_digits
    >>> from skae.inspection import LatentSpaceDisplay
    >>> X, y = load_digits(return_X_y=True)
    >>> ae = AETransformer((32,), 8, max_epochs=5, random_state=0).fit(X)
    >>> LatentSpaceDisplay.from_estimator(ae, X, y).embedding.shape
    (1797, 2)
    """

    def __init__(self, embedding, *, y=None, projection=None, estimator_name=None):
        self.embedding = embedding
        self.y = y
        self.projection = projection
        self.estimator_name = estimator_name

    @classmethod
    @validate_args(estimator=[_TRANSFORMER], projection=[StrOptions({"pca"})])
    def from_estimator(cls, estimator, X, y=None, *, projection="pca", ax=None, **kwargs):
        """Encode ``X`` with ``estimator`` and plot the codes (projected when wider than 2).

        Parameters
        ----------
        estimator : fitted transformer
            Its ``transform`` gives the codes.
        X : array-like of shape (n_samples, n_features)
            The samples to encode.
        y : array-like of shape (n_samples,), default=None
            Labels that colour the points.
        projection : {"pca"}, default="pca"
            How codes wider than two are brought to two dimensions: onto their
            first two principal components.
        ax : matplotlib Axes, default=None
            Where to draw; a new figure when None.
        **kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        display : LatentSpaceDisplay
            The display, drawn.
        """
        checked = dense_input(estimator, X)
        if y is not None:
            y = column_or_1d(y, warn=True)
            check_consistent_length(checked, y)
        Z = _array(estimator.transform(X))
        used = None
        if Z.shape[1] > 2:
            from sklearn.decomposition import PCA

            if len(Z) < 2:
                raise ValueError(
                    f"Codes of {Z.shape[1]} dimensions are projected onto their principal "
                    f"components, which needs at least 2 samples; got {len(Z)}."
                )
            Z = PCA(2, random_state=0).set_output(transform="default").fit_transform(Z)
            used = "PCA of the codes"
        elif Z.shape[1] == 1:
            Z = np.column_stack([Z[:, 0], np.zeros(len(Z))])
        display = cls(Z, y=y, projection=used,
                      estimator_name=type(estimator).__name__)  # fmt: skip
        return display.plot(ax=ax, **kwargs)

    @validate_args(
        cmap=[str],
        s=[Interval(Real, 0, None, closed="neither")],
        alpha=[Interval(Real, 0, 1, closed="both")],
    )
    def plot(self, ax=None, *, cmap="tab10", s=8, alpha=0.7):
        """Draw the points, coloured by ``y`` with a legend of its classes.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; a new figure when None.
        cmap : str, default="tab10"
            The colormap of the labels.
        s : float, default=8
            Marker size.
        alpha : float, default=0.7
            Marker opacity.

        Returns
        -------
        display : LatentSpaceDisplay
            ``self``, with ``ax_``, ``figure_`` and ``scatter_`` set.
        """
        _check_matplotlib_support("LatentSpaceDisplay.plot")
        ax = _axes(ax, figsize=(6, 5))
        Z = self.embedding
        if self.y is None:
            self.scatter_ = ax.scatter(Z[:, 0], Z[:, 1], s=s, alpha=alpha)
        else:
            classes, codes = np.unique(self.y, return_inverse=True)
            self.scatter_ = ax.scatter(Z[:, 0], Z[:, 1], c=codes, cmap=cmap, s=s, alpha=alpha,
                                       vmin=0, vmax=max(len(classes) - 1, 1))  # fmt: skip
            handles = self.scatter_.legend_elements()[0]
            ax.legend(handles, [str(c) for c in classes], fontsize=8, markerscale=1.2,
                      loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)  # fmt: skip
        prefix = "PC" if self.projection else "code"
        ax.set_xlabel(f"{prefix} 1")
        ax.set_ylabel(f"{prefix} 2")
        title = f"{self.estimator_name or 'codes'}: latent space"
        ax.set_title(title + (f" ({self.projection})" if self.projection else ""))
        self.ax_, self.figure_ = ax, ax.figure
        return self
