"""Loss terms beyond the criterion's: what an estimator's ``_objective`` hook returns.

The loss-terms protocol (see :class:`skae._training.Net`): while training,
a module's ``terms(x)`` returns a dict of named tensors, ``"output"`` being
what the criterion compares with the target. An objective is a callable
``objective(terms, training) -> {name: scalar tensor}``; the net adds every
value it returns to the criterion's loss. Objectives here are plain
functions bound with :func:`functools.partial` (picklable, copyable, and
holding no reference to the estimator).

A new training objective (a contractive penalty, a top-k code) is one
function here, or one module's ``terms``, and one estimator hook.
"""

import torch


def l1_code(terms, training, weight):
    """``weight`` times the mean absolute code (a sparse code), while training only.

    The validation loss stays the plain reconstruction loss.
    """
    if not training or not weight:
        return {}
    return {"sparsity": weight * terms["code"].abs().mean()}


def gaussian_kl(terms, training, beta, n_features):
    """``beta`` times KL(q(z|x) || N(0, I)) per sample, divided by ``n_features``.

    The reconstruction losses are means over the features, so dividing the
    KL divergence by ``n_features`` makes ``beta=1`` the evidence lower bound
    (per feature) for ``loss="bce"``, and for ``loss="mse"`` with a Gaussian
    likelihood of variance 1/2. It counts in validation too: the validation
    loss of a VAE is its negative ELBO (with the posterior mean decoded).
    """
    mean, log_var = terms["mean"], terms["log_var"]
    kl = -0.5 * torch.sum(1 + log_var - mean.square() - log_var.exp(), dim=1).mean()
    return {"kl": beta * kl / n_features}
