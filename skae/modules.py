"""Plain PyTorch modules: MLP and convolutional encoders, mirrored decoders, heads.

Nothing here knows about scikit-learn or skorch; the estimators build these
modules and hand them to skorch for training.

Randomness inside a module (dropout, input corruption) draws from the
generator that :func:`skae._random.random_source` installs for the current
thread while a fit runs (see :mod:`skae._random`, the one home of randomness).
"""

import torch
from torch import nn

from ._random import current_generator

ACTIVATIONS = {
    "identity": nn.Identity,
    "relu": nn.ReLU,
    "leaky_relu": nn.LeakyReLU,
    "elu": nn.ELU,
    "gelu": nn.GELU,
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
}


class Dropout(nn.Module):
    """``nn.Dropout`` drawing its masks from the fit's generator (see
    :func:`skae._random.random_source`)."""

    def __init__(self, p=0.5):
        super().__init__()
        self.p = float(p)

    def forward(self, x):
        if not self.training or self.p == 0:
            return x
        keep = torch.empty_like(x).bernoulli_(1 - self.p, generator=current_generator(x.device))
        return x * keep / (1 - self.p)

    def extra_repr(self):
        return f"p={self.p}"


class TopK(nn.Module):
    """Keep the ``k`` largest entries of each row, set the others to 0 (a k-sparse code).

    Makhzani & Frey, "k-Sparse Autoencoders" (2013): the sparsity is exact
    and needs no penalty weight; gradients flow through the kept entries.
    """

    def __init__(self, k):
        super().__init__()
        self.k = int(k)

    def forward(self, x):
        if self.k >= x.shape[1]:
            return x
        values, index = x.topk(self.k, dim=1)
        return torch.zeros_like(x).scatter(1, index, values)

    def extra_repr(self):
        return f"k={self.k}"


def mlp(widths, activation="relu", last_activation="identity"):
    """A stack of ``Linear`` layers through ``widths``.

    Every layer but the last is followed by ``activation``; the last by
    ``last_activation``. Each layer is a ``Sequential(Linear, activation)``
    of its own, so that the stacked encoders of layer-wise pretraining have
    the same shape as one deep encoder.
    """
    layers = []
    n_layers = len(widths) - 1
    for i, (n_in, n_out) in enumerate(zip(widths[:-1], widths[1:])):
        act = last_activation if i == n_layers - 1 else activation
        layers.append(nn.Sequential(nn.Linear(n_in, n_out), ACTIVATIONS[act]()))
    return nn.Sequential(*layers)


class AutoEncoder(nn.Module):
    """``decoder(encoder(corruption(x)))``: the corruption acts only in training mode.

    ``forward`` gives the reconstruction (the inference path); ``terms``
    gives the named loss terms that training reads (the loss-terms protocol
    of :class:`skae._training.Net`): ``"output"``, the reconstruction, and
    ``"code"``, which a sparsity penalty reads.

    Parameters
    ----------
    encoder, decoder : nn.Module
        The two halves.
    corruption : nn.Module, optional
        Applied to the input before the encoder; see :class:`skae.noise.Corruption`.
    """

    def __init__(self, encoder, decoder, corruption=None):
        super().__init__()
        self.corruption = corruption if corruption is not None else nn.Identity()
        self.encoder = encoder
        self.decoder = decoder

    def terms(self, x):
        code = self.encoder(self.corruption(x))
        return {"output": self.decoder(code), "code": code}

    def forward(self, x):
        return self.decoder(self.encoder(self.corruption(x)))


def mirrored_autoencoder(
    n_features,
    hidden_sizes,
    n_components,
    activation="relu",
    latent_activation="identity",
    output_activation="identity",
    corruption=None,
    top_k=None,
    n_outputs=None,
):
    """An MLP autoencoder ``n_features -> *hidden_sizes -> n_components`` and back (to
    ``n_outputs`` where given: a mixed table's numbers and logits).

    With ``top_k``, the code keeps its ``top_k`` largest units per sample (:class:`TopK`).
    """
    widths = (n_features, *hidden_sizes, n_components)
    encoder = mlp(widths, activation, latent_activation)
    if top_k:
        encoder.append(TopK(top_k))
    back = widths[::-1] if n_outputs is None else (*widths[:0:-1], n_outputs)
    decoder = mlp(back, activation, output_activation)
    return AutoEncoder(encoder, decoder, corruption)


def conv_autoencoder(
    image_shape,
    channels,
    n_components,
    activation="relu",
    latent_activation="identity",
    output_activation="identity",
    corruption=None,
    top_k=None,
):
    """A convolutional autoencoder on flat rows holding images of ``image_shape`` (C, H, W).

    Encoder: unflatten, one stride-2 3x3 convolution per entry of
    ``channels`` (each halves H and W, rounding up), flatten, and a linear
    layer to the ``n_components`` code. Decoder: the mirror image, with
    transposed convolutions that restore the exact sizes, ending in a
    flatten, so that both halves read and write rows.
    """
    c, h, w = image_shape
    sizes = [(h, w)]
    for _ in channels:
        h, w = (h + 1) // 2, (w + 1) // 2
        sizes.append((h, w))
    act = ACTIVATIONS[activation]
    widths = (c, *channels)
    encoder = [nn.Unflatten(1, tuple(image_shape))]
    for c_in, c_out in zip(widths[:-1], widths[1:]):
        encoder += [nn.Conv2d(c_in, c_out, 3, stride=2, padding=1), act()]
    flat = widths[-1] * h * w
    encoder += [nn.Flatten(), nn.Linear(flat, n_components), ACTIVATIONS[latent_activation]()]
    if top_k:
        encoder.append(TopK(top_k))
    decoder = [nn.Linear(n_components, flat), act(), nn.Unflatten(1, (widths[-1], h, w))]
    for i in range(len(channels), 0, -1):
        (th, tw), (ih, iw) = sizes[i - 1], sizes[i]
        padding = (th - (2 * ih - 1), tw - (2 * iw - 1))
        decoder += [
            nn.ConvTranspose2d(widths[i], widths[i - 1], 3, 2, padding=1, output_padding=padding),
            act() if i > 1 else ACTIVATIONS[output_activation](),
        ]
    decoder.append(nn.Flatten())
    module = AutoEncoder(nn.Sequential(*encoder), nn.Sequential(*decoder), corruption)
    # the widest activation, which sizes the chunks of inference
    module.activation_width = max(
        [c * image_shape[1] * image_shape[2]]
        + [ch * hh * ww for ch, (hh, ww) in zip(channels, sizes[1:])]
    )
    return module


class Classifier(nn.Module):
    """``head(encoder(corruption(x)))``: logits from the code of an encoder.

    Parameters
    ----------
    encoder : nn.Module
    head : nn.Module
        Maps the code to one logit per class.
    corruption : nn.Module, optional
        Applied to the input in training mode only.
    """

    def __init__(self, encoder, head, corruption=None):
        super().__init__()
        self.corruption = corruption if corruption is not None else nn.Identity()
        self.encoder = encoder
        self.head = head

    def forward(self, x):
        return self.head(self.encoder(self.corruption(x)))


class VariationalAutoEncoder(nn.Module):
    """A Gaussian encoder (mean and log-variance of q(z|x)) and a decoder.

    ``encoder`` maps a row to the posterior mean (the body, then the mean
    head), so that it serves ``transform`` as the other autoencoders' do;
    ``log_var`` is the log-variance head on the same body. While training,
    ``terms`` draws ``z = mean + exp(log_var / 2) * eps`` (the
    reparametrisation trick, ``eps`` from the fit's generator) and returns
    ``"output"`` (the decoded ``z``), ``"code"``, ``"mean"`` and
    ``"log_var"``; in evaluation mode ``z`` is the mean. ``forward`` decodes
    the mean: the deterministic reconstruction.
    """

    def __init__(self, body, mean, log_var, decoder, corruption=None):
        super().__init__()
        self.corruption = corruption if corruption is not None else nn.Identity()
        self.encoder = nn.Sequential(body, mean)
        self.log_var = log_var
        self.decoder = decoder

    def terms(self, x):
        hidden = self.encoder[0](self.corruption(x))
        mean, log_var = self.encoder[1](hidden), self.log_var(hidden)
        z = mean
        if self.training:
            eps = torch.empty_like(mean).normal_(generator=current_generator(mean.device))
            z = mean + torch.exp(0.5 * log_var) * eps
        return {"output": self.decoder(z), "code": z, "mean": mean, "log_var": log_var}

    def forward(self, x):
        return self.decoder(self.encoder(self.corruption(x)))


def variational_autoencoder(
    n_features,
    hidden_sizes,
    n_components,
    activation="relu",
    output_activation="identity",
    corruption=None,
    n_outputs=None,
):
    """An MLP VAE ``n_features -> *hidden_sizes -> (mean, log_var)`` and a mirrored decoder
    (to ``n_outputs`` where given)."""
    widths = (n_features, *hidden_sizes)
    body = mlp(widths, activation, activation) if hidden_sizes else nn.Identity()
    n_out = n_features if n_outputs is None else n_outputs
    decoder = mlp((n_components, *hidden_sizes[::-1], n_out), activation, output_activation)
    return VariationalAutoEncoder(
        body, nn.Linear(widths[-1], n_components), nn.Linear(widths[-1], n_components), decoder,
        corruption,
    )
