"""Objectives that shape the code: top-k."""

import pickle

import numpy as np
import pytest
from sklearn.datasets import load_digits

from skae import AETransformer, ConvAETransformer, DAETransformer


@pytest.fixture(scope="module")
def X():
    return load_digits().data.astype(np.float32) / 16


@pytest.mark.parametrize(
    "est",
    [
        AETransformer((32,), 40, top_k=5, max_epochs=3, random_state=0),
        DAETransformer((), 80, top_k=7, max_epochs=3, random_state=0),
        ConvAETransformer((8, 8), (4,), 20, top_k=3, max_epochs=2, random_state=0),
    ],
    ids=["ae", "dae", "conv"],
)
def test_top_k_keeps_at_most_k_units_per_sample(est, X):
    Z = est.fit(X).transform(X)
    active = (Z != 0).sum(axis=1)
    assert active.max() <= est.top_k
    assert active.mean() > est.top_k / 2  # the kept units are mostly nonzero ReLU outputs
    # the same code after a pickle round trip, and inverse_transform accepts it
    again = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(again.transform(X[:50]), Z[:50])
    assert est.inverse_transform(Z[:5]).shape == (5, 64)


def test_top_k_trains_through_the_kept_units(X):
    est = AETransformer((), 50, top_k=10, sparsity=0.0, max_epochs=8, random_state=0).fit(X)
    assert est.loss_curve_[-1] < est.loss_curve_[0]
    # the gradient reaches the encoder only through the kept units, and does reach it
    Z = est.transform(X)
    assert len(np.flatnonzero(Z.std(axis=0) > 0)) > 10


def test_top_k_none_and_auto_leave_the_code_as_it_was(X):
    a = AETransformer((16,), 8, max_epochs=2, random_state=0).fit(X)
    b = AETransformer((16,), 8, top_k=None, max_epochs=2, random_state=0).fit(X)
    np.testing.assert_array_equal(a.transform(X), b.transform(X))


def test_top_k_larger_than_the_code_is_refused_before_anything_changes(X):
    est = AETransformer((16,), 8, max_epochs=1, random_state=0).fit(X)
    before = est.transform(X)
    est.set_params(top_k=9)
    with pytest.raises(ValueError, match="top_k=9 keeps more units than the code has"):
        est.fit(X)
    np.testing.assert_array_equal(est.transform(X), before)
