"""device="cuda": fit, transform, pickle back to a CPU-only process. Skipped without a GPU."""

import os
import pickle
import subprocess
import sys

import numpy as np
import pytest
import torch

from skae import AETransformer, DAETransformer, SAEClassifier, SAETransformer

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")

CPU_ONLY = """
import os, pickle, sys, warnings
import numpy as np
import torch
assert not torch.cuda.is_available()
with open(sys.argv[1], "rb") as f:
    est = pickle.load(f)
X = np.load(sys.argv[2])
assert next(est.module_.parameters()).device.type == "cpu"
np.save(sys.argv[3], est.transform(X))
"""


@pytest.mark.parametrize(
    "est",
    [
        AETransformer(hidden_sizes=(64,), n_components=8, random_state=0),
        DAETransformer(hidden_sizes=(64,), n_components=8, noise="gaussian", random_state=0),
        SAETransformer(hidden_sizes=(64,), n_components=8, max_epochs=2, random_state=0),
        SAEClassifier(hidden_sizes=(64,), n_components=8, random_state=0),
    ],
    ids=lambda e: type(e).__name__,
)
def test_fit_on_cuda_and_unpickle_on_a_cpu_only_machine(est, digits, tmp_path):
    Xtr, Xte, ytr, _ = digits
    est.set_params(device="cuda")
    est.fit(Xtr, ytr) if isinstance(est, SAEClassifier) else est.fit(Xtr)
    assert next(est.module_.parameters()).is_cuda
    Z = est.transform(Xte)
    assert Z.shape == (len(Xte), 8) and np.all(np.isfinite(Z))
    # same seed, same device: same features
    again = type(est)(**est.get_params())
    again.fit(Xtr, ytr) if isinstance(est, SAEClassifier) else again.fit(Xtr)
    np.testing.assert_array_equal(again.transform(Xte), Z)
    # the pickle loads in a process that sees no GPU, and encodes the same up to float rounding
    model, X_path, out = tmp_path / "m.pkl", tmp_path / "X.npy", tmp_path / "Z.npy"
    model.write_bytes(pickle.dumps(est))
    np.save(X_path, Xte)
    env = {**os.environ, "CUDA_VISIBLE_DEVICES": ""}
    subprocess.run(
        [sys.executable, "-c", CPU_ONLY, str(model), str(X_path), str(out)], check=True, env=env
    )
    np.testing.assert_allclose(np.load(out), Z, rtol=1e-4, atol=1e-5)
