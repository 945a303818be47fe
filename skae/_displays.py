"""What the Display objects share: matplotlib on demand, axes, image shapes, the caller's
containers, a fitted model's training noise."""

import copy

import numpy as np
import torch

from ._sklearn import HasMethods, _safe_indexing
from ._checks import resolve_image_shape


def _check_matplotlib_support(caller_name):
    """A clear ImportError when matplotlib is missing (sklearn's own helper is private)."""
    try:
        import matplotlib  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            f"{caller_name} requires matplotlib. You can install matplotlib with "
            "`pip install matplotlib` (or `pip install skae[plot]`)."
        ) from exc


def _axes(ax, figsize):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def _image_shape(estimator, n_features, image_shape):
    """``(H, W)`` or ``(C, H, W)`` of one row: given, the estimator's, or by skae's one
    image-shape rule (:func:`skae._checks.resolve_image_shape`: square, else a strip)."""
    if image_shape is None:
        image_shape = getattr(estimator, "image_shape_", None)
    if image_shape is None:
        return resolve_image_shape(None, n_features)[1:]
    return _check_image_shape(image_shape, n_features)


def _check_image_shape(image_shape, n_features):
    """``image_shape`` as a tuple, checked by the rule ConvAETransformer checks its own by."""
    resolve_image_shape(image_shape, n_features)
    return tuple(image_shape)


def _rows(X, n):
    """The first ``n`` rows of ``X`` in its own container (a DataFrame keeps its names)."""
    return _safe_indexing(X, np.arange(n))


def _like(X, values):
    """``values`` in the container of ``X`` (same columns), so that feature names travel."""
    if hasattr(X, "columns"):
        if type(X).__module__.startswith("pandas"):
            import pandas as pd

            return pd.DataFrame(values, columns=X.columns, index=X.index[: len(values)])
        if type(X).__module__.startswith("polars"):
            import polars as pl

            return pl.DataFrame(values, schema=list(X.columns), orient="row")
    return values


def _array(out):
    """Any transform output (array, DataFrame under ``set_output``) as a float ndarray."""
    if hasattr(out, "to_numpy"):
        out = out.to_numpy()
    return np.asarray(out, dtype=np.float64)


def _noise_of(estimator):
    """A copy of the fitted training corruption of ``estimator`` (its fitted statistics
    included), in training mode on the CPU; ValueError when it has none."""
    corruption = getattr(getattr(estimator, "module_", None), "corruption", None)
    if corruption is None or isinstance(corruption, torch.nn.Identity):
        raise ValueError(
            f"{type(estimator).__name__} adds no training noise: set noise=False, or "
            "use a denoising autoencoder (noise=...)."
        )
    return copy.deepcopy(corruption).cpu().train()


_TRANSFORMER = HasMethods(["transform"])
_RECONSTRUCTOR = HasMethods(["transform", "inverse_transform"])
