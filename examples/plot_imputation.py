"""
Filling holes with DAEImputer
=============================

A quarter of the pixels of each test digit is removed at random (NaN).
:class:`~skae.DAEImputer` learns from the training digits, which have holes
of their own, and fills the test digits' holes: the observed pixels come back
as they were, only the holes are written. Beside it,
:class:`~sklearn.impute.SimpleImputer` fills each hole with the pixel's mean,
and :class:`~sklearn.impute.KNNImputer` with the mean of the nearest digits.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.impute import KNNImputer, SimpleImputer
from sklearn.model_selection import train_test_split

from skae import DAEImputer
from skae.datasets import load_digits

X, _ = load_digits(return_X_y=True)
rng = np.random.default_rng(0)
holes = rng.random(X.shape) < 0.25
X_missing = np.where(holes, np.nan, X)
train, test = train_test_split(np.arange(len(X)), random_state=0)

imputers = {
    "DAEImputer": DAEImputer(random_state=0),
    "KNNImputer": KNNImputer(),
    "SimpleImputer": SimpleImputer(),
}
filled = {}
for name, imputer in imputers.items():
    imputer.fit(X_missing[train])
    filled[name] = imputer.transform(X_missing[test])
    rmse = np.sqrt(np.mean((filled[name] - X[test])[holes[test]] ** 2))
    print(f"{name}: RMSE over the holes {rmse:.3f}")

# %%
# The first rows: the original digits, the digits with their holes (orange),
# and each imputer's filling.

rows = {"original": X[test], "with holes": X_missing[test]} | filled
fig, axes = plt.subplots(len(rows), 8, figsize=(8, 1.1 * len(rows)))
for r, (name, images) in enumerate(rows.items()):
    for c in range(8):
        ax = axes[r, c]
        image = np.ma.masked_invalid(images[c].reshape(8, 8))
        cmap = plt.get_cmap("gray_r").with_extremes(bad="tab:orange")
        ax.imshow(image, cmap=cmap, vmin=0, vmax=1)
        ax.set_xticks([]), ax.set_yticks([])
    axes[r, 0].set_ylabel(name, rotation=0, ha="right", va="center", fontsize=9)
fig.suptitle("holes in orange; the imputers fill only them")
plt.show()

# %%
# Multiple imputation: with ``sample_posterior=True``, ``transform`` draws
# each hole instead of giving the mean prediction, and each ``random_state``
# gives one plausible filling (no refit needed: the draw is made at
# ``transform``). Their spread says how sure the imputer is of a hole;
# observed pixels never move.

imputer = DAEImputer(sample_posterior=True, random_state=0).fit(X_missing[train])
draws = np.stack([imputer.set_params(random_state=s).transform(X_missing[test])
                  for s in range(5)])  # fmt: skip
spread = draws.std(axis=0)
print(f"spread over 5 draws: holes {spread[holes[test]].mean():.3f}, "
      f"observed {spread[~holes[test]].max():.3f}")
