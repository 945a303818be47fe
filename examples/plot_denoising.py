"""
Denoising autoencoder
=====================

A :class:`~skae.DAETransformer` learns to reproduce clean digits from copies
with a quarter of their pixels masked. The denoising view of
:class:`~skae.inspection.ReconstructionDisplay` corrupts test images with the
estimator's own training noise and shows what the network makes of them.
"""

import matplotlib.pyplot as plt
from sklearn.model_selection import train_test_split

from skae import DAETransformer
from skae.datasets import load_digits
from skae.inspection import ReconstructionDisplay

X, _ = load_digits(return_X_y=True)
X_train, X_test = train_test_split(X, random_state=0)

dae = DAETransformer(
    hidden_sizes=(128,), n_components=32, noise="masking", noise_level=0.25,
    output_activation="sigmoid", max_epochs=60, random_state=0,
).fit(X_train)

display = ReconstructionDisplay.from_estimator(dae, X_test, noise=True, random_state=0)
display.ax_.set_title("noisy input, its reconstruction, and the clean image")
plt.show()
