"""Dataset loaders: Fashion-MNIST from local files first, digits in [0, 1]."""

import gzip
import shutil

import numpy as np
import pandas as pd
import pytest

from skae import datasets
from skae.datasets import FILES, fetch_fashion_mnist, load_digits

debian = pytest.mark.skipif(
    not datasets.DEBIAN_DIR.is_dir(),
    reason="needs Debian's dataset-fashion-mnist (installed by .ci/run)",
)


@pytest.fixture
def no_env(monkeypatch):
    monkeypatch.delenv(datasets.ENV_VAR, raising=False)


@debian
def test_fashion_mnist_from_debian_files_matches_known_facts(tmp_path, no_env):
    train = fetch_fashion_mnist(data_home=tmp_path)
    test = fetch_fashion_mnist(data_home=tmp_path, subset="test")
    assert train.data.shape == (60000, 784) and test.data.shape == (10000, 784)
    assert train.images.shape == (60000, 28, 28)
    assert train.data.dtype == np.float32
    assert train.data.min() == 0 and train.data.max() == 1
    np.testing.assert_array_equal(np.bincount(train.target), [6000] * 10)
    np.testing.assert_array_equal(np.bincount(test.target), [1000] * 10)
    assert train.target_names[0] == "T-shirt/top" and train.target_names[9] == "Ankle boot"
    # the first test images are an ankle boot, a pullover and a trouser (the dataset's README)
    assert list(test.target[:3]) == [9, 2, 1]
    np.testing.assert_array_equal(train.images[5], train.data[5].reshape(28, 28))
    # unpacked once into torchvision's layout under data_home
    assert sorted(p.name for p in (tmp_path / "FashionMNIST" / "raw").iterdir()) == sorted(FILES)


@debian
def test_fashion_mnist_all_frame_and_return_X_y(tmp_path, no_env):
    X, y = fetch_fashion_mnist(data_home=tmp_path, subset="all", return_X_y=True)
    assert X.shape == (70000, 784) and y.shape == (70000,)
    bunch = fetch_fashion_mnist(data_home=tmp_path, subset="test", as_frame=True)
    assert isinstance(bunch.data, pd.DataFrame) and isinstance(bunch.target, pd.Series)
    assert bunch.frame.shape == (10000, 785)
    assert list(bunch.data.columns[:2]) == ["pixel_0", "pixel_1"]


@debian
def test_environment_variable_folder_is_used(tmp_path, monkeypatch):
    # a folder with the four .gz files, found through the environment variable
    folder = tmp_path / "mine"
    folder.mkdir()
    for name in FILES:
        shutil.copy(datasets.DEBIAN_DIR / f"{name}.gz", folder)
    monkeypatch.setenv(datasets.ENV_VAR, str(folder))
    monkeypatch.setattr(datasets, "DEBIAN_DIR", tmp_path / "absent")
    _, y = fetch_fashion_mnist(data_home=tmp_path / "home", subset="test", return_X_y=True)
    assert len(y) == 10000


@debian
def test_torchvision_layout_is_read_in_place(tmp_path, monkeypatch, no_env):
    raw = tmp_path / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    for name in FILES:
        with gzip.open(datasets.DEBIAN_DIR / f"{name}.gz") as src, open(raw / name, "wb") as dst:
            shutil.copyfileobj(src, dst)
    monkeypatch.setattr(datasets, "DEBIAN_DIR", tmp_path / "absent")
    assert datasets._torchvision_root(tmp_path, download_if_missing=False) == tmp_path


def test_missing_and_offline_names_the_remedies(tmp_path, monkeypatch, no_env):
    monkeypatch.setattr(datasets, "DEBIAN_DIR", tmp_path / "absent")
    with pytest.raises(
        OSError, match="apt-get install dataset-fashion-mnist.*SKAE_FASHION_MNIST_DIR.*data_home"
    ):
        fetch_fashion_mnist(data_home=tmp_path, download_if_missing=False)

    # with downloads allowed, a failed download (offline) gives the same remedies
    import torchvision.datasets

    def offline(*args, **kwargs):
        raise RuntimeError("Error downloading train-images-idx3-ubyte.gz")

    monkeypatch.setattr(torchvision.datasets, "FashionMNIST", offline)
    with pytest.raises(
        OSError, match="apt-get install.*Downloading it failed too: Error downloading"
    ):
        fetch_fashion_mnist(data_home=tmp_path)


def test_bad_subset():
    with pytest.raises(ValueError, match="subset. parameter of fetch_fashion_mnist"):
        fetch_fashion_mnist(subset="validation")


def test_digits_in_unit_range():
    bunch = load_digits()
    assert bunch.data.shape == (1797, 64) and bunch.data.dtype == np.float32
    assert bunch.data.min() == 0 and bunch.data.max() == 1
    assert bunch.images.shape == (1797, 8, 8)
    X, y = load_digits(return_X_y=True, as_frame=True)
    assert X.shape == (1797, 64) and y.name == "class"
