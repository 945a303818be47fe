"""Choose benchmark and default settings on a validation split of the training set only.

Every setting that a report relies on comes from here, never from a look at
a test set. The training set is split once (stratified, seed 0) into a fit
part and a validation part (digits: 25%; Fashion-MNIST: 10,000 of the 60,000
images); each candidate is fitted on the fit part and scored on the
validation part; the test set is not loaded.

Tasks:

``sparsity`` (digits)
    The code of an overcomplete autoencoder (100 components for 64 pixels):
    its activation and L1 penalty, which ``latent_activation="auto"`` and
    ``sparsity="auto"`` use when ``n_components >= n_features`` (see
    ``skae._reconstruction.OVERCOMPLETE``). Each candidate's features go to
    StandardScaler + LogisticRegression (C chosen on an inner split, as in
    compare.py), beside BernoulliRBM(100) for reference.

``classifier`` (Fashion-MNIST, long)
    SAEClassifier's fine-tuning settings (widths, epochs, dropout, learning
    rate schedule) for compare.py's ``sae_finetuned``.

``conv`` (Fashion-MNIST)
    The conv nets' training (epochs, loss, learning rate schedule) for
    compare.py's ``conv_ae`` and ``conv_dae``, chosen by the reconstruction
    MSE of a 32-component ConvAETransformer on the validation part (the
    autoencoder's own objective; no labels). The validation accuracy of its
    features + LogisticRegression is shown beside it.

``vae`` (digits)
    VAETransformer's ``beta`` (the weight of the KL term), by the validation
    accuracy of its features + StandardScaler + LogisticRegression (as
    ``sparsity``), the validation reconstruction MSE beside it, and
    AETransformer at the same size for reference. The default ``beta`` of
    VAETransformer is this choice.

Writes ``<out>/tune-<dataset>.md`` (every candidate's score) and
``<configs>/tune-<dataset>.json`` (the choice, which compare.py reads from
``benchmarks/configs/`` whatever its ``--out``).

    python benchmarks/tune.py --task sparsity
    python benchmarks/tune.py --task classifier --dataset fashion-mnist
    python benchmarks/tune.py --task conv
    python benchmarks/tune.py --task vae
"""

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.model_selection import train_test_split

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _report  # noqa: E402
import compare  # noqa: E402

from skae import AETransformer, VAETransformer  # noqa: E402
from skae.datasets import fetch_fashion_mnist, load_digits  # noqa: E402

SPARSITY = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1)
# (hidden sizes, fine-tuning epochs, dropout, schedule); pretraining 20 epochs a layer
CLASSIFIER = (
    ((512, 256), 30, 0.3, "cosine"),
    ((512, 256), 50, 0.3, "cosine"),
    ((1024, 512), 40, 0.3, "cosine"),
)

# (epochs, loss, schedule) of compare.py's conv_ae with 32 components on Fashion-MNIST
CONV = (
    (10, "mse", "constant"),
    (20, "mse", "constant"),
    (20, "mse", "cosine"),
    (20, "bce", "cosine"),
)
BETAS = (0.01, 0.03, 0.1, 0.3, 1.0)
TASK_DATASET = {
    "sparsity": "digits",
    "classifier": "fashion-mnist",
    "conv": "fashion-mnist",
    "vae": "digits",
}


def split(dataset):
    """(fit part, validation part) of the training set; the test set is never loaded."""
    if dataset == "fashion-mnist":
        X, y = fetch_fashion_mnist(subset="train", return_X_y=True)
        size = 10_000
    else:
        X, y = load_digits(return_X_y=True)
        # the training set of compare.py's seed 0, so that its test quarter stays unseen
        X, _, y, _ = train_test_split(X, y, stratify=y, random_state=0)
        size = 0.25
    return train_test_split(X, y, test_size=size, stratify=y, random_state=0)


def evaluate(est, data, args):
    """Fit ``est`` on the fit part; the validation accuracy of its features +
    StandardScaler + LogisticRegression (C chosen as in compare.py), that C, the
    validation reconstruction MSE (None without ``inverse_transform``) and the seconds."""
    X_fit, X_val, y_fit, y_val = data
    start = time.perf_counter()
    F = est.fit_transform(X_fit)
    codes = est.transform(X_val)
    mse = None
    if hasattr(est, "inverse_transform"):
        mse = float(np.mean((est.inverse_transform(codes) - X_val) ** 2))
    model, C, _ = compare.fit_classifier(F, y_fit, ("standard",), 0, args.n_jobs)
    acc = float(np.mean(model.predict(codes) == y_val))
    return acc, C, mse, time.perf_counter() - start


def tune_sparsity(data, args):
    rows = []

    def score(label, est, **settings):
        acc, C, _, seconds = evaluate(est, data, args)
        rows.append({"candidate": label, "validation accuracy": acc, "C": C, **settings})
        print(f"{label}: {acc:.4f} (C {C}, {seconds:.1f} s)", flush=True)

    score("BernoulliRBM(100) (reference)", compare.make_method("rbm", 100, _digits_args(), 0))
    for activation in ("identity", "relu"):
        for sparsity in SPARSITY:
            est = AETransformer(
                (128,),
                100,
                latent_activation=activation,
                sparsity=sparsity,
                output_activation="sigmoid",
                max_epochs=40,
                random_state=0,
            )
            label = f"AE(100), {activation} code, sparsity {sparsity}"
            score(label, est, latent_activation=activation, sparsity=sparsity)
    best = max((r for r in rows if "sparsity" in r), key=lambda r: r["validation accuracy"])
    choice = {"overcomplete": {k: best[k] for k in ("latent_activation", "sparsity")}}
    return rows, choice


def tune_vae(data, args):
    rows = []

    def score(label, est, **settings):
        acc, _, mse, seconds = evaluate(est, data, args)
        rows.append({"candidate": label, "validation MSE": mse, "validation accuracy": acc,
                     **settings})  # fmt: skip
        print(f"{label}: MSE {mse:.5f}, accuracy {acc:.4f} ({seconds:.1f} s)", flush=True)

    net = dict(output_activation="sigmoid", max_epochs=40, random_state=0)
    score("AETransformer((128,), 16) (reference)", AETransformer((128,), 16, **net))
    for beta in BETAS:
        score(f"VAE((128,), 16), beta {beta}", VAETransformer((128,), 16, beta=beta, **net),
              beta=beta)  # fmt: skip
    best = max((r for r in rows if "beta" in r), key=lambda r: r["validation accuracy"])
    return rows, {"vae": {"beta": best["beta"]}}


def _digits_args():
    return compare.parse_args(["--dataset", "digits"])


def _fashion_args(**settings):
    """compare.py's Fashion-MNIST settings with ``settings`` (its ``classifier`` or ``conv``
    dict) in place of the chosen ones, so that a candidate is the network compare.py runs."""
    fashion = compare.parse_args(["--dataset", "fashion-mnist"])
    vars(fashion).update(settings)
    return fashion


def tune_classifier(data, args):
    X_fit, X_val, y_fit, y_val = data
    rows = []
    for hidden, epochs, dropout, schedule in CLASSIFIER:
        start = time.perf_counter()
        settings = dict(hidden_sizes=hidden, max_epochs=epochs, dropout=dropout, schedule=schedule)
        clf = compare.make_method("sae_finetuned", 32, _fashion_args(classifier=settings), 0)
        acc = float(clf.fit(X_fit, y_fit).score(X_val, y_val))
        minutes = (time.perf_counter() - start) / 60
        rows.append(
            {
                "candidate": f"{hidden}, {epochs} epochs, dropout {dropout}, {schedule}",
                "validation accuracy": acc,
                **settings,
                "hidden_sizes": list(hidden),
                "minutes": round(minutes, 1),
            }
        )
        print(f"{rows[-1]['candidate']}: {acc:.4f} ({minutes:.1f} min)", flush=True)
    best = max(rows, key=lambda r: r["validation accuracy"])
    keys = ("hidden_sizes", "max_epochs", "dropout", "schedule")
    return rows, {"sae_finetuned": {k: best[k] for k in keys}}


def tune_conv(data, args):
    rows = []
    for epochs, loss, schedule in CONV:
        settings = dict(max_epochs=epochs, loss=loss, schedule=schedule)
        est = compare.make_method("conv_ae", 32, _fashion_args(conv=settings), 0)
        acc, _, mse, seconds = evaluate(est, data, args)
        minutes = seconds / 60
        rows.append(
            {
                "candidate": f"{epochs} epochs, {loss} loss, {schedule} learning rate",
                "validation MSE": mse,
                "validation accuracy": acc,
                **settings,
                "minutes": round(minutes, 1),
            }
        )
        print(
            f"{rows[-1]['candidate']}: MSE {mse:.5f}, accuracy {acc:.4f} ({minutes:.1f} min)",
            flush=True,
        )
    best = min(rows, key=lambda r: r["validation MSE"])
    return rows, {"conv": {k: best[k] for k in ("max_epochs", "loss", "schedule")}}


# how _table writes each score column
FORMATS = {"validation MSE": "{:.5f}", "validation accuracy": "{:.4f}", "minutes": "{}"}


def _table(rows):
    """Markdown rows: each candidate's validation scores (and minutes, where measured)."""
    cols = [c for c in FORMATS if c in rows[0]]
    lines = ["| candidate | " + " | ".join(cols) + " |", "| --- |" + " ---: |" * len(cols)]
    for r in rows:
        cells = [FORMATS[c].format(r[c]) for c in cols]
        lines.append(f"| {r['candidate']} | " + " | ".join(cells) + " |")
    return lines


TASKS = {
    "sparsity": tune_sparsity,
    "classifier": tune_classifier,
    "conv": tune_conv,
    "vae": tune_vae,
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--task", choices=sorted(TASKS), required=True)
    parser.add_argument("--dataset", choices=("digits", "fashion-mnist"), default=None)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    parser.add_argument("--configs", type=Path, default=compare.CONFIGS)
    parser.add_argument("--n-jobs", type=int, default=2)
    args = parser.parse_args(argv)
    args.dataset = args.dataset or TASK_DATASET[args.task]
    provenance = _report.provenance()
    start = time.perf_counter()
    data = split(args.dataset)
    rows, choice = TASKS[args.task](data, args)
    args.out.mkdir(parents=True, exist_ok=True)
    args.configs.mkdir(parents=True, exist_ok=True)
    path = args.configs / f"tune-{args.dataset}.json"
    chosen = json.loads(path.read_text()) if path.exists() else {}
    chosen.update(choice)
    path.write_text(json.dumps(chosen, indent=2) + "\n")
    md = args.out / f"tune-{args.dataset}.md"
    old = md.read_text().split("\n## ") if md.exists() else []
    sections = {s.split("\n", 1)[0]: s for s in old[1:]}
    X_fit, X_val = data[0], data[1]
    lines = [
        f"task: {args.task}",
        "",
        *provenance,
        f"- split: {len(X_fit)} rows to fit, {len(X_val)} to validate, from the training set "
        "(stratified, seed 0); the test set is not used",
        f"- total time: {(time.perf_counter() - start) / 60:.1f} min",
        f"- chosen: `{json.dumps(choice)}`",
        "",
        *_table(rows),
    ]
    sections[f"task: {args.task}"] = "\n".join(lines)
    md.write_text(
        f"# Tuning on a validation split: {args.dataset}\n\n"
        "Generated by `benchmarks/tune.py`; do not edit by hand.\n\n"
        + "\n\n".join(f"## {s.strip()}" for s in sections.values())
        + "\n"
    )
    print(f"wrote {path} and {md}")
    return rows, choice


if __name__ == "__main__":
    main()
