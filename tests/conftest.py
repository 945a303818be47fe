import os

import numpy as np
import pytest
import torch
from sklearn.model_selection import train_test_split

from skae.datasets import load_digits

if os.environ.get("PYTEST_XDIST_WORKER"):  # pytest -n: the workers share the cores
    torch.set_num_threads(1)


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
