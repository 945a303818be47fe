"""Corruption: each kind of noise does what it says, only while training."""

import numpy as np
import pytest
import torch

from skae import AETransformer, DAETransformer
from skae.noise import Corruption, gaussian, masking, salt_pepper


@pytest.fixture
def x():
    return torch.rand(2000, 50)


def test_gaussian_adds_noise_of_the_given_sigma(x):
    noise = gaussian(x, 0.3) - x
    assert abs(noise.mean().item()) < 0.01
    assert noise.std().item() == pytest.approx(0.3, rel=0.02)


def test_masking_zeroes_the_given_fraction(x):
    out = masking(x, 0.25)
    zeroed = (out == 0) & (x != 0)
    assert zeroed.float().mean().item() == pytest.approx(0.25, abs=0.01)
    kept = out != 0
    assert torch.equal(out[kept], x[kept])


def test_salt_pepper_writes_feature_extremes_on_the_given_fraction(x):
    low, high = torch.full((50,), -1.0), torch.full((50,), 2.0)
    out = salt_pepper(x, 0.2, low, high)
    changed = out != x
    assert changed.float().mean().item() == pytest.approx(0.2, abs=0.01)
    assert set(out[changed].unique().tolist()) == {-1.0, 2.0}
    assert (out[changed] == 2.0).float().mean().item() == pytest.approx(0.5, abs=0.03)


@pytest.mark.parametrize("noise", ["gaussian", "masking", "salt_pepper"])
def test_corruption_is_fresh_each_call_in_training_and_off_in_eval(x, noise):
    layer = Corruption(noise, 0.2, low=torch.zeros(50), high=torch.ones(50))
    layer.train()
    first, second = layer(x), layer(x)
    assert not torch.equal(first, x) and not torch.equal(first, second)
    layer.eval()
    assert layer(x) is x


def test_noise_changes_training_but_not_transform(digits):
    Xtr, Xte, _, _ = digits
    params = dict(hidden_sizes=(64,), n_components=16, max_epochs=3, random_state=0)
    ae = AETransformer(**params).fit(Xtr)
    # level 0 draws no noise: the very same training as a plain autoencoder
    silent = DAETransformer(noise="gaussian", noise_level=0.0, **params).fit(Xtr)
    np.testing.assert_array_equal(silent.transform(Xte), ae.transform(Xte))
    for noise in ("gaussian", "masking", "salt_pepper"):
        dae = DAETransformer(noise=noise, noise_level=0.3, **params).fit(Xtr)
        # trained differently: other weights, other features
        assert not np.allclose(dae.transform(Xte), ae.transform(Xte))
        # transform adds no noise: repeated calls agree, and equal the bare encoder
        np.testing.assert_array_equal(dae.transform(Xte), dae.transform(Xte))
        with torch.no_grad():
            bare = dae.module_.encoder(torch.as_tensor(Xte, dtype=torch.float32)).numpy()
        np.testing.assert_allclose(dae.transform(Xte), bare, rtol=1e-5, atol=1e-6)


def test_denoising_autoencoder_removes_noise(digits):
    # trained to reproduce clean digits from masked ones, it restores masked input
    Xtr, Xte, _, _ = digits
    params = dict(hidden_sizes=(128,), n_components=32, max_epochs=30, random_state=0)
    dae = DAETransformer(noise="masking", noise_level=0.3, **params).fit(Xtr)
    noisy = masking(torch.as_tensor(Xte), 0.3).numpy()
    denoised = dae.inverse_transform(dae.transform(noisy))
    assert np.mean((denoised - Xte) ** 2) < 0.5 * np.mean((noisy - Xte) ** 2)


def test_daetransformer_takes_swap_noise():
    from skae import DAETransformer

    X = np.random.default_rng(0).random((100, 6)).astype(np.float32)
    dae = DAETransformer(hidden_sizes=(16,), n_components=3, noise="swap", noise_level=0.3,
                         max_epochs=2, random_state=0).fit(X)  # fmt: skip
    assert dae.module_.corruption.noise == "swap"
    assert dae.transform(X).shape == (100, 3)
