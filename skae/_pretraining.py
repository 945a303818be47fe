"""Greedy layer-wise pretraining: one shallow autoencoder per layer, then the stack.

:func:`pretrain_layers` trains one shallow autoencoder per layer — the first on
``X``, each next one on the codes of the one before — as ordinary
:class:`AETransformer` / :class:`DAETransformer` estimators; their encoders
(and decoders) are stacked into one deep network by :func:`stacked_encoder`
and :func:`stacked_decoder`. ``STACK_CONSTRAINTS`` and :func:`check_pretraining`
are what both stacked estimators share of their parameters.
"""

import copy
from numbers import Integral

from torch import nn

from ._columns import input_width, is_mixed
from ._sklearn import Interval, StrOptions
from ._training import check_net_params, verbose_name
from .autoencoder import AETransformer, DAETransformer

# the stacked estimator's parameters that each pretraining layer takes as they are
_LAYER_PARAMS = (
    "activation",
    "batch_size",
    "lr",
    "early_stopping",
    "validation_fraction",
    "n_iter_no_change",
    "tol",
    "device",
    "verbose",
)


def pretrain_layers(est, X, rng, output_activation, loss, fitted):
    """Greedy layer-wise pretraining with the settings of the stacked estimator ``est``.

    Layer ``k`` is a shallow autoencoder from width ``k - 1`` to width ``k``
    of ``(n_features, *hidden_sizes, n_components)`` ("auto" resolved), fitted for
    ``est.pretrain_epochs`` epochs on the codes of layer ``k - 1`` (on ``X``
    for the first). Inner codes use ``est.activation``, the top code is
    linear; the first layer reconstructs ``X`` through ``output_activation``
    with ``loss``, the others reconstruct the codes below them (MSE) through
    ``est.activation`` (which made those codes), so that the stacked decoder
    is as deep and non-linear as the stacked encoder. With ``est.noise``
    set, each layer is a denoising autoencoder. On a mixed table (``fitted``), ``X``
    holds its codes and the first layer reads them as the table's columns (numbers and
    categories: see :mod:`skae._columns`).

    Returns the list of fitted layer estimators.
    """
    width = input_width(fitted, X.shape[1])
    widths = (*est._hidden(width), est._code_size(width))
    mixed = is_mixed(fitted)
    layers, codes = [], X
    for k, (width, seed) in enumerate(zip(widths, rng.spawn(len(widths)))):
        params = {name: getattr(est, name) for name in _LAYER_PARAMS}
        params.update(
            hidden_sizes=(),
            n_components=width,
            latent_activation="identity" if k == len(widths) - 1 else est.activation,
            output_activation=output_activation if k == 0 and not mixed else (
                None if k == 0 else est.activation),
            loss=loss if k == 0 and not mixed else "mse",
            categorical_features=fitted["categorical_"] if k == 0 and mixed else None,
            max_epochs=est.pretrain_epochs,
            net_params=est.pretrain_net_params,
            random_state=seed,
        )
        if est.noise is None:
            layer = AETransformer(**params)
        else:
            layer = DAETransformer(noise=est.noise, noise_level=est.noise_level, **params)
        if est.verbose:
            print(f"{verbose_name(est)}Pretraining layer {k + 1}/{len(widths)}: "
                  f"{codes.shape[1]} -> {width}")  # fmt: skip
        layers.append(layer.fit(codes))
        del layer._trainer  # no optimizer state kept for layers that train no more
        codes = layer.transform(codes)
    return layers


def stacked_encoder(layers, copy_weights):
    """One deep encoder from the pretrained layers' encoders, in order.

    The blocks are the layers' own (shared, so kept and pickled once)
    unless ``copy_weights``, for a stack that trains further.
    """
    blocks = [b for layer in layers for b in layer.module_.encoder]
    return nn.Sequential(*(copy.deepcopy(blocks) if copy_weights else blocks))


def stacked_decoder(layers, copy_weights):
    """One deep decoder from the pretrained layers' decoders, in reverse order."""
    blocks = [b for layer in reversed(layers) for b in layer.module_.decoder]
    return nn.Sequential(*(copy.deepcopy(blocks) if copy_weights else blocks))


# the parameters of the hidden layers and their pretraining (SAETransformer, SAEClassifier)
STACK_CONSTRAINTS = {
    "hidden_sizes": [tuple, list, StrOptions({"auto"})],
    "pretrain_epochs": [Interval(Integral, 1, None, closed="left")],
    "pretrain_net_params": [dict, None],
}


def check_pretraining(est):
    """``pretrain_net_params`` may not set what a stacked estimator's parameters set."""
    check_net_params(
        est.pretrain_net_params,
        est.get_params(deep=False),
        "pretrain_net_params",
        renames={"max_epochs": ("pretrain_epochs",)},
    )
