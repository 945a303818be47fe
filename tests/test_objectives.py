"""Objectives that shape the code (top-k) and SAEClassifier's fine-tuning recipe."""

import pickle

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits

from skae import AETransformer, ConvAETransformer, DAETransformer, SAEClassifier


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


# ---- SAEClassifier's fine-tuning recipe ------------------------------------------------

STACK = dict(hidden_sizes=(32,), n_components=16, pretrain_epochs=2, lr=0.01, random_state=0)


def _encoder_weights(module):
    return torch.cat([p.detach().flatten() for p in module.parameters()])


def _pretrained_weights(clf):
    return torch.cat([_encoder_weights(layer.module_.encoder) for layer in clf.layers_])


def test_head_epochs_train_the_softmax_layer_alone_first(X):
    y = load_digits().target
    clf = SAEClassifier(**STACK, max_epochs=10, head_epochs=10).fit(X, y)
    torch.testing.assert_close(_encoder_weights(clf.module_.encoder), _pretrained_weights(clf))
    assert clf.score(X, y) > 0.5  # the head learned on the frozen code
    assert all(p.requires_grad for p in clf.module_.parameters())  # nothing left frozen
    longer = SAEClassifier(**STACK, max_epochs=5, head_epochs=3).fit(X, y)
    assert not torch.allclose(_encoder_weights(longer.module_.encoder), _pretrained_weights(longer))
    assert longer.n_iter_ == 5


def test_encoder_lr_is_the_pretrained_layers_learning_rate(X):
    y = load_digits().target
    slow = SAEClassifier(**STACK, max_epochs=10, encoder_lr=1e-9).fit(X, y)
    moved = _encoder_weights(slow.module_.encoder) - _pretrained_weights(slow)
    assert moved.abs().max() < 1e-5
    fast = SAEClassifier(**STACK, max_epochs=3).fit(X, y)
    assert (_encoder_weights(fast.module_.encoder) - _pretrained_weights(fast)).abs().max() > 1e-3
    # the head still trains at lr
    assert slow.score(X, y) > 0.5


def test_recipe_is_ignored_without_pretraining(X):
    y = load_digits().target
    plain = SAEClassifier(**STACK, pretrain=False, max_epochs=3).fit(X, y)
    recipe = SAEClassifier(**STACK, pretrain=False, max_epochs=3, encoder_lr=1e-9, head_epochs=2)
    np.testing.assert_array_equal(recipe.fit(X, y).predict_proba(X), plain.predict_proba(X))


def test_recipe_errors_are_clear_and_change_nothing(X):
    y = load_digits().target
    clf = SAEClassifier(**STACK, max_epochs=2).fit(X, y)
    before = clf.predict_proba(X)
    clf.set_params(head_epochs=3)
    with pytest.raises(ValueError, match="head_epochs=3 is more than the max_epochs=2"):
        clf.fit(X, y)
    clf.set_params(
        head_epochs=0,
        encoder_lr=1e-4,
        net_params={"optimizer__param_groups": [("head.*", {"lr": 0.1})]},
    )
    with pytest.raises(ValueError, match="encoder_lr sets the optimizer's parameter groups"):
        clf.fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X), before)
