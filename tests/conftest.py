import os

if os.environ.get("PYTEST_XDIST_WORKER"):  # pytest -n: the workers share the cores
    os.environ.setdefault("OMP_NUM_THREADS", "1")  # every thread's pool, before torch loads

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

from skae.datasets import load_digits  # noqa: E402

# THE settings of a quick fit, shared by every test module: two epochs, seeded. Test
# modules import it (``from conftest import QUICK``) where they build estimators at import
# time (parametrize lists); tests take the ``quick`` fixture.
QUICK = dict(max_epochs=2, random_state=0)


@pytest.fixture
def quick():
    """The settings of a quick fit (a copy of ``QUICK``)."""
    return dict(QUICK)


@pytest.fixture(scope="session")
def digits():
    """sklearn's digits in [0, 1], split 75/25 (stratified)."""
    X, y = load_digits(return_X_y=True)
    return train_test_split(X, y, random_state=0, stratify=y)


@pytest.fixture(autouse=True)
def _fixed_global_seeds():
    """Every test starts from the same global state (skae itself never reads it)."""
    np.random.seed(0)
    torch.manual_seed(0)
