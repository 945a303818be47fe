"""Randomness and devices, in this one module: one fit's own generators, seeds, and
where it runs.

:class:`Randomness` holds one fit's own generators (initialisation, shuffling,
noise and dropout), so that fits running in threads are independent and
repeatable; ``draw_seed`` turns a ``random_state`` into a seed without touching
numpy's global generator; ``reset_parameters`` draws initial weights from a
generator of the fit's own. Randomness inside a module (dropout, input
corruption) draws from the generator that :func:`random_source` installs for
the current thread while a fit runs, so that fits running concurrently in
threads of one process do not share torch's process-wide generator; outside
such a block it falls back to torch's global generator, like ``nn.Dropout``.
``resolve_device`` and ``fused_adam_available`` say where and how a fit runs, and
``follow_thread_limit`` how many threads it computes with.
"""

import contextlib
import math
import threading

import numpy as np
import torch
from torch import nn

_local = threading.local()


@contextlib.contextmanager
def random_source(generator):
    """Make ``generator`` the source of dropout and corruption noise in this thread."""
    previous = getattr(_local, "generator", None)
    _local.generator = generator
    try:
        yield
    finally:
        _local.generator = previous


def current_generator(device):
    """The generator installed by :func:`random_source` for ``device``, or None."""
    generator = getattr(_local, "generator", None)
    if generator is not None and generator.device.type == torch.device(device).type:
        return generator
    return None


def reset_parameters(module, generator):
    """Re-initialise every Linear and convolution of ``module`` from ``generator``.

    The same distribution as torch's defaults (``kaiming_uniform_(a=sqrt(5))``
    for weights, which is U(-1/sqrt(fan_in), 1/sqrt(fan_in)), and the same
    bound for biases), drawn from a generator of the fit's own rather than
    torch's global one.
    """
    with torch.no_grad():
        for m in module.modules():
            if isinstance(m, (nn.Linear, nn.modules.conv._ConvNd)):
                fan_in, _ = nn.init._calculate_fan_in_and_fan_out(m.weight)
                bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
                m.weight.uniform_(-bound, bound, generator=generator)
                if m.bias is not None:
                    m.bias.uniform_(-bound, bound, generator=generator)
    return module


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
    """The device a fit runs on, as torch names it: ``"auto"`` is ``"cuda"`` when CUDA is
    available, else ``"cpu"``; any other value is what ``torch.device`` accepts
    (``"cpu"``, ``"cuda"``, ``"cuda:1"``, ``"mps"``, a ``torch.device``), checked to exist
    here. Raises ValueError naming what to use instead."""
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    try:
        parsed = torch.device(device)
    except (RuntimeError, TypeError, ValueError):
        raise ValueError(
            f"device={device!r} is not a device torch knows: use 'cpu', 'cuda', 'cuda:1', "
            "'mps' or 'auto'."
        ) from None
    if parsed.type == "cuda":
        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        if not count:
            raise ValueError(
                f"device={device!r} was requested but no CUDA device is available "
                "(torch.cuda.is_available() is False); use device='cpu' or device='auto'."
            )
        if parsed.index is not None and parsed.index >= count:
            raise ValueError(
                f"device={device!r} was requested but this machine has {count} CUDA "
                f"device{'s' if count > 1 else ''} (cuda:0 to cuda:{count - 1})."
            )
    elif parsed.type == "mps":
        mps = getattr(torch.backends, "mps", None)
        if mps is None or not mps.is_available():
            raise ValueError(
                f"device={device!r} was requested but MPS is not available here; use "
                "device='cpu' or device='auto'."
            )
    return str(parsed) if not isinstance(device, str) else device


def follow_thread_limit():
    """Make all of torch's threads follow the limit of its OpenMP pool in this thread.

    ``torch.get_num_threads()`` reads OpenMP's limit, which ``OMP_NUM_THREADS``,
    ``threadpoolctl.threadpool_limits`` and joblib's workers set, as scikit-learn's own
    estimators honour it; but the matrix products of torch's wheels run in the MKL it
    links statically, which threadpoolctl cannot see and which keeps torch's default
    (one thread per core). Setting torch's count to the limit it reads brings MKL to it
    too (0.5 us): called at the start of every training run and every inference pass.
    """
    torch.set_num_threads(torch.get_num_threads())


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
