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

N_IMAGES = 10
LABELS = {
    "raw": "raw pixels",
    "pca": "PCA",
    "rbm": "RBM",
    "ae": "AE",
    "dae": "DAE",
    "sae": "SAE",
    "sae_finetuned": "SAE fine-tuned (classifier)",
    "sae_nopretrain": "same MLP, no pretraining",
}
COLORS = {
    "pca": "tab:gray",
    "rbm": "tab:brown",
    "ae": "tab:blue",
    "dae": "tab:orange",
    "sae": "tab:green",
}


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
        if git("status", "--porcelain", "--untracked-files=no")
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
    versions = ", ".join(
        f"{name} {metadata.version(name)}"
        for name in ("skae", "torch", "skorch", "scikit-learn", "numpy", "matplotlib")
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


def _images(ax_row, images, side, label):
    for ax, image in zip(ax_row, images):
        ax.imshow(image.reshape(side, side), cmap="gray_r", vmin=0, vmax=1)
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_visible(False)
    ax_row[0].set_ylabel(label, rotation=0, ha="right", va="center", fontsize=11)


def _grid(rows, side, title, path):
    fig, axes = plt.subplots(
        len(rows), N_IMAGES, figsize=(N_IMAGES * 1.0 + 1.8, len(rows) * 1.05 + 0.5)
    )
    axes = np.atleast_2d(axes)
    for ax_row, (label, images) in zip(axes, rows):
        _images(ax_row, np.clip(images, 0, 1), side, label)
    fig.suptitle(title, fontsize=12)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_reconstructions(X_test, fitted, mse, args, path):
    """The last 10 test images above their reconstructions by each method.

    ``mse`` maps a method to its test-set reconstruction error, as measured
    for the results table.
    """
    X = X_test[-N_IMAGES:]
    rows = [("test images", X)]
    for name in ("pca", "ae", "dae", "sae"):
        if name in fitted:
            model = fitted[name]
            rows.append(
                (
                    f"{LABELS[name]}\nMSE {mse[name]:.4f}",
                    model.inverse_transform(model.transform(X)),
                )
            )
    title = (
        f"{args.dataset}: reconstructions from {args.main_dim}-dimensional codes "
        "(last 10 test images)"
    )
    return _grid(rows, args.side, title, path)


def plot_denoising(X_test, dae, noise, args, path):
    """Noisy / denoised / clean for the last 10 test images."""
    X = X_test[-N_IMAGES:]
    noise.train()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(args.seed)
        noisy = noise(torch.as_tensor(X)).numpy()
    denoised = dae.inverse_transform(dae.transform(noisy))
    rows = [
        (f"noisy\n({args.noise} {args.noise_level:g})", noisy),
        ("denoised\n(DAE)", denoised),
        ("clean", X),
    ]
    title = f"{args.dataset}: denoising autoencoder, {args.main_dim}-dimensional code"
    return _grid(rows, args.side, title, path)


def plot_accuracy_vs_dims(rows, args, path):
    """Test accuracy against code size, raw pixels as a line."""
    fig, ax = plt.subplots(figsize=(9.5, 4.8))
    by_method = {}
    for row in rows:
        by_method.setdefault(row["method"], []).append((row["n_features"], row["accuracy"]))
    for name in ("pca", "rbm", "ae", "dae", "sae"):
        if name in by_method:
            dims, acc = zip(*sorted(by_method[name]))
            ax.plot(dims, acc, marker="o", label=LABELS[name], color=COLORS[name])
    if "raw" in by_method:
        ((n_raw, acc_raw),) = by_method["raw"]
        ax.axhline(acc_raw, color="black", linestyle="--", label=f"raw pixels ({n_raw} features)")
    # the two classifiers sit at the same code size and often at nearly the
    # same accuracy: draw them side by side, each with its value
    for name, marker, shift in (("sae_finetuned", "*", -0.1), ("sae_nopretrain", "X", 0.1)):
        if name in by_method:
            ((dim, acc),) = by_method[name]
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
    ax.set_xticks(args.dims, [str(d) for d in args.dims])
    ax.set_xlabel("code size (features given to LogisticRegression)")
    ax.set_ylabel("test accuracy")
    ax.set_title(f"{args.dataset}: accuracy vs code size ({args.epochs} epochs)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=9, loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def targets(rows):
    """The Fashion-MNIST targets of the benchmark issue: (text, met) pairs."""
    get = {(r["method"], r["n_features"]): r for r in rows}
    best = {}
    for r in rows:
        best.setdefault(r["method"], []).append(r)
    out = []
    fine = [r["accuracy"] for r in best.get("sae_finetuned", [])]
    if fine:
        out.append((f"`sae_finetuned` accuracy >= 0.90: {max(fine):.4f}", max(fine) >= 0.90))
    raw = [r["accuracy"] for r in best.get("raw", [])]
    small = [r for m in ("ae", "dae", "sae") for r in best.get(m, []) if r["n_features"] <= 64]
    if raw and small:
        top = max(small, key=lambda r: r["accuracy"])
        out.append(
            (
                f"best of ae/dae/sae with <= 64 features >= raw ({raw[0]:.4f}): "
                f"{top['method']} ({top['n_features']}) {top['accuracy']:.4f}",
                top["accuracy"] >= raw[0],
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


def markdown(rows, args, data, seconds, figures):
    X_train, X_test = data[0], data[1]
    lines = [
        f"# {args.dataset}: raw pixels vs compressed features + LogisticRegression",
        "",
        "Generated by `benchmarks/compare.py`; do not edit by hand.",
        "",
        *args.provenance,
        f"- data: {len(X_train)} training / {len(X_test)} test samples, "
        f"{X_train.shape[1]} features in [0, 1]",
        f"- settings: hidden sizes {args.hidden_sizes}, code sizes {args.dims}, "
        f"{args.epochs} epochs "
        f"(per layer when pretraining; for the two classifiers {args.finetune_epochs} fine-tuning "
        f"epochs, dropout {args.dropout}, {args.finetune_schedule} learning rate), "
        f"batch {args.batch_size}, Adam lr {args.lr}, output activation {args.output_activation}, "
        f"DAE noise {args.noise} {args.noise_level}, seed {args.seed}; "
        "every feature method is followed by "
        "StandardScaler + LogisticRegression(max_iter=2000), fitted on the training set only; "
        "accuracy and reconstruction MSE are on the test set",
        f"- total time: {seconds / 60:.1f} min",
        "",
        "| method | features | accuracy | fit seconds | reconstruction MSE | epochs |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in sorted(rows, key=lambda r: -r["accuracy"]):
        mse = f"{r['reconstruction_mse']:.5f}" if r["reconstruction_mse"] != "" else ""
        lines.append(
            f"| {r['method']} | {r['n_features']} | {r['accuracy']:.4f} | "
            f"{r['fit_seconds']:.1f} | {mse} | {r['epochs']} |"
        )
    if args.dataset == "fashion-mnist" and not args.n_train:
        lines += ["", "## Targets", ""]
        lines += [f"- {'met' if ok else 'MISSED'}: {text}" for text, ok in targets(rows)]
    if getattr(args, "note", None):
        lines += ["", "## Notes", "", args.note]
    if figures:
        lines += ["", "## Figures", ""]
        lines += [f"![{name}]({Path(p).name})" for name, p in figures.items()]
    return "\n".join(lines) + "\n"
