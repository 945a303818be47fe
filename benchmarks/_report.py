"""Figures, provenance and the markdown table for the benchmark scripts."""

import datetime
import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402

import methods  # noqa: E402
from skae.inspection import ReconstructionDisplay  # noqa: E402

N_IMAGES = 10
LABELS, COLORS = methods.LABELS, methods.COLORS
UNSUPERVISED = methods.names(skae=True)


def provenance():
    """Date, commit, machine and library versions, as markdown lines.

    Call it when a run starts, so that the commit named is the code that ran.
    """
    root = Path(__file__).resolve().parents[1]

    def git(*cmd):
        try:
            return subprocess.run(
                ["git", *cmd], cwd=root, capture_output=True, text=True, check=True
            ).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return "unknown"

    dirty = (
        " (with uncommitted changes)"
        # results being written by another run are not code: only code counts as a change
        if git("status", "--porcelain", "--untracked-files=no", "--", ".", ":!benchmarks/results")
        else ""
    )
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        pages, size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
        memory = f", {pages * size / 2**30:.0f} GiB RAM"
    except (ValueError, OSError, AttributeError):
        pass
    import skae  # its own version, not an editable install's stale metadata

    versions = f"skae {skae.__version__}, " + ", ".join(
        f"{name} {metadata.version(name)}"
        for name in ("torch", "skorch", "scikit-learn", "numpy", "matplotlib")
    )
    return [
        f"- date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC",
        f"- commit: {git('rev-parse', '--short', 'HEAD')}{dirty}",
        f"- machine: {platform.system()} {platform.machine()}, {cpu}, "
        f"{os.cpu_count()} cores{memory}; "
        f"torch threads {torch.get_num_threads()}, "
        f"{'CUDA ' + torch.cuda.get_device_name() if torch.cuda.is_available() else 'no GPU'}",
        f"- versions: Python {platform.python_version()}, {versions}",
        "- command: `"
        + " ".join(["python", f"benchmarks/{Path(sys.argv[0]).name}", *sys.argv[1:]])
        + "`",
    ]


def _stacked(rows, title, path):
    """One figure of ``rows``: (display, plot keyword arguments) pairs, one Axes each."""
    n = len(rows)
    fig, axes = plt.subplots(n, 1, figsize=(N_IMAGES * 1.0 + 2.2, n * 1.1 + 0.6))
    for ax, (display, kwargs) in zip(np.atleast_1d(axes), rows):
        display.plot(ax=ax, **kwargs)
    fig.suptitle(title, fontsize=12)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_reconstructions(X_test, fitted, mse, args, path):
    """The last 10 test images above their reconstructions by each method, drawn by
    ``skae.inspection.ReconstructionDisplay``.

    ``mse`` maps a method to its test-set reconstruction error, as measured
    for the results table.
    """
    X = X_test[-N_IMAGES:]
    shape = args.image_shape
    rows = [(ReconstructionDisplay(X, X, shape), {"rows": ("original",),
                                                  "row_labels": ["test images"]})]  # fmt: skip
    for name in methods.names(reconstructs=True):
        if name in fitted and name in mse:
            model = fitted[name]
            display = ReconstructionDisplay(X, model.inverse_transform(model.transform(X)), shape)
            label = f"{LABELS[name]}\nMSE {mse[name]:.4f}"
            rows.append((display, {"rows": ("reconstruction",), "row_labels": [label]}))
    title = (
        f"{args.dataset}: reconstructions from {args.main_dim}-dimensional codes "
        "(last 10 test images)"
    )
    return _stacked(rows, title, path)


def plot_denoising(X_test, denoisers, noise, args, path):
    """Noisy / denoised by each denoising autoencoder / clean, for the last 10 test images
    (the same noisy images for every denoiser), drawn by ReconstructionDisplay."""
    X = X_test[-N_IMAGES:]
    noise.train()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(args.seeds[0])
        noisy = noise(torch.as_tensor(X, dtype=torch.float32)).numpy()
    shape = args.image_shape
    rows = [(ReconstructionDisplay(X, X, shape, noisy=noisy),
             {"rows": ("noisy",), "row_labels": [f"noisy\n({args.noise} {args.noise_level:g})"]})]
    for name, dae in denoisers.items():
        display = ReconstructionDisplay(X, dae.inverse_transform(dae.transform(noisy)), shape)
        rows.append((display, {"rows": ("reconstruction",),
                               "row_labels": [f"denoised\n({LABELS[name]})"]}))  # fmt: skip
    rows.append((ReconstructionDisplay(X, X, shape), {"rows": ("original",),
                                                      "row_labels": ["clean"]}))  # fmt: skip
    title = f"{args.dataset}: denoising autoencoders, {args.main_dim}-dimensional codes"
    return _stacked(rows, title, path)


def plot_vae_samples(vae, args, path):
    """Twenty rows drawn from the VAE's prior and decoded, by ReconstructionDisplay."""
    samples = vae.sample(2 * N_IMAGES, random_state=args.seeds[0])
    display = ReconstructionDisplay(samples[:N_IMAGES], samples[N_IMAGES:], args.image_shape)
    rows = [(display, {"rows": ("original", "reconstruction"),
                       "row_labels": ["samples", "more samples"]})]  # fmt: skip
    title = f"{args.dataset}: VAE samples (prior draws decoded), {args.main_dim}-dim codes"
    return _stacked(rows, title, path)


def plot_accuracy_vs_dims(summary, args, path):
    """Test accuracy against code size (mean over seeds, with their standard deviation),
    raw pixels as a line."""
    fig, ax = plt.subplots(figsize=(10, 5))
    by_method = {}
    for row in summary:
        by_method.setdefault(row["method"], []).append(row)
    for name in methods.names(kind="features"):
        if name in by_method:
            rs = sorted(by_method[name], key=lambda r: r["n_features"])
            dims = [r["n_features"] for r in rs]
            acc = [r["accuracy"] for r in rs]
            err = [r.get("accuracy_std") or 0 for r in rs]
            style = "--" if name.startswith("conv") else "-"
            ax.errorbar(
                dims,
                acc,
                yerr=err if any(err) else None,
                marker="o",
                linestyle=style,
                capsize=3,
                label=LABELS[name],
                color=COLORS[name],
            )
    if "raw" in by_method:
        (raw,) = by_method["raw"]
        ax.axhline(
            raw["accuracy"],
            color="black",
            linestyle="--",
            label=f"raw pixels ({raw['n_features']} features)",
        )
        # the undercomplete sizes left of this line, the overcomplete right of it
        ax.axvline(
            raw["n_features"],
            color="gray",
            linestyle=":",
            linewidth=1,
            label=f"{raw['n_features']} features: under- | overcomplete",
        )
    # the two classifiers sit at the same code size and often at nearly the
    # same accuracy: draw them side by side, each with its value
    for name, marker, shift in (("sae_finetuned", "*", -0.1), ("sae_nopretrain", "X", 0.1)):
        if name in by_method:
            (row,) = by_method[name]
            dim, acc = row["n_features"], row["accuracy"]
            x = dim * 2**shift
            color = "tab:red" if marker == "*" else "tab:purple"
            ax.scatter([x], [acc], marker=marker, s=160, zorder=3, label=LABELS[name], color=color)
            ax.annotate(
                f"{acc:.3f}",
                (x, acc),
                textcoords="offset points",
                xytext=(-9 if shift < 0 else 9, 9),
                ha="right" if shift < 0 else "left",
                fontsize=8,
                color=color,
                bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none"},
                zorder=4,
            )
    ax.set_xscale("log", base=2)
    sizes = sorted({r["n_features"] for r in summary if r["method"] != "raw"})
    ax.set_xticks(sizes, [str(d) for d in sizes])
    ax.margins(y=0.08)  # room for the classifiers' labels inside the frame
    ax.set_xlabel("code size (features given to LogisticRegression)")
    ax.set_ylabel(
        "test accuracy" + (f" (mean of {len(args.seeds)} seeds)" if len(args.seeds) > 1 else "")
    )
    ax.set_title(f"{args.dataset}: accuracy vs code size")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=9, loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _best(summary, methods, max_dim=None):
    rows = [
        r
        for r in summary
        if r["method"] in methods and (max_dim is None or r["n_features"] <= max_dim)
    ]
    return max(rows, key=lambda r: r["accuracy"]) if rows else None


def targets(summary, dataset):
    """The targets of the open issues that this run measures: (text, met) pairs."""
    get = {(r["method"], r["n_features"]): r for r in summary}
    out = []
    if dataset == "digits":
        rbm = get.get(("rbm", 100))
        best = _best([r for r in summary if r["n_features"] == 100], UNSUPERVISED)
        if rbm and best:
            out.append(
                (
                    f"best skae features at 100 components ({best['method']}, "
                    f"{best['accuracy']:.4f}) >= BernoulliRBM(100) ({rbm['accuracy']:.4f})",
                    best["accuracy"] >= rbm["accuracy"],
                )
            )
        return out
    fine = _best(summary, ("sae_finetuned",))
    if fine:
        out.append(
            (
                f"`sae_finetuned` accuracy >= 0.905: {fine['accuracy']:.4f}",
                fine["accuracy"] >= 0.905,
            )
        )
    best = _best(summary, UNSUPERVISED, 64)
    if best:
        out.append(
            (
                "best unsupervised skae features with <= 64 dimensions >= 0.86: "
                f"{best['method']} ({best['n_features']}) {best['accuracy']:.4f}",
                best["accuracy"] >= 0.86,
            )
        )
    wide = _best([r for r in summary if r["n_features"] > 784], UNSUPERVISED)
    if wide:
        out.append(
            (
                "best overcomplete unsupervised skae features >= 0.88: "
                f"{wide['method']} ({wide['n_features']}) {wide['accuracy']:.4f}",
                wide["accuracy"] >= 0.88,
            )
        )
    raw = get.get(("raw", 784))
    if raw:
        out.append(
            (
                f"raw pixels, fairly tuned, >= 0.840: {raw['accuracy']:.4f} "
                f"(C {raw['C']}, scaling {raw['scaling']})",
                raw["accuracy"] >= 0.840,
            )
        )
    conv, mlp = (
        _best(summary, ("conv_ae", "conv_dae"), 64),
        _best(summary, ("ae", "dae", "sae"), 64),
    )
    if conv and mlp:
        out.append(
            (
                f"best conv features with <= 64 dimensions ({conv['method']} {conv['n_features']}, "
                f"{conv['accuracy']:.4f}) >= best MLP features ({mlp['method']} "
                f"{mlp['n_features']}, {mlp['accuracy']:.4f})",
                conv["accuracy"] >= mlp["accuracy"],
            )
        )
    for dim, limit in ((32, 0.0070), (64, 0.0050)):
        row = get.get(("conv_ae", dim))
        if row and row["reconstruction_mse"] != "":
            out.append(
                (
                    f"`conv_ae` reconstruction MSE at {dim} <= {limit}: "
                    f"{row['reconstruction_mse']:.5f}",
                    row["reconstruction_mse"] <= limit,
                )
            )
    ae32 = get.get(("ae", 32))
    if ae32 and ae32["reconstruction_mse"] != "":
        out.append(
            (
                "32-dimensional `ae` reconstruction MSE <= 0.0095: "
                f"{ae32['reconstruction_mse']:.5f}",
                ae32["reconstruction_mse"] <= 0.0095,
            )
        )
    return out


def settings_line(args):
    """The report's settings line: everything a run's rows depend on beside the code
    (compare.py --resume takes a stopped run's rows only where this line is the same)."""
    clf = args.classifier
    return (
        f"- settings: MLP hidden sizes {args.hidden_sizes}, code sizes {args.dims}, "
        f"{args.epochs} epochs (per layer when pretraining), batch {args.batch_size}, "
        f"Adam lr {args.lr}, output activation {args.output_activation}, "
        f"DAE noise {args.noise} {args.noise_level}"
        f"{' (its default)' if args.noise_default else ''}, skae codes as by default "
        "(linear below the number of pixels, sparse ReLU above); "
        + (
            f"overcomplete sizes {args.overcomplete_dims} (ae, dae, conv_ae, conv_dae): MLP "
            f"nets of one layer, {args.overcomplete_epochs} epochs, batch "
            f"{args.overcomplete_batch_size}, conv nets as below; "
            if args.overcomplete_dims
            else ""
        )
        + f"conv nets: image {args.image_shape}, channels {args.conv_channels}, "
        f"{args.conv['max_epochs']} epochs, batch {args.conv_batch_size}, "
        f"{args.conv['loss']} loss, {args.conv['schedule']} learning rate "
        f"(from {args.conv['source']}); "
        "classifiers: hidden sizes "
        f"{tuple(clf['hidden_sizes'])}, {clf['max_epochs']} fine-tuning epochs, dropout "
        f"{clf['dropout']}, {clf['schedule']} learning rate (from {clf['source']})"
    )


def markdown(summary, args, data, seconds, figures):
    X_train, X_test = data[0], data[1]
    seeds = len(args.seeds)
    lines = [
        f"# {args.dataset}: raw pixels vs compressed features + LogisticRegression",
        "",
        "Generated by `benchmarks/compare.py`; do not edit by hand.",
        "",
        *args.provenance,
        f"- data: {len(X_train)} training / {len(X_test)} test samples, "
        f"{X_train.shape[1]} features in [0, 1]"
        + (
            f"; {seeds} seeds (0 to {seeds - 1}: split, initialisation, shuffling)"
            if seeds > 1
            else ""
        ),
        settings_line(args),
        "- classifier after each feature method: StandardScaler + "
        f"LogisticRegression(max_iter=2000) with C in {args.c_grid} chosen on a held-out "
        "sixth of the training set (raw pixels also choose StandardScaler or none), refitted "
        "on the whole training set; accuracy and reconstruction MSE are on the test set",
        f"- total time: {seconds / 60:.1f} min"
        + (
            f" (this run) + {args.resumed_seconds / 60:.1f} min (the stopped run it resumed) "
            f"= {(seconds + args.resumed_seconds) / 60:.1f} min"
            if getattr(args, "resumed_seconds", None)
            else ""
        )
        + (
            f" ({args.jobs} methods at a time, each in its own process with "
            f"{max(1, torch.get_num_threads() // args.jobs)} torch thread(s); the fit seconds "
            "are measured so)"
            if getattr(args, "jobs", 1) > 1
            else ""
        ),
        "",
        "| method | features | accuracy | fit seconds | reconstruction MSE | epochs | C "
        "| scaling |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in sorted(summary, key=lambda r: -r["accuracy"]):
        mse = f"{r['reconstruction_mse']:.5f}" if r["reconstruction_mse"] != "" else ""
        acc = f"{r['accuracy']:.4f}"
        if r.get("accuracy_std") is not None:
            acc += f" ± {r['accuracy_std']:.4f}"
        lines.append(
            f"| {r['method']} | {r['n_features']} | {acc} | {r['fit_seconds']:.1f} | {mse} | "
            f"{r['epochs']} | {r['C']} | {r['scaling']} |"
        )
    if not args.n_train:
        checks = targets(summary, args.dataset)
        if checks:
            lines += ["", "## Targets", ""]
            lines += [f"- {'met' if ok else 'MISSED'}: {text}" for text, ok in checks]
    if getattr(args, "note", None):
        lines += ["", "## Notes", "", args.note]
    if figures:
        lines += ["", "## Figures", ""]
        lines += [f"![{name}]({Path(p).name})" for name, p in figures.items()]
    return "\n".join(lines) + "\n"
