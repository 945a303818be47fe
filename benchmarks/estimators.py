"""Estimators from their specs: an experiment's ``{"estimator": "module.Class", "params":
{...}}`` (nested specs allowed as parameters) made into an estimator for one seed."""

import importlib


def build(spec, seed):
    """The estimator of ``spec`` (``{"estimator": "module.Class", "params": {...}}``, nested
    specs allowed as parameters), with ``random_state=seed`` where it takes one. The key
    ``"schedule": "cosine"`` adds skorch's cosine learning-rate decay over ``max_epochs``."""
    if spec is None:
        return None
    module, name = spec["estimator"].rsplit(".", 1)
    cls = getattr(importlib.import_module(module), name)
    params = {k: _built(v, seed) for k, v in spec.get("params", {}).items()}
    if spec.get("schedule") == "cosine":
        from skorch.callbacks import LRScheduler
        from torch.optim.lr_scheduler import CosineAnnealingLR

        params["net_params"] = {
            "callbacks": [LRScheduler(CosineAnnealingLR, T_max=params["max_epochs"])]
        }
    if cls.__name__ == "Pipeline":  # its steps: a list of (name, estimator) pairs
        params["steps"] = list(params["steps"])
    est = cls(**params)
    if "random_state" in est.get_params(deep=False):
        est.set_params(random_state=seed)
    return est


def _built(value, seed):
    """A parameter's value: nested specs built (in lists too, as a Pipeline's steps), lists
    (JSON's tuples) as tuples."""
    if isinstance(value, dict) and "estimator" in value:
        return build(value, seed)
    if isinstance(value, (list, tuple)):
        return tuple(_built(v, seed) for v in value)
    return value
