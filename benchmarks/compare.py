"""Raw pixels vs compressed features, each followed by LogisticRegression.

The main job of skae: on sklearn's digits (default, a few minutes on 2 cores)
or Fashion-MNIST (60,000 train / 10,000 test), fit every method on the
training set and measure on the test set:

    raw             pixels -> StandardScaler -> LogisticRegression
    pca             PCA(d) -> StandardScaler -> LogisticRegression
    rbm             BernoulliRBM(d) -> StandardScaler -> LogisticRegression
    ae, dae, sae    AE / DAE / SAE(d) -> StandardScaler -> LogisticRegression
    sae_finetuned   SAEClassifier: pretrained stack + softmax, fine-tuned
    sae_nopretrain  the same network trained from random weights (the ablation)

for every code size d of ``--dims``. Writes ``<out>/<dataset>.csv`` (one row
per method and size, saved as it goes), ``<out>/<dataset>.md`` (the table with
date, commit, machine, versions and settings) and three figures:
``-reconstructions.png``, ``-denoising.png`` and ``-accuracy-vs-dims.png``.

    python benchmarks/compare.py                           # digits
    python benchmarks/compare.py --dataset fashion-mnist   # the headline run
"""

import argparse
import csv
import sys
import time
from pathlib import Path

import numpy as np
from skorch.callbacks import LRScheduler
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neural_network import BernoulliRBM
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from torch.optim.lr_scheduler import CosineAnnealingLR

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _report  # noqa: E402

from skae import AETransformer, DAETransformer, SAEClassifier, SAETransformer  # noqa: E402
from skae.datasets import fetch_fashion_mnist, load_digits  # noqa: E402
from skae.noise import corruption_for  # noqa: E402

# Per-dataset settings: network widths before the code, code sizes, the size
# shown in the figures, training epochs, and the image side for drawing.
# Digits has 1,347 training images, so its networks need more epochs for the
# same number of gradient steps.
PRESETS = {
    "digits": {
        "hidden_sizes": (128,),
        "dims": (4, 8, 16, 32),
        "main_dim": 16,
        "epochs": 40,
        "finetune_epochs": 40,
        "side": 8,
    },
    "fashion-mnist": {
        "hidden_sizes": (512, 256),
        "dims": (16, 32, 64),
        "main_dim": 32,
        "epochs": 20,
        "finetune_epochs": 30,
        "side": 28,
    },
}
COLUMNS = (
    "method",
    "n_features",
    "accuracy",
    "fit_seconds",
    "reconstruction_mse",
    "epochs",
)
FEATURE_METHODS = ("pca", "rbm", "ae", "dae", "sae")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", choices=sorted(PRESETS), default="digits")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    parser.add_argument(
        "--epochs",
        type=int,
        default=None,
        help="training epochs of every network, per layer when pretraining (default: per dataset)",
    )
    parser.add_argument(
        "--finetune-epochs",
        type=int,
        default=None,
        help="SAEClassifier fine-tuning epochs (default: per dataset)",
    )
    parser.add_argument(
        "--dropout", type=float, default=0.3, help="SAEClassifier dropout while fine-tuning"
    )
    parser.add_argument(
        "--finetune-schedule",
        choices=("cosine", "constant"),
        default="cosine",
        help="SAEClassifier learning rate: cosine decay to 0 over the fine-tuning epochs, "
        "or constant",
    )
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--dims", type=int, nargs="+", help="code sizes (default: per dataset)")
    parser.add_argument(
        "--hidden-sizes", type=int, nargs="*", help="widths before the code (default: per dataset)"
    )
    parser.add_argument("--noise", default="masking", help="DAE corruption")
    parser.add_argument("--noise-level", type=float, default=0.25)
    parser.add_argument(
        "--output-activation",
        default="sigmoid",
        help="of the AE/DAE/SAE reconstructions (pixels lie in [0, 1])",
    )
    parser.add_argument(
        "--n-train", type=int, default=None, help="use only the first N training samples"
    )
    parser.add_argument("--methods", nargs="+", default=None, help="run only these methods")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--verbose", type=int, default=0, help="1: print every network's epoch log too"
    )
    parser.add_argument(
        "--replot",
        action="store_true",
        help="only redraw <out>/<dataset>-accuracy-vs-dims.png from the existing <dataset>.csv",
    )
    parser.add_argument(
        "--note", default=None, help="text added to the markdown report (e.g. what was tried)"
    )
    args = parser.parse_args(argv)
    preset = PRESETS[args.dataset]
    args.dims = tuple(args.dims or preset["dims"])
    args.hidden_sizes = tuple(
        preset["hidden_sizes"] if args.hidden_sizes is None else args.hidden_sizes
    )
    args.main_dim = (
        preset["main_dim"] if preset["main_dim"] in args.dims else args.dims[len(args.dims) // 2]
    )
    args.epochs = args.epochs or preset["epochs"]
    args.finetune_epochs = args.finetune_epochs or preset["finetune_epochs"]
    args.side = preset["side"]
    return args


def load(args):
    """Train/test split: Fashion-MNIST's official one; digits 75% / 25%, stratified."""
    if args.dataset == "fashion-mnist":
        X_train, y_train = fetch_fashion_mnist(subset="train", return_X_y=True)
        X_test, y_test = fetch_fashion_mnist(subset="test", return_X_y=True)
    else:
        X, y = load_digits(return_X_y=True)
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, stratify=y, random_state=args.seed
        )
    if args.n_train:
        X_train, y_train = X_train[: args.n_train], y_train[: args.n_train]
    return X_train, X_test, y_train, y_test


def make_method(name, dim, args):
    """The estimator for ``name`` at code size ``dim`` (before the classifier)."""
    net = dict(
        max_epochs=args.epochs,
        batch_size=args.batch_size,
        lr=args.lr,
        random_state=args.seed,
        verbose=args.verbose,
    )
    if name == "pca":
        return PCA(dim, random_state=args.seed)
    if name == "rbm":
        return BernoulliRBM(
            dim,
            learning_rate=0.01,
            n_iter=args.epochs,
            batch_size=args.batch_size,
            random_state=args.seed,
        )
    if name == "ae":
        return AETransformer(
            args.hidden_sizes, dim, output_activation=args.output_activation, **net
        )
    if name == "dae":
        return DAETransformer(
            args.hidden_sizes,
            dim,
            noise=args.noise,
            noise_level=args.noise_level,
            output_activation=args.output_activation,
            **net,
        )
    if name == "sae":
        net["max_epochs"] = 0  # greedy pretraining only, no fine-tuning
        return SAETransformer(
            args.hidden_sizes,
            dim,
            output_activation=args.output_activation,
            pretrain_epochs=args.epochs,
            **net,
        )
    if name in ("sae_finetuned", "sae_nopretrain"):
        net["max_epochs"] = args.finetune_epochs
        if args.finetune_schedule == "cosine":
            # net_params reach the fine-tuning only, not the pretraining layers
            schedule = LRScheduler(CosineAnnealingLR, T_max=args.finetune_epochs)
            net["net_params"] = {"callbacks": [schedule]}
        return SAEClassifier(
            args.hidden_sizes,
            dim,
            pretrain=name == "sae_finetuned",
            dropout=args.dropout,
            pretrain_epochs=args.epochs,
            **net,
        )
    raise ValueError(name)


def classifier():
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))


def run_one(name, dim, data, args):
    """Fit one method on the training set; measure it on the test set."""
    X_train, X_test, y_train, y_test = data
    row = {"method": name, "n_features": dim, "reconstruction_mse": "", "epochs": ""}
    start = time.perf_counter()
    if name == "raw":
        model = classifier().fit(X_train, y_train)
        transformer = None
    elif name in ("sae_finetuned", "sae_nopretrain"):
        model = transformer = make_method(name, dim, args).fit(X_train, y_train)
    else:
        transformer = make_method(name, dim, args)
        model = make_pipeline(transformer, classifier()).fit(X_train, y_train)
    row["fit_seconds"] = round(time.perf_counter() - start, 2)
    row["accuracy"] = round(float(model.score(X_test, y_test)), 4)
    if name in ("pca", "ae", "dae", "sae"):
        reconstruction = transformer.inverse_transform(transformer.transform(X_test))
        row["reconstruction_mse"] = round(float(np.mean((reconstruction - X_test) ** 2)), 5)
    if hasattr(transformer, "n_iter_"):
        row["epochs"] = transformer.n_iter_
    return row, transformer


def plan(args):
    """Every (method, size) pair to run, cheapest first."""
    jobs = [("raw", None)]
    for name in FEATURE_METHODS:
        jobs += [(name, dim) for dim in args.dims]
    jobs += [("sae_finetuned", args.main_dim), ("sae_nopretrain", args.main_dim)]
    if args.methods:
        jobs = [job for job in jobs if job[0] in args.methods]
    return jobs


def read_rows(path):
    """The rows of a results csv, with numbers as numbers."""
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        row["n_features"] = int(row["n_features"])
        row["accuracy"] = float(row["accuracy"])
    return rows


def main(argv=None):
    args = parse_args(argv)
    if args.replot:
        path = args.out / f"{args.dataset}-accuracy-vs-dims.png"
        _report.plot_accuracy_vs_dims(read_rows(args.out / f"{args.dataset}.csv"), args, path)
        print(f"redrew {path}")
        return None
    args.provenance = _report.provenance()
    args.out.mkdir(parents=True, exist_ok=True)
    data = load(args)
    X_train, X_test = data[0], data[1]
    n_features = X_train.shape[1]
    print(
        f"{args.dataset}: {len(X_train)} train / {len(X_test)} test samples, "
        f"{n_features} features; "
        f"code sizes {args.dims}; results in {args.out}",
        flush=True,
    )
    csv_path = args.out / f"{args.dataset}.csv"
    rows, fitted = [], {}
    jobs = plan(args)
    total_start = time.perf_counter()
    with open(csv_path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS)
        writer.writeheader()
        for i, (name, dim) in enumerate(jobs, 1):
            label = name if dim is None else f"{name} ({dim})"
            print(f"[{i}/{len(jobs)}] {label} ...", end=" ", flush=True)
            row, transformer = run_one(name, dim or n_features, data, args)
            print(
                f"accuracy {row['accuracy']:.4f}, {row['fit_seconds']:.1f} s"
                + (
                    f", reconstruction MSE {row['reconstruction_mse']}"
                    if row["reconstruction_mse"] != ""
                    else ""
                ),
                flush=True,
            )
            writer.writerow(row)
            f.flush()
            rows.append(row)
            if dim == args.main_dim:
                fitted[name] = transformer
    seconds = time.perf_counter() - total_start

    figures = {}
    if {"ae", "dae"} <= fitted.keys():
        mse = {
            r["method"]: r["reconstruction_mse"]
            for r in rows
            if r["n_features"] == args.main_dim and r["reconstruction_mse"] != ""
        }
        figures["reconstructions"] = _report.plot_reconstructions(
            X_test, fitted, mse, args, args.out / f"{args.dataset}-reconstructions.png"
        )
        noise = corruption_for(args.noise, args.noise_level, X_train)
        figures["denoising"] = _report.plot_denoising(
            X_test, fitted["dae"], noise, args, args.out / f"{args.dataset}-denoising.png"
        )
    if len(args.dims) > 1:
        figures["accuracy-vs-dims"] = _report.plot_accuracy_vs_dims(
            rows, args, args.out / f"{args.dataset}-accuracy-vs-dims.png"
        )
    md_path = args.out / f"{args.dataset}.md"
    md_path.write_text(_report.markdown(rows, args, data, seconds, figures))
    print(
        f"done in {seconds / 60:.1f} min: {csv_path}, {md_path}"
        + "".join(f", {p}" for p in figures.values())
    )
    return rows


if __name__ == "__main__":
    main()
