"""Saving: a fitted model's state is numbers and settings, never a pickled network.

``__getstate__`` (which pickle, joblib and ``skops.io`` all call) gives the
estimator's ``__dict__`` with the network as its weights, numpy arrays by
name (``module_.state_dict()`` on the CPU), the training history as plain
lists and dicts, and, for a model in the middle of a ``partial_fit`` stream,
the optimizer state and generators as arrays too. ``__setstate__`` rebuilds
the network from the estimator's parameters (``_architecture``) and fills it
with the saved weights, after checking that every weight is there with its
shape and dtype. A skops file of a skae model therefore names only skae's
classes (and numpy's), and loads without unpickling anything.
"""

import numpy as np
import torch
from skorch.history import History
from sklearn.utils.fixes import parse_version

from ._inference import prepare_inference
from ._random import resolve_device
from ._training import _Trainer

# the layout of the saved state; a file of a newer layout is refused by name
STATE_FORMAT = 1


def saved_state(est, state):
    """The state to save of ``est``, from ``state`` (a copy of its ``__dict__``): settings,
    fitted attributes, weights as numpy arrays.

    The optimizer state and the generators are kept only for a model in the middle of
    a ``partial_fit`` stream.
    """
    from . import __version__

    trainer = state.pop("_trainer", None)
    if trainer is not None and trainer.streaming:  # saved as "_resume" (format 1)
        resume = trainer.resume if trainer.net is None else {
            "optimizer": trainer.net.optimizer_.state_dict(),
            "rng": trainer.rng.get_state()}  # fmt: skip
        state["_resume"] = to_numpy(resume)
    for private in ("_chunk", "_pad_rows", "_device"):
        state.pop(private, None)
    module = state.pop("module_", None)
    if module is not None:  # every estimator rebuilds its network with _architecture
        state["module_"] = None if est._weights_in_layers() else {
            name: value.detach().cpu().numpy().copy()
            for name, value in module.state_dict().items()
        }  # fmt: skip
    if "history_" in state:
        state["history_"] = [plain(entry) for entry in state["history_"]]
    state["_skae_state"] = {"format": STATE_FORMAT, "version": __version__}
    return state


def restore(est, state, set_dict):
    """Load ``state`` (what :func:`saved_state` gave, or a pickle of skae <= 0.3) into
    ``est``: checked, then handed to ``set_dict`` (BaseEstimator's ``__setstate__``), then
    the network rebuilt and filled with the saved weights."""
    from . import __version__

    state = dict(state)
    saved = state.pop("_skae_state", None)
    if saved is not None:
        _check_saved_by(saved, type(est).__name__, __version__)
    weights = state.pop("module_", None)
    if isinstance(weights, dict) and "n_features_in_" not in state:
        raise ValueError(
            f"This saved {type(est).__name__} has weights but no n_features_in_: the "
            "file is incomplete."
        )
    resume = state.pop("_resume", None)
    # a parameter added after the file was written: the value that keeps the saved model
    # as it was (the class's ``_added_params``)
    for name, value in getattr(type(est), "_added_params", {}).items():
        state.setdefault(name, value)
    if "n_features_in_" in state and "n_components" in state:  # a file of skae <= 0.3
        state.setdefault("n_components_", state["n_components"])
    set_dict(state)
    if "history_" in state:
        est.history_ = History(est.history_)
    if resume is not None:  # a stream saved mid-way continues where it was
        est._trainer = _Trainer(None, None, streaming=True, resume=to_torch(resume))
    if isinstance(weights, torch.nn.Module):  # a pickle of skae <= 0.3: the network itself
        est.module_ = weights
    elif "n_features_in_" in state:  # fitted
        est.module_ = _rebuild(est, weights)
    if "module_" in est.__dict__:
        est.module_.eval()
        est.module_.to(_load_device(est.device))
        est.device_ = str(next(est.module_.parameters()).device)
        prepare_inference(est)


def _load_device(device):
    """Where a loaded model computes: its ``device`` where that exists here, else the CPU
    (a model fitted on a GPU loads on a CPU-only machine)."""
    try:
        return resolve_device(device)
    except ValueError:
        return "cpu"


def _rebuild(est, weights):
    """The network of the fitted ``est``, filled with the saved ``weights``."""
    n = est.n_features_in_
    if not isinstance(n, int) or n < 1:
        raise ValueError(f"The saved n_features_in_ must be a positive int, got {n!r}.")
    corruption = est._corruption(np.zeros((1, n), dtype=np.float32), est.__dict__)
    module = est._architecture(n, corruption, est.__dict__)
    if weights is None and est._weights_in_layers():
        return module
    load_weights(module, weights, type(est).__name__)
    return module


def _check_saved_by(saved, owner, version):
    """Refuse a state written by a newer skae, or in a newer layout, naming the versions."""
    if not (isinstance(saved, dict) and isinstance(saved.get("format"), int)
            and isinstance(saved.get("version"), str)):  # fmt: skip
        raise ValueError(f"This saved {owner} has a damaged _skae_state: {saved!r}.")
    if saved["format"] > STATE_FORMAT:
        raise ValueError(
            f"This {owner} was saved by skae {saved['version']} in a newer layout than this "
            f"skae ({version}) reads: upgrade skae to load it."
        )
    if parse_version(saved["version"]) > parse_version(version):
        raise ValueError(
            f"This {owner} was saved by skae {saved['version']}, newer than this skae "
            f"({version}): upgrade skae to load it."
        )


def load_weights(module, weights, owner):
    """Fill ``module`` with ``weights`` (name: array), or say exactly what does not fit."""
    expected = module.state_dict()
    if not isinstance(weights, dict):
        raise TypeError(
            f"The saved weights of {owner} must be a dict of arrays by name, got "
            f"{type(weights).__name__}."
        )
    missing = sorted(set(expected) - set(weights))
    extra = sorted(set(weights) - set(expected))
    if missing or extra:
        raise ValueError(
            f"The saved weights of {owner} do not fit its network: missing {missing}, "
            f"unexpected {extra}."
        )
    tensors = {}
    for name, target in expected.items():
        value = weights[name]
        dtype = torch.empty(0, dtype=target.dtype).numpy().dtype
        if not isinstance(value, np.ndarray):
            raise TypeError(f"The saved weight {name!r} of {owner} must be an array, got "
                            f"{type(value).__name__}.")  # fmt: skip
        if value.dtype != dtype:
            raise TypeError(f"The saved weight {name!r} of {owner} has dtype {value.dtype}, "
                            f"expected {dtype}.")  # fmt: skip
        if value.shape != tuple(target.shape):
            raise ValueError(f"The saved weight {name!r} of {owner} has shape {value.shape}, "
                             f"expected {tuple(target.shape)}.")  # fmt: skip
        tensors[name] = torch.from_numpy(np.array(value))
    module.load_state_dict(tensors)


def to_numpy(obj):
    """Tensors anywhere in nested dicts, lists and tuples as numpy arrays (on the CPU)."""
    if torch.is_tensor(obj):
        return {"__tensor__": obj.detach().cpu().numpy().copy()}
    if isinstance(obj, dict):
        return {k: to_numpy(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(to_numpy(v) for v in obj)
    return obj


def to_torch(obj):
    """The inverse of :func:`to_numpy`."""
    if isinstance(obj, dict):
        if set(obj) == {"__tensor__"}:
            return torch.from_numpy(np.array(obj["__tensor__"]))
        return {k: to_torch(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(to_torch(v) for v in obj)
    return obj


def plain(obj):
    """A history entry as builtins: numpy and torch scalars as Python numbers."""
    if isinstance(obj, dict):
        return {k: plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [plain(v) for v in obj]
    if isinstance(obj, (np.generic, torch.Tensor)):
        return obj.item()
    return obj
