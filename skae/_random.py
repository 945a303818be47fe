"""Randomness and devices: one fit's own generators, seeds, and where it runs.

:class:`Randomness` holds one fit's own generators (initialisation, shuffling,
noise and dropout), so that fits running in threads are independent and
repeatable; ``draw_seed`` turns a ``random_state`` into a seed without touching
numpy's global generator; ``resolve_device`` and ``fused_adam_available`` say
where and how a fit runs.
"""

import numpy as np
import torch

from .modules import reset_parameters


class Randomness:
    """One fit's own random generators, all from one seed.

    ``init`` (a CPU torch generator) initialises the weights, ``numpy``
    shuffles and splits, ``torch`` (on the training device) draws noise and
    dropout masks. None of them is torch's or numpy's global generator.
    """

    def __init__(self, seed, device):
        init, shuffle, noise = np.random.SeedSequence(seed).spawn(3)
        self.seed = seed
        self.init = torch.Generator().manual_seed(int(init.generate_state(1)[0]))
        self.numpy = np.random.default_rng(shuffle)
        self.torch = torch.Generator(device=device).manual_seed(int(noise.generate_state(1)[0]))

    def get_state(self):
        return {
            "numpy": self.numpy.bit_generator.state,
            "torch": self.torch.get_state(),
            "init": self.init.get_state(),
        }

    def set_state(self, state):
        self.numpy.bit_generator.state = state["numpy"]
        self.torch.set_state(state["torch"])
        self.init.set_state(state["init"])

    def spawn(self, n):
        """``n`` independent 32-bit seeds for sub-fits (the layers of a stack)."""
        return [int(s) for s in self.numpy.integers(2**32, size=n)]


def initialized(module, rng):
    """``module`` with its weights drawn from the fit's generator."""
    return reset_parameters(module, rng.init)


def fused_adam_available(device, _cache={}):
    """Whether torch has the fused Adam kernel for ``device``.

    The fused kernel updates all parameters in one pass instead of a dozen
    element-wise passes: the same Adam, 2-3x faster a step on CPU for the
    textbook Fashion-MNIST model. CPU support arrived in torch 2.4.
    """
    if device not in _cache:
        try:
            torch.optim.Adam([torch.zeros(1, device=device, requires_grad=True)], fused=True)
            _cache[device] = True
        except (RuntimeError, ValueError, TypeError):
            _cache[device] = False
    return _cache[device]


def resolve_device(device):
    """``"auto"`` -> ``"cuda"`` when available, else ``"cpu"``; check that cuda exists."""
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            "device='cuda' was requested but no CUDA device is available "
            "(torch.cuda.is_available() is False); use device='cpu' or device='auto'."
        )
    return device


def draw_seed(random_state):
    """A 32-bit seed from ``random_state``.

    ``None`` draws from fresh OS entropy rather than from numpy's global
    generator, so that fitting never changes the caller's random state.
    """
    if random_state is None:
        return int(np.random.SeedSequence().generate_state(1)[0])
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(np.iinfo(np.int32).max))
    return int(random_state) & 0xFFFFFFFF
