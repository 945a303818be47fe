"""SAETransformer and SAEClassifier: greedy pretraining, stacking, fine-tuning, labels."""

import pickle

import numpy as np
import pytest
import torch

from skae import AETransformer, DAETransformer, SAEClassifier, SAETransformer

PARAMS = dict(hidden_sizes=(48, 32), n_components=16, pretrain_epochs=4, random_state=0)


@pytest.fixture(scope="module")
def sae(digits):
    Xtr, _, _, _ = digits
    return SAETransformer(**PARAMS).fit(Xtr)


def test_one_shallow_autoencoder_per_layer(sae):
    assert [type(layer) for layer in sae.layers_] == [AETransformer] * 3
    assert [(layer.n_features_in_, layer.n_components) for layer in sae.layers_] == [
        (64, 48),
        (48, 32),
        (32, 16),
    ]
    assert all(layer.hidden_sizes == () and layer.n_iter_ == 4 for layer in sae.layers_)
    assert sae.n_iter_ == 0 and sae.loss_curve_ == []  # no fine-tuning by default


def test_pretraining_is_greedy(sae, digits):
    # checked directly: each layer is exactly the autoencoder one gets by
    # training on the previous layer's codes of the training data
    Xtr, _, _, _ = digits
    inputs = Xtr
    for layer in sae.layers_:
        again = AETransformer(**layer.get_params()).fit(inputs)
        for a, b in zip(again.module_.parameters(), layer.module_.parameters()):
            assert torch.equal(a, b)
        inputs = layer.transform(inputs)


def test_stacked_encoder_is_the_composition_of_the_layers(sae, digits):
    _, Xte, _, _ = digits
    codes = Xte
    for layer in sae.layers_:
        codes = layer.transform(codes)
    np.testing.assert_allclose(sae.transform(Xte), codes, rtol=1e-5, atol=1e-6)
    assert sae.transform(Xte).shape == (len(Xte), 16)
    assert sae.inverse_transform(codes).shape == Xte.shape


def test_unsupervised_finetuning_lowers_the_reconstruction_error(sae, digits):
    Xtr, Xte, _, _ = digits
    tuned = SAETransformer(**PARAMS, max_epochs=10).fit(Xtr)
    assert tuned.n_iter_ == 10  # fine-tuning epochs; the layers count their own
    assert len(tuned.loss_curve_) == 10
    assert tuned.score(Xte) > sae.score(Xte)
    # fine-tuning changes the stack, not the pretrained layers it was copied from
    assert not np.allclose(tuned.transform(Xte), sae.transform(Xte))
    for a, b in zip(tuned.layers_, sae.layers_):
        for p, q in zip(a.module_.parameters(), b.module_.parameters()):
            assert torch.equal(p, q)


def test_stacked_denoising_layers(digits):
    Xtr, Xte, _, _ = digits
    sdae = SAETransformer(**PARAMS, noise="masking", noise_level=0.2).fit(Xtr)
    assert all(isinstance(layer, DAETransformer) for layer in sdae.layers_)
    assert all(layer.noise == "masking" and layer.noise_level == 0.2 for layer in sdae.layers_)
    np.testing.assert_array_equal(sdae.transform(Xte), sdae.transform(Xte))


@pytest.fixture(scope="module")
def string_labels(digits):
    Xtr, Xte, ytr, yte = digits
    names = np.array(
        ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
    )
    return Xtr, Xte, names[ytr], names[yte]


def test_classifier_learns_with_string_labels(string_labels):
    Xtr, Xte, ytr, yte = string_labels
    clf = SAEClassifier(hidden_sizes=(64,), n_components=32, random_state=0).fit(Xtr, ytr)
    assert set(clf.classes_) == set(ytr)
    pred = clf.predict(Xte)
    assert pred.dtype.kind == "U" and set(pred) <= set(ytr)
    assert clf.score(Xte, yte) > 0.9
    proba = clf.predict_proba(Xte)
    assert proba.shape == (len(Xte), 10)
    np.testing.assert_allclose(proba.sum(axis=1), 1)
    np.testing.assert_array_equal(clf.classes_[proba.argmax(axis=1)], pred)
    assert clf.loss_curve_[-1] < 0.5 * clf.loss_curve_[0]
    # transform gives the fine-tuned top code
    assert clf.transform(Xte).shape == (len(Xte), 32)
    assert len(clf.layers_) == 2
    first = clf.layers_[0].module_.encoder[0][0].weight
    assert not torch.equal(first, clf.module_.encoder[0][0].weight)  # fine-tuned since


def test_classifier_starts_from_the_pretrained_layers(digits):
    # one fine-tuning step at a tiny learning rate stays next to the pretrained weights
    Xtr, _, ytr, _ = digits
    clf = SAEClassifier(
        hidden_sizes=(64,), n_components=16, max_epochs=1, lr=1e-7, random_state=0
    ).fit(Xtr, ytr)
    for layer, block in zip(clf.layers_, clf.module_.encoder):
        np.testing.assert_allclose(
            layer.module_.encoder[0][0].weight.detach(), block[0].weight.detach(), atol=1e-4
        )


def test_classifier_without_pretraining(digits):
    Xtr, Xte, ytr, yte = digits
    clf = SAEClassifier(hidden_sizes=(64,), n_components=32, pretrain=False, random_state=0)
    assert clf.fit(Xtr, ytr).layers_ == []
    assert clf.score(Xte, yte) > 0.9


def test_classifier_pickle_and_determinism(string_labels):
    Xtr, Xte, ytr, _ = string_labels
    params = dict(
        hidden_sizes=(32,), n_components=8, max_epochs=2, pretrain_epochs=2, random_state=5
    )
    a = SAEClassifier(**params).fit(Xtr, ytr)
    b = SAEClassifier(**params).fit(Xtr, ytr)
    np.testing.assert_array_equal(a.predict_proba(Xte), b.predict_proba(Xte))
    again = pickle.loads(pickle.dumps(a))
    np.testing.assert_array_equal(again.predict_proba(Xte), a.predict_proba(Xte))
    np.testing.assert_array_equal(again.predict(Xte), a.predict(Xte))
