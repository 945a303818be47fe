"""One registry of parameter and attribute docs, rendered into class docstrings.

A class docstring holds the two markers ``{{parameters}}`` and
``{{attributes}}`` (each exactly once, on a line of its own). At class
creation, :func:`render` replaces the first with one numpydoc entry per
parameter of ``__init__``, in signature order, the type line ending in the
signature's own default; the second with the entries named by the class's
``_fitted_attributes``. A parameter or attribute with no entry, or a marker
missing, raises at import: documentation cannot drift silently.

Entries come from :data:`PARAMETERS` and :data:`ATTRIBUTES`; a class may
override the text of any entry in ``_param_docs`` (merged along the MRO, the
nearest class winning), as ``{name: "text"}`` or ``{name: ("type", "text")}``.
"""

import inspect
import textwrap

TRAINING = {
    "max_epochs": ("int", "Passes over the training data."),
    "batch_size": (
        "int",
        "Samples per gradient step. Batches are gathered from ``X`` by index in a new "
        "random order every epoch.",
    ),
    "lr": (
        "float",
        "Learning rate of the optimizer: Adam (torch's fused kernel where available), "
        "unless ``net_params`` names another.",
    ),
    "early_stopping": (
        "bool",
        "Hold out ``validation_fraction`` of the training data (stratified by class for "
        "the classifier), stop when its loss has not fallen by more than ``tol`` for "
        "``n_iter_no_change`` epochs in a row, and keep the weights of the epoch with the "
        "lowest validation loss, as ``MLPClassifier`` does. It applies to ``fit`` only: "
        "``partial_fit`` never holds rows out and never stops early.",
    ),
    "validation_fraction": (
        "float",
        "The held-out fraction, used only with ``early_stopping=True``.",
    ),
    "n_iter_no_change": ("int", "Patience of early stopping, in epochs."),
    "tol": (
        "float",
        "Smallest fall of the validation loss (absolute) that counts as an improvement. "
        "It decides when to stop, not which weights are kept.",
    ),
    "net_params": (
        "dict",
        "Extra keyword arguments for the :class:`skorch.NeuralNet` that trains the network, "
        "for what skae has no parameter of its own: e.g. ``{\"optimizer\": torch.optim.SGD, "
        "\"optimizer__momentum\": 0.9}``, ``{\"optimizer__weight_decay\": 1e-5}`` or "
        "``{\"callbacks\": [skorch.callbacks.LRScheduler(...)]}``. Each net gets its own copy "
        "of every callback. Keys that an estimator parameter controls, nested ones included "
        "(``lr``, ``optimizer__lr``, ``max_epochs``, ``batch_size``, ``criterion``, "
        "``warm_start``, ``device``, ``verbose``, ``train_split``, ``module``, ``dataset``, "
        "``iterator_*``), are refused.",
    ),
    "device": (
        '{"cpu", "cuda", "auto"}',
        'Where to train and encode. ``"auto"`` takes CUDA when available. A model fitted on '
        "a GPU unpickles on a CPU-only machine.",
    ),
    "random_state": (
        "int, RandomState instance or None",
        "Seeds weight initialisation, shuffling, noise, dropout and the validation split, "
        "through generators of the fit's own: the same value gives the same features on the "
        "same device, also when fits run concurrently in threads. Fitting never reads or "
        "changes numpy's or torch's global random state (with ``None``, the seed comes from "
        "fresh OS entropy).",
    ),
    "verbose": (
        "int",
        "0 is silent; 1 prints a line per epoch (skorch's log); 2 adds a progress bar over "
        "the batches of each epoch.",
    ),
}

PARAMETERS = {
    "hidden_sizes": (
        "tuple of int",
        "Widths of the encoder's hidden layers, before the code; the decoder mirrors them. "
        "``()`` gives a shallow autoencoder.",
    ),
    "n_components": (
        "int",
        "Size of the code: the number of output features of ``transform`` (as in PCA and "
        "BernoulliRBM).",
    ),
    "image_shape": (
        "tuple of int or None",
        "``(H, W)`` or ``(C, H, W)`` of one image, rows being C-ordered flattenings "
        "(``(28, 28)`` for Fashion-MNIST, ``(8, 8)`` for digits). None: a square "
        "single-channel image when ``n_features`` is a square number, else each row as a "
        "1 x n_features strip, so that any data fits.",
    ),
    "channels": ("tuple of int", "Output channels of the convolution stages."),
    "noise": (
        '{"gaussian", "masking", "salt_pepper"} or None',
        '``"gaussian"`` adds N(0, noise_level²); ``"masking"`` sets a fraction '
        '``noise_level`` of the entries to 0; ``"salt_pepper"`` sets a fraction '
        "``noise_level`` of the entries to their feature's training minimum or maximum, each "
        "with probability 1/2. None: no corruption. Noise is drawn fresh for every batch "
        "while training; ``transform``, ``inverse_transform`` and ``score`` never add noise.",
    ),
    "noise_level": (
        "float",
        "The gaussian standard deviation (≥ 0), or the corrupted fraction in [0, 1).",
    ),
    "activation": (
        "str",
        'Activation after every hidden layer: "relu", "leaky_relu", "elu", "gelu", "tanh", '
        '"sigmoid" or "identity".',
    ),
    "latent_activation": (
        'str or "auto"',
        'Activation of the code layer, one of the ``activation`` choices. "auto": '
        '"identity" (a linear code) when ``n_components`` is smaller than the number of '
        'features, else "relu". With as many code units as inputs or more, a linear code '
        "without a penalty can copy its input; a sparse ReLU code, like an RBM's hidden "
        "units, stays useful. So swapping ``BernoulliRBM(n_components=100)`` for an skae "
        "transformer with ``n_components=100`` needs no other change. (The \"auto\" values "
        "were chosen on validation data; the user guide says how.)",
    ),
    "output_activation": (
        "str or None",
        'Activation of the reconstruction, one of the ``activation`` choices. None picks '
        '"identity" for ``loss="mse"`` and "sigmoid" for ``loss="bce"``; "sigmoid" also '
        "suits MSE on data in [0, 1].",
    ),
    "loss": (
        '{"mse", "bce"}',
        "Reconstruction loss: mean squared error, or binary cross-entropy (the usual choice "
        "for pixels in [0, 1]; it needs ``X`` in [0, 1] and a sigmoid output). ``score`` is "
        "the negative squared error either way.",
    ),
    "sparsity": (
        'float or "auto"',
        "Weight of an L1 penalty on the code (its mean absolute value) added to the loss "
        'while training: a sparse autoencoder; 0 turns it off. "auto": 0 when '
        "``n_components`` is smaller than the number of features (the bottleneck is the "
        "regulariser), else 0.03.",
    ),
    "top_k": (
        'int, None or "auto"',
        "Keep only the ``top_k`` largest code units of each sample and set the others to 0, "
        "while training and in ``transform`` (a k-sparse autoencoder, Makhzani & Frey 2013): "
        "an exact sparsity, with no penalty weight to tune. None: every unit. It must not "
        'exceed ``n_components``. "auto": None (see ``sparsity`` for the overcomplete '
        "default).",
    ),
    "warm_start": (
        "bool",
        "When True, ``fit`` continues from the fitted network (on data with the same "
        "features) instead of starting anew, as in ``MLPRegressor``.",
    ),
    "pretrain": ("bool", "Whether to pretrain the encoder layer by layer before fine-tuning."),
    "pretrain_epochs": ("int", "Pretraining epochs of each layer."),
    "pretrain_net_params": (
        "dict",
        "``net_params`` of each pretraining layer's net (each gets its own copies of the "
        "callbacks); ``net_params`` apply to fine-tuning only. The other training "
        "parameters (``batch_size``, ``lr``, early stopping, ``device``, ``verbose``) apply "
        "to every layer and to fine-tuning alike.",
    ),
    "dropout": (
        "float",
        "Dropout rate after every layer of the encoder during fine-tuning (pretraining uses "
        "none). ``transform`` and ``predict`` never drop.",
    ),
    **TRAINING,
}

ATTRIBUTES = {
    "classes_": ("ndarray of shape (n_classes,)", "The class labels."),
    "layers_": (
        "list of AETransformer or DAETransformer",
        "The pretrained shallow autoencoders, in order; ``layers_[k]`` was fitted on "
        "``layers_[k - 1].transform(...)`` of the training data. Their ``n_iter_`` and "
        "``loss_curve_`` describe the pretraining.",
    ),
    "module_": (
        "skae.modules.AutoEncoder",
        "The trained network: ``module_.encoder``, ``module_.decoder``.",
    ),
    "image_shape_": ("tuple of int", "The ``(C, H, W)`` the rows were read as."),
    "history_": (
        "skorch.history.History",
        "skorch's per-epoch record of the last training run (losses, durations).",
    ),
    "n_iter_": (
        "int",
        "Epochs run, ``partial_fit`` passes included (fewer than ``max_epochs`` when early "
        "stopping stopped).",
    ),
    "loss_curve_": (
        "list of float",
        "Mean training loss of each epoch (one entry per ``n_iter_``).",
    ),
    "best_loss_": ("float or None", "The lowest training loss; None with early stopping."),
    "validation_scores_": (
        "list of float or None",
        "With early stopping, the score on the held-out data after each epoch of ``fit``: "
        "the negative validation loss (higher is better); else None. ``partial_fit`` adds "
        "nothing to it.",
    ),
    "validation_epochs_": (
        "list of int or None",
        "The epoch (counted in ``n_iter_``, from 1) of each of ``validation_scores_``: "
        "after a ``warm_start`` refit they follow the earlier epochs; else None.",
    ),
    "best_validation_score_": (
        "float or None",
        "The best of ``validation_scores_``: the epoch whose weights are kept.",
    ),
    "n_features_in_": ("int", "Number of features seen during fit."),
    "feature_names_in_": (
        "ndarray of shape (n_features,)",
        "Names of the features seen during fit, when ``X`` had string column names.",
    ),
}

_WIDTH = 88


def _entry(name, type_, text, default=inspect.Parameter.empty):
    head = f"{name} : {type_}"
    if default is not inspect.Parameter.empty:
        head += f", default={default!r}"
    body = textwrap.fill(text, _WIDTH, initial_indent="        ", subsequent_indent="        ")
    return f"    {head}\n{body}\n"


def _merged(cls, attribute):
    out = {}
    for klass in reversed(cls.__mro__):
        out.update(klass.__dict__.get(attribute, {}))
    return out


def _lookup(cls, registry, overrides, name, kind):
    if name in overrides:
        value = overrides[name]
        if isinstance(value, tuple):
            return value
        if name not in registry:
            raise TypeError(f"{cls.__name__}: the override of {kind} {name!r} needs a type.")
        return registry[name][0], value
    if name not in registry:
        raise TypeError(
            f"{cls.__name__} has {kind} {name!r} with no entry in skae._docs (or in the "
            "class's _param_docs): document it there."
        )
    return registry[name]


def _replace_once(cls, doc, marker, text):
    if doc.count(marker) != 1:
        raise TypeError(f"{cls.__name__}'s docstring must hold {marker} exactly once.")
    return doc.replace(marker, text.rstrip("\n"))


def render(cls):
    """Fill ``cls.__doc__``'s markers from the registry (see the module docstring)."""
    doc = cls.__dict__.get("__doc__")
    if not doc or "{{parameters}}" not in doc:
        return
    overrides = _merged(cls, "_param_docs")
    signature = inspect.signature(cls.__init__)
    params = [p for p in signature.parameters.values() if p.name != "self"]
    entries = [
        _entry(p.name, *_lookup(cls, PARAMETERS, overrides, p.name, "parameter"), p.default)
        for p in params
    ]
    doc = _replace_once(cls, doc, "    {{parameters}}", "\n".join(entries))
    attributes = [
        _entry(name, *_lookup(cls, ATTRIBUTES, overrides, name, "attribute"))
        for name in cls._fitted_attributes
    ]
    cls.__doc__ = _replace_once(cls, doc, "    {{attributes}}", "\n".join(attributes))
