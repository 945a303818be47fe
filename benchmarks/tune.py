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

``semi`` (Fashion-MNIST)
    SAEClassifier's fine-tuning recipe with few labels (``encoder_lr``,
    ``head_epochs``, dropout, denoising pretraining): the fit part's 50,000
    images, of which 300 or 1,000 (stratified) keep their labels and the rest
    are labeled -1, are fitted semi-supervised and scored on the validation
    part, beside the same network without pretraining; the stacked settings
    of ``label_efficiency.py`` otherwise (which reads the choice).

``protocols`` (digits)
    The defaults of the transformers' code and layers: at the overcomplete
    size of the BernoulliRBM swap (100 components for 64 pixels) and at an
    undercomplete one (32). Candidates: AETransformer, DAETransformer with
    masking 0.25 or 0.5; layers (512, 256) before the code or none (one
    layer, like an RBM); codes of ``CODES`` (ReLU with an L1 penalty, a
    top-k code, both, a linear code; a ReLU code without penalty was tried
    and dropped: no better, and the unscaled protocol converged slowly on it);
    every other setting is the estimator's default. Each is scored under three downstream protocols
    (``PROTOCOLS``: StandardScaler + LogisticRegression with C chosen on an
    inner split; a fixed large C without scaling; LogisticRegression's
    defaults) on digits and on digits with one-pixel shifted copies (5 times
    the rows, as in scikit-learn's RBM example), by the validation macro-F1,
    mean of 3 seeds. The overcomplete choice is the candidate whose worst
    margin over BernoulliRBM(100) (its defaults) across the six columns is
    largest (margins within ``TIE`` of the largest are ties, and among ties a
    code without top-k wins: an absolute k would not carry over to other code
    sizes); the undercomplete one the best in its worst column.

``objectives`` (digits)
    Objectives from the literature not yet in skae, against the overcomplete
    default (DAETransformer(n_components=100): one layer, masking 0.5, ReLU
    code with L1 0.01), under the six columns of ``protocols``: stronger
    masking (0.75); inverted masking (the kept pixels scaled by 1 / (1 - p),
    as inverted dropout does, so that the clean input the codes are computed
    from has the scale the encoder saw in training); block masking (2x2
    patches of the 8x8 image, half of them); a KL target-activation sparsity
    (a sigmoid code whose mean activation per unit is pulled to 0.05, as in
    the sparse autoencoders of Ng's notes). Each is a subclass here on the
    estimators' hooks (``_corruption``, ``_objective``), so skae gains a
    parameter only for one that wins; the choice names the best by the worst
    margin over BernoulliRBM(100) (``TIE`` as in ``protocols``), the default
    winning ties. Nothing reads it yet.

Writes ``<out>/tune-<dataset>.md`` (every candidate's score) and
``<configs>/tune-<dataset>.json`` (the choice, which compare.py reads from
``benchmarks/configs/`` whatever its ``--out``).

    python benchmarks/tune.py --task sparsity
    python benchmarks/tune.py --task classifier --dataset fashion-mnist
    python benchmarks/tune.py --task conv
    python benchmarks/tune.py --task vae
    python benchmarks/tune.py --task protocols
    python benchmarks/tune.py --task semi
    python benchmarks/tune.py --task objectives
"""

import argparse
import json
from functools import partial
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split
from sklearn.neural_network import BernoulliRBM

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _report  # noqa: E402
import compare  # noqa: E402
from protocols import shifted  # noqa: E402  (the one copy, shared with the runner)

from skae import AETransformer, DAETransformer, SAEClassifier, VAETransformer  # noqa: E402
from skae.datasets import fetch_fashion_mnist, load_digits  # noqa: E402
from skae.modules import current_generator  # noqa: E402

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
# the candidates of the protocols task: the code (latent activation, penalty, top-k)
CODES = {
    "relu, sparsity 0.03": dict(latent_activation="relu", sparsity=0.03, top_k=None),
    "relu, sparsity 0.01": dict(latent_activation="relu", sparsity=0.01, top_k=None),
    "relu, top 25": dict(latent_activation="relu", sparsity=0.0, top_k=25),
    "relu, top 50, sparsity 0.01": dict(latent_activation="relu", sparsity=0.01, top_k=50),
    "identity": dict(latent_activation="identity", sparsity=0.0, top_k=None),
}
OVERCOMPLETE_CODES = (
    "relu, sparsity 0.03",
    "relu, sparsity 0.01",
    "relu, top 25",
    "relu, top 50, sparsity 0.01",
)
# the deep layout is scored with the code it had before only: it trails one layer by
# 3-12 points on shifted digits whatever the code (the first run of this task)
DEEP_CODES = ("relu, sparsity 0.03",)
UNDERCOMPLETE_CODES = ("identity", "relu, sparsity 0.03")
# the layers before the code: the undercomplete default, or none (one layer, like an RBM)
LAYOUTS = {"(512, 256)": (512, 256), "one layer": ()}
FAMILIES = {
    "AE": lambda **kw: AETransformer(**kw),
    "DAE masking 0.25": lambda **kw: DAETransformer(noise_level=0.25, **kw),
    "DAE masking 0.5": lambda **kw: DAETransformer(noise_level=0.5, **kw),
}
# SAEClassifier fine-tuning recipes of the semi task (keyword arguments)
RECIPES = {
    "as before (lr 1e-3 throughout, dropout 0.2)": {},
    "encoder_lr 1e-4": dict(encoder_lr=1e-4),
    "head first (a quarter of the epochs)": dict(head_epochs=0.25),  # a fraction
    "dropout 0.5": dict(dropout=0.5),
    "denoising pretraining (masking 0.25)": dict(noise="masking"),
}
SEMI_BUDGETS = (300, 1000)
PROTOCOLS = ("scaled, C on a split", "C=1000, no scaling", "sklearn defaults")
PROTOCOL_SEEDS = (0, 1, 2)
TIE = 0.005  # worst margins over the RBM this close count as equal
TASK_DATASET = {
    "sparsity": "digits",
    "classifier": "fashion-mnist",
    "conv": "fashion-mnist",
    "vae": "digits",
    "protocols": "digits",
    "semi": "fashion-mnist",
    "objectives": "digits",
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


def protocol_scores(F_fit, y_fit, F_val, y_val, n_jobs):
    """The validation macro-F1 of features ``F`` under each of ``PROTOCOLS``."""
    fixed = (
        LogisticRegression(C=1000, max_iter=2000),
        LogisticRegression(),  # max_iter=100: may stop before convergence, as users see it
    )
    models = [compare.fit_classifier(F_fit, y_fit, ("standard",), 0, n_jobs)[0]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        models += [m.fit(F_fit, y_fit) for m in fixed]
    return [f1_score(y_val, m.predict(F_val), average="macro") for m in models]


def tune_protocols(data, args):
    X_fit, X_val, y_fit, y_val = data
    (X_fit5, y_fit5), (X_val5, y_val5) = shifted(X_fit, y_fit), shifted(X_val, y_val)
    datasets = {"digits": data, "shifted digits": (X_fit5, X_val5, y_fit5, y_val5)}
    columns = [f"{d}: {p}" for d in datasets for p in PROTOCOLS]
    rows = []

    def score(label, make, section, **settings):
        start = time.perf_counter()
        seeds = PROTOCOL_SEEDS if make is not None else (0,)
        per_seed = []
        for seed in seeds:
            scores = []
            for X_f, X_v, y_f, y_v in datasets.values():
                if make is None:  # raw pixels
                    F_f, F_v = X_f, X_v
                else:
                    est = make().set_params(random_state=seed)
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")  # dead units, convergence
                        F_f = est.fit_transform(X_f)
                    F_v = est.transform(X_v)
                scores += protocol_scores(F_f, y_f, F_v, y_v, args.n_jobs)
            per_seed.append(scores)
        means = np.mean(per_seed, axis=0)
        row = {"section": section, "candidate": label, **dict(zip(columns, means)), **settings}
        rows.append(row)
        seconds = time.perf_counter() - start
        print(f"{label}: " + " ".join(f"{v:.4f}" for v in means) + f" ({seconds:.0f} s)",
              flush=True)  # fmt: skip
        return row

    rbm = score("BernoulliRBM(100), defaults (reference)",
                lambda: BernoulliRBM(n_components=100), "overcomplete")  # fmt: skip
    score("raw pixels (reference)", None, "overcomplete")
    for family, make in FAMILIES.items():
        for layout, hidden in LAYOUTS.items():
            for code in OVERCOMPLETE_CODES if hidden == () else DEEP_CODES:
                settings = dict(hidden_sizes=hidden, **CODES[code])
                score(f"{family}(100), {layout}, {code}",
                      lambda make=make, kw=settings: make(n_components=100, **kw),
                      "overcomplete", family=family, **settings)  # fmt: skip
    for family, make in FAMILIES.items():
        for code in UNDERCOMPLETE_CODES:
            settings = dict(hidden_sizes=(512, 256), **CODES[code])
            score(f"{family}(32), (512, 256), {code}",
                  lambda make=make, kw=settings: make(n_components=32, **kw),
                  "undercomplete", family=family, **settings)  # fmt: skip

    def margin(row):
        return min(row[c] - rbm[c] for c in columns)

    keys = ("hidden_sizes", "latent_activation", "sparsity", "top_k")
    over = [r for r in rows if r["section"] == "overcomplete" and "family" in r]
    top = max(margin(r) for r in over)
    # within TIE of the best margin is a tie (about one standard error of a 3-seed mean
    # here); among ties a code without top-k wins (its k would not carry over to other
    # code sizes), then the larger margin
    tied = [r for r in over if margin(r) >= top - TIE]
    best_over = max(tied, key=lambda r: (r["top_k"] is None, margin(r)))
    under = [r for r in rows if r["section"] == "undercomplete"]
    best_under = max(under, key=lambda r: min(r[c] for c in columns))
    for r in rows:
        r["vs RBM"] = margin(r) if r is not rbm else 0.0
    args.columns = columns
    choice = {
        "defaults": {
            "overcomplete": {k: best_over[k] for k in keys} | {"family": best_over["family"]},
            "undercomplete": {k: best_under[k] for k in keys} | {"family": best_under["family"]},
        }
    }
    return rows, choice


class InvertedMasking(torch.nn.Module):
    """Masking noise whose kept entries are scaled by 1 / (1 - level) while training."""

    def __init__(self, level):
        super().__init__()
        self.level = level

    def forward(self, x):
        if not self.training or not self.level:
            return x
        keep = torch.rand(x.shape, generator=current_generator(x.device), device=x.device)
        return x * (keep >= self.level) / (1 - self.level)


class BlockMasking(torch.nn.Module):
    """Zero a random fraction ``level`` of the ``block`` x ``block`` patches of square
    images stored as rows, while training."""

    def __init__(self, level, side, block=2):
        super().__init__()
        self.level, self.side, self.block = level, side, block

    def forward(self, x):
        if not self.training or not self.level:
            return x
        n = self.side // self.block
        keep = torch.rand((len(x), n, n), generator=current_generator(x.device), device=x.device)
        keep = (keep >= self.level).to(x.dtype)
        keep = keep.repeat_interleave(self.block, 1).repeat_interleave(self.block, 2)
        return x * keep.reshape(len(x), -1)


class InvertedMaskingDAE(DAETransformer):
    def _corruption(self, X):
        return InvertedMasking(self.noise_level)


class BlockMaskingDAE(DAETransformer):
    def _corruption(self, X):
        return BlockMasking(self.noise_level, int(round(X.shape[1] ** 0.5)))


def kl_sparsity(terms, training, rho, weight):
    """``weight`` times the mean over code units of KL(rho || mean activation of the unit
    over the batch), for codes in (0, 1); while training only."""
    if not training:
        return {}
    rho_hat = terms["code"].mean(0).clamp(1e-6, 1 - 1e-6)
    kl = rho * torch.log(rho / rho_hat) + (1 - rho) * torch.log((1 - rho) / (1 - rho_hat))
    return {"kl_sparsity": weight * kl.mean()}


def _kl_dae(weight, rho=0.05):
    class KLSparseDAE(DAETransformer):
        def _objective(self, n_features):
            return partial(kl_sparsity, rho=rho, weight=weight)

    KLSparseDAE.__qualname__ = KLSparseDAE.__name__ = f"KLSparseDAE_{weight}"
    globals()[KLSparseDAE.__name__] = KLSparseDAE  # picklable by name
    return KLSparseDAE


# the candidates of the objectives task: (estimator class, keyword arguments), all at
# 100 components with one layer; the first is the default
OBJECTIVES = {
    "default: masking 0.5, relu, L1 0.01": (DAETransformer, {}),
    "masking 0.75, relu, L1 0.01": (DAETransformer, dict(noise_level=0.75)),
    "inverted masking 0.5, relu, L1 0.01": (InvertedMaskingDAE, {}),
    "block masking 0.5 (2x2), relu, L1 0.01": (BlockMaskingDAE, {}),
    "masking 0.5, sigmoid code, KL sparsity 0.05, weight 0.1": (
        _kl_dae(0.1), dict(latent_activation="sigmoid", sparsity=0.0)
    ),
    "masking 0.5, sigmoid code, KL sparsity 0.05, weight 1": (
        _kl_dae(1.0), dict(latent_activation="sigmoid", sparsity=0.0)
    ),
}


def tune_objectives(data, args):
    rows = _protocol_rows(
        data,
        args,
        {
            label: (lambda cls=cls, kw=kw: cls(n_components=100, **kw))
            for label, (cls, kw) in OBJECTIVES.items()
        },
    )
    rbm = rows[0]
    columns = args.columns

    def margin(row):
        return min(row[c] - rbm[c] for c in columns)

    for r in rows:
        r["vs RBM"] = margin(r) if r is not rbm else 0.0
    candidates = rows[2:]
    top = max(margin(r) for r in candidates)
    default = candidates[0]
    best = default if margin(default) >= top - TIE else max(candidates, key=margin)
    return rows, {"objectives": {"best": best["candidate"], "vs RBM": round(margin(best), 4)}}


def _protocol_rows(data, args, makers):
    """The references (BernoulliRBM(100), raw pixels) and each of ``makers`` (label:
    estimator factory) scored under ``PROTOCOLS`` on digits and shifted digits."""
    X_fit, X_val, y_fit, y_val = data
    (X_fit5, y_fit5), (X_val5, y_val5) = shifted(X_fit, y_fit), shifted(X_val, y_val)
    datasets = {"digits": data, "shifted digits": (X_fit5, X_val5, y_fit5, y_val5)}
    args.columns = columns = [f"{d}: {p}" for d in datasets for p in PROTOCOLS]
    rows = []
    makers = {
        "BernoulliRBM(100), defaults (reference)": lambda: BernoulliRBM(n_components=100),
        "raw pixels (reference)": None,
        **makers,
    }
    for label, make in makers.items():
        start = time.perf_counter()
        per_seed = []
        for seed in PROTOCOL_SEEDS if make is not None else (0,):
            scores = []
            for X_f, X_v, y_f, y_v in datasets.values():
                if make is None:  # raw pixels
                    F_f, F_v = X_f, X_v
                else:
                    est = make().set_params(random_state=seed)
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")  # dead units, convergence
                        F_f = est.fit_transform(X_f)
                    F_v = est.transform(X_v)
                scores += protocol_scores(F_f, y_f, F_v, y_v, args.n_jobs)
            per_seed.append(scores)
        means = np.mean(per_seed, axis=0)
        rows.append({"candidate": label, **dict(zip(columns, means))})
        print(f"{label}: " + " ".join(f"{v:.4f}" for v in means)
              + f" ({time.perf_counter() - start:.0f} s)", flush=True)  # fmt: skip
    return rows


def tune_semi(data, args):
    import label_efficiency

    X_fit, X_val, y_fit, y_val = data
    rows = []
    for label, recipe in {"no pretraining (reference)": None, **RECIPES}.items():
        row = {"candidate": label}
        start = time.perf_counter()
        for n in SEMI_BUDGETS:
            settings = label_efficiency.stacked_settings(n, seed=0)
            labeled = label_efficiency.draw(y_fit, n, seed=0)
            if recipe is None:
                clf = SAEClassifier(pretrain=False, **settings).fit(X_fit[labeled], y_fit[labeled])
            else:
                params = dict(recipe)
                if "head_epochs" in params:  # a fraction of the fine-tuning epochs
                    params["head_epochs"] = int(params["head_epochs"] * settings["max_epochs"])
                y_semi = np.full(len(y_fit), -1)
                y_semi[labeled] = y_fit[labeled]
                clf = SAEClassifier(**{**settings, **params}).fit(X_fit, y_semi)
            row[f"{n:,} labels"] = float(clf.score(X_val, y_val))
        row["minutes"] = round((time.perf_counter() - start) / 60, 1)
        row["recipe"] = recipe
        rows.append(row)
        print(label, {k: v for k, v in row.items() if "labels" in k}, flush=True)
    recipes = [r for r in rows if r["recipe"] is not None]
    best = max(recipes, key=lambda r: np.mean([r[f"{n:,} labels"] for n in SEMI_BUDGETS]))
    recipe = dict(best["recipe"])
    if "head_epochs" in recipe:
        recipe["head_fraction"] = recipe.pop("head_epochs")
    return rows, {"semi": recipe}


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
    cols = [c for c in rows[0] if ": " in c or c.endswith(" labels")]
    cols = [c for c in FORMATS if c in rows[0] and c != "minutes"] + cols
    cols += ["minutes"] if "minutes" in rows[0] else []
    if "vs RBM" in rows[0]:
        cols.append("vs RBM")
    lines = ["| candidate | " + " | ".join(cols) + " |", "| --- |" + " ---: |" * len(cols)]
    for r in rows:
        cells = [FORMATS.get(c, "{:.4f}").format(r[c]) for c in cols]
        lines.append(f"| {r['candidate']} | " + " | ".join(cells) + " |")
    return lines


TASKS = {
    "sparsity": tune_sparsity,
    "classifier": tune_classifier,
    "conv": tune_conv,
    "vae": tune_vae,
    "protocols": tune_protocols,
    "semi": tune_semi,
    "objectives": tune_objectives,
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
