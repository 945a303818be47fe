"""Raw pixels vs compressed features, each followed by LogisticRegression.

The main job of skae: on sklearn's digits (default, a few minutes on 2 cores)
or Fashion-MNIST (60,000 train / 10,000 test), fit every method on the
training set and measure on the test set:

    raw             pixels -> [StandardScaler] -> LogisticRegression
    pca             PCA(d) -> StandardScaler -> LogisticRegression
    rbm             BernoulliRBM(d) -> StandardScaler -> LogisticRegression
    ae, dae, sae    AE / DAE / SAE(d) -> StandardScaler -> LogisticRegression
    vae             VAE(d) (posterior means) -> StandardScaler -> LogisticRegression
    conv_ae         ConvAE(d) (convolutional) -> StandardScaler -> LogisticRegression
    conv_dae        the same, trained as a denoising autoencoder
    sae_finetuned   SAEClassifier: pretrained stack + softmax, fine-tuned
    sae_nopretrain  the same network trained from random weights (the ablation)

for every code size d of ``--dims`` (PCA only up to the number of pixels),
and for the MLP and conv autoencoders (ae, dae, conv_ae, conv_dae) at the
overcomplete sizes of ``--overcomplete-dims`` too (Fashion-MNIST: 1024 and
2048); there the MLP nets have one layer (``hidden_sizes=()``, like an
RBM's) and train 5 epochs at batch 128 (the preset's ``overcomplete_*``).
The skae transformers keep their default code (``latent_activation`` and
``sparsity`` "auto"): linear below the number of pixels, a sparse ReLU code
at overcomplete sizes (digits' 100 components for 64 pixels).
Every LogisticRegression gets its C from a small grid, chosen on a held-out
sixth of the training set (stratified); raw pixels also choose between
StandardScaler and none. The feature extractors are fitted on the whole
training set (no labels); the classifier chosen is refitted on all of it.
The test set is used once, for the numbers reported.

Writes ``<out>/<dataset>.csv`` (one row per method, size and seed, saved as
it goes), ``<out>/<dataset>.md`` (the table with date, commit, machine,
versions and settings; with several seeds, mean and standard deviation)
and figures: ``-reconstructions.png``, ``-denoising.png``, ``-vae-samples.png``
and ``-accuracy-vs-dims.png``.

    python benchmarks/compare.py                           # digits, 3 seeds
    python benchmarks/compare.py --dataset fashion-mnist --jobs 2   # the headline run

``--jobs 2`` runs two methods at a time, each in its own process with
torch's threads split between them: on 2 cores one thread trains the
small-batch MLPs about as fast as two do, the conv nets and the wide
classifier about 1.6-1.8x slower; the fit seconds reported are then
measured two at a time.

A run stopped before its end (a working session's time is up) is reported
by ``--report-stopped COMMIT STARTED`` and continued by ``--resume``, which
keeps its rows only where the code and settings they came from are this
run's (see resumed_rows).
"""

import argparse
import ast
import csv
import datetime
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import torch
from joblib import Parallel, delayed
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neural_network import BernoulliRBM
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from skorch.callbacks import LRScheduler
from torch.optim.lr_scheduler import CosineAnnealingLR

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _report  # noqa: E402
import methods  # noqa: E402

from skae import (  # noqa: E402
    AETransformer,
    ConvAETransformer,
    DAETransformer,
    SAEClassifier,
    SAETransformer,
    VAETransformer,
)
from skae.datasets import fetch_fashion_mnist, load_digits  # noqa: E402
from skae.noise import corruption_for  # noqa: E402

# Per-dataset settings: network widths before the code, code sizes, the size
# shown in the figures, training epochs, the conv nets' settings, the image
# shape, and the seeds. Digits has 1,347 training images, so its networks
# need more epochs for the same number of gradient steps. The classifiers'
# settings come from tune.py's choice when its file exists (see classifier_settings).
PRESETS = {
    "digits": {
        "hidden_sizes": (128,),
        "dims": (4, 8, 16, 32, 100),
        "overcomplete_dims": (100,),  # also in dims: every method runs at 100, the RBM swap
        "overcomplete_epochs": 40,
        "overcomplete_batch_size": 32,
        "main_dim": 16,
        "epochs": 40,
        "finetune_epochs": 40,
        "conv_channels": (16, 32),
        "conv_epochs": 40,
        "conv_batch_size": 32,
        "image_shape": (8, 8),
        "seeds": (0, 1, 2),
    },
    "fashion-mnist": {
        "hidden_sizes": (512, 256),
        "dims": (16, 32, 64),
        "overcomplete_dims": (1024, 2048),
        # one wide layer: fewer, larger steps (label_efficiency.py's dae_1024 setting)
        "overcomplete_epochs": 5,
        "overcomplete_batch_size": 128,
        "main_dim": 32,
        "epochs": 20,
        "finetune_epochs": 30,
        "conv_channels": (32, 64),
        "conv_epochs": 10,
        "conv_batch_size": 128,
        "image_shape": (28, 28),
        "seeds": (0,),
    },
}
COLUMNS = (
    "method",
    "n_features",
    "seed",
    "accuracy",
    "fit_seconds",
    "reconstruction_mse",
    "epochs",
    "C",
    "scaling",
)
FEATURE_METHODS = methods.names(kind="features")
RECONSTRUCTING = methods.names(reconstructs=True)
OVERCOMPLETE = ("ae", "dae", "conv_ae", "conv_dae")  # the methods run at --overcomplete-dims
CLASSIFIERS = methods.names(kind="classifier")
CONFIGS = methods.CONFIGS
C_GRID = (0.01, 0.1, 1.0, 10.0)
SKAE_FREE = ("raw", "pca", "rbm")  # methods that use no skae code: --reuse may take their rows


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", choices=sorted(PRESETS), default="digits")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    parser.add_argument(
        "--configs",
        type=Path,
        default=CONFIGS,
        help="the folder of tune.py's choices, tune-<dataset>.json (default: benchmarks/configs)",
    )
    parser.add_argument(
        "--epochs",
        type=int,
        default=None,
        help="training epochs of every MLP network, per layer when pretraining "
        "(default: per dataset)",
    )
    parser.add_argument(
        "--conv-epochs",
        type=int,
        default=None,
        help="epochs of the conv nets (default: per dataset)",
    )
    parser.add_argument(
        "--finetune-epochs",
        type=int,
        default=None,
        help="SAEClassifier fine-tuning epochs (default: tune.py's choice, else per dataset)",
    )
    parser.add_argument(
        "--dropout", type=float, default=None, help="SAEClassifier dropout while fine-tuning"
    )
    parser.add_argument(
        "--finetune-schedule",
        choices=("cosine", "constant"),
        default=None,
        help="SAEClassifier learning rate: cosine decay to 0 over the fine-tuning epochs, "
        "or constant",
    )
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--dims", type=int, nargs="+", help="code sizes (default: per dataset)")
    parser.add_argument(
        "--overcomplete-dims",
        type=int,
        nargs="*",
        help="code sizes above the number of pixels for ae, dae, conv_ae and conv_dae "
        "(default: per dataset)",
    )
    parser.add_argument(
        "--hidden-sizes", type=int, nargs="*", help="widths before the code (default: per dataset)"
    )
    parser.add_argument("--noise", default="masking", help="DAE corruption")
    parser.add_argument(
        "--noise-level", type=float, default=None, help="DAE noise level (default: DAE's)"
    )
    parser.add_argument(
        "--output-activation",
        default="sigmoid",
        help="of the AE/DAE/SAE reconstructions (pixels lie in [0, 1])",
    )
    parser.add_argument(
        "--n-train", type=int, default=None, help="use only the first N training samples"
    )
    parser.add_argument("--methods", nargs="+", default=None, help="run only these methods")
    parser.add_argument("--seeds", type=int, nargs="+", default=None, help="default: per dataset")
    parser.add_argument(
        "--n-jobs",
        type=int,
        default=2,
        help="parallel LogisticRegression fits (with --jobs > 1: 1)",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=1,
        help="methods run at a time, each in a process of its own (torch threads split)",
    )
    parser.add_argument(
        "--skip",
        nargs="+",
        default=(),
        metavar="METHOD:SIZE",
        help="leave these (method, size) pairs out of the plan, e.g. conv_dae:2048",
    )
    parser.add_argument(
        "--reuse",
        type=Path,
        default=None,
        help="a results csv (with its .md beside it) to take the rows of --reuse-methods from "
        "instead of running them again",
    )
    parser.add_argument(
        "--reuse-methods",
        nargs="+",
        choices=SKAE_FREE,
        default=list(SKAE_FREE),
        help="methods whose rows --reuse takes (only those that use no skae code)",
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help="continue the stopped run whose csv and report (--report-stopped) are in --out: "
        "keep its rows and run only the jobs it did not; refused unless skae/, "
        "benchmarks/configs/ and the code of this script and methods.py that plans, builds, "
        "fits and scores the methods are the same at its commit and here, with the same "
        "settings",
    )
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
    parser.add_argument(
        "--report-stopped",
        nargs=2,
        metavar=("COMMIT", "STARTED"),
        default=None,
        help="only write <out>/<dataset>.md (and the accuracy figure) from the csv of a run "
        "that was stopped before it ended: its commit and start time (UTC, "
        "YYYY-MM-DDTHH:MM); give the run's other options too, so that the jobs not run "
        "are named",
    )
    args = parser.parse_args(argv)
    preset = PRESETS[args.dataset]
    args.dims = tuple(args.dims or preset["dims"])
    args.noise_default = args.noise_level is None
    if args.noise_default:
        args.noise_level = DAETransformer().noise_level
    args.overcomplete_dims = tuple(
        preset["overcomplete_dims"] if args.overcomplete_dims is None else args.overcomplete_dims
    )
    if args.jobs > 1:
        args.n_jobs = 1
    args.hidden_sizes = tuple(
        preset["hidden_sizes"] if args.hidden_sizes is None else args.hidden_sizes
    )
    args.main_dim = (
        preset["main_dim"] if preset["main_dim"] in args.dims else args.dims[len(args.dims) // 2]
    )
    args.epochs = args.epochs or preset["epochs"]
    args.conv = conv_settings(args, preset)
    args.conv_channels = preset["conv_channels"]
    args.overcomplete_epochs = preset["overcomplete_epochs"]
    args.overcomplete_batch_size = preset["overcomplete_batch_size"]
    args.conv_batch_size = preset["conv_batch_size"]
    args.image_shape = preset["image_shape"]
    args.side = preset["image_shape"][0]
    args.seeds = tuple(args.seeds if args.seeds is not None else preset["seeds"])
    args.classifier = classifier_settings(args, preset)
    args.c_grid = C_GRID
    args.vae_beta = _tuned(args, "vae", {"beta": VAETransformer().beta})["beta"]
    return args


def _tuned(args, key, settings):
    """``settings`` updated with tune.py's choice for ``key``, where its file has one."""
    chosen = args.configs / f"tune-{args.dataset}.json"
    tuned = json.loads(chosen.read_text()).get(key) if chosen.exists() else None
    settings["source"] = "preset"
    if tuned:
        settings.update(tuned)
        settings["source"] = f"{chosen.name} (tune.py)"
    return settings


def conv_settings(args, preset):
    """The conv nets' epochs, loss and learning rate schedule: the command line (epochs),
    else tune.py's choice, else the preset (MSE, constant learning rate)."""
    settings = {"max_epochs": preset["conv_epochs"], "loss": "mse", "schedule": "constant"}
    settings = _tuned(args, "conv", settings)
    if args.conv_epochs is not None:
        settings["max_epochs"], settings["source"] = args.conv_epochs, "command line"
    return settings


def classifier_settings(args, preset):
    """SAEClassifier's fine-tuning settings: the command line, else tune.py's choice, else
    the preset. tune.py chooses on a validation split of the training set only."""
    settings = {
        "hidden_sizes": args.hidden_sizes,
        "max_epochs": preset["finetune_epochs"],
        "dropout": 0.3,
        "schedule": "cosine",
    }
    settings = _tuned(args, "sae_finetuned", settings)
    settings["hidden_sizes"] = tuple(settings["hidden_sizes"])
    for key, value in (
        ("max_epochs", args.finetune_epochs),
        ("dropout", args.dropout),
        ("schedule", args.finetune_schedule),
    ):
        if value is not None:
            settings[key], settings["source"] = value, "command line"
    return settings


def load(args, seed):
    """Train/test split: Fashion-MNIST's official one; digits 75% / 25%, stratified by seed."""
    if args.dataset == "fashion-mnist":
        X_train, y_train = fetch_fashion_mnist(subset="train", return_X_y=True)
        X_test, y_test = fetch_fashion_mnist(subset="test", return_X_y=True)
    else:
        X, y = load_digits(return_X_y=True)
        X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=seed)
    if args.n_train:
        X_train, y_train = X_train[: args.n_train], y_train[: args.n_train]
    return X_train, X_test, y_train, y_test


def make_method(name, dim, args, seed):
    """The estimator for ``name`` at code size ``dim`` (before the classifier)."""
    net = dict(
        max_epochs=args.epochs,
        batch_size=args.batch_size,
        lr=args.lr,
        random_state=seed,
        verbose=args.verbose,
    )
    if name == "pca":
        return PCA(dim, random_state=seed)
    if name == "rbm":
        return BernoulliRBM(
            dim,
            learning_rate=0.01,
            n_iter=args.epochs,
            batch_size=args.batch_size,
            random_state=seed,
        )
    out = dict(output_activation=args.output_activation)
    # one layer at the overcomplete sizes, the undercomplete widths below them
    hidden = args.hidden_sizes
    if dim in args.overcomplete_dims:
        hidden = ()
        net.update(max_epochs=args.overcomplete_epochs, batch_size=args.overcomplete_batch_size)
    if name == "ae":
        return AETransformer(hidden, dim, **out, **net)
    if name == "dae":
        noise = dict(noise=args.noise, noise_level=args.noise_level)
        return DAETransformer(hidden, dim, **noise, **out, **net)
    if name == "sae":
        net["max_epochs"] = 0  # greedy pretraining only, no fine-tuning
        return SAETransformer(args.hidden_sizes, dim, pretrain_epochs=args.epochs, **out, **net)
    if name == "vae":
        return VAETransformer(args.hidden_sizes, dim, beta=args.vae_beta, **out, **net)
    if name in ("conv_ae", "conv_dae"):
        _schedule(net, args.conv["schedule"], args.conv["max_epochs"])
        net["batch_size"] = args.conv_batch_size
        noise = dict(noise=args.noise, noise_level=args.noise_level) if name == "conv_dae" else {}
        out["loss"] = args.conv["loss"]
        return ConvAETransformer(args.image_shape, args.conv_channels, dim, **noise, **out, **net)
    if name in CLASSIFIERS:
        settings = args.classifier
        # net_params reach the fine-tuning only, not the pretraining layers
        _schedule(net, settings["schedule"], settings["max_epochs"])
        return SAEClassifier(
            settings["hidden_sizes"],
            dim,
            noise=None,  # tune.py's classifier task chose its settings without noise
            pretrain=name == "sae_finetuned",
            dropout=settings["dropout"],
            pretrain_epochs=args.epochs,
            **net,
        )
    raise ValueError(name)


def _schedule(net, schedule, epochs):
    """Set ``epochs`` in the keyword arguments ``net``, and the learning rate schedule:
    "cosine" decays it to 0 over the epochs (a skorch callback), "constant" keeps it."""
    net["max_epochs"] = epochs
    if schedule == "cosine":
        net["net_params"] = {"callbacks": [LRScheduler(CosineAnnealingLR, T_max=epochs)]}


def _score_candidate(F, y, train, valid, scaling, C):
    steps = [StandardScaler()] if scaling == "standard" else []
    clf = make_pipeline(*steps, LogisticRegression(C=C, max_iter=2000))
    clf.fit(F[train], y[train])
    return clf.score(F[valid], y[valid])


def fit_classifier(F, y, scalings, seed, n_jobs):
    """LogisticRegression on features ``F`` with C (and scaling) chosen on a held-out
    sixth of the training set, then refitted on all of it. Returns (model, C, scaling)."""
    train, valid = train_test_split(
        np.arange(len(y)), test_size=1 / 6, stratify=y, random_state=seed
    )
    candidates = [(s, C) for s in scalings for C in C_GRID]
    scores = Parallel(n_jobs=n_jobs)(
        delayed(_score_candidate)(F, y, train, valid, s, C) for s, C in candidates
    )
    scaling, C = candidates[int(np.argmax(scores))]
    steps = [StandardScaler()] if scaling == "standard" else []
    model = make_pipeline(*steps, LogisticRegression(C=C, max_iter=2000)).fit(F, y)
    return model, C, scaling


def run_one(name, dim, data, args, seed):
    """Fit one method on the training set; measure it on the test set."""
    X_train, X_test, y_train, y_test = data
    row = {"method": name, "n_features": dim, "seed": seed, "reconstruction_mse": ""}
    row.update(epochs="", C="", scaling="")
    start = time.perf_counter()
    transformer = None
    if name == "raw":
        model, row["C"], row["scaling"] = fit_classifier(
            X_train, y_train, ("none", "standard"), seed, args.n_jobs
        )
        predict = model.predict
    elif name in CLASSIFIERS:
        model = transformer = make_method(name, dim, args, seed).fit(X_train, y_train)
        predict = model.predict
    else:
        transformer = make_method(name, dim, args, seed)
        F_train = transformer.fit_transform(X_train)
        model, row["C"], row["scaling"] = fit_classifier(
            F_train, y_train, ("standard",), seed, args.n_jobs
        )

        def predict(X):
            return model.predict(transformer.transform(X))

    row["fit_seconds"] = round(time.perf_counter() - start, 2)
    row["accuracy"] = round(float(np.mean(predict(X_test) == y_test)), 4)
    if name in RECONSTRUCTING:
        reconstruction = transformer.inverse_transform(transformer.transform(X_test))
        row["reconstruction_mse"] = round(float(np.mean((reconstruction - X_test) ** 2)), 5)
    if hasattr(transformer, "n_iter_"):
        row["epochs"] = transformer.n_iter_
    return row, transformer


def _run_in_worker(name, dim, data, args, seed, threads):
    torch.set_num_threads(threads)
    return run_one(name, dim, data, args, seed)


def _expected_cost(job):
    """A rough rank of a job's run time, so that the longest start first and no long job
    runs alone at the end: the classifiers, then the overcomplete and conv nets, ..."""
    name, dim = job
    rank = {"raw": 1, "pca": 0, "rbm": 0}.get(name, 2)
    return (name in CLASSIFIERS, dim > 100 and name in OVERCOMPLETE, "conv" in name, rank, dim)


def run_all(jobs, data, args, seed):
    """(row, fitted transformer) of every job, as each finishes: in this process with
    ``--jobs 1``, else ``--jobs`` at a time in worker processes, the longest first
    (see _expected_cost), each with its share of torch's threads."""
    if args.jobs == 1:
        for name, dim in jobs:
            print(f"{name} ({dim}) ...", flush=True)
            yield run_one(name, dim, data, args, seed)
        return
    threads = max(1, torch.get_num_threads() // args.jobs)
    ordered = sorted(jobs, key=_expected_cost, reverse=True)
    yield from Parallel(n_jobs=args.jobs, return_as="generator_unordered")(
        delayed(_run_in_worker)(name, dim, data, args, seed, threads) for name, dim in ordered
    )


def plan(args, n_features):
    """Every (method, size) pair to run, cheapest first."""
    jobs = [("raw", n_features)]
    for name in FEATURE_METHODS:
        for dim in args.dims:
            if name == "pca" and dim > n_features:
                continue  # PCA has at most as many components as features
            jobs.append((name, dim))
    jobs += [
        (name, dim)
        for name in OVERCOMPLETE
        for dim in args.overcomplete_dims
        if (name, dim) not in jobs
    ]
    jobs += [(name, args.main_dim) for name in CLASSIFIERS]
    if args.methods:
        jobs = [job for job in jobs if job[0] in args.methods]
    skip = {(m, int(d)) for m, d in (item.split(":") for item in args.skip)}
    return [job for job in jobs if job not in skip]


def reused_rows(args):
    """The rows of ``--reuse-methods`` in the ``--reuse`` csv, and a provenance line naming
    the run that made them (date and commit from the .md beside the csv)."""
    if args.reuse is None:
        return [], None
    rows = [r for r in read_rows(args.reuse) if r["method"] in args.reuse_methods]
    md = args.reuse.with_suffix(".md").read_text().splitlines()
    made = ", ".join(
        line[2:] for line in md if line.startswith(("- date:", "- commit:", "- versions:"))
    )
    line = (
        f"- reused: the rows of {', '.join(args.reuse_methods)} (which use no skae code) "
        f"from an earlier run of this script with the same data and settings ({made}); "
        "their fit seconds are that run's"
    )
    return rows, line


# what a run's rows depend on beside its settings: --resume checks that these are the same
RESULT_PATHS = ("skae", "benchmarks/configs")
RESULT_DEFINITIONS = {
    "benchmarks/compare.py": (
        "_tuned",
        "conv_settings",
        "classifier_settings",
        "load",
        "make_method",
        "_schedule",
        "_score_candidate",
        "fit_classifier",
        "run_one",
        "plan",
    ),
    "benchmarks/methods.py": ("Method", "METHODS", "names"),
}


def _git(*cmd):
    root = Path(__file__).resolve().parents[1]
    return subprocess.run(["git", *cmd], cwd=root, capture_output=True, text=True)


def _definitions(source, names):
    """The source of each top-level function, class or assignment of ``names``."""
    tree = ast.parse(source)
    found = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            keys = [node.name]
        elif isinstance(node, ast.Assign):
            keys = [t.id for t in node.targets if isinstance(t, ast.Name)]
        else:
            continue
        for key in set(keys) & set(names):
            found[key] = ast.get_source_segment(source, node)
    return found


def resumed_rows(args):
    """The rows of the stopped run in ``--out``, the provenance lines that say where they
    come from, and that run's minutes; SystemExit where its code or settings differ from
    this run's, so that every row of the report is one code's."""
    csv_path = args.out / f"{args.dataset}.csv"
    md_path = csv_path.with_suffix(".md")
    if not (csv_path.exists() and md_path.exists()):
        raise SystemExit(f"--resume: no stopped run in {args.out} ({csv_path.name} and its .md)")
    md = md_path.read_text().splitlines()
    field = {line[2:].split(":", 1)[0]: line[2:].split(":", 1)[1].strip() for line in md
             if line.startswith("- ") and ":" in line}  # fmt: skip
    if "STOPPED" not in field:
        raise SystemExit(f"--resume: {md_path} is the report of a finished run, not a stopped one")
    commit = field["commit"].split()[0]
    differ = []
    changed = _git("diff", "--name-only", commit, "--", *RESULT_PATHS)
    if changed.returncode:
        raise SystemExit(f"--resume: git cannot compare with {commit}: {changed.stderr.strip()}")
    differ += changed.stdout.split()
    root = Path(__file__).resolve().parents[1]
    for path, names in RESULT_DEFINITIONS.items():
        then = _definitions(_git("show", f"{commit}:{path}").stdout, names)
        now = _definitions((root / path).read_text(), names)
        differ += [f"{path}:{name}" for name in names if then.get(name) != now.get(name)]
    if differ:
        raise SystemExit(
            f"--resume: the stopped run's code (commit {commit}) differs from this one's in "
            + ", ".join(differ)
            + "; run the whole benchmark again"
        )
    settings = next(line for line in md if line.startswith("- settings:"))
    if settings != _report.settings_line(args):
        raise SystemExit(
            "--resume: the stopped run's settings differ from this run's; give the same "
            f"options.\n  then: {settings}\n  now:  {_report.settings_line(args)}"
        )
    rows = read_rows(csv_path)
    minutes = float(field["total time"].split()[0])
    lines = [
        f"- resumed: {len(rows)} rows from a run of this script stopped at the end of a "
        f"working session (started {field['date'].split(' (')[0]}, commit {commit}, "
        f"{minutes:.1f} min from its start to its report); {', '.join(RESULT_PATHS)}, the "
        "code of compare.py and methods.py that plans, builds, fits and scores the methods, "
        "and the settings are the same at both commits; their fit seconds are that run's"
    ]
    lines += [line for line in md if line.startswith("- reused:")]
    return rows, lines, minutes * 60


def read_rows(path):
    """The rows of a results csv, with numbers as numbers."""
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        row["n_features"] = int(row["n_features"])
        row["accuracy"] = float(row["accuracy"])
        row["seed"] = int(row.get("seed") or 0)
        row["fit_seconds"] = float(row["fit_seconds"])
        if row["reconstruction_mse"] != "":
            row["reconstruction_mse"] = float(row["reconstruction_mse"])
    return rows


def summarize(rows):
    """One row per (method, size): mean (and standard deviation) over the seeds."""
    groups = {}
    for r in rows:
        groups.setdefault((r["method"], r["n_features"]), []).append(r)
    out = []
    for (method, dim), rs in groups.items():
        acc = [r["accuracy"] for r in rs]
        mse = [r["reconstruction_mse"] for r in rs if r["reconstruction_mse"] != ""]
        out.append(
            {
                "method": method,
                "n_features": dim,
                "accuracy": statistics.mean(acc),
                "accuracy_std": statistics.stdev(acc) if len(acc) > 1 else None,
                "n_seeds": len(rs),
                "fit_seconds": statistics.mean(r["fit_seconds"] for r in rs),
                "reconstruction_mse": statistics.mean(mse) if mse else "",
                "epochs": rs[0]["epochs"],
                "C": "/".join(sorted({str(r["C"]) for r in rs if r["C"] != ""})),
                "scaling": "/".join(sorted({r["scaling"] for r in rs if r["scaling"]})),
            }
        )
    return out


def report_stopped(args):
    """The report of a run stopped before its end, from the rows its csv holds: the run's
    commit and start, the jobs it did not run, the accuracy figure (the reconstruction
    figures need the fitted models, which a stopped run did not keep)."""
    commit, started = args.report_stopped
    rows = read_rows(args.out / f"{args.dataset}.csv")
    data = load(args, args.seeds[0])
    done = {(r["method"], r["n_features"]) for r in rows}
    missing = [job for job in plan(args, data[0].shape[1]) if job not in done]
    start = datetime.datetime.strptime(started, "%Y-%m-%dT%H:%M").replace(
        tzinfo=datetime.timezone.utc
    )
    seconds = (datetime.datetime.now(datetime.timezone.utc) - start).total_seconds()
    args.provenance = [
        line
        for line in _report.provenance()
        if not line.startswith(("- date:", "- commit:"))
    ]
    args.provenance[:0] = [
        f"- date: {started.replace('T', ' ')} UTC (the run's start)",
        f"- commit: {commit} (the run's)",
        f"- STOPPED: the run was stopped at the end of the working session, after "
        f"{len(rows)} of {len(rows) + len(missing)} jobs; not run: "
        + ", ".join(f"{m} ({d})" for m, d in missing)
        + "; this report was written from its csv afterwards (`--report-stopped`), so the "
        "reconstruction figures are not drawn",
    ]
    if args.reuse is not None:
        args.provenance.append(reused_rows(args)[1])
    summary = summarize(rows)
    figures = {}
    if len(args.dims) > 1:
        figures["accuracy-vs-dims"] = _report.plot_accuracy_vs_dims(
            summary, args, args.out / f"{args.dataset}-accuracy-vs-dims.png"
        )
    md_path = args.out / f"{args.dataset}.md"
    md_path.write_text(_report.markdown(summary, args, data, seconds, figures))
    print(f"wrote {md_path} from {len(rows)} rows; not run: {missing}")
    return rows


def main(argv=None):
    args = parse_args(argv)
    if args.replot:
        path = args.out / f"{args.dataset}-accuracy-vs-dims.png"
        summary = summarize(read_rows(args.out / f"{args.dataset}.csv"))
        _report.plot_accuracy_vs_dims(summary, args, path)
        print(f"redrew {path}")
        return None
    if args.report_stopped:
        return report_stopped(args)
    args.provenance = _report.provenance()
    # both read before the csv is written anew
    if args.resume:
        if args.reuse is not None:
            raise SystemExit("--resume keeps every row of the stopped run: drop --reuse")
        reused, resume_lines, args.resumed_seconds = resumed_rows(args)
        args.provenance += resume_lines
    else:
        reused, reuse_line = reused_rows(args)
        if reuse_line:
            args.provenance.append(reuse_line)
    args.out.mkdir(parents=True, exist_ok=True)
    csv_path = args.out / f"{args.dataset}.csv"
    rows, fitted = [], {}
    total_start = time.perf_counter()
    with open(csv_path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS)
        writer.writeheader()
        for seed in args.seeds:
            data = load(args, seed)
            X_train, X_test = data[0], data[1]
            n_features = X_train.shape[1]
            jobs = plan(args, n_features)
            for row in (r for r in reused if r["seed"] == seed):
                if (row["method"], row["n_features"]) in jobs:
                    jobs.remove((row["method"], row["n_features"]))
                    writer.writerow({k: row[k] for k in COLUMNS})
                    rows.append(row)
            print(
                f"{args.dataset}, seed {seed}: {len(X_train)} train / {len(X_test)} test "
                f"samples, {n_features} features; code sizes {args.dims}; results in {args.out}",
                flush=True,
            )
            for i, (row, transformer) in enumerate(run_all(jobs, data, args, seed), 1):
                name, dim = row["method"], row["n_features"]
                print(
                    f"[{i}/{len(jobs)}] {name} ({dim}): "
                    f"accuracy {row['accuracy']:.4f}, {row['fit_seconds']:.1f} s"
                    + (f", C {row['C']} {row['scaling']}" if row["C"] != "" else "")
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
                if dim == args.main_dim and seed == args.seeds[0]:
                    fitted[name] = transformer
            if seed == args.seeds[0]:
                first_data = data
    seconds = time.perf_counter() - total_start
    summary = summarize(rows)

    figures = {}
    X_train, X_test = first_data[0], first_data[1]
    if {"ae", "dae"} <= fitted.keys():
        mse = {
            r["method"]: r["reconstruction_mse"]
            for r in rows
            if r["n_features"] == args.main_dim
            and r["seed"] == args.seeds[0]
            and r["reconstruction_mse"] != ""
        }
        figures["reconstructions"] = _report.plot_reconstructions(
            X_test, fitted, mse, args, args.out / f"{args.dataset}-reconstructions.png"
        )
        noise = corruption_for(args.noise, args.noise_level, X_train)
        denoisers = {k: fitted[k] for k in methods.names(denoising=True) if k in fitted}
        figures["denoising"] = _report.plot_denoising(
            X_test, denoisers, noise, args, args.out / f"{args.dataset}-denoising.png"
        )
    if "vae" in fitted:
        figures["vae-samples"] = _report.plot_vae_samples(
            fitted["vae"], args, args.out / f"{args.dataset}-vae-samples.png"
        )
    if len(args.dims) > 1:
        figures["accuracy-vs-dims"] = _report.plot_accuracy_vs_dims(
            summary, args, args.out / f"{args.dataset}-accuracy-vs-dims.png"
        )
    md_path = args.out / f"{args.dataset}.md"
    md_path.write_text(_report.markdown(summary, args, first_data, seconds, figures))
    print(
        f"done in {seconds / 60:.1f} min: {csv_path}, {md_path}"
        + "".join(f", {p}" for p in figures.values())
    )
    return rows


if __name__ == "__main__":
    main()
