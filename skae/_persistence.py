"""Pickling: the weights (on the CPU), not the optimizer, except mid-stream."""

import copy

import torch


class _Persistence:
    """A fitted model pickles to about its weights and loads on a machine without a GPU."""

    def __getstate__(self):
        """Pickle the weights, not the optimizer: a fitted model pickles to about its weights.

        The module is pickled on the CPU, so a model fitted on a GPU loads on
        a machine without one. The optimizer state and the generators are
        kept only for a model in the middle of a ``partial_fit`` stream.
        """
        state = dict(super().__getstate__())  # a copy: object's is the live __dict__
        trainer = state.pop("_trainer", None)
        if trainer is not None and trainer.streaming:
            optimizer = optimizer_state_to_cpu(trainer.net.optimizer_.state_dict())
            state["_resume"] = {"optimizer": optimizer, "rng": trainer.rng.get_state()}
        for private in ("_chunk", "_pad_rows", "_device"):
            state.pop(private, None)
        module = state.get("module_")
        if module is not None and next(module.parameters()).device.type != "cpu":
            state["module_"] = copy.deepcopy(module).cpu()
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        if "module_" in state:
            if self.device in ("cuda", "auto") and torch.cuda.is_available():
                self.module_.to("cuda")
            self._prepare_inference()


def optimizer_state_to_cpu(state):
    """An optimizer's ``state_dict`` with its tensors on the CPU (loading moves them back)."""
    return {
        "state": {
            k: {n: v.cpu() if torch.is_tensor(v) else v for n, v in s.items()}
            for k, s in state["state"].items()
        },
        "param_groups": state["param_groups"],
    }
