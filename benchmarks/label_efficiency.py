"""Label efficiency on Fashion-MNIST: where do autoencoder features help?

The regime autoencoders exist for: many unlabeled images, few labels. Every
unsupervised feature extractor is fitted ONCE on all 60,000 training images
without their labels, then reused for every label budget and draw; for each
budget n (100 ... 60,000) and draw, n labeled rows are drawn from the
training set (stratified), a LogisticRegression is fitted on their features
(StandardScaler first; C from (0.01, 0.1, 1, 10) by 3-fold cross-validation
on the labeled rows, or one stratified 80/20 split of them from 10,000
labels up), and scored on the 10,000 test images.

Methods:

    raw              pixels
    pca              PCA(64)
    rbm              BernoulliRBM(64), lr 0.01, 10 iterations
    dae              DAETransformer (512, 256) -> 64, masking 0.25, 10 epochs
    conv_ae          ConvAETransformer (28, 28), channels (32, 64) -> 64, 10 epochs
    vae              VAETransformer (512, 256) -> 64, 10 epochs
    dae_1024         DAETransformer () -> 1024 (overcomplete, sparse ReLU code by default),
                     masking 0.5, 5 epochs, batch 128
    sae_semi         SAEClassifier fitted semi-supervised: every training image, the
                     unlabeled ones labeled -1 (pretraining on all 60,000), with the
                     fine-tuning recipe ``tune.py --task semi`` chose (see semi_recipe)
    sae_nopretrain   the same network from random weights, on the labeled rows
    self_training    SelfTrainingClassifier(StandardScaler + LogisticRegression(C=1))
    label_spreading  LabelSpreading(kernel="knn", n_neighbors=10)

The two scikit-learn semi-supervised anchors run on a subset: the labeled
rows plus unlabeled ones up to ``--anchor-rows`` (5,000) in all, and only
up to 3,000 labels (they are quadratic or iterate LogisticRegression fits).
The stacked classifiers run up to 3,000 labels (each semi-supervised fit
pretrains on all 60,000 images again); both use widths (512, 256) -> 32,
dropout 0.2, Adam lr 1e-3, batch 32, and ``max(20, min(200, 20000 // n))``
fine-tuning epochs for n labels (about the same number of gradient steps
at every budget); pretraining 2 epochs a layer. Settings are presets, not tuned on the test set.

Writes ``<out>/label-efficiency.csv`` (one row per method, budget and
draw, saved as it goes), ``<out>/label-efficiency.md`` (mean ± std,
provenance) and ``<out>/label-efficiency.png``.

    python benchmarks/label_efficiency.py           # about 30 minutes on 2 cores
    python benchmarks/label_efficiency.py --n-train 6000 --budgets 100 1000 --draws 2
"""

import argparse
import csv
import functools
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from joblib import Parallel, delayed
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold, StratifiedShuffleSplit
from sklearn.neural_network import BernoulliRBM
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.semi_supervised import LabelSpreading, SelfTrainingClassifier

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _report  # noqa: E402
import methods  # noqa: E402

from skae import ConvAETransformer, DAETransformer, SAEClassifier, VAETransformer  # noqa: E402
from skae.datasets import fetch_fashion_mnist  # noqa: E402

BUDGETS = (100, 300, 1000, 3000, 10000, 60000)
C_GRID = (0.01, 0.1, 1.0, 10.0)
FEATURES = ("raw", "pca", "rbm", "dae", "conv_ae", "vae", "dae_1024")
SEMI = ("sae_semi", "sae_nopretrain", "self_training", "label_spreading")
LABELS = {
    "raw": "raw pixels",
    "pca": "PCA (64)",
    "rbm": "BernoulliRBM (64)",
    "dae": "DAE (64)",
    "conv_ae": "conv AE (64)",
    "vae": "VAE (64)",
    "dae_1024": "DAE (1024, sparse)",
    "sae_semi": "SAEClassifier, semi-supervised",
    "sae_nopretrain": "same MLP, no pretraining",
    "self_training": "SelfTrainingClassifier (subset)",
    "label_spreading": "LabelSpreading (subset)",
}
SKAE = ("dae", "conv_ae", "vae", "dae_1024", "sae_semi")
MAX_LABELS = {"sae_semi": 3000, "sae_nopretrain": 3000, "self_training": 3000,
              "label_spreading": 3000}  # fmt: skip


def make_features(name, seed):
    """The unsupervised feature extractor ``name`` (None for raw pixels)."""
    net = dict(random_state=seed, output_activation="sigmoid")
    if name == "raw":
        return None
    if name == "pca":
        return PCA(64, random_state=seed)
    if name == "rbm":
        return BernoulliRBM(64, learning_rate=0.01, n_iter=10, random_state=seed)
    if name == "dae":
        return DAETransformer((512, 256), 64, noise="masking", noise_level=0.25, max_epochs=10,
                              **net)  # fmt: skip
    if name == "conv_ae":
        return ConvAETransformer((28, 28), (32, 64), 64, max_epochs=10, batch_size=128, **net)
    if name == "vae":
        return VAETransformer((512, 256), 64, max_epochs=10, **net)
    if name == "dae_1024":
        return DAETransformer((), 1024, noise="masking", noise_level=0.5, max_epochs=5,
                              batch_size=128, **net)  # fmt: skip
    raise ValueError(name)


def draw(y, n, seed):
    """``n`` row numbers of ``y``, stratified by class (all rows when n = len(y))."""
    if n >= len(y):
        return np.arange(len(y))
    split = StratifiedShuffleSplit(n_splits=1, train_size=n, random_state=seed)
    rows, _ = next(split.split(np.zeros(len(y)), y))
    return np.sort(rows)


def linear_probe(F_lab, y_lab, F_test, y_test, seed):
    """StandardScaler + LogisticRegression, C chosen on the labeled rows only."""
    if len(y_lab) >= 10000:
        cv = StratifiedShuffleSplit(n_splits=1, test_size=0.2, random_state=seed)
    else:
        cv = StratifiedKFold(3, shuffle=True, random_state=seed)
    pipe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    search = GridSearchCV(pipe, {"logisticregression__C": C_GRID}, cv=cv, n_jobs=1)
    search.fit(F_lab, y_lab)
    return float(search.score(F_test, y_test)), search.best_params_["logisticregression__C"]


def finetune_epochs(n):
    return max(20, min(200, 20000 // n))


def stacked_settings(n, seed):
    """The stacked classifiers' settings for ``n`` labels (tune.py's semi task starts here)."""
    return dict(hidden_sizes=(512, 256), n_components=32, dropout=0.2, pretrain_epochs=2,
                max_epochs=finetune_epochs(n), random_state=seed)  # fmt: skip


@functools.cache
def _chosen_semi():
    chosen = methods.CONFIGS / "tune-fashion-mnist.json"
    return json.loads(chosen.read_text()).get("semi", {}) if chosen.exists() else {}


def semi_recipe(n):
    """SAEClassifier's fine-tuning recipe for ``n`` labels, as ``tune.py --task semi`` chose
    it on a validation split (``benchmarks/configs/tune-fashion-mnist.json``); {} without it."""
    recipe = dict(_chosen_semi())
    fraction = recipe.pop("head_fraction", None)
    if fraction:
        recipe["head_epochs"] = int(fraction * finetune_epochs(n))
    return recipe


def semi_supervised(name, X, y, rows, X_test, y_test, seed, anchor_rows):
    """Fit the semi-supervised method ``name`` with the labels of ``rows`` only."""
    stacked = stacked_settings(len(rows), seed)
    if name == "sae_semi":
        y_semi = np.full(len(y), -1)
        y_semi[rows] = y[rows]
        clf = SAEClassifier(**stacked, **semi_recipe(len(rows))).fit(X, y_semi)
    elif name == "sae_nopretrain":
        clf = SAEClassifier(pretrain=False, **stacked).fit(X[rows], y[rows])
    else:
        rng = np.random.default_rng(seed)
        others = np.setdiff1d(np.arange(len(y)), rows)
        extra = rng.choice(others, size=max(0, anchor_rows - len(rows)), replace=False)
        subset = np.sort(np.concatenate([rows, extra]))
        y_semi = np.where(np.isin(subset, rows), y[subset], -1)
        if name == "self_training":
            base = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=500))
            clf = SelfTrainingClassifier(base, max_iter=10).fit(X[subset], y_semi)
        else:
            clf = LabelSpreading(kernel="knn", n_neighbors=10, max_iter=100).fit(X[subset], y_semi)
    return float(clf.score(X_test, y_test))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    parser.add_argument("--budgets", type=int, nargs="+", default=list(BUDGETS))
    parser.add_argument("--draws", type=int, default=3, help="draws of each budget below 10,000")
    parser.add_argument("--methods", nargs="+", choices=FEATURES + SEMI,
                        default=list(FEATURES + SEMI))  # fmt: skip
    parser.add_argument("--n-train", type=int, default=None, help="first N training images")
    parser.add_argument("--anchor-rows", type=int, default=5000)
    parser.add_argument("--n-jobs", type=int, default=2, help="parallel LogisticRegression fits")
    parser.add_argument("--replot", action="store_true",
                        help="only redraw <out>/label-efficiency.png from the existing csv")
    return parser.parse_args(argv)


def summarize(rows):
    groups = {}
    for r in rows:
        groups.setdefault((r["method"], r["n_labels"]), []).append(r["accuracy"])
    return {
        key: (statistics.mean(v), statistics.stdev(v) if len(v) > 1 else 0.0, len(v))
        for key, v in groups.items()
    }


def plot(summary, path):
    plt = _report.plt
    fig, ax = plt.subplots(figsize=(10, 5.5))
    methods = list(dict.fromkeys(m for m, _ in summary))
    for i, name in enumerate(methods):
        points = sorted((n, *summary[(name, n)][:2]) for m, n in summary if m == name)
        ns, means, stds = (np.array(v) for v in zip(*points))
        style = "-" if name in SKAE else ("--" if name in FEATURES else ":")
        (line,) = ax.plot(ns, means, style, marker="o", ms=4, label=LABELS[name],
                          color=(list(plt.cm.tab10.colors) + ["black"])[i % 11],
                          lw=2 if name in SKAE else 1.3)  # fmt: skip
        ax.fill_between(ns, means - stds, means + stds, color=line.get_color(), alpha=0.15)
    ax.set_xscale("log")
    ax.set_xlabel("labeled training images (the rest of the 60,000 unlabeled)")
    ax.set_ylabel("test accuracy (mean over draws, band: ± 1 std)")
    ax.set_title("Fashion-MNIST: accuracy against labels (solid: skae)")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def markdown(summary, fit_minutes, args, provenance, seconds):
    budgets = sorted({n for _, n in summary})
    methods = list(dict.fromkeys(m for m, _ in summary))
    cell = {
        key: f"{mean:.4f} ± {std:.4f}" if count > 1 else f"{mean:.4f}"
        for key, (mean, std, count) in summary.items()
    }
    lines = [
        "# Label efficiency: Fashion-MNIST",
        "",
        "Generated by `benchmarks/label_efficiency.py`; do not edit by hand. Feature "
        "extractors fitted once on the 60,000 training images without labels; for each "
        "budget, labeled rows drawn stratified from the training set; LogisticRegression "
        "(StandardScaler, C chosen on the labeled rows) on their features; test accuracy on "
        "the 10,000 test images, mean ± std over draws "
        f"({args.draws} below 10,000 labels, 1 from 10,000 up).",
        "",
        *provenance,
        "- unsupervised fits (minutes, once): "
        + ", ".join(f"{LABELS[m]} {t:.1f}" for m, t in fit_minutes.items()),
        f"- total time: {seconds / 60:.1f} min",
        "",
        "| method | " + " | ".join(f"{n:,}" for n in budgets) + " |",
        "| --- |" + " ---: |" * len(budgets),
    ]
    for m in methods:
        lines.append(
            f"| {LABELS[m]} | " + " | ".join(cell.get((m, n), "") for n in budgets) + " |"
        )
    lines += ["", "## Targets", ""]
    skae_at_1000 = [(summary[(m, 1000)][0], m) for m in SKAE if (m, 1000) in summary]
    if skae_at_1000:
        best, name = max(skae_at_1000)
        raw = summary.get(("raw", 1000), (float("nan"),))[0]
        lines.append(
            f"- {'met' if best >= 0.82 else 'MISSED'}: skae's best at 1,000 labels >= 0.82: "
            f"{LABELS[name]} {best:.4f} (raw pixels {raw:.4f})"
        )
    for n in budgets:
        a, b = summary.get(("sae_semi", n)), summary.get(("sae_nopretrain", n))
        if a and b and n <= 1000:
            lines.append(
                f"- {'met' if a[0] >= b[0] + 0.02 else 'MISSED'}: semi-supervised "
                f"SAEClassifier >= no pretraining + 0.02 at {n:,} labels: {a[0]:.4f} vs "
                f"{b[0]:.4f} ({a[0] - b[0]:+.4f})"
            )
    lines += ["", "![accuracy against labels](label-efficiency.png)", ""]
    return "\n".join(lines)


def main(argv=None):
    args = parse_args(argv)
    if args.replot:
        with open(args.out / "label-efficiency.csv") as f:
            rows = [{**r, "n_labels": int(r["n_labels"]), "accuracy": float(r["accuracy"])}
                    for r in csv.DictReader(f)]  # fmt: skip
        return rows, plot(summarize(rows), args.out / "label-efficiency.png")
    provenance = _report.provenance()
    start = time.perf_counter()
    X, y = fetch_fashion_mnist(subset="train", return_X_y=True)
    X_test, y_test = fetch_fashion_mnist(subset="test", return_X_y=True)
    if args.n_train:
        X, y = X[: args.n_train], y[: args.n_train]
    budgets = sorted({min(n, len(y)) for n in args.budgets})
    args.out.mkdir(parents=True, exist_ok=True)
    rows, fit_minutes = [], {}
    f = open(args.out / "label-efficiency.csv", "w", newline="")
    writer = csv.DictWriter(f, fieldnames=("method", "n_labels", "draw", "accuracy", "C",
                                           "seconds"))  # fmt: skip
    writer.writeheader()

    def record(row):
        print(f"{row['method']}, {row['n_labels']} labels, draw {row['draw']}: "
              f"{row['accuracy']:.4f} ({row['seconds']} s)", flush=True)  # fmt: skip
        writer.writerow(row)
        f.flush()
        rows.append(row)

    plans = [(n, d) for n in budgets for d in range(args.draws if n < 10000 else 1)]
    for name in (m for m in args.methods if m in FEATURES):
        t = time.perf_counter()
        model = make_features(name, 0)
        F = X if model is None else model.fit(X).transform(X)
        F_test = X_test if model is None else model.transform(X_test)
        fit_minutes[name] = (time.perf_counter() - t) / 60
        print(f"{name}: features fitted in {fit_minutes[name]:.1f} min", flush=True)

        def probe(n, d, F=F, F_test=F_test):
            t = time.perf_counter()
            lab = draw(y, n, seed=d)
            acc, C = linear_probe(F[lab], y[lab], F_test, y_test, seed=d)
            return n, d, acc, C, round(time.perf_counter() - t, 1)

        for n, d, acc, C, s in Parallel(n_jobs=args.n_jobs)(delayed(probe)(*p) for p in plans):
            record({"method": name, "n_labels": n, "draw": d, "accuracy": round(acc, 4),
                    "C": C, "seconds": s})  # fmt: skip
    for name in (m for m in args.methods if m in SEMI):
        for n, d in plans:
            if n > MAX_LABELS[name]:
                continue
            t = time.perf_counter()
            acc = semi_supervised(name, X, y, draw(y, n, seed=d), X_test, y_test, d,
                                  args.anchor_rows)  # fmt: skip
            record({"method": name, "n_labels": n, "draw": d, "accuracy": round(acc, 4),
                    "C": "", "seconds": round(time.perf_counter() - t, 1)})  # fmt: skip
    f.close()
    seconds = time.perf_counter() - start
    summary = summarize(rows)
    plot(summary, args.out / "label-efficiency.png")
    md = markdown(summary, fit_minutes, args, provenance, seconds)
    (args.out / "label-efficiency.md").write_text(md)
    print(f"done in {seconds / 60:.1f} min: {args.out / 'label-efficiency.md'}")
    return rows, summary


if __name__ == "__main__":
    main()
