"""Display objects: they store what they draw, draw on a given Axes, and return themselves."""

import subprocess
import sys

import matplotlib
import numpy as np
import pytest
import torch
from sklearn.decomposition import PCA

from skae import AETransformer, DAETransformer
from skae.inspection import LatentSpaceDisplay, LossCurveDisplay, ReconstructionDisplay

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


@pytest.fixture(scope="module")
def dae(digits):
    return DAETransformer((32,), 8, max_epochs=5, early_stopping=True, random_state=0).fit(
        digits[0]
    )


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_reconstructions_are_what_the_estimator_gives(dae, digits):
    X = digits[1]
    display = ReconstructionDisplay.from_estimator(dae, X, n_images=6)
    np.testing.assert_array_equal(display.originals, X[:6])
    expected = dae.inverse_transform(dae.transform(X[:6]))
    np.testing.assert_array_equal(display.reconstructions, expected)
    assert display.image_shape == (8, 8) and display.noisy is None
    assert display.image_.get_array().shape == (2 * 8 + 1, 6 * 8 + 5)  # two rows of six images
    labels = [t.get_text() for t in display.ax_.get_yticklabels()]
    assert labels == ["original", "reconstructed\n(DAETransformer)"]


def test_the_denoising_view_and_a_given_axes(dae, digits):
    X = digits[1]
    fig, ax = plt.subplots()
    display = ReconstructionDisplay.from_estimator(dae, X, n_images=4, noise=True, random_state=0,
                                                   ax=ax)  # fmt: skip
    assert display.ax_ is ax and display.figure_ is fig
    assert np.mean(display.noisy == 0) > np.mean(X[:4] == 0)  # masking noise zeroes pixels
    np.testing.assert_array_equal(display.reconstructions,
                                  dae.inverse_transform(dae.transform(display.noisy)))  # fmt: skip
    assert len(display.ax_.get_yticks()) == 3
    with pytest.raises(ValueError, match="adds no training noise"):
        ReconstructionDisplay.from_estimator(PCA(4).fit(X), X, noise=True)


def test_any_reconstructing_model_and_image_shape(digits):
    X = digits[1]
    display = ReconstructionDisplay.from_estimator(PCA(4).fit(X), X, image_shape=(4, 16))
    assert display.image_shape == (4, 16)
    # rows that are not square are shown as 1 x n strips, as ConvAETransformer reads them
    strips = ReconstructionDisplay.from_estimator(PCA(2).fit(X[:, :10]), X[:, :10])
    assert strips.image_shape == (1, 10)


def test_loss_curve_with_and_without_early_stopping(dae, digits):
    display = LossCurveDisplay.from_estimator(dae)
    assert display.loss_curve == dae.loss_curve_
    assert display.validation_loss == [-s for s in dae.validation_scores_]
    assert len(display.lines_) == 2
    np.testing.assert_allclose(display.lines_[0].get_ydata(), dae.loss_curve_)
    plain = AETransformer((16,), 4, max_epochs=3, random_state=0).fit(digits[0])
    display = LossCurveDisplay.from_estimator(plain)
    assert display.validation_loss is None and len(display.lines_) == 1


def test_latent_space_projects_wide_codes_and_colours_by_label(dae, digits):
    X, y = digits[1], digits[3]
    display = LatentSpaceDisplay.from_estimator(dae, X, y)
    expected = PCA(2, random_state=0).fit_transform(dae.transform(X).astype(np.float64))
    np.testing.assert_allclose(display.embedding, expected)
    assert display.projection == "PCA of the codes"
    assert len(display.ax_.get_legend().get_texts()) == 10
    two = AETransformer((16,), 2, max_epochs=3, random_state=0).fit(digits[0])
    display = LatentSpaceDisplay.from_estimator(two, X)
    np.testing.assert_allclose(display.embedding, two.transform(X))
    assert display.projection is None and display.ax_.get_legend() is None


def test_without_matplotlib_plot_says_how_to_install_it(dae, digits):
    code = (
        "import sys; sys.modules['matplotlib'] = None\n"
        "import numpy as np\n"
        "from skae.inspection import LossCurveDisplay\n"
        "try:\n"
        "    LossCurveDisplay([1.0, 0.5]).plot()\n"
        "except ImportError as e:\n"
        "    print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "requires matplotlib" in out.stdout and "pip install matplotlib" in out.stdout


def test_salt_and_pepper_view_writes_the_fitted_extremes(digits):
    X = digits[0]
    dae = DAETransformer((16,), 4, noise="salt_pepper", noise_level=0.3, max_epochs=1,
                         random_state=0).fit(X)  # fmt: skip
    low, high = X.min(axis=0), X.max(axis=0)  # the training data's, not the shown row's
    display = ReconstructionDisplay.from_estimator(dae, X[:1], noise=True, random_state=0)
    changed = display.noisy[0] != X[0]
    assert 0.1 < changed.mean() < 0.5
    assert np.all(np.isin(display.noisy[0][changed], np.r_[low, high]))
    np.testing.assert_array_equal(
        np.where(display.noisy[0][changed] == high[changed], high[changed], low[changed]),
        display.noisy[0][changed],
    )


def test_multichannel_images_are_drawn_side_by_side():
    from skae import ConvAETransformer

    X = np.random.default_rng(0).random((20, 64), dtype=np.float32)
    conv = ConvAETransformer(image_shape=(2, 4, 8), channels=(4,), n_components=3, max_epochs=1,
                             random_state=0).fit(X)  # fmt: skip
    display = ReconstructionDisplay.from_estimator(conv, X, n_images=3)
    assert display.image_shape == (2, 4, 8)
    # two rows of 3 images x 2 channels, each 4 x 8, one pixel apart
    assert display.image_.get_array().shape == (2 * 4 + 1, 6 * 8 + 5)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(image_shape=(8, 9)), "holds 72 values, but X has 64 features"),
        (dict(image_shape=(8, 0)), "positive ints"),
        (dict(image_shape=(2, 2, 4, 4)), r"\(H, W\) or \(C, H, W\)"),
        (dict(n_images=-1), "'n_images' parameter"),
        (dict(n_images=2.5), "'n_images' parameter"),
        (dict(n_images=True), "'n_images' parameter"),
    ],
)
def test_bad_image_shape_and_n_images_are_refused(dae, digits, kwargs, match):
    with pytest.raises(ValueError, match=match):
        ReconstructionDisplay.from_estimator(dae, digits[1], **kwargs)
    assert plt.get_fignums() == []


def test_validation_losses_are_drawn_at_their_epochs_after_a_warm_start(digits):
    X = digits[0]
    dae = DAETransformer((16,), 4, max_epochs=3, early_stopping=True, n_iter_no_change=5,
                         warm_start=True, random_state=0).fit(X)  # fmt: skip
    assert dae.validation_epochs_ == [1, 2, 3]
    dae.fit(X)
    assert dae.n_iter_ == 6 and dae.validation_epochs_ == [4, 5, 6]
    display = LossCurveDisplay.from_estimator(dae)
    np.testing.assert_array_equal(display.lines_[1].get_xdata(), [4, 5, 6])
    np.testing.assert_array_equal(display.lines_[0].get_xdata(), np.arange(1, 7))


def test_displays_never_touch_the_global_random_state(dae, digits):
    before = np.random.get_state()[1].copy()
    torch_before = torch.random.get_rng_state()
    ReconstructionDisplay.from_estimator(dae, digits[1], noise=True)
    LatentSpaceDisplay.from_estimator(dae, digits[1])
    np.testing.assert_array_equal(np.random.get_state()[1], before)
    assert torch.equal(torch.random.get_rng_state(), torch_before)


def test_a_model_fitted_on_a_dataframe_is_drawn_without_warnings(digits):
    import warnings

    import pandas as pd

    frame = pd.DataFrame(digits[0], columns=[f"pixel_{i}" for i in range(64)])
    dae = DAETransformer((16,), 4, max_epochs=1, random_state=0).fit(frame)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ReconstructionDisplay.from_estimator(dae, frame, noise=True, random_state=0)
        LatentSpaceDisplay.from_estimator(dae, frame)
