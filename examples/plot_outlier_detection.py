"""
Outlier detection by reconstruction error
=========================================

:class:`~skae.ReconstructionOutlierDetector` fits a model on normal rows
and scores new ones by minus their outlyingness: the reconstruction error,
plus the distance of the row's code from the training codes. Here the normal
class is the digit 0: the detector's default model (a small denoising
autoencoder) fitted on zeros alone reconstructs other digits badly, so they
score low. PCA with the same code size, under the same scaling and score, is
the linear reference; the ROC curves come from scikit-learn's
``RocCurveDisplay``.
"""

import matplotlib.pyplot as plt
from sklearn.decomposition import PCA
from sklearn.metrics import RocCurveDisplay
from sklearn.model_selection import train_test_split

from skae import ReconstructionOutlierDetector
from skae.datasets import load_digits

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0, stratify=y)
normal = X_train[y_train == 0]

detectors = {
    "default (DAE)": ReconstructionOutlierDetector(contamination=0.05, random_state=0),
    "PCA": ReconstructionOutlierDetector(PCA(16), contamination=0.05),
}
fig, (ax_hist, ax_roc) = plt.subplots(1, 2, figsize=(10, 4))
for name, detector in detectors.items():
    detector.fit(normal)
    scores = detector.score_samples(X_test)
    RocCurveDisplay.from_predictions(y_test == 0, scores, name=name, ax=ax_roc)
    flagged = (detector.predict(X_test) == -1).mean()
    print(f"{name}: {flagged:.0%} of the test digits flagged as outliers")
default = detectors["default (DAE)"]
scores = default.score_samples(X_test)
ax_hist.hist([-scores[y_test == 0], -scores[y_test != 0]], bins=30,
             label=["zeros (normal)", "other digits"], log=True)
ax_hist.axvline(-default.offset_, color="k", ls="--", label="threshold (offset_)")
ax_hist.set_xlabel("outlyingness of the default detector")
ax_hist.legend()
fig.tight_layout()
plt.show()
