"""Display objects: they store what they draw, draw on a given Axes, and return themselves."""

import subprocess
import sys

import matplotlib
import numpy as np
import pytest
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
    with pytest.raises(ValueError, match="not square"):
        ReconstructionDisplay.from_estimator(PCA(2).fit(X[:, :10]), X[:, :10])


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
