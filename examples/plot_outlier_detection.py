"""
Outlier detection by reconstruction error
=========================================

:class:`~skae.ReconstructionOutlierDetector` fits a model on normal rows
and scores new ones by minus their reconstruction error. Here the normal
class is the digit 0: an autoencoder fitted on zeros alone reconstructs
other digits badly, so they score low. PCA with the same code size is the
linear reference; the ROC curves come from scikit-learn's ``RocCurveDisplay``.
"""

import matplotlib.pyplot as plt
from sklearn.decomposition import PCA
from sklearn.metrics import RocCurveDisplay
from sklearn.model_selection import train_test_split

from skae import AETransformer, ReconstructionOutlierDetector
from skae.datasets import load_digits

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0, stratify=y)
normal = X_train[y_train == 0]

detectors = {
    "AE": ReconstructionOutlierDetector(
        AETransformer((32,), 4, output_activation="sigmoid", max_epochs=100, random_state=0),
        contamination=0.05),
    "PCA": ReconstructionOutlierDetector(PCA(4), contamination=0.05),
}
fig, (ax_hist, ax_roc) = plt.subplots(1, 2, figsize=(10, 4))
for name, detector in detectors.items():
    detector.fit(normal)
    scores = detector.score_samples(X_test)
    RocCurveDisplay.from_predictions(y_test == 0, scores, name=name, ax=ax_roc)
    flagged = (detector.predict(X_test) == -1).mean()
    print(f"{name}: {flagged:.0%} of the test digits flagged as outliers")
ae_scores = detectors["AE"].score_samples(X_test)
ax_hist.hist([-ae_scores[y_test == 0], -ae_scores[y_test != 0]], bins=30,
             label=["zeros (normal)", "other digits"], log=True)
ax_hist.axvline(-detectors["AE"].offset_, color="k", ls="--", label="threshold (offset_)")
ax_hist.set_xlabel("AE reconstruction error")
ax_hist.legend()
fig.tight_layout()
plt.show()
