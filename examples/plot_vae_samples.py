"""
Variational autoencoder: samples and the latent space
=====================================================

A :class:`~skae.VAETransformer` with a two-dimensional latent space:
``sample`` decodes draws from the prior N(0, I) into new digits, and
:class:`~skae.inspection.LatentSpaceDisplay` shows where the posterior means
of the test digits lie.
"""

import matplotlib.pyplot as plt
from sklearn.model_selection import train_test_split

from skae import VAETransformer
from skae.datasets import load_digits
from skae.inspection import LatentSpaceDisplay, ReconstructionDisplay

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0, stratify=y)

vae = VAETransformer((128, 64), 2, beta=0.3, output_activation="sigmoid", max_epochs=50,
                     random_state=0).fit(X_train)

# %%
# Twenty new digits, drawn from the prior and decoded.
samples = vae.sample(20, random_state=0)
display = ReconstructionDisplay(samples[:10], samples[10:], (8, 8))
display.plot(row_labels=["samples", "more samples"])

# %%
# The posterior means of the test digits.
LatentSpaceDisplay.from_estimator(vae, X_test, y_test)
plt.show()
