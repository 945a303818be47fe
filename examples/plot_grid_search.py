"""
Choosing sizes with a Pipeline and GridSearchCV
===============================================

An skae transformer is an ordinary scikit-learn estimator, so its sizes are
hyperparameters like any other: here ``GridSearchCV`` picks the hidden
widths and the code size of an :class:`~skae.AETransformer` feeding a
``LogisticRegression``, by cross-validated accuracy.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skae import AETransformer
from skae.datasets import load_digits

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0, stratify=y)

pipe = Pipeline([
    ("ae", AETransformer(max_epochs=10, batch_size=64, output_activation="sigmoid",
                         random_state=0)),
    ("scale", StandardScaler()),
    ("clf", LogisticRegression(max_iter=2000)),
])
grid = {"ae__hidden_sizes": [(64,), (128,)], "ae__n_components": [4, 16, 32]}
search = GridSearchCV(pipe, grid, cv=2, n_jobs=1).fit(X_train, y_train)
print("best:", search.best_params_, f"test accuracy {search.score(X_test, y_test):.3f}")

# %%
# Mean cross-validated accuracy of each combination.
results = search.cv_results_
fig, ax = plt.subplots(figsize=(6, 4))
for hidden in grid["ae__hidden_sizes"]:
    rows = [i for i, p in enumerate(results["params"]) if p["ae__hidden_sizes"] == hidden]
    dims = [results["params"][i]["ae__n_components"] for i in rows]
    ax.errorbar(dims, results["mean_test_score"][rows], yerr=results["std_test_score"][rows],
                marker="o", capsize=3, label=f"hidden_sizes={hidden}")
ax.set_xscale("log", base=2)
ax.set_xticks(grid["ae__n_components"], [str(d) for d in grid["ae__n_components"]])
ax.set_xlabel("n_components")
ax.set_ylabel("mean CV accuracy")
ax.set_ylim(top=1.0, bottom=max(0.0, np.min(results["mean_test_score"]) - 0.05))
ax.legend()
ax.grid(alpha=0.3)
plt.show()
