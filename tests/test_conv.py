"""ConvAETransformer: image shapes, learning, denoising, sklearn integration."""

import pickle

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

from skae import ConvAETransformer
from skae._checks import resolve_image_shape

QUICK = dict(channels=(8, 16), n_components=8, max_epochs=3, random_state=0)


@pytest.fixture(scope="module")
def fitted(digits):
    return ConvAETransformer((8, 8), **{**QUICK, "max_epochs": 10}).fit(digits[0])


@pytest.mark.parametrize(
    "image_shape, n_features, expected",
    [
        (None, 64, (1, 8, 8)),  # a square number: a square image
        (None, 10, (1, 1, 10)),  # otherwise a strip
        ((8, 8), 64, (1, 8, 8)),
        ((3, 4, 5), 60, (3, 4, 5)),
    ],
)
def test_image_shape(image_shape, n_features, expected):
    assert resolve_image_shape(image_shape, n_features) == expected


@pytest.mark.parametrize("shape", [(7, 5), (3, 6, 6), (1, 9), (28, 28)])
def test_any_image_size_comes_back_whole(shape):
    # stride-2 stages round up; the transposed convolutions restore the exact size
    n = int(np.prod(shape))
    X = np.random.RandomState(0).rand(40, n)
    cae = ConvAETransformer(shape, (4, 8, 8), 5, max_epochs=1, random_state=0).fit(X)
    assert cae.transform(X).shape == (40, 5)
    assert cae.inverse_transform(cae.transform(X)).shape == (40, n)
    assert cae.image_shape_ == ((1, *shape) if len(shape) == 2 else shape)


def test_a_row_width_that_does_not_fit_the_image_is_refused_before_anything_changes(
    fitted, digits
):
    Xtr = digits[0]
    est = ConvAETransformer((28, 28), **QUICK)
    with pytest.raises(ValueError, match=r"image_shape \(28, 28\) holds 784 values, but X has 64"):
        est.fit(Xtr)
    assert not hasattr(est, "module_")
    before = fitted.transform(Xtr[:20])
    refit = clone(fitted).set_params(image_shape=(4, 4))
    with pytest.raises(ValueError, match="holds 16 values"):
        refit.fit(Xtr)
    with pytest.raises(ValueError, match="image_shape must be"):
        ConvAETransformer((8, -8), **QUICK).fit(Xtr)
    with pytest.raises(ValueError, match="channels must be a tuple of positive ints"):
        ConvAETransformer((8, 8), channels=(8, 0)).fit(Xtr)
    np.testing.assert_array_equal(fitted.transform(Xtr[:20]), before)


def test_it_learns_and_is_convolutional(fitted, digits):
    Xtr, Xte, _, _ = digits
    assert fitted.loss_curve_[-1] < 0.5 * fitted.loss_curve_[0]
    mean_mse = np.mean((Xte - Xtr.mean(axis=0)) ** 2)
    assert -fitted.score(Xte) < 0.5 * mean_mse
    convs = [m for m in fitted.module_.encoder if isinstance(m, torch.nn.Conv2d)]
    assert [c.out_channels for c in convs] == [8, 16] and all(c.stride == (2, 2) for c in convs)
    recon = fitted.inverse_transform(fitted.transform(Xte))
    np.testing.assert_allclose(-fitted.score_samples(Xte), ((Xte - recon) ** 2).mean(1), rtol=1e-5)


def test_denoising_noise_acts_while_training_only(digits):
    Xtr, Xte, _, _ = digits
    cdae = ConvAETransformer((8, 8), noise="masking", noise_level=0.3, **QUICK).fit(Xtr)
    plain = ConvAETransformer((8, 8), **QUICK).fit(Xtr)
    assert not np.allclose(cdae.transform(Xte), plain.transform(Xte))
    np.testing.assert_array_equal(cdae.transform(Xte), cdae.transform(Xte))
    assert cdae.module_.corruption.noise == "masking"


def test_grid_search_over_channels_and_size_in_a_pipeline(digits):
    Xtr, _, ytr, _ = digits
    pipe = Pipeline(
        [
            ("cae", ConvAETransformer((8, 8), max_epochs=2, random_state=0)),
            ("clf", LogisticRegression(max_iter=500)),
        ]
    )
    grid = {"cae__channels": [(4,), (8, 16)], "cae__n_components": [2, 16]}
    search = GridSearchCV(pipe, grid, cv=2).fit(Xtr[:600], ytr[:600])
    assert len(search.cv_results_["params"]) == 4
    assert search.best_params_["cae__n_components"] == 16  # 2 dimensions lose too much


def test_pickle_clone_and_pandas_output(fitted, digits):
    Xtr, Xte, _, _ = digits
    again = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(again.transform(Xte), fitted.transform(Xte))
    assert not hasattr(clone(fitted), "module_")
    columns = [f"px{i}" for i in range(64)]
    cae = ConvAETransformer((8, 8), **QUICK).set_output(transform="pandas")
    out = cae.fit_transform(pd.DataFrame(Xtr, columns=columns))
    assert list(out.columns) == [f"convaetransformer{i}" for i in range(8)]
