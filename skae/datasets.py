"""Dataset loaders: Fashion-MNIST from local files first, and sklearn's digits, both in [0, 1].

:func:`fetch_fashion_mnist` follows sklearn's ``fetch_*`` conventions and
reads the official idx files through torchvision's ``FashionMNIST``. It looks
for the four files, compressed (``.gz``) or not, in this order:

1. ``data_home``, when given;
2. the folder named by the environment variable ``SKAE_FASHION_MNIST_DIR``;
3. ``/usr/share/datasets/fashion-mnist/``, where Debian's
   ``dataset-fashion-mnist`` package installs them;
4. torchvision's layout ``<root>/FashionMNIST/raw/`` under sklearn's data
   home (``~/scikit_learn_data`` or ``$SCIKIT_LEARN_DATA``), which is also
   where files are unpacked or downloaded to.

Each folder is searched both as is and in its ``FashionMNIST/raw``
subfolder. Only when none holds the files does it download (torchvision's
mirrors), and offline it fails with an error that names the remedies.
"""

import gzip
import os
import shutil
from pathlib import Path

import numpy as np
from sklearn import datasets as sk_datasets
from sklearn.utils import Bunch

from ._checks import validate_args
from ._sklearn import StrOptions

__all__ = ["fetch_fashion_mnist", "load_digits"]

ENV_VAR = "SKAE_FASHION_MNIST_DIR"
DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")
FILES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)
TARGET_NAMES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)
_SUBSETS = {"train": (True,), "test": (False,), "all": (True, False)}

DESCR = """Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017; MIT licence)
---------------------------------------------------------------
70,000 grayscale 28x28 images of Zalando articles in 10 classes, 7,000 each:
60,000 for training (6,000 per class), 10,000 for testing. ``data`` holds
the pixels as float32 in [0, 1] (the bytes divided by 255), one image a row
of 784; ``images`` the same as (n, 28, 28); ``target`` the class index,
``target_names`` the class names.
"""


def _find(folder):
    """The folder holding all four files (``.gz`` or not) in ``folder`` or its
    torchvision subfolder, and whether they are compressed; ``None`` if neither."""
    for place in (Path(folder), Path(folder) / "FashionMNIST" / "raw"):
        for suffix in ("", ".gz"):
            if all((place / (name + suffix)).is_file() for name in FILES):
                return place, suffix
    return None


def _unpack(source, suffix, raw):
    """Copy (decompressing ``.gz``) the four files from ``source`` into ``raw``,
    skipping those already there and at least as new as their source."""
    raw.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        src, dst = source / (name + suffix), raw / name
        if dst.is_file() and dst.stat().st_mtime >= src.stat().st_mtime:
            continue
        tmp = dst.with_suffix(".part")
        with (gzip.open if suffix else open)(src, "rb") as fin, open(tmp, "wb") as fout:
            shutil.copyfileobj(fin, fout)
        tmp.replace(dst)


def _torchvision_root(data_home, download_if_missing):
    """A root under which torchvision's ``FashionMNIST`` finds the raw files."""
    cache = Path(sk_datasets.get_data_home(data_home))
    searched = [data_home, os.environ.get(ENV_VAR), DEBIAN_DIR, cache]
    searched = [Path(folder) for folder in searched if folder]
    for folder in searched:
        found = _find(folder)
        if found is None:
            continue
        place, suffix = found
        if place.parts[-2:] == ("FashionMNIST", "raw") and not suffix:
            return place.parent.parent
        _unpack(place, suffix, cache / "FashionMNIST" / "raw")
        return cache

    remedies = (
        "Fashion-MNIST was not found in: "
        + ", ".join(str(folder) for folder in dict.fromkeys(searched))
        + ". Either install Debian's package (apt-get install dataset-fashion-mnist), "
        f"or set {ENV_VAR} to a folder holding the four idx files "
        "(train-images-idx3-ubyte.gz, ...), or pass data_home=<that folder>"
    )
    if not download_if_missing:
        raise OSError(remedies + ", or call with download_if_missing=True while online.")
    from torchvision.datasets import FashionMNIST

    try:
        FashionMNIST(str(cache), download=True)
    except Exception as exc:  # torchvision raises RuntimeError / URLError / OSError offline
        raise OSError(f"{remedies}. Downloading it failed too: {exc}") from exc
    return cache


@validate_args(
    data_home=[str, os.PathLike, None],
    subset=[StrOptions(set(_SUBSETS))],
    download_if_missing=["boolean"],
    return_X_y=["boolean"],
    as_frame=["boolean"],
)
def fetch_fashion_mnist(
    *,
    data_home=None,
    subset="train",
    download_if_missing=True,
    return_X_y=False,
    as_frame=False,
):
    """Load the Fashion-MNIST dataset (classification), local files first.

    Parameters
    ----------
    data_home : str or path-like, default=None
        A folder to look in first, and where to unpack or download to.
        By default sklearn's data home (``~/scikit_learn_data``).

    subset : {"train", "test", "all"}, default="train"
        The 60,000 training images, the 10,000 test images, or both (train first).

    download_if_missing : bool, default=True
        Download the files when no local copy is found. Offline, or with
        ``False``, a missing dataset raises ``OSError`` naming the remedies.

    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.

    as_frame : bool, default=False
        ``data`` as a DataFrame (columns ``pixel_0`` ... ``pixel_783``),
        ``target`` as a Series, and ``frame`` holding both.

    Returns
    -------
    data : Bunch
        ``data`` (n, 784) float32 in [0, 1]; ``images`` (n, 28, 28) float32;
        ``target`` (n,) int64; ``target_names``; ``feature_names``; ``DESCR``;
        and ``frame`` when ``as_frame=True``.
    (data, target) : tuple if ``return_X_y`` is True

    Examples
    --------
    >>> from skae.datasets import fetch_fashion_mnist
    >>> X, y = fetch_fashion_mnist(subset="test", return_X_y=True)  # doctest: +SKIP
    >>> X.shape, X.dtype, y[:3]  # doctest: +SKIP
    ((10000, 784), dtype('float32'), array([9, 2, 1]))
    """
    from torchvision.datasets import FashionMNIST

    root = _torchvision_root(data_home, download_if_missing)
    parts = [FashionMNIST(str(root), train=train, download=False) for train in _SUBSETS[subset]]
    images = np.concatenate([part.data.numpy() for part in parts]).astype(np.float32) / 255
    target = np.concatenate([part.targets.numpy() for part in parts]).astype(np.int64)
    return _bunch(images, target, list(TARGET_NAMES), DESCR, return_X_y, as_frame)


@validate_args(return_X_y=["boolean"], as_frame=["boolean"])
def load_digits(*, return_X_y=False, as_frame=False):
    """sklearn's embedded 8x8 digits (1,797 images, 10 classes), scaled to [0, 1].

    Parameters
    ----------
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.

    as_frame : bool, default=False
        ``data`` as a DataFrame, ``target`` as a Series, and ``frame`` holding both.

    Returns
    -------
    data : Bunch
        ``data`` (1797, 64) float32 in [0, 1] (the 0-16 counts divided by 16);
        ``images`` (1797, 8, 8); ``target``; ``target_names``; ``DESCR``.
    (data, target) : tuple if ``return_X_y`` is True

    Examples
    --------
    >>> from skae.datasets import load_digits
    >>> X, y = load_digits(return_X_y=True)
    >>> X.shape, X.dtype, float(X.max())
    ((1797, 64), dtype('float32'), 1.0)
    """
    digits = sk_datasets.load_digits()
    images = digits.images.astype(np.float32) / 16
    return _bunch(
        images, digits.target, list(digits.target_names), digits.DESCR, return_X_y, as_frame
    )


def _bunch(images, target, target_names, descr, return_X_y, as_frame):
    data = images.reshape(len(images), -1)
    feature_names = [f"pixel_{i}" for i in range(data.shape[1])]
    frame = None
    if as_frame:
        import pandas as pd  # only for DataFrame output: `import skae` stays light

        data = pd.DataFrame(data, columns=feature_names)
        target = pd.Series(target, name="class")
        frame = pd.concat([data, target], axis=1)
    if return_X_y:
        return data, target
    return Bunch(
        data=data,
        images=images,
        target=target,
        target_names=target_names,
        feature_names=feature_names,
        frame=frame,
        DESCR=descr,
    )
