"""Input corruption for denoising autoencoders.

The corruption is an ``nn.Module`` that acts only in training mode, exactly
like ``nn.Dropout``: noise is drawn fresh for every batch while a network
trains, and the module is the identity in evaluation mode, so ``transform``,
``inverse_transform`` and validation losses always see clean input.
"""

import torch
from torch import nn

NOISE_KINDS = ("gaussian", "masking", "salt_pepper")


def gaussian(x, level):
    """Add zero-mean gaussian noise with standard deviation ``level``."""
    return x + level * torch.randn_like(x)


def masking(x, level):
    """Set a random fraction ``level`` of the entries to zero."""
    keep = torch.rand_like(x) >= level
    return x * keep


def salt_pepper(x, level, low, high):
    """Set a random fraction ``level`` of the entries to ``low`` or ``high``.

    ``low`` and ``high`` are per-feature tensors (the minimum and maximum of
    each feature in the training data); each corrupted entry takes one of the
    two with equal probability.
    """
    corrupt = torch.rand_like(x) < level
    salt = torch.rand_like(x) < 0.5
    extreme = torch.where(salt, high.expand_as(x), low.expand_as(x))
    return torch.where(corrupt, extreme, x)


class Corruption(nn.Module):
    """Corrupt the input while training; the identity while evaluating.

    Parameters
    ----------
    noise : {"gaussian", "masking", "salt_pepper"}
        The kind of corruption.
    level : float
        Standard deviation for ``"gaussian"``; the corrupted fraction of
        entries for ``"masking"`` and ``"salt_pepper"``.
    low, high : tensor of shape (n_features,), optional
        The values salt-and-pepper noise writes (required for it only).
    """

    def __init__(self, noise, level, low=None, high=None):
        super().__init__()
        if noise not in NOISE_KINDS:
            raise ValueError(f"noise must be one of {NOISE_KINDS}, got {noise!r}.")
        self.noise = noise
        self.level = float(level)
        if noise == "salt_pepper":
            self.register_buffer("low", torch.as_tensor(low, dtype=torch.float32))
            self.register_buffer("high", torch.as_tensor(high, dtype=torch.float32))

    def forward(self, x):
        if not self.training or self.level == 0:
            return x
        if self.noise == "gaussian":
            return gaussian(x, self.level)
        if self.noise == "masking":
            return masking(x, self.level)
        return salt_pepper(x, self.level, self.low, self.high)

    def extra_repr(self):
        return f"noise={self.noise!r}, level={self.level}"


def corruption_for(noise, level, X):
    """A :class:`Corruption` for training data ``X`` (a float array).

    Salt-and-pepper noise writes each feature's minimum or maximum in ``X``.
    """
    return Corruption(noise, level, low=X.min(axis=0), high=X.max(axis=0))
