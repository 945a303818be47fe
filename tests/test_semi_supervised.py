"""Semi-supervised fitting in scikit-learn's convention, and frozen features in Pipelines."""

import numpy as np
import pytest
import torch
from skorch.callbacks import Callback
from sklearn.datasets import load_digits
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

from skae import AETransformer, SAEClassifier

SMALL = dict(hidden_sizes=(64,), n_components=16, pretrain_epochs=5, max_epochs=60, random_state=0)


class Rows(Callback):
    """Counts the rows of each epoch's training batches into a shared list."""

    def __init__(self, seen):
        self.seen = seen

    def __deepcopy__(self, memo):
        return Rows(self.seen)

    def on_epoch_begin(self, net, **kwargs):
        self.seen.append(0)

    def on_batch_end(self, net, batch=None, training=False, **kwargs):
        if training:
            self.seen[-1] += len(batch[0])


def few_labels(y, fraction, seed=0):
    rng = np.random.default_rng(seed)
    return np.where(rng.random(len(y)) < fraction, y, -1)


def test_minus_one_marks_unlabeled_rows(digits):
    Xtr, Xte, ytr, yte = digits
    y = few_labels(ytr, 0.1)
    clf = SAEClassifier(**SMALL).fit(Xtr, y)
    assert list(clf.classes_) == list(range(10))  # -1 is not a class
    assert clf.predict_proba(Xte).shape == (len(Xte), 10)
    assert clf.score(Xte, yte) > 0.75  # with -1 as an eleventh class it was 0.03


def test_pretraining_sees_every_row_and_fine_tuning_the_labeled_ones(digits):
    Xtr, _, ytr, _ = digits
    y = few_labels(ytr, 0.2)
    pre, fine = [], []
    SAEClassifier(**SMALL, pretrain_net_params={"callbacks": [Rows(pre)]},
                  net_params={"callbacks": [Rows(fine)]}).fit(Xtr, y)  # fmt: skip
    assert set(pre) == {len(Xtr)}
    assert set(fine) == {int(np.sum(y != -1))}


def test_early_stopping_holds_out_labeled_rows_only(digits):
    Xtr, _, ytr, _ = digits
    y = few_labels(ytr, 0.3)
    fine = []
    clf = SAEClassifier(**SMALL, early_stopping=True, validation_fraction=0.2,
                        net_params={"callbacks": [Rows(fine)]}).fit(Xtr, y)  # fmt: skip
    n_labeled = int(np.sum(y != -1))
    assert fine[0] == n_labeled - round(0.2 * n_labeled)
    assert len(clf.validation_scores_) == clf.n_iter_


@pytest.mark.parametrize(
    "make_y, match",
    [
        (lambda y: np.full(len(y), -1), "hold 0 classes"),
        (lambda y: np.where(y == 3, 3, -1), "hold 1 class \\[3\\]"),
    ],
)
def test_fewer_than_two_labeled_classes_is_refused_before_anything_changes(make_y, match, digits):
    Xtr, _, ytr, _ = digits
    clf = SAEClassifier(**SMALL).fit(Xtr[:200], ytr[:200])
    before = clf.predict(Xtr[:50])
    with pytest.raises(ValueError, match=match):
        clf.fit(Xtr, make_y(ytr))
    np.testing.assert_array_equal(clf.predict(Xtr[:50]), before)


def test_string_labels_take_a_string_marker_and_none_turns_the_marker_off(digits):
    Xtr, Xte, ytr, yte = digits
    names = np.array(["zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
                      "nine"], dtype=object)  # fmt: skip
    y = names[ytr].copy()
    y[few_labels(ytr, 0.3) == -1] = "unlabeled"
    clf = SAEClassifier(**SMALL, unlabeled="unlabeled").fit(Xtr, y)
    assert "unlabeled" not in clf.classes_ and len(clf.classes_) == 10
    assert np.mean(clf.predict(Xte) == names[yte]) > 0.8
    binary = np.where(ytr < 5, -1, 1)  # -1 as an ordinary class
    plain = SAEClassifier(**SMALL, unlabeled=None).fit(Xtr, binary)
    assert list(plain.classes_) == [-1, 1]


def test_a_transformer_fitted_once_without_labels_stays_frozen_in_a_grid_search(digits):
    Xtr, Xte, ytr, yte = digits
    ae = AETransformer((64,), 32, max_epochs=10, random_state=0).fit(np.vstack([Xtr, Xte]))
    codes = ae.transform(Xte)
    fits = []
    original_fit = AETransformer.fit

    def counting_fit(self, *args, **kwargs):
        fits.append(1)
        return original_fit(self, *args, **kwargs)

    AETransformer.fit = counting_fit
    try:
        pipe = make_pipeline(FrozenEstimator(ae), LogisticRegression(max_iter=2000))
        search = GridSearchCV(pipe, {"logisticregression__C": [0.1, 1.0]}, cv=3).fit(Xtr, ytr)
    finally:
        AETransformer.fit = original_fit
    assert fits == []  # never refitted, not even by the final refit
    np.testing.assert_array_equal(search.best_estimator_[0].transform(Xte), codes)
    assert search.score(Xte, yte) > 0.85


# --- the fine-tuning recipe (head_epochs, encoder_lr) --------------------------------------

STACK = dict(hidden_sizes=(32,), n_components=16, pretrain_epochs=2, lr=0.01, random_state=0)


@pytest.fixture(scope="module")
def X_digits():
    return load_digits().data.astype(np.float32) / 16


def _encoder_weights(module):
    return torch.cat([p.detach().flatten() for p in module.parameters()])


def _pretrained_weights(clf):
    return torch.cat([_encoder_weights(layer.module_.encoder) for layer in clf.layers_])


def test_head_epochs_train_the_softmax_layer_alone_first(X_digits):
    y = load_digits().target
    clf = SAEClassifier(**STACK, max_epochs=10, head_epochs=10).fit(X_digits, y)
    torch.testing.assert_close(_encoder_weights(clf.module_.encoder), _pretrained_weights(clf))
    assert clf.score(X_digits, y) > 0.5  # the head learned on the frozen code
    assert all(p.requires_grad for p in clf.module_.parameters())  # nothing left frozen
    longer = SAEClassifier(**STACK, max_epochs=5, head_epochs=3).fit(X_digits, y)
    assert not torch.allclose(_encoder_weights(longer.module_.encoder), _pretrained_weights(longer))
    assert longer.n_iter_ == 5


def test_encoder_lr_is_the_pretrained_layers_learning_rate(X_digits):
    y = load_digits().target
    slow = SAEClassifier(**STACK, max_epochs=10, encoder_lr=1e-9).fit(X_digits, y)
    moved = _encoder_weights(slow.module_.encoder) - _pretrained_weights(slow)
    assert moved.abs().max() < 1e-5
    fast = SAEClassifier(**STACK, max_epochs=3).fit(X_digits, y)
    assert (_encoder_weights(fast.module_.encoder) - _pretrained_weights(fast)).abs().max() > 1e-3
    # the head still trains at lr
    assert slow.score(X_digits, y) > 0.5


def test_recipe_is_ignored_without_pretraining(X_digits):
    y = load_digits().target
    plain = SAEClassifier(**STACK, pretrain=False, max_epochs=3).fit(X_digits, y)
    recipe = SAEClassifier(**STACK, pretrain=False, max_epochs=3, encoder_lr=1e-9, head_epochs=2)
    np.testing.assert_array_equal(recipe.fit(X_digits, y).predict_proba(X_digits),
                                  plain.predict_proba(X_digits))  # fmt: skip


def test_recipe_errors_are_clear_and_change_nothing(X_digits):
    y = load_digits().target
    clf = SAEClassifier(**STACK, max_epochs=2).fit(X_digits, y)
    before = clf.predict_proba(X_digits)
    clf.set_params(head_epochs=3)
    with pytest.raises(ValueError, match="head_epochs=3 is more than the max_epochs=2"):
        clf.fit(X_digits, y)
    clf.set_params(
        head_epochs=0,
        encoder_lr=1e-4,
        net_params={"optimizer__param_groups": [("head.*", {"lr": 0.1})]},
    )
    with pytest.raises(ValueError, match="encoder_lr sets the optimizer's parameter groups"):
        clf.fit(X_digits, y)
    np.testing.assert_array_equal(clf.predict_proba(X_digits), before)
