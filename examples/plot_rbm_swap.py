"""
Swapping a BernoulliRBM for an autoencoder
==========================================

scikit-learn's classic "RBM features + LogisticRegression" pipeline, with
the RBM swapped for skae transformers of the same ``n_components``, every
other setting left at its default. At 100 components for 64 pixels the code
is overcomplete, and skae's defaults are then one layer with a sparse ReLU
code (``hidden_sizes``, ``latent_activation`` and ``sparsity`` "auto"), so
nothing but the class name changes. Each pipeline is scored by 3-fold
cross-validation on the training set.
"""

import matplotlib.pyplot as plt
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score, train_test_split
from sklearn.neural_network import BernoulliRBM
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skae import AETransformer, DAETransformer
from skae.datasets import load_digits

X, y = load_digits(return_X_y=True)
X_train, _, y_train, _ = train_test_split(X, y, random_state=0, stratify=y)

candidates = {
    "raw pixels": None,
    "BernoulliRBM(100)": BernoulliRBM(n_components=100, learning_rate=0.06, n_iter=20,
                                      random_state=0),
    "AETransformer(100)": AETransformer(n_components=100, random_state=0),
    "DAETransformer(100)": DAETransformer(n_components=100, random_state=0),
}
scores = {}
for name, features in candidates.items():
    steps = ([features] if features is not None else []) + [
        StandardScaler(), LogisticRegression(C=0.1, max_iter=2000)]
    scores[name] = cross_val_score(make_pipeline(*steps), X_train, y_train, cv=3)
    print(f"{name}: {scores[name].mean():.3f} ± {scores[name].std():.3f}")

fig, ax = plt.subplots(figsize=(6, 3.5))
names = list(scores)
ax.barh(names, [scores[n].mean() for n in names], xerr=[scores[n].std() for n in names],
        color=["gray", "tab:brown", "tab:blue", "tab:orange"])
ax.set_xlim(0.85, 1.0)
ax.set_xlabel("3-fold CV accuracy (StandardScaler + LogisticRegression)")
ax.invert_yaxis()
fig.tight_layout()
plt.show()
