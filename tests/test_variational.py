"""VAETransformer: the ELBO, deterministic codes, sampling, and the shared promises."""

import pickle

import numpy as np
import pytest
from sklearn.decomposition import PCA

from skae import VAETransformer


@pytest.fixture(scope="module")
def vae(digits):
    return VAETransformer((64,), 8, max_epochs=20, random_state=0).fit(digits[0])


def test_it_learns_the_elbo_and_reconstructs(vae, digits):
    Xtr, Xte, _, _ = digits
    assert vae.loss_curve_[-1] < 0.6 * vae.loss_curve_[0]
    mean_only = -np.mean(np.square(Xte - Xtr.mean(axis=0)))
    assert vae.score(Xte) > 0.5 * mean_only  # clearly better than predicting the mean


def test_the_kl_term_is_part_of_the_loss(digits):
    # beta weighs the KL term: more of it, codes closer to the prior, worse reconstructions
    Xtr, Xte, _, _ = digits
    scores, spreads = [], []
    for beta in (0.0, 4.0):
        est = VAETransformer((64,), 8, beta=beta, max_epochs=15, random_state=0).fit(Xtr)
        scores.append(est.score(Xte))
        spreads.append(np.abs(est.transform(Xte)).mean())
    assert scores[0] > scores[1] and spreads[0] > spreads[1]


def test_transform_is_the_posterior_mean_and_deterministic(vae, digits):
    Xte = digits[1]
    np.testing.assert_array_equal(vae.transform(Xte), vae.transform(Xte))
    np.testing.assert_array_equal(vae.transform(Xte[:5]), vae.transform(Xte)[:5])
    decoded = vae.inverse_transform(vae.transform(Xte))
    np.testing.assert_allclose(-np.mean((decoded - Xte) ** 2, axis=1), vae.score_samples(Xte),
                               rtol=1e-5, atol=1e-7)  # fmt: skip


def test_sample_draws_from_the_prior_reproducibly(vae, digits):
    a, b = vae.sample(50, random_state=0), vae.sample(50, random_state=0)
    np.testing.assert_array_equal(a, b)
    assert a.shape == (50, 64) and not np.array_equal(a, vae.sample(50, random_state=1))
    # draws look like the data: closer to the training rows than uniform noise is
    pca = PCA(16).fit(digits[0])
    err = lambda Z: np.mean((pca.inverse_transform(pca.transform(Z)) - Z) ** 2)  # noqa: E731
    noise = np.random.default_rng(0).random((50, 64))
    assert err(a) < 0.5 * err(noise)
    with pytest.raises(ValueError, match="n_samples. parameter of VAETransformer.sample"):
        vae.sample(0)


def test_partial_fit_pickle_and_early_stopping(digits):
    Xtr, Xte, _, _ = digits
    est = VAETransformer((32,), 4, max_epochs=2, random_state=0)
    for block in np.array_split(Xtr, 3):
        est.partial_fit(block)
    again = pickle.loads(pickle.dumps(est))
    est.partial_fit(Xte)
    again.partial_fit(Xte)
    np.testing.assert_array_equal(est.transform(Xte), again.transform(Xte))
    es = VAETransformer((32,), 4, early_stopping=True, max_epochs=30, random_state=0).fit(Xtr)
    assert len(es.validation_scores_) == es.n_iter_
