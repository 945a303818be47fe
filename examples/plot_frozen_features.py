"""
Frozen features in a Pipeline
=============================

Fit a :class:`~skae.DAETransformer` once on every row (no labels needed),
then wrap it in :class:`sklearn.frozen.FrozenEstimator`: a ``GridSearchCV``
over the classifier then never refits the autoencoder, not even for its
final refit. :class:`~skae.inspection.LatentSpaceDisplay` shows the codes
(projected onto two dimensions), coloured by the digit.
"""

import matplotlib.pyplot as plt
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skae import DAETransformer
from skae.datasets import load_digits
from skae.inspection import LatentSpaceDisplay

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0, stratify=y)

dae = DAETransformer((128,), 16, output_activation="sigmoid", max_epochs=40,
                     random_state=0).fit(X)  # every row, without labels

pipe = make_pipeline(FrozenEstimator(dae), StandardScaler(), LogisticRegression(max_iter=2000))
search = GridSearchCV(pipe, {"logisticregression__C": [0.01, 0.1, 1, 10]}, cv=3)
search.fit(X_train, y_train)
print(search.best_params_, f"test accuracy {search.score(X_test, y_test):.3f}")

LatentSpaceDisplay.from_estimator(dae, X_test, y_test)
plt.show()
