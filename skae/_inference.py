"""Batched inference: chunks of rows through the network, each row's output
independent of the rows it comes with."""

import numpy as np
import torch

from ._data import as_tensor
from ._random import follow_thread_limit

# Inference pushes chunks of rows through the network. A chunk holds about
# this many activations of the widest layer: a few MiB, large enough to keep
# the matrix products efficient, small enough to keep memory flat.
PREDICT_CHUNK_ACTIVATIONS = 2**19
# BLAS libraries pick other kernels (and so other float rounding) for one
# row, or for a ragged tail of rows; with the rows padded to a multiple of 4
# (or 8, ... 256), the kernels checked here give each row the same result bit
# for bit whatever the number of rows. The smallest multiple that passes the
# probe on this machine is used: a smaller one makes a single row cheaper
# (on some CPUs an MLP passes only at 128 rows, far below its full chunk).
ROW_MULTIPLES = (4, 8, 16, 32, 64, 128, 256)


def chunk_rows(module):
    """Rows per inference chunk for ``module``: a power of two from 64 to 8192."""
    widths = [d for m in module.modules() if isinstance(m, torch.nn.Linear) for d in m.weight.shape]
    widest = max(widths + [getattr(module, "activation_width", 1)])
    return int(np.clip(2 ** int(np.log2(PREDICT_CHUNK_ACTIVATIONS / widest)), 64, 8192))


def padded(chunk, multiple):
    """``chunk`` with zero rows appended up to a multiple of ``multiple`` rows."""
    rows = chunk.shape[0]
    return torch.nn.functional.pad(chunk, (0, 0, 0, -rows % multiple))


def rows_are_independent(module, n_features, size, multiple, _known={}):
    """Whether ``module`` gives a row the same output, bit for bit, in any batch of
    up to ``size`` rows padded to a multiple of ``multiple``, on this machine.

    Checked by experiment: ``size`` random rows in one batch against the
    same rows in batches of other sizes. Kernels are chosen by shapes, so
    the answer is remembered per architecture, device and thread count.
    """
    device = next(module.parameters()).device
    key = (
        repr(module),
        tuple(p.shape for p in module.parameters()),
        str(device),
        torch.get_num_threads(),
        n_features,
        size,
        multiple,
    )
    if key not in _known:
        _known[key] = _probe(module, n_features, size, multiple, device)
    return _known[key]


def _probe(module, n_features, size, multiple, device):
    probe = torch.rand(size, n_features, generator=torch.Generator().manual_seed(0)).to(device)
    with torch.inference_mode():
        whole = module(probe)
        start = 0
        for rows in (1, 2, 3, 5, 7, 8, 9, 13, 31, 100, 257):
            part = padded(probe[start : start + rows], multiple)
            if not torch.equal(module(part)[:rows], whole[start : start + rows]):
                return False
            start += rows
    return True


def prepare_inference(est):
    """Set the chunk size (``_chunk``), device (``_device``) and padding (``_pad_rows``) of
    inference for ``est``'s fitted ``module_``, on this machine."""
    est._chunk = chunk_rows(est.module_)
    est._device = next(est.module_.parameters()).device
    # where small batches round differently, every chunk is padded to the
    # full size: one shape, one kernel, the same rounding for every row
    est._pad_rows = next(
        (
            m
            for m in ROW_MULTIPLES
            if rows_are_independent(est.module_, est.n_features_in_, est._chunk, m)
        ),
        est._chunk,
    )


def forward(est, module, X, n_out):
    """``module`` (a part of ``est.module_``, in evaluation mode) applied to the rows of
    ``X`` in chunks; float32 numpy out.

    A sample's output does not depend on the rows it comes with: every chunk is
    zero-padded to a multiple of 4 to 256 rows (``_pad_rows``), which on the kernels
    checked at fit time gives each row the same result whatever the chunk's size, or,
    where that check failed, to the one full chunk size.
    """
    device, size, pad_to = est._device, est._chunk, est._pad_rows
    follow_thread_limit()
    out = np.empty((X.shape[0], n_out), dtype=np.float32)
    with torch.inference_mode():
        for start in range(0, X.shape[0], size):
            chunk = as_tensor(X[start : start + size], device)
            rows = chunk.shape[0]
            out[start : start + rows] = module(padded(chunk, pad_to))[:rows].cpu().numpy()
    return out
