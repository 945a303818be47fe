"""Input corruption for denoising autoencoders.

The corruption is an ``nn.Module`` that acts only in training mode, exactly
like ``nn.Dropout``: noise is drawn fresh for every batch while a network
trains, and the module is the identity in evaluation mode, so ``transform``,
``inverse_transform`` and validation losses always see clean input.
"""

import numpy as np
import torch
from torch import nn

from ._random import current_generator

NOISE_KINDS = ("gaussian", "masking", "salt_pepper", "swap")


def check_noise_level(noise, level):
    """What the constraints cannot say: a fraction must lie in [0, 1)."""
    if noise is not None and noise != "gaussian" and not 0 <= level < 1:
        raise ValueError(
            f"noise_level is the fraction of corrupted entries for noise={noise!r} "
            f"and must lie in [0, 1), got {level!r}."
        )


def _rand(x, generator, normal=False):
    out = torch.empty_like(x)
    return out.normal_(generator=generator) if normal else out.uniform_(generator=generator)


def gaussian(x, level, generator=None):
    """Add zero-mean gaussian noise with standard deviation ``level``."""
    return x + level * _rand(x, generator, normal=True)


def masking(x, level, generator=None):
    """Set a random fraction ``level`` of the entries to zero."""
    keep = _rand(x, generator) >= level
    return x * keep


def salt_pepper(x, level, low, high, generator=None):
    """Set a random fraction ``level`` of the entries to ``low`` or ``high``.

    ``low`` and ``high`` are per-feature tensors (the minimum and maximum of
    each feature in the training data); each corrupted entry takes one of the
    two with equal probability.
    """
    corrupt = _rand(x, generator) < level
    salt = _rand(x, generator) < 0.5
    extreme = torch.where(salt, high.expand_as(x), low.expand_as(x))
    return torch.where(corrupt, extreme, x)


def swap(x, level, generator=None):
    """Swap noise: each entry, with probability ``level``, replaced by the same column's
    entry in a random row of the batch (the corruption of the Porto Seguro winning DAE and
    of pytorch_tabular), so that a corrupted entry is always a value its column takes."""
    n, d = x.shape
    corrupt = _rand(x, generator) < level
    rows = torch.randint(0, n, (n, d), generator=generator, device=x.device)
    return torch.where(corrupt, x.gather(0, rows), x)


class Corruption(nn.Module):
    """Corrupt the input while training; the identity while evaluating.

    Parameters
    ----------
    noise : {"gaussian", "masking", "salt_pepper", "swap"}
        The kind of corruption.
    level : float
        Standard deviation for ``"gaussian"``; the corrupted fraction of
        entries for the others.
    low, high : tensor of shape (n_features,), optional
        The values salt-and-pepper noise writes (required for it only).
    categorical : array of bool of shape (n_features,), optional
        On a mixed table, which columns hold category codes (see :mod:`skae._columns`):
        masking then marks the masked entries missing (NaN: a number at its mean, a
        category none), and gaussian noise moves the numbers only. Swap and
        salt-and-pepper noise write values their column takes, codes included.
    """

    def __init__(self, noise, level, low=None, high=None, categorical=None):
        super().__init__()
        if noise not in NOISE_KINDS:
            raise ValueError(f"noise must be one of {NOISE_KINDS}, got {noise!r}.")
        self.noise = noise
        self.level = float(level)
        if noise == "salt_pepper":
            self.register_buffer("low", torch.as_tensor(low, dtype=torch.float32))
            self.register_buffer("high", torch.as_tensor(high, dtype=torch.float32))
        self.mixed = categorical is not None and bool(np.any(categorical))
        if self.mixed and noise == "gaussian":
            numeric = torch.as_tensor(~np.asarray(categorical, dtype=bool), dtype=torch.float32)
            self.register_buffer("numeric", numeric)

    def forward(self, x):
        if not self.training or self.level == 0:
            return x
        generator = current_generator(x.device)
        if self.noise == "gaussian" and self.mixed:
            return x + self.numeric * (gaussian(x, self.level, generator) - x)
        if self.noise == "gaussian":
            return gaussian(x, self.level, generator)
        if self.noise == "masking" and self.mixed:
            return torch.where(_rand(x, generator) >= self.level, x, torch.nan)
        if self.noise == "masking":
            return masking(x, self.level, generator)
        if self.noise == "swap":
            return swap(x, self.level, generator)
        return salt_pepper(x, self.level, self.low, self.high, generator)

    def extra_repr(self):
        return f"noise={self.noise!r}, level={self.level}"


def corruption_for(noise, level, X, fitted=None):
    """A :class:`Corruption` for training data ``X`` (a float array, dense or sparse), or
    None for ``noise=None``; ``fitted`` (a dict) holds ``categorical_`` on a mixed table.

    Salt-and-pepper noise writes each feature's minimum or maximum in ``X``
    (two reductions over ``X``, no copy of it; a missing entry is skipped).
    """
    if noise is None:
        return None
    categorical = (fitted or {}).get("categorical_")
    if noise != "salt_pepper":
        return Corruption(noise, level, categorical=categorical)
    if hasattr(X, "tocsr"):
        low, high = X.min(axis=0).toarray().ravel(), X.max(axis=0).toarray().ravel()
    else:
        low, high = np.fmin.reduce(X, axis=0), np.fmax.reduce(X, axis=0)
    low, high = np.nan_to_num(low).astype("float32"), np.nan_to_num(high).astype("float32")
    return Corruption(noise, level, low=low, high=high, categorical=categorical)
