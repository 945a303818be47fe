"""Plain PyTorch modules: MLP encoder, mirrored decoder, autoencoder, classifier.

Nothing here knows about scikit-learn or skorch; the estimators build these
modules and hand them to skorch for training.
"""

from torch import nn

ACTIVATIONS = {
    "identity": nn.Identity,
    "relu": nn.ReLU,
    "leaky_relu": nn.LeakyReLU,
    "elu": nn.ELU,
    "gelu": nn.GELU,
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
}


def mlp(widths, activation="relu", last_activation="identity", dropout=0.0):
    """A stack of ``Linear`` layers through ``widths``.

    Every layer but the last is followed by ``activation`` (and by dropout
    when ``dropout > 0``); the last by ``last_activation``. Each layer is a
    ``Sequential(Linear, activation)`` of its own, so that the stacked
    encoders of layer-wise pretraining have the same shape as one deep
    encoder.
    """
    layers = []
    n_layers = len(widths) - 1
    for i, (n_in, n_out) in enumerate(zip(widths[:-1], widths[1:])):
        last = i == n_layers - 1
        block = [nn.Linear(n_in, n_out), ACTIVATIONS[last_activation if last else activation]()]
        if dropout and not last:
            block.append(nn.Dropout(dropout))
        layers.append(nn.Sequential(*block))
    return nn.Sequential(*layers)


class AutoEncoder(nn.Module):
    """``decoder(encoder(corruption(x)))``: the corruption acts only in training mode.

    Parameters
    ----------
    encoder, decoder : nn.Module
    corruption : nn.Module, optional
        Applied to the input before the encoder; see :class:`skae.noise.Corruption`.
    """

    def __init__(self, encoder, decoder, corruption=None):
        super().__init__()
        self.corruption = corruption if corruption is not None else nn.Identity()
        self.encoder = encoder
        self.decoder = decoder

    def forward(self, x):
        return self.decoder(self.encoder(self.corruption(x)))


def mirrored_autoencoder(
    n_features,
    hidden_sizes,
    latent_dim,
    activation="relu",
    latent_activation="identity",
    output_activation="identity",
    corruption=None,
):
    """An MLP autoencoder ``n_features -> *hidden_sizes -> latent_dim`` and back."""
    widths = (n_features, *hidden_sizes, latent_dim)
    encoder = mlp(widths, activation, latent_activation)
    decoder = mlp(widths[::-1], activation, output_activation)
    return AutoEncoder(encoder, decoder, corruption)


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
