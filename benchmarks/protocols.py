"""The protocols: each a function ``(job, data) -> list of result rows``, in one registry.

A job is one entry of an experiment (``experiments.py``) with its seed; ``data``
is ``(X_train, X_test, y_train, y_test)`` from :func:`data.load`. A row is a dict of
numbers; arrays for the figures go under the key ``"_arrays"`` (saved beside
the cached row, never in the csv). A new protocol is one function registered with
``@register(*keys)``, ``keys`` the job keys of its own that it reads (an experiment's
entry with any other key is refused by ``experiments.py``). ``systems.py`` registers
the protocols that measure skae as software.
"""

import time
import warnings

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, f1_score, roc_auc_score
from sklearn.model_selection import GridSearchCV, StratifiedKFold, StratifiedShuffleSplit
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from estimators import build

C_GRID = (0.01, 0.1, 1.0, 10.0)
N_IMAGES = 10  # test images kept for the figures
SELECTION_ROWS = 10_000  # at most this many rows fit each candidate C of a linear probe

# protocol name -> function; each function's ``keys``: the job keys of its own it reads
PROTOCOLS = {}


def register(*keys):
    """Register the decorated protocol under its name, with the job ``keys`` it reads."""

    def decorate(protocol):
        protocol.keys = frozenset(keys)
        PROTOCOLS[protocol.__name__] = protocol
        return protocol

    return decorate


# -- protocols --------------------------------------------------------------------------------


def holes(X, pattern, rate, seed):
    """A boolean mask of the entries to remove. ``"mcar"``: each entry with probability
    ``rate``; ``"mar"``: half of the columns (drawn) stay observed, and an entry of each other
    column is removed with probability ``2 * rate * sigmoid(z)``, ``z`` the standardized value
    of an observed column drawn for it (so its holes depend on that column, ``rate`` on
    average); ``"block"``: the columns cut into 4 groups of neighbours, each row missing each
    whole group with probability ``rate``."""
    rng = np.random.default_rng(seed)
    n, d = X.shape
    if pattern == "mcar":
        return rng.random((n, d)) < rate
    if pattern == "block":
        groups = np.array_split(np.arange(d), min(4, d))
        mask = np.zeros((n, d), dtype=bool)
        for g in groups:
            mask[:, g] = (rng.random(n) < rate)[:, None]
        return mask
    columns = rng.permutation(d)
    drivers, targets = columns[: d // 2 or 1], columns[d // 2 or 1:]
    mask = np.zeros((n, d), dtype=bool)
    for j in targets:
        x = X[:, rng.choice(drivers)]
        z = (x - x.mean()) / (x.std() or 1)
        mask[:, j] = rng.random(n) < np.minimum(1, 2 * rate / (1 + np.exp(-z)))
    return mask


@register("condition", "downstream", "pattern", "rate", "steps")
def imputation(job, data):
    """GAIN's protocol: entries of a [0, 1]-scaled table removed by ``job["pattern"]`` at
    ``job["rate"]`` (draw = seed), the imputer fitted on the table with its holes and asked to
    fill them (a DAEImputer job's ``steps``: its max_epochs by the "auto" rule for that many
    steps); RMSE over the removed entries, the fit's seconds, and (``"downstream"``) the
    3-fold cross-validated score of a StandardScaler + LogisticRegression (Ridge for
    diabetes) on the filled table."""
    import sklearn.experimental.enable_iterative_imputer  # noqa: F401
    from sklearn.linear_model import RidgeCV
    from sklearn.model_selection import cross_val_score

    X, _, y, _ = data
    mask = holes(X, job["pattern"], job["rate"], 1000 + job["seed"])
    X_missing = np.where(mask, np.nan, X)
    imputer = build(job["estimator"], job["seed"])
    if "steps" in job:  # max_epochs="auto"'s rule with another number of steps (tuning it)
        from skae.impute import auto_epochs

        imputer.set_params(max_epochs=auto_epochs(len(X), imputer.batch_size, job["steps"]))
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # IterativeImputer's convergence: as users see it
        filled = imputer.fit_transform(X_missing)
    row = {"rmse": float(np.sqrt(np.mean((filled[mask] - X[mask]) ** 2))),
           "fit_seconds": time.perf_counter() - start, "missing": float(mask.mean())}
    if job.get("downstream"):
        model = RidgeCV() if job["dataset"] == "diabetes" else LogisticRegression(max_iter=500)
        cv = cross_val_score(make_pipeline(StandardScaler(), model), filled, y, cv=3)
        row["downstream"] = float(np.mean(cv))
    return [row]


def probe(F, y, seed, scalings=("standard",), n_jobs=1):
    """A LogisticRegression on features ``F``: C (and scaling) chosen on a held-out sixth
    of the rows, each candidate fitted on at most ``SELECTION_ROWS`` of the others;
    the chosen one refitted on all rows. Returns (model, C, scaling)."""
    train, valid = train_test_split(
        np.arange(len(y)), test_size=1 / 6, stratify=y, random_state=seed
    )
    if len(train) > SELECTION_ROWS:
        train, _ = train_test_split(train, train_size=SELECTION_ROWS, stratify=y[train],
                                    random_state=seed)  # fmt: skip

    def model(scaling, C):
        steps = [StandardScaler()] if scaling == "standard" else []
        return make_pipeline(*steps, LogisticRegression(C=C, max_iter=2000))

    candidates = [(s, C) for s in scalings for C in C_GRID]
    scores = [model(*c).fit(F[train], y[train]).score(F[valid], y[valid]) for c in candidates]
    scaling, C = candidates[int(np.argmax(scores))]
    return model(scaling, C).fit(F, y), C, scaling


@register("classifier", "figures")
def linear_probe(job, data):
    """Fit the job's transformer on the training set (no labels), then :func:`probe` on its
    codes; accuracy and reconstruction MSE on the test set. Raw pixels (no estimator) also
    choose between StandardScaler and none. A classifier (``"classifier": true``) is fitted
    on the labels and scored as it predicts."""
    X_train, X_test, y_train, y_test = data
    est = build(job["estimator"], job["seed"])
    row, arrays = {}, {}
    start = time.perf_counter()
    if est is None:
        model, row["C"], row["scaling"] = probe(X_train, y_train, job["seed"],
                                                ("none", "standard"))  # fmt: skip
        predict = model.predict
    elif job.get("classifier"):
        predict = est.fit(X_train, y_train).predict
    else:
        model, row["C"], row["scaling"] = probe(est.fit_transform(X_train), y_train, job["seed"])

        def predict(X):
            return model.predict(est.transform(X))

    row["fit_seconds"] = time.perf_counter() - start
    row["accuracy"] = float(np.mean(predict(X_test) == y_test))
    if hasattr(est, "n_iter_"):
        row["epochs"] = est.n_iter_
    if hasattr(est, "inverse_transform") and not job.get("classifier"):
        reconstruction = est.inverse_transform(est.transform(X_test))
        row["reconstruction_mse"] = float(np.mean((reconstruction - X_test) ** 2))
        if job.get("figures"):
            arrays["reconstruction"] = reconstruction[-N_IMAGES:]
    if job.get("figures") and getattr(est, "noise", None):
        arrays["noisy"], arrays["denoised"] = denoised(est, X_train, X_test[-N_IMAGES:],
                                                       job["seed"])  # fmt: skip
    if job.get("figures") and hasattr(est, "sample"):
        arrays["samples"] = est.sample(2 * N_IMAGES, random_state=job["seed"])
    if arrays:
        arrays["original"] = X_test[-N_IMAGES:]
        row["_arrays"] = arrays
    return [row]


def denoised(est, X_train, X, seed):
    """``X`` corrupted by a denoising autoencoder's noise (as fitted on ``X_train``), and its
    reconstruction."""
    import torch

    from skae.noise import corruption_for

    noise = corruption_for(est.noise, est.noise_level, X_train).train()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        noisy = noise(torch.as_tensor(X, dtype=torch.float32)).numpy()
    return noisy, est.inverse_transform(est.transform(noisy))


def _draw(y, n, seed):
    """``n`` row numbers of ``y``, stratified by class (all rows when n = len(y))."""
    if n >= len(y):
        return np.arange(len(y))
    split = StratifiedShuffleSplit(n_splits=1, train_size=n, random_state=seed)
    return np.sort(next(split.split(np.zeros(len(y)), y))[0])


@register("anchor_rows", "budgets", "draws", "per_budget", "semi")
def label_budgets(job, data):
    """Label efficiency. A transformer is fitted once on every training row without labels;
    then for each budget n and draw, a StandardScaler + LogisticRegression (C by 3-fold
    cross-validation on the n labeled rows, one 80/20 split from 10,000 up) on their codes.
    A semi-supervised classifier (``"semi": "unlabeled"``) is fitted per budget on every
    row, the unlabeled ones marked -1; ``"semi": "subset"`` on the labeled rows plus
    unlabeled ones up to ``anchor_rows``; ``"semi": "labeled"`` on the labeled rows alone."""
    X_train, X_test, y_train, y_test = data
    semi, rows = job.get("semi"), []
    if semi is None:
        start = time.perf_counter()
        est = build(job["estimator"], job["seed"])
        F_train = X_train if est is None else est.fit_transform(X_train)
        F_test = X_test if est is None else est.transform(X_test)
        fit_seconds = time.perf_counter() - start
    for n in job["budgets"]:
        for draw in range(job["draws"]):
            labeled = _draw(y_train, n, draw)
            start = time.perf_counter()
            if semi is None:
                cv = (StratifiedShuffleSplit(1, test_size=0.2, random_state=draw) if n >= 10_000
                      else StratifiedKFold(3, shuffle=True, random_state=draw))  # fmt: skip
                pipe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
                search = GridSearchCV(pipe, {"logisticregression__C": C_GRID}, cv=cv)
                accuracy = search.fit(F_train[labeled], y_train[labeled]).score(F_test, y_test)
                seconds = fit_seconds + time.perf_counter() - start
            else:
                spec = dict(job["estimator"])
                spec["params"] = {**spec["params"], **job.get("per_budget", {}).get(str(n), {})}
                clf = build(spec, draw)
                if semi == "labeled":
                    clf.fit(X_train[labeled], y_train[labeled])
                else:
                    rows_ = np.arange(len(y_train))
                    if semi == "subset":
                        others = np.setdiff1d(rows_, labeled)
                        extra = np.random.default_rng(draw).choice(
                            others, size=max(0, job["anchor_rows"] - n), replace=False)
                        rows_ = np.sort(np.concatenate([labeled, extra]))
                    clf.fit(X_train[rows_], np.where(np.isin(rows_, labeled), y_train[rows_], -1))
                accuracy = clf.score(X_test, y_test)
                seconds = time.perf_counter() - start
            rows.append({"labels": n, "draw": draw, "accuracy": float(accuracy),
                         "fit_seconds": seconds})  # fmt: skip
    return rows


@register()
def downstream(job, data):
    """Validation macro-F1 of the job's codes under the three downstream protocols users
    pair a transformer with: LogisticRegression with C chosen by :func:`probe` after a
    StandardScaler, a fixed C=1000 without scaling, and scikit-learn's defaults."""
    X_fit, X_val, y_fit, y_val = data
    est = build(job["estimator"], job["seed"])
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # dead units, convergence: as users see them
        F_fit = X_fit if est is None else est.fit_transform(X_fit)
        F_val = X_val if est is None else est.transform(X_val)
        models = {
            "tuned C": probe(F_fit, y_fit, 0)[0],
            "C=1000": LogisticRegression(C=1000, max_iter=2000).fit(F_fit, y_fit),
            "defaults": LogisticRegression().fit(F_fit, y_fit),
        }
    row = {k: f1_score(y_val, m.predict(F_val), average="macro") for k, m in models.items()}
    return [{**row, "fit_seconds": time.perf_counter() - start}]


def _median_seconds(call, repeats):
    call()  # warm up (allocations, lazy initialisation)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


@register()
def deployment(job, data):
    """What a saved model costs: file sizes (pickle, skops, ONNX), load times, and the
    latency of ``transform`` for one row (median of 200 calls) and for 10,000 rows (median
    of 5) in skae, in onnxruntime and as a bare torch forward of the encoder, all with the
    job's threads. The model trains ``max_epochs`` on the training rows (the weights do
    not change the costs)."""
    import pickle

    import onnxruntime as ort
    import skl2onnx
    import skops.io as sio
    import torch

    import skae.onnx  # noqa: F401

    X_train, X_test = data[0], data[1]
    est = build(job["estimator"], job["seed"]).fit(X_train)
    blob, file = pickle.dumps(est), sio.dumps(est)
    onx = skl2onnx.to_onnx(est, X_train[:1]).SerializeToString()
    trusted = sio.get_untrusted_types(data=file)
    options = ort.SessionOptions()
    options.intra_op_num_threads = torch.get_num_threads()
    session = ort.InferenceSession(onx, options, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    encoder = est._encoder()
    one, bulk = X_test[:1], X_test[:10_000]

    def bare(X):
        with torch.no_grad():
            return encoder(torch.from_numpy(X)).numpy()

    row = {
        "pickle_MB": len(blob) / 1e6,
        "skops_MB": len(file) / 1e6,
        "onnx_MB": len(onx) / 1e6,
        "pickle_load_ms": 1e3 * _median_seconds(lambda: pickle.loads(blob), 5),
        "skops_load_ms": 1e3 * _median_seconds(lambda: sio.loads(file, trusted=trusted), 5),
        "onnx_load_ms": 1e3 * _median_seconds(
            lambda: ort.InferenceSession(onx, options, providers=["CPUExecutionProvider"]), 5),
    }  # fmt: skip
    for label, call in (("skae", est.transform), ("onnxruntime", lambda X: session.run(
            None, {name: X})[0]), ("torch", bare)):  # fmt: skip
        row[f"{label}_1row_us"] = 1e6 * _median_seconds(lambda: call(one), 200)
        row[f"{label}_10k_ms"] = 1e3 * _median_seconds(lambda: call(bulk), 5)
    np.testing.assert_allclose(session.run(None, {name: bulk})[0], est.transform(bulk),
                               atol=1e-5)  # fmt: skip
    return [row]


# -- anomaly detection -----------------------------------------------------------------------


@register("fit_rows")
def anomaly(job, data):
    """The detector fitted on the fitting rows without their labels (a job's ``fit_rows``:
    a random subsample of them, for a slow detector); AUROC and average precision of its
    outlyingness on the scored rows against their labels (1 = anomaly), and the fit's
    seconds. A fit that fails with a ValueError (a net diverging on unscaled columns) is
    counted at chance (AUROC 0.5, AP the anomaly rate) with ``failed=1`` and its message."""
    X_fit, X_score, _, y_score = data
    if job.get("fit_rows") and len(X_fit) > job["fit_rows"]:
        rows = np.random.default_rng(job["seed"]).choice(len(X_fit), job["fit_rows"], replace=False)
        X_fit = X_fit[np.sort(rows)]
    detector = build(job["estimator"], job["seed"])
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence, dead units: as users see them
        try:
            detector.fit(X_fit)
        except ValueError as error:  # e.g. a net that diverges on unscaled columns
            # a detector that cannot rank the rows is worth chance, as a user would get
            return [{"auroc": 0.5, "ap": float(np.mean(y_score)), "failed": 1,
                     "fit_seconds": time.perf_counter() - start, "error": str(error)[:200]}]
        seconds = time.perf_counter() - start
        scores = outlyingness(detector, X_score)
    return [{"auroc": float(roc_auc_score(y_score, scores)), "failed": 0,
             "ap": float(average_precision_score(y_score, scores)), "fit_seconds": seconds}]


def outlyingness(detector, X):
    """Higher for more anomalous rows: pyod's ``decision_function``, minus scikit-learn's
    (and skae's) ``score_samples``."""
    if hasattr(detector, "decision_scores_"):  # a fitted pyod detector
        return detector.decision_function(X)
    return -detector.score_samples(X)
