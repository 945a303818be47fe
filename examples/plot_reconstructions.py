"""
Autoencoder reconstructions and the loss curve
==============================================

Fit an :class:`~skae.AETransformer` on the 8x8 digits, look at test images
above their reconstructions with
:class:`~skae.inspection.ReconstructionDisplay`, and at the training and
validation loss per epoch with :class:`~skae.inspection.LossCurveDisplay`.
PCA with the same number of components is the linear reference.
"""

import matplotlib.pyplot as plt
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split

from skae import AETransformer
from skae.datasets import load_digits
from skae.inspection import LossCurveDisplay, ReconstructionDisplay

X, y = load_digits(return_X_y=True)
X_train, X_test = train_test_split(X, random_state=0)

ae = AETransformer(
    hidden_sizes=(128,), n_components=16, output_activation="sigmoid", max_epochs=60,
    early_stopping=True, n_iter_no_change=10, random_state=0,
).fit(X_train)
pca = PCA(16).fit(X_train)

print(f"test reconstruction MSE: AE {-ae.score(X_test):.4f}")

# %%
# Reconstructions from 16-dimensional codes: the autoencoder above, PCA below.
fig, (ax_ae, ax_pca) = plt.subplots(2, 1, figsize=(9, 4.5))
ReconstructionDisplay.from_estimator(ae, X_test, ax=ax_ae)
ReconstructionDisplay.from_estimator(pca, X_test, ax=ax_pca)
fig.tight_layout()

# %%
# The loss per epoch. With ``early_stopping=True`` the weights kept are those
# of the epoch with the lowest validation loss (the dotted line).
LossCurveDisplay.from_estimator(ae)
plt.show()
